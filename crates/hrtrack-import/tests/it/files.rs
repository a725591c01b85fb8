//! Hostile and real-world files for the bounded readers: XLSX workbooks that declare huge
//! counts or extents, ZIP bombs in every ZIP-based format, UPR Info's export as downloaded
//! (Mac Roman or Windows-1252, CR line ends, its own header), and table mappings with value
//! maps and many bad rows.

use std::io::{Cursor, Read, Write};

use hrtrack_import::bounded_zip::{self, XLSX_LIMITS};
use hrtrack_import::input;
use hrtrack_import::table::{self, Mapping};
use rust_xlsxwriter::Workbook;
use zip::write::SimpleFileOptions;

/// A table workbook: `cells` as (row, column, text), on one sheet.
fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (row, col, text) in cells {
        sheet.write_string(*row, *col, *text).expect("cell");
    }
    book.save_to_buffer().expect("saved")
}

/// The archive with `edit` applied to each entry's bytes and `extra` entries added.
pub fn rewrite_zip(
    bytes: &[u8],
    edit: impl Fn(&str, Vec<u8>) -> Vec<u8>,
    extra: &[(&str, &[u8])],
) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let name = entry.name().expect("name").to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("read");
        writer.start_file(name.as_str(), options).expect("start");
        writer.write_all(&edit(&name, data)).expect("write");
    }
    for (name, data) in extra {
        writer.start_file(*name, options).expect("start");
        writer.write_all(data).expect("write");
    }
    writer.finish().expect("finish").into_inner()
}

/// The shared strings part of a workbook made to declare `count` strings.
fn declaring(bytes: &[u8], count: &str) -> Vec<u8> {
    rewrite_zip(
        bytes,
        |name, data| {
            if name != "xl/sharedStrings.xml" {
                return data;
            }
            let text = String::from_utf8(data).expect("xml");
            let start = text.find("<sst").expect("an sst element");
            let end = start + text[start..].find('>').expect("its end");
            let tag = format!(
                "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
                 count=\"{count}\" uniqueCount=\"{count}\">"
            );
            format!("{}{tag}{}", &text[..start], &text[end + 1..]).into_bytes()
        },
        &[],
    )
}

fn table_cells() -> Vec<(u32, u16, &'static str)> {
    vec![
        (0, 0, "text"),
        (0, 1, "state"),
        (0, 2, "position"),
        (1, 0, "Ratify the Convention."),
        (1, 1, "Turkmenistan"),
        (1, 2, "supported"),
    ]
}

#[test]
fn files_xlsx_declaring_huge_string_counts_reads() {
    let bytes = declaring(&workbook(&table_cells()), "1000000000000000000");
    assert!(bytes.len() < 80 * 1024);
    // calamine reserved room for uniqueCount strings: "capacity overflow" (or an abort).
    let batch = table::read(&bytes, "counts.xlsx", None).expect("the table reads");
    assert_eq!(batch.recommendation_count(), 1);
    let batch = table::read(
        &declaring(&workbook(&table_cells()), "99999999999999999999999"),
        "counts.xlsx",
        None,
    )
    .expect("a count past usize reads too");
    assert_eq!(batch.recommendation_count(), 1);
}

#[test]
fn files_xlsx_with_a_cell_at_xfd1048576_is_read_sparsely() {
    let mut cells = table_cells();
    cells.push((1_048_575, 16_383, "far away"));
    let bytes = workbook(&cells);
    assert!(bytes.len() < 8 * 1024);
    // The dense range of this sheet has 17 billion cells.
    let error = table::read(&bytes, "far.xlsx", None).expect_err("row 1048576 has no text");
    assert!(error.to_string().contains("row 1048576"), "{error}");
    assert!(error.to_string().contains("text"), "{error}");

    // The same far cell in a column the header names is simply read.
    let mut cells = table_cells();
    cells.push((0, 16_383, "themes"));
    cells.push((1, 16_383, "Women"));
    let batch = table::read(&workbook(&cells), "wide.xlsx", None).expect("reads");
    assert_eq!(batch.reviews[0].recommendations[0].themes, ["Women"]);
}

/// The table workbook with its sheet's XML edited by `edit`.
fn sheet_edited(edit: impl Fn(String) -> String) -> Vec<u8> {
    rewrite_zip(
        &workbook(&table_cells()),
        |name, data| {
            if name != "xl/worksheets/sheet1.xml" {
                return data;
            }
            edit(String::from_utf8(data).expect("xml")).into_bytes()
        },
        &[],
    )
}

#[test]
fn files_xlsx_declared_dimension_sizes_nothing_and_bad_references_are_named() {
    let declared = sheet_edited(|xml| {
        assert!(xml.contains("<dimension ref=\"A1:C2\"/>"), "{xml}");
        xml.replacen(
            "<dimension ref=\"A1:C2\"/>",
            "<dimension ref=\"A1:XFD1048576\"/>",
            1,
        )
    });
    let batch = table::read(&declared, "dimension.xlsx", None).expect("reads");
    assert_eq!(batch.recommendation_count(), 1);

    // calamine subtracts the corners unchecked: a reversed one overflowed (a panic in a
    // debug build), and an overlong reference too.
    for (edit, cell) in [
        (
            ("<dimension ref=\"A1:C2\"/>", "<dimension ref=\"C2:A1\"/>"),
            "C2:A1",
        ),
        (("r=\"C2\"", "r=\"XFE2\""), "XFE2"),
        (
            ("r=\"C2\"", "r=\"AAAAAAAAAAAAAAAAAAAA2\""),
            "AAAAAAAAAAAAAAAAAAAA2",
        ),
        (("r=\"2\"", "r=\"99999999999\""), "99999999999"),
    ] {
        let bytes = sheet_edited(|xml| {
            assert!(xml.contains(edit.0), "{xml}");
            xml.replacen(edit.0, edit.1, 1)
        });
        let error = table::read(&bytes, "bad.xlsx", None).expect_err(cell);
        assert_eq!(error.place, "xl/worksheets/sheet1.xml", "{error}");
        assert!(error.message.contains(cell), "{error}");
    }
}

/// 80 MiB of zeros: about 80 KB deflated.
fn zeros() -> Vec<u8> {
    vec![0u8; 80 * 1024 * 1024]
}

#[test]
fn files_xlsx_zip_bomb_is_refused_naming_the_part() {
    let bomb = zeros();
    let bytes = rewrite_zip(
        &workbook(&table_cells()),
        |_, d| d,
        &[("xl/media/image1.png", &bomb)],
    );
    assert!(bytes.len() < 1024 * 1024, "{}", bytes.len());
    let error = table::read(&bytes, "bomb.xlsx", None).expect_err("a bomb");
    assert_eq!(error.place, "xl/media/image1.png", "{error}");
    assert!(error.message.contains("64 MiB"), "{error}");

    // Many parts just under the cap each: the total cap counts.
    let part = vec![b' '; 40 * 1024 * 1024];
    let bytes = rewrite_zip(
        &workbook(&table_cells()),
        |_, d| d,
        &[("xl/media/a.bin", &part), ("xl/media/b.bin", &part)],
    );
    let error = table::read(&bytes, "bombs.xlsx", None).expect_err("a bomb");
    assert_eq!(error.place, "xl/media/b.bin", "{error}");
    assert!(
        error.message.contains("archive is larger than 64 MiB"),
        "{error}"
    );
}

#[test]
fn files_zip_of_csv_bomb_is_refused_naming_the_entry() {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    writer
        .start_file("upr.csv", SimpleFileOptions::default())
        .expect("start");
    // 300 MB of spaces: more than a plain file may be.
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..300 {
        writer.write_all(&chunk).expect("write");
    }
    let bytes = writer.finish().expect("finish").into_inner();
    let error = input::unzip_single_csv(&bytes, "upr.zip").expect_err("a bomb");
    assert_eq!(error.place, "upr.csv");
    assert!(error.message.contains("256 MiB"), "{error}");
}

#[test]
fn files_bounded_zip_counts_inflated_bytes_not_declared_ones() {
    let bytes = rewrite_zip(&workbook(&table_cells()), |_, d| d, &[]);
    let mut zip = bounded_zip::BoundedZip::open(&bytes, XLSX_LIMITS).expect("opens");
    zip.check_all().expect("small");
    assert!(zip.inflated() > 0);
    let tiny = bounded_zip::ZipLimits {
        entry_bytes: 10,
        total_bytes: 1000,
        entries: 100,
    };
    let mut zip = bounded_zip::BoundedZip::open(&bytes, tiny).expect("opens");
    let error = zip.check_all().expect_err("over 10 bytes");
    assert!(error.message.contains("10 bytes"), "{error}");
    let few = bounded_zip::ZipLimits {
        entries: 2,
        ..XLSX_LIMITS
    };
    let error = bounded_zip::BoundedZip::open(&bytes, few)
        .err()
        .expect("too many entries");
    assert_eq!(error.place, "file");
}

/// UPR Info's export as its site downloads it: its own header, CR line ends.
const UPR_INFO_DOWNLOAD: &str = "To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session\r\
Turkmenistan,Asia,\"CIS, OIC\",\"Ratify the \u{201c}Optional Protocol\u{201d} \u{2013} it\u{2019}s time.\",C\u{f4}te d\u{2019}Ivoire,Africa,\"AU, OIC\",Accepted,Category 4,\"Women\u{2019}s rights,Torture\",16\r\
Turkmenistan,Asia,\"CIS, OIC\",\"Ratify the \u{201c}Optional Protocol\u{201d} \u{2013} it\u{2019}s time.\",S\u{e3}o Tom\u{e9} and Pr\u{ed}ncipe,Africa,AU,Accepted,4,Torture,16\r\
Turkmenistan,Asia,\"CIS, OIC\",Abolish the exit ban list.,France,WEOG,\"EU, OIF\",Noted,5,Freedom of movement,16\r";

/// Text to bytes in one encoding.
type Encoder = fn(&str) -> Vec<u8>;

fn mac_roman(text: &str) -> Vec<u8> {
    let (bytes, _, lossy) = encoding_rs::MACINTOSH.encode(text);
    assert!(!lossy, "not all in Mac Roman: {text}");
    bytes.into_owned()
}

fn windows_1252(text: &str) -> Vec<u8> {
    let (bytes, _, lossy) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!lossy);
    bytes.into_owned()
}

fn check_download(batch: &hrtrack_domain::ImportBatch) {
    assert_eq!(batch.reviews.len(), 1);
    let review = &batch.reviews[0];
    assert_eq!(review.state, "Turkmenistan");
    assert_eq!(review.session.map(|s| s.get()), Some(16));
    assert_eq!(review.recommendations.len(), 2);
    let joint = &review.recommendations[0];
    assert_eq!(
        joint.text,
        "Ratify the \u{201c}Optional Protocol\u{201d} \u{2013} it\u{2019}s time."
    );
    assert_eq!(
        joint.recommending_states,
        [
            "C\u{f4}te d\u{2019}Ivoire",
            "S\u{e3}o Tom\u{e9} and Pr\u{ed}ncipe"
        ]
    );
    assert_eq!(joint.action_category, Some(4));
    assert_eq!(joint.upr_issues, ["Women\u{2019}s rights", "Torture"]);
    assert_eq!(
        review.recommendations[1].position,
        Some(hrtrack_domain::Position::Noted)
    );
}

#[test]
fn files_upr_info_download_in_each_encoding_and_line_end() {
    use hrtrack_import::text_encoding::TextEncoding;
    use hrtrack_import::upr_info;
    let encodings: [(&str, Encoder, TextEncoding); 3] = [
        ("utf-8", |t| t.as_bytes().to_vec(), TextEncoding::Utf8),
        ("windows-1252", windows_1252, TextEncoding::Windows1252),
        ("mac-roman", mac_roman, TextEncoding::MacRoman),
    ];
    for (name, encode, encoding) in encodings {
        for line_end in ["\r", "\n", "\r\n"] {
            let text = UPR_INFO_DOWNLOAD.replace('\r', line_end);
            let bytes = encode(&text);
            let file = format!("{name}.csv");
            let batch = upr_info::read(&bytes, &file)
                .unwrap_or_else(|e| panic!("{name} {line_end:?} detected: {e}"));
            check_download(&batch);
            let batch = upr_info::read_encoded(&bytes, &file, Some(encoding))
                .unwrap_or_else(|e| panic!("{name} {line_end:?} named: {e}"));
            check_download(&batch);
        }
    }
    // A wrong encoding named is obeyed: Mac Roman bytes read as UTF-8 are refused.
    let error = upr_info::read_encoded(
        &mac_roman(UPR_INFO_DOWNLOAD),
        "mac.csv",
        Some(TextEncoding::Utf8),
    )
    .expect_err("not UTF-8");
    assert!(error.message.contains("not UTF-8"), "{error}");
    assert_eq!("mac-roman".parse(), Ok(TextEncoding::MacRoman));
    assert!("latin-2".parse::<TextEncoding>().is_err());
}

/// The repository's real UPR Info export (41,064 rows, 84 non-ASCII characters), re-encoded
/// the way UPR Info's site serves it: Mac Roman or Windows-1252 with CR line ends.
#[test]
fn files_real_upr_info_export_in_legacy_encodings_reads_the_same() {
    use hrtrack_import::text_encoding::{self, TextEncoding};
    use hrtrack_import::upr_info;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/upr/upr_info_recommendations_sessions01-20.csv.zip"
    );
    let zipped = std::fs::read(path).expect("the real UPR Info export");
    let csv = input::unzip_single_csv(&zipped, path).expect("one CSV");
    let text = String::from_utf8(csv).expect("UTF-8");
    let reference = upr_info::read(text.as_bytes(), "utf8.csv").expect("reads");
    let as_download = text.replace("\r\n", "\r").replace('\n', "\r");
    let encodings: [(Encoder, TextEncoding); 2] = [
        (mac_roman, TextEncoding::MacRoman),
        (windows_1252, TextEncoding::Windows1252),
    ];
    for (encode, encoding) in encodings {
        let bytes = encode(&as_download);
        assert!(std::str::from_utf8(&bytes).is_err());
        assert_eq!(text_encoding::detect_legacy(&bytes), encoding);
        let batch = upr_info::read(&bytes, "download.csv").expect("reads");
        assert_eq!(
            batch.recommendation_count(),
            reference.recommendation_count()
        );
        assert!(
            format!("{:?}", batch.reviews) == format!("{:?}", reference.reviews),
            "{encoding:?} reads differently"
        );
    }
}

const MINISTRY_MAPPING: &str = r#"
[columns]
text = "Recommendation"
recommending_states = "From"
position = "Response"
mechanism = "Body"

[defaults]
state = "Turkmenistan"

[values.position]
"Accepted" = "supported"
" reject " = "noted"

[values.mechanism]
"Committee against Torture" = "CAT"
"Universal Periodic Review" = "UPR"

[values.recommending_states]
"Fr" = "France"
"#;

#[test]
fn files_table_value_maps_translate_a_ministrys_words() {
    let mapping = Mapping::parse(MINISTRY_MAPPING, "mapping.toml").expect("a mapping");
    let csv = "Recommendation,From,Response,Body\n\
               Ratify OP-CAT.,Fr; Germany,ACCEPTED,committee against torture\n\
               Abolish the exit ban.,Germany,Reject,Universal Periodic Review \n\
               Free the press.,Fr,noted,\n";
    let batch = table::read(csv.as_bytes(), "ministry.csv", Some(&mapping)).expect("reads");
    let find = |text: &str| {
        batch
            .reviews
            .iter()
            .find_map(|r| {
                r.recommendations
                    .iter()
                    .find(|rec| rec.text == text)
                    .map(|rec| (r.mechanism, rec))
            })
            .expect("the recommendation")
    };
    let (mechanism, rec) = find("Ratify OP-CAT.");
    assert_eq!(mechanism, hrtrack_domain::Mechanism::Cat);
    assert_eq!(rec.position, Some(hrtrack_domain::Position::Supported));
    assert_eq!(rec.recommending_states, ["France", "Germany"]);
    let (mechanism, rec) = find("Abolish the exit ban.");
    assert_eq!(mechanism, hrtrack_domain::Mechanism::Upr);
    assert_eq!(rec.position, Some(hrtrack_domain::Position::Noted));
    // Words the map does not name are read as they are.
    let (_, rec) = find("Free the press.");
    assert_eq!(rec.position, Some(hrtrack_domain::Position::Noted));
    assert_eq!(rec.recommending_states, ["France"]);

    let twice =
        format!("{MINISTRY_MAPPING}\n[values.themes]\n\"Women\" = \"a\"\n\"WOMEN \" = \"b\"\n");
    let error = Mapping::parse(&twice, "mapping.toml").expect_err("the same word twice");
    assert_eq!(error.place, "mapping, values.themes");
    let unknown = "[values.colour]\n\"red\" = \"blue\"\n";
    let error = Mapping::parse(unknown, "mapping.toml").expect_err("no such field");
    assert!(
        error.message.contains("unknown field \"colour\""),
        "{error}"
    );
}

#[test]
fn files_table_lists_every_bad_row() {
    // Without value maps: every row is checked all the same.
    let plain = MINISTRY_MAPPING.split("[values").next().expect("columns");
    let mapping = Mapping::parse(plain, "mapping.toml").expect("a mapping");
    let csv = "Recommendation,From,Response,Body\n\
               Ratify OP-CAT.,France,maybe,\n\
               Abolish the exit ban.,Germany,supported,\n\
               ,Germany,supported,\n\
               Free the press.,France,supported,Parliament\n";
    let error = table::read(csv.as_bytes(), "bad.csv", Some(&mapping)).expect_err("bad rows");
    assert_eq!(error.place, "3 rows", "{error}");
    for place in ["row 2, position", "row 4, text", "row 5, mechanism"] {
        assert!(error.message.contains(place), "{place} missing: {error}");
    }
    assert!(!error.message.contains("row 3"), "{error}");

    let mut many = String::from("Recommendation,From,Response,Body\n");
    for i in 0..150 {
        many.push_str(&format!("Text {i}.,France,maybe,\n"));
    }
    let error = table::read(many.as_bytes(), "many.csv", Some(&mapping)).expect_err("bad rows");
    assert_eq!(error.place, "150 rows");
    assert_eq!(
        error.message.matches(", position:").count(),
        table::MAX_ROW_ERRORS
    );
    assert!(error.message.contains("row 101, position"), "{error}");
    assert!(!error.message.contains("row 102, position"), "{error}");
    assert!(error.message.ends_with("and 50 more"), "{error}");

    // One bad row reads as before: its own place.
    let one = "Recommendation,From,Response,Body\nRatify.,France,maybe,\n";
    let error = table::read(one.as_bytes(), "one.csv", Some(&mapping)).expect_err("bad row");
    assert_eq!(error.place, "row 2, position");
}
