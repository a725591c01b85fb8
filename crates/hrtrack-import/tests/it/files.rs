//! Hostile and real-world files for the bounded readers: XLSX workbooks that declare huge
//! counts or extents, ZIP bombs in every ZIP-based format, UPR Info's export as downloaded
//! (Mac Roman or Windows-1252, CR line ends, its own header), and table mappings with value
//! maps and many bad rows.

use std::io::{Cursor, Read, Write};

use hrtrack_import::bounded_zip::{self, XLSX_LIMITS};
use hrtrack_import::table::{self, Mapping};
use hrtrack_import::{ImportError, input};
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

#[allow(dead_code)]
fn _types(_: Mapping, _: ImportError) {}
