//! Hostile XLSX templates: a shared strings part that declares a huge count (calamine reserved
//! that much up front), ZIP bombs (refused after 64 MiB inflated, whatever the archive
//! declares), and cells at the far edge of the sheet.

use std::io::{Cursor, Read, Write};

use hrtrack_sdg::xlsx;
use rust_xlsxwriter::Workbook;
use zip::write::SimpleFileOptions;

/// A filled-in template for indicator 5.5.1 with one observation, plus `extra` cells on `Data`.
fn template(extra: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let data = book.add_worksheet().set_name("Data").expect("name");
    for (col, id) in (0u16..).zip(["SEX", "TIME_PERIOD", "OBS_VALUE"]) {
        data.write_string(0, col, id).expect("id");
        data.write_string(1, col, id).expect("label");
    }
    data.write_string(2, 0, "F").expect("sex");
    data.write_string(2, 1, "2020").expect("period");
    data.write_number(2, 2, 12.5).expect("value");
    for (row, col, text) in extra {
        data.write_string(*row, *col, *text).expect("extra");
    }
    let about = book.add_worksheet().set_name("About").expect("name");
    about.write_string(0, 0, "indicator").expect("A1");
    about.write_string(0, 1, "5.5.1").expect("B1");
    book.save_to_buffer().expect("saved")
}

/// The archive with `edit` applied to each entry and `extra` entries added.
fn rewrite_zip(
    bytes: &[u8],
    edit: impl Fn(&str, Vec<u8>) -> Vec<u8>,
    extra: &[(&str, &[u8])],
) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
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

#[test]
fn files_template_declaring_a_huge_string_count_reads() {
    let bytes = rewrite_zip(
        &template(&[]),
        |name, data| {
            if name != "xl/sharedStrings.xml" {
                return data;
            }
            let text = String::from_utf8(data).expect("xml");
            let at = text.find("uniqueCount=\"").expect("a count") + "uniqueCount=\"".len();
            let end = at + text[at..].find('"').expect("its end");
            format!("{}1000000000000000000{}", &text[..at], &text[end..]).into_bytes()
        },
        &[],
    );
    assert!(bytes.len() < 80 * 1024);
    // calamine reserved room for 10^18 strings: "capacity overflow".
    let dataset = xlsx::read(&bytes, "counts.xlsx").expect("the template reads");
    assert_eq!(dataset.observations.len(), 1);
    assert_eq!(dataset.observations[0].value, Some(12.5));
}

#[test]
fn files_template_zip_bomb_is_refused_after_64_mib() {
    let bomb = vec![0u8; 100 * 1024 * 1024];
    let bytes = rewrite_zip(&template(&[]), |_, d| d, &[("xl/media/image1.png", &bomb)]);
    assert!(bytes.len() < 1024 * 1024, "{}", bytes.len());
    let errors = xlsx::read(&bytes, "bomb.xlsx").expect_err("a bomb");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].place, "xl/media/image1.png", "{}", errors[0]);
    assert!(errors[0].message.contains("64 MiB"), "{}", errors[0]);
    assert_eq!(xlsx::MAX_UNCOMPRESSED_BYTES, 64 * 1024 * 1024);
}

#[test]
fn files_template_with_a_cell_at_xfd1048576_is_refused_by_row() {
    let bytes = template(&[(1_048_575, 16_383, "x")]);
    let errors = xlsx::read(&bytes, "far.xlsx").expect_err("too far");
    assert!(
        errors.iter().any(|e| e.place.contains("row 1048576")),
        "{errors:?}"
    );
}
