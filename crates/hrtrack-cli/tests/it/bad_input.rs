//! Files that must be refused: each import exits non-zero, says on stderr which file and where
//! in it (row, line, part, header), and leaves the database as it was. The database first gets
//! a small good file so that "unchanged" means something.

use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use crate::common::{Workspace, parse_json, slovenia_4_docx, turkmenistan_csv};

/// The header of a UPR Info export, as the real file has it.
const UPR_INFO_HEADER: &str = "state_under_review,sur_regional_group,sur_organisations,recommendation,\
    recommending_state,rs_regional_group,rs_organisations,response,action_category,issues,session,cycle,source_file";

/// A workspace whose database holds Turkmenistan's UPR Info recommendations.
fn workspace() -> Workspace {
    let ws = Workspace::new();
    ws.import_small_good_file();
    ws
}

/// A UPR Info row for Turkmenistan's first review with the given text and recommending State.
fn upr_info_row(text: &str, state: &str) -> String {
    format!(
        "Turkmenistan,Asia,\"CIS, OIC\",\"{text}\",{state},WEOG,EU,Accepted,5,Trafficking,3,1,test.csv"
    )
}

#[test]
fn truncated_docx() {
    let ws = workspace();
    let whole = std::fs::read(slovenia_4_docx()).expect("the Slovenia matrix");
    let name = ws.write("half.docx", &whole[..whole.len() / 2]);
    let message = ws.refused(&["import", "ohchr-matrix", &name], "half.docx", &["file"]);
    assert!(
        message.contains("truncated") || message.contains("damaged"),
        "{message}"
    );
}

#[test]
fn png_renamed_docx() {
    let ws = workspace();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&[0u8; 64]);
    let name = ws.write("picture.docx", png);
    let message = ws.refused(
        &["import", "ohchr-matrix", &name],
        "picture.docx",
        &["file"],
    );
    assert!(message.contains("not a Word .docx file"), "{message}");
}

#[test]
fn text_file_renamed_docx() {
    let ws = workspace();
    let name = ws.write(
        "notes.docx",
        "Recommendations of the second cycle\n140.1 Ratify ...\n",
    );
    let message = ws.refused(&["import", "ohchr-matrix", &name], "notes.docx", &["file"]);
    assert!(message.contains("not a Word .docx file"), "{message}");
}

#[test]
fn legacy_word_doc_renamed_docx() {
    let ws = workspace();
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend_from_slice(&[0u8; 504]);
    let name = ws.write("old.docx", ole);
    let message = ws.refused(&["import", "ohchr-matrix", &name], "old.docx", &["file"]);
    assert!(message.contains(".doc"), "{message}");
}

#[test]
fn zip_bomb_docx() {
    let ws = workspace();
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let fast = SimpleFileOptions::default().compression_level(Some(1));
    writer
        .start_file("word/document.xml", fast)
        .expect("a zip entry");
    writer
        .write_all(b"<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">")
        .expect("zip content");
    let spaces = vec![b' '; 1024 * 1024];
    for _ in 0..65 {
        writer.write_all(&spaces).expect("zip content");
    }
    let bytes = writer.finish().expect("a zip").into_inner();
    assert!(
        bytes.len() < 1024 * 1024,
        "a bomb is small: {} bytes",
        bytes.len()
    );
    let name = ws.write("bomb.docx", bytes);
    let message = ws.refused(
        &["import", "ohchr-matrix", &name],
        "bomb.docx",
        &["word/document.xml"],
    );
    assert!(message.contains("64 MiB"), "{message}");
}

#[test]
fn windows_1252_csv() {
    let ws = workspace();
    let mut bytes = format!(
        "{UPR_INFO_HEADER}\n{}\n",
        upr_info_row("Protect the rights of children.", "France")
    )
    .into_bytes();
    bytes.extend_from_slice(
        &upr_info_row("Ensure the right to a fair trial.", "C\u{f4}te d'Ivoire").into_bytes(),
    );
    bytes.push(b'\n');
    // "Côte" in Windows-1252 on the third line.
    let utf8_o = bytes
        .windows(2)
        .position(|w| w == "\u{f4}".as_bytes())
        .expect("the accented letter");
    bytes.splice(utf8_o..utf8_o + 2, [0xF4]);
    let name = ws.write("cp1252.csv", bytes);
    // Named as UTF-8, the file is refused where the foreign byte stands.
    let message = ws.refused(
        &["import", "upr-info", "--encoding", "utf-8", &name],
        "cp1252.csv",
        &["line 3"],
    );
    assert!(message.contains("UTF-8"), "{message}");
    // Detected (and named), it is read as Windows-1252.
    for args in [vec![], vec!["--encoding", "windows-1252"]] {
        let mut command = vec!["import", "upr-info"];
        command.extend(args);
        command.push(&name);
        ws.ok(&command);
        let stats = parse_json(&ws.stats_text(&["--recommending-state", "C\u{f4}te d'Ivoire"]));
        assert_eq!(stats["recommendations"], 1, "{stats:#}");
    }
}

#[test]
fn utf16_csv() {
    let ws = workspace();
    let text = format!(
        "\u{feff}{UPR_INFO_HEADER}\n{}\n",
        upr_info_row("Protect the rights of children.", "France")
    );
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let name = ws.write("utf16.csv", bytes);
    let message = ws.refused(&["import", "upr-info", &name], "utf16.csv", &["byte 0"]);
    assert!(message.contains("UTF-16"), "{message}");
}

#[test]
fn renamed_recommendation_column() {
    let ws = workspace();
    let real = std::fs::read_to_string(turkmenistan_csv()).expect("the Turkmenistan file");
    let renamed = real.replacen(",recommendation,", ",Rec,", 1);
    assert_ne!(real, renamed);
    let name = ws.write("renamed.csv", renamed);
    let message = ws.refused(&["import", "upr-info", &name], "renamed.csv", &["header"]);
    assert!(
        message.contains("missing column(s) recommendation"),
        "{message}"
    );
    assert!(
        message.contains("state_under_review, sur_regional_group"),
        "the header is not listed: {message}"
    );
    assert!(
        message.contains(", Rec, "),
        "the header is not listed: {message}"
    );
}

#[test]
fn missing_columns_are_all_listed() {
    let ws = workspace();
    let name = ws.write(
        "short.csv",
        "state_under_review,recommendation\nTurkmenistan,Do more.\n",
    );
    let message = ws.refused(&["import", "upr-info", &name], "short.csv", &["header"]);
    for column in ["recommending_state", "response", "session"] {
        assert!(
            message.contains(column),
            "{column} is not listed: {message}"
        );
    }
}

#[test]
fn two_unknown_country_names_in_one_error() {
    let ws = workspace();
    let csv = format!(
        "{UPR_INFO_HEADER}\n{}\n{}\n{}\n",
        upr_info_row("Protect the rights of children.", "France"),
        upr_info_row("Abolish the death penalty.", "Frankreich"),
        upr_info_row("Ensure freedom of expression.", "Narnia"),
    );
    let name = ws.write("unknown.csv", csv);
    let message = ws.refused(
        &["import", "upr-info", &name],
        "unknown.csv",
        &["row 3", "row 4"],
    );
    assert!(
        message.contains("Frankreich") && message.contains("Narnia"),
        "{message}"
    );
    assert!(message.contains("2 unknown"), "{message}");
}

#[test]
fn duplicate_paragraphs_with_different_texts() {
    let ws = workspace();
    let csv = "state,cycle,paragraph,text,recommending_states\n\
               Slovenia,4,140.1,Ratify the Convention.,France\n\
               Slovenia,4,140.2,Protect migrants.,Spain\n\
               Slovenia,4,140.1,Abolish something else.,Italy\n";
    let name = ws.write("dup.csv", csv);
    let message = ws.refused(&["import", "table", &name], "dup.csv", &["row 4", "row 2"]);
    assert!(message.contains("140.1"), "{message}");
}

#[test]
fn empty_files() {
    let ws = workspace();
    let csv = ws.write("empty.csv", "");
    let docx = ws.write("empty.docx", "");
    let message = ws.refused(&["import", "upr-info", &csv], "empty.csv", &["file"]);
    assert!(message.contains("empty"), "{message}");
    ws.refused(&["import", "table", &csv], "empty.csv", &["file"]);
    let message = ws.refused(&["import", "ohchr-matrix", &docx], "empty.docx", &["file"]);
    assert!(message.contains("empty"), "{message}");
}

#[test]
fn header_without_rows() {
    let ws = workspace();
    let name = ws.write("header-only.csv", format!("{UPR_INFO_HEADER}\n"));
    ws.refused(
        &["import", "upr-info", &name],
        "header-only.csv",
        &["row 2"],
    );
}

#[test]
fn one_gigabyte_file_is_refused_before_reading() {
    let ws = workspace();
    let file = std::fs::File::create(ws.file("huge.csv")).expect("a file");
    file.set_len(1 << 30).expect("a sparse file");
    drop(file);
    let started = Instant::now();
    let message = ws.refused(&["import", "upr-info", "huge.csv"], "huge.csv", &["file"]);
    let elapsed = started.elapsed();
    assert!(message.contains("MB"), "{message}");
    // Three processes (stats, import, stats) in a debug build on a loaded machine.
    assert!(
        elapsed < Duration::from_secs(5),
        "took {elapsed:?}: the file was read"
    );
}

#[test]
fn unbalanced_quote() {
    let ws = workspace();
    let csv = format!(
        "{UPR_INFO_HEADER}\n{}\nTurkmenistan,Asia,OIC,\"Unclosed text,France,WEOG,EU,Accepted,5,Trafficking,3,1,x.csv\n",
        upr_info_row("Protect the rights of children.", "France")
    );
    let name = ws.write("quote.csv", csv);
    let message = ws.refused(&["import", "upr-info", &name], "quote.csv", &["line 3"]);
    assert!(message.contains("malformed CSV"), "{message}");
}

#[test]
fn wrong_field_count() {
    let ws = workspace();
    let csv = format!(
        "{UPR_INFO_HEADER}\n{}\n{},extra\n",
        upr_info_row("Protect the rights of children.", "France"),
        upr_info_row("Abolish the death penalty.", "Spain")
    );
    let name = ws.write("fields.csv", csv);
    let message = ws.refused(&["import", "upr-info", &name], "fields.csv", &["line 3"]);
    assert!(message.contains("malformed CSV"), "{message}");

    let table = "state,paragraph,text\nSlovenia,140.1,Ratify.\nSlovenia,140.2\n";
    let name = ws.write("table.csv", table);
    ws.refused(&["import", "table", &name], "table.csv", &["line 3"]);
}

#[test]
fn bad_value_names_row_and_column() {
    let ws = workspace();
    let csv = format!(
        "{UPR_INFO_HEADER}\n{}\n{}\n",
        upr_info_row("Protect the rights of children.", "France"),
        upr_info_row("Abolish the death penalty.", "Spain").replace("Accepted", "Maybe")
    );
    let name = ws.write("position.csv", csv);
    ws.refused(
        &["import", "upr-info", &name],
        "position.csv",
        &["row 3", "response"],
    );
}

#[test]
fn mapping_with_unknown_field() {
    let ws = workspace();
    let table = ws.write("t.csv", "No.,Recommendation\n1,Ratify the Convention.\n");
    let mapping = ws.write(
        "m.toml",
        "[columns]\nparagraph = \"No.\"\nrecommendation_text = \"Recommendation\"\n",
    );
    let message = ws.refused(
        &["import", "table", "--mapping", &mapping, &table],
        "m.toml",
        &["mapping"],
    );
    assert!(message.contains("recommendation_text"), "{message}");
}

#[test]
fn mapping_with_column_not_in_file() {
    let ws = workspace();
    let table = ws.write(
        "t.csv",
        "No.,Text of the recommendation\n1,Ratify the Convention.\n",
    );
    let mapping = ws.write(
        "m.toml",
        "[columns]\nparagraph = \"No.\"\ntext = \"Recommendation\"\n[defaults]\nstate = \"Slovenia\"\n",
    );
    let message = ws.refused(
        &["import", "table", "--mapping", &mapping, &table],
        "t.csv",
        &["header"],
    );
    assert!(message.contains("\"Recommendation\""), "{message}");
    assert!(
        message.contains("Text of the recommendation"),
        "the header is not listed: {message}"
    );
}

#[test]
fn mapping_that_is_not_toml() {
    let ws = workspace();
    let table = ws.write("t.csv", "No.,Recommendation\n1,Ratify the Convention.\n");
    let mapping = ws.write("m.toml", "[columns\ntext = Recommendation\n");
    ws.refused(
        &["import", "table", "--mapping", &mapping, &table],
        "m.toml",
        &["mapping"],
    );
}

#[test]
fn one_bad_file_among_several_imports_nothing() {
    let ws = workspace();
    let good = ws.write(
        "good.csv",
        "state,cycle,paragraph,text,recommending_states\nSlovenia,4,140.1,Ratify the Convention.,France\n",
    );
    let bad = ws.write(
        "bad.csv",
        "state,cycle,paragraph,text\nSlovenia,4,140.2,Protect.,extra\n",
    );
    // `refused` compares the statistics: the good file must not have been written either.
    ws.refused(&["import", "table", &good, &bad], "bad.csv", &["line 2"]);
}
