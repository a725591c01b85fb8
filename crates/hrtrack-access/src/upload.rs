//! Checks on evidence files that users upload.
//!
//! An upload is accepted only when its content, recognised from its first
//! bytes and, for office documents, from the entry names of the ZIP
//! container, is one of the allowed kinds *and* the file name's extension
//! agrees with that content. Office documents are never decompressed: only
//! the ZIP directory is read, plus the tiny uncompressed `mimetype` entry of
//! OpenDocument files, so a "ZIP bomb" costs nothing to check. The file name
//! is sanitized so that it can be stored and shown safely.

use std::io::{Cursor, Read};

/// Largest evidence file accepted, in bytes (20 MiB).
pub const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;

/// Longest sanitized file name, in characters, extension included.
pub const MAX_FILE_NAME_CHARS: usize = 120;

/// Longest text after the last dot that is still taken as an extension.
const MAX_EXTENSION_CHARS: usize = 16;

/// Stem used when nothing usable is left of the uploaded name.
const FALLBACK_STEM: &str = "evidence";

/// Most bytes read from the `mimetype` entry of an OpenDocument file.
const MAX_MIMETYPE_BYTES: u64 = 100;

/// An upload that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedUpload {
    /// The sanitized file name, safe to store and display.
    pub file_name: String,
    /// The media type to serve the file with.
    pub media_type: &'static str,
    /// Size of the content in bytes.
    pub size: usize,
}

/// Why an upload was refused. Every message names the (sanitized) file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    /// The file has no content.
    #[error("{file_name:?} is empty")]
    Empty { file_name: String },
    /// The file is larger than [`MAX_EVIDENCE_BYTES`].
    #[error(
        "{file_name:?} is too large: {} MiB ({size} bytes), at most {} MiB are allowed",
        mebibytes(.size),
        mebibytes(.max)
    )]
    TooLarge {
        file_name: String,
        size: usize,
        max: usize,
    },
    /// The extension is not one of the allowed kinds.
    #[error(
        "{file_name:?} cannot be uploaded: files of type {extension:?} are not accepted; allowed are {}",
        allowed_extensions_list()
    )]
    UnsupportedType {
        file_name: String,
        extension: String,
    },
    /// The content does not match the extension.
    #[error("{file_name:?} is named as a .{claimed} file, but its content looks like: {found}")]
    Disguised {
        file_name: String,
        claimed: String,
        found: &'static str,
    },
    /// The content starts like the claimed kind but cannot be read as such.
    #[error("{file_name:?} is a damaged or unreadable .{claimed} file: {reason}")]
    Malformed {
        file_name: String,
        claimed: String,
        reason: String,
    },
}

/// Formats a byte count in mebibytes with one decimal.
fn mebibytes(bytes: &usize) -> String {
    let tenths = (*bytes as u128 * 10 + 524_288) / 1_048_576;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// The kinds of content an evidence file may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EvidenceKind {
    Pdf,
    Png,
    Jpeg,
    WordDocument,
    ExcelWorkbook,
    PowerPointPresentation,
    OpenDocumentText,
    OpenDocumentSpreadsheet,
    PlainText,
}

impl EvidenceKind {
    /// How the kind is named when it was found under a wrong extension.
    fn description(self) -> &'static str {
        match self {
            EvidenceKind::Pdf => "PDF document",
            EvidenceKind::Png => "PNG image",
            EvidenceKind::Jpeg => "JPEG image",
            EvidenceKind::WordDocument => "Word document (DOCX)",
            EvidenceKind::ExcelWorkbook => "Excel workbook (XLSX)",
            EvidenceKind::PowerPointPresentation => "PowerPoint presentation (PPTX)",
            EvidenceKind::OpenDocumentText => "OpenDocument text (ODT)",
            EvidenceKind::OpenDocumentSpreadsheet => "OpenDocument spreadsheet (ODS)",
            EvidenceKind::PlainText => "plain text",
        }
    }

    /// Whether files of this kind are ZIP containers.
    fn is_zip_container(self) -> bool {
        matches!(
            self,
            EvidenceKind::WordDocument
                | EvidenceKind::ExcelWorkbook
                | EvidenceKind::PowerPointPresentation
                | EvidenceKind::OpenDocumentText
                | EvidenceKind::OpenDocumentSpreadsheet
        )
    }
}

/// An allowed extension (lowercase), the content it requires and its media type.
struct AllowedType {
    extension: &'static str,
    kind: EvidenceKind,
    media_type: &'static str,
}

/// Every allowed extension.
const ALLOWED_TYPES: [AllowedType; 11] = [
    AllowedType {
        extension: "pdf",
        kind: EvidenceKind::Pdf,
        media_type: "application/pdf",
    },
    AllowedType {
        extension: "png",
        kind: EvidenceKind::Png,
        media_type: "image/png",
    },
    AllowedType {
        extension: "jpg",
        kind: EvidenceKind::Jpeg,
        media_type: "image/jpeg",
    },
    AllowedType {
        extension: "jpeg",
        kind: EvidenceKind::Jpeg,
        media_type: "image/jpeg",
    },
    AllowedType {
        extension: "docx",
        kind: EvidenceKind::WordDocument,
        media_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    },
    AllowedType {
        extension: "xlsx",
        kind: EvidenceKind::ExcelWorkbook,
        media_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    },
    AllowedType {
        extension: "pptx",
        kind: EvidenceKind::PowerPointPresentation,
        media_type: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    },
    AllowedType {
        extension: "odt",
        kind: EvidenceKind::OpenDocumentText,
        media_type: OPENDOCUMENT_TEXT_MEDIA_TYPE,
    },
    AllowedType {
        extension: "ods",
        kind: EvidenceKind::OpenDocumentSpreadsheet,
        media_type: OPENDOCUMENT_SPREADSHEET_MEDIA_TYPE,
    },
    AllowedType {
        extension: "txt",
        kind: EvidenceKind::PlainText,
        media_type: "text/plain; charset=utf-8",
    },
    AllowedType {
        extension: "csv",
        kind: EvidenceKind::PlainText,
        media_type: "text/csv; charset=utf-8",
    },
];

const OPENDOCUMENT_TEXT_MEDIA_TYPE: &str = "application/vnd.oasis.opendocument.text";
const OPENDOCUMENT_SPREADSHEET_MEDIA_TYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";

/// The allowed extensions as shown to users, for example `.pdf, .png, …`.
pub fn allowed_extensions_list() -> String {
    ALLOWED_TYPES
        .iter()
        .map(|allowed| format!(".{}", allowed.extension))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the content of a file was recognised as.
enum RecognisedContent {
    /// One of the allowed kinds.
    Evidence(EvidenceKind),
    /// Something else, described for the user.
    Other(&'static str),
    /// A ZIP container whose directory cannot be read.
    UnreadableZip(String),
}

/// Checks an uploaded evidence file and returns its sanitized name and media type.
pub fn check_upload(file_name: &str, bytes: &[u8]) -> Result<CheckedUpload, UploadError> {
    let (file_name, extension) = sanitize_file_name(file_name);
    if bytes.is_empty() {
        return Err(UploadError::Empty { file_name });
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(UploadError::TooLarge {
            file_name,
            size: bytes.len(),
            max: MAX_EVIDENCE_BYTES,
        });
    }
    let extension = extension.to_lowercase();
    let Some(allowed) = ALLOWED_TYPES
        .iter()
        .find(|allowed| allowed.extension == extension)
    else {
        return Err(UploadError::UnsupportedType {
            file_name,
            extension,
        });
    };
    let found = match recognise_content(bytes) {
        RecognisedContent::Evidence(kind) if kind == allowed.kind => {
            return Ok(CheckedUpload {
                file_name,
                media_type: allowed.media_type,
                size: bytes.len(),
            });
        }
        RecognisedContent::UnreadableZip(reason) if allowed.kind.is_zip_container() => {
            return Err(UploadError::Malformed {
                file_name,
                claimed: extension,
                reason,
            });
        }
        RecognisedContent::Evidence(kind) => kind.description(),
        RecognisedContent::Other(description) => description,
        RecognisedContent::UnreadableZip(_) => "ZIP archive",
    };
    Err(UploadError::Disguised {
        file_name,
        claimed: extension,
        found,
    })
}

/// Recognises the content of a file from its bytes alone.
fn recognise_content(bytes: &[u8]) -> RecognisedContent {
    const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(b"%PDF-") {
        RecognisedContent::Evidence(EvidenceKind::Pdf)
    } else if bytes.starts_with(PNG_SIGNATURE) {
        RecognisedContent::Evidence(EvidenceKind::Png)
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        RecognisedContent::Evidence(EvidenceKind::Jpeg)
    } else if bytes.starts_with(b"\x7fELF") {
        RecognisedContent::Other("ELF executable")
    } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        recognise_zip_container(bytes)
    } else if looks_like_html(bytes) {
        RecognisedContent::Other("HTML")
    } else if is_plain_text(bytes) {
        RecognisedContent::Evidence(EvidenceKind::PlainText)
    } else if bytes.starts_with(b"MZ") {
        // Checked after plain text so that a note starting with "MZ" is not
        // taken for a program.
        RecognisedContent::Other("Windows executable")
    } else {
        RecognisedContent::Other("unknown binary")
    }
}

/// Tells office documents apart from other ZIP archives by their entry names.
fn recognise_zip_container(bytes: &[u8]) -> RecognisedContent {
    let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(archive) => archive,
        Err(error) => return RecognisedContent::UnreadableZip(error.to_string()),
    };
    if let Some(kind) = opendocument_kind(&mut archive) {
        return RecognisedContent::Evidence(kind);
    }
    let mut has_content_types = false;
    let mut office_kind = None;
    for name in archive.file_names() {
        let Ok(name) = name else {
            return RecognisedContent::UnreadableZip("an entry name cannot be read".to_owned());
        };
        if name == "[Content_Types].xml" {
            has_content_types = true;
        } else if office_kind.is_none() {
            office_kind = if name.starts_with("word/") {
                Some(EvidenceKind::WordDocument)
            } else if name.starts_with("xl/") {
                Some(EvidenceKind::ExcelWorkbook)
            } else if name.starts_with("ppt/") {
                Some(EvidenceKind::PowerPointPresentation)
            } else {
                None
            };
        }
    }
    match office_kind {
        Some(kind) if has_content_types => RecognisedContent::Evidence(kind),
        _ => RecognisedContent::Other("ZIP archive"),
    }
}

/// The OpenDocument kind named by the archive's first entry, which must be an
/// uncompressed `mimetype` file.
fn opendocument_kind(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Option<EvidenceKind> {
    let mut first_entry = archive.by_index(0).ok()?;
    let is_stored_mimetype = first_entry.name().ok()? == "mimetype"
        && first_entry.compression() == zip::CompressionMethod::Stored;
    if !is_stored_mimetype {
        return None;
    }
    let mut media_type = Vec::new();
    first_entry
        .by_ref()
        .take(MAX_MIMETYPE_BYTES)
        .read_to_end(&mut media_type)
        .ok()?;
    match media_type.as_slice() {
        text if text == OPENDOCUMENT_TEXT_MEDIA_TYPE.as_bytes() => {
            Some(EvidenceKind::OpenDocumentText)
        }
        text if text == OPENDOCUMENT_SPREADSHEET_MEDIA_TYPE.as_bytes() => {
            Some(EvidenceKind::OpenDocumentSpreadsheet)
        }
        _ => None,
    }
}

/// Whether the content starts, after white space and a byte order mark, like
/// an HTML page.
fn looks_like_html(bytes: &[u8]) -> bool {
    const HTML_OPENINGS: [&[u8]; 7] = [
        b"<!doctype html",
        b"<html",
        b"<head",
        b"<body",
        b"<script",
        b"<iframe",
        b"<svg",
    ];
    let without_bom = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = without_bom
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .unwrap_or(without_bom.len());
    let opening = &without_bom[start..];
    HTML_OPENINGS.iter().any(|html| {
        opening
            .get(..html.len())
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(html))
    })
}

/// Whether the content is UTF-8 text without control characters other than
/// tab, carriage return and line feed.
fn is_plain_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|text| {
        text.chars()
            .all(|character| !character.is_control() || matches!(character, '\t' | '\r' | '\n'))
    })
}

/// Makes an uploaded file name safe to store and show; returns the name and
/// its extension (as written, possibly empty).
///
/// Only the last path component is kept; characters other than letters and
/// digits of any script, `.`, `-`, `_` and space become `_`; the name never
/// starts with a dot, is at most [`MAX_FILE_NAME_CHARS`] characters long with
/// its extension kept, and is never empty (`evidence` stands in for a
/// missing stem).
pub fn sanitize_file_name(file_name: &str) -> (String, String) {
    let base_name = file_name.rsplit(['/', '\\']).next().unwrap_or_default();
    let base_name =
        base_name.trim_end_matches(|character: char| character.is_whitespace() || character == '.');
    let (stem, extension) = match base_name.rsplit_once('.') {
        Some((stem, extension))
            if !extension.is_empty() && extension.chars().count() <= MAX_EXTENSION_CHARS =>
        {
            (stem, replace_unsafe_characters(extension))
        }
        _ => (base_name, String::new()),
    };
    let stem = replace_unsafe_characters(stem);
    let stem = stem.trim_start_matches(['.', ' ']);
    let stem = if stem.is_empty() { FALLBACK_STEM } else { stem };
    let room_for_stem = if extension.is_empty() {
        MAX_FILE_NAME_CHARS
    } else {
        MAX_FILE_NAME_CHARS - 1 - extension.chars().count()
    };
    let mut sanitized: String = stem.chars().take(room_for_stem).collect();
    if !extension.is_empty() {
        sanitized.push('.');
        sanitized.push_str(&extension);
    }
    (sanitized, extension)
}

/// Replaces every character that is not a letter, digit, `.`, `-`, `_` or space by `_`.
fn replace_unsafe_characters(text: &str) -> String {
    text.chars()
        .map(|character| {
            if character.is_alphanumeric() || matches!(character, '.' | '-' | '_' | ' ') {
                character
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    const MINIMAL_PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
        2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n\
        trailer << /Root 1 0 R >>\n%%EOF\n";

    /// A PNG signature followed by the IHDR chunk of a 1×1 grey image.
    const MINIMAL_PNG: &[u8] = b"\x89PNG\r\n\x1a\n\
        \x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00\x3a\x7e\x9b\x55";

    /// The start of a JFIF JPEG file.
    const MINIMAL_JPEG: &[u8] =
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9";

    /// Builds an uncompressed ZIP archive with the given entries, in order.
    fn zip_archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for (name, content) in entries {
            writer.start_file(*name, stored).expect("entry starts");
            writer.write_all(content).expect("entry written");
        }
        writer.finish().expect("archive finished").into_inner()
    }

    fn office_document(main_folder: &str) -> Vec<u8> {
        let main_part = format!("{main_folder}document.xml");
        zip_archive(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("_rels/.rels", b"<Relationships/>"),
            (&main_part, b"<document/>"),
        ])
    }

    fn opendocument(media_type: &str) -> Vec<u8> {
        zip_archive(&[
            ("mimetype", media_type.as_bytes()),
            ("content.xml", b"<office:document-content/>"),
            ("META-INF/manifest.xml", b"<manifest:manifest/>"),
        ])
    }

    fn accepted(file_name: &str, bytes: &[u8]) -> CheckedUpload {
        check_upload(file_name, bytes).unwrap_or_else(|error| panic!("refused: {error}"))
    }

    fn found_when_disguised(file_name: &str, bytes: &[u8]) -> &'static str {
        match check_upload(file_name, bytes) {
            Err(UploadError::Disguised { found, .. }) => found,
            other => panic!("expected a disguised file, got {other:?}"),
        }
    }

    #[test]
    fn accepts_every_allowed_kind() {
        let cases: [(&str, Vec<u8>, &str); 11] = [
            ("report.pdf", MINIMAL_PDF.to_vec(), "application/pdf"),
            ("photo.png", MINIMAL_PNG.to_vec(), "image/png"),
            ("photo.jpg", MINIMAL_JPEG.to_vec(), "image/jpeg"),
            ("photo.JPEG", MINIMAL_JPEG.to_vec(), "image/jpeg"),
            (
                "minutes.docx",
                office_document("word/"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            (
                "budget.xlsx",
                office_document("xl/"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                "slides.pptx",
                office_document("ppt/"),
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ),
            (
                "minutes.odt",
                opendocument(OPENDOCUMENT_TEXT_MEDIA_TYPE),
                OPENDOCUMENT_TEXT_MEDIA_TYPE,
            ),
            (
                "budget.ods",
                opendocument(OPENDOCUMENT_SPREADSHEET_MEDIA_TYPE),
                OPENDOCUMENT_SPREADSHEET_MEDIA_TYPE,
            ),
            (
                "notes.txt",
                "Réunion du comité\r\n\tpoint 1 — ok\n".as_bytes().to_vec(),
                "text/plain; charset=utf-8",
            ),
            (
                "indicators.csv",
                b"indicator,value\nschools,12\n".to_vec(),
                "text/csv; charset=utf-8",
            ),
        ];
        for (file_name, bytes, media_type) in cases {
            let upload = accepted(file_name, &bytes);
            assert_eq!(upload.file_name, file_name);
            assert_eq!(upload.media_type, media_type, "{file_name}");
            assert_eq!(upload.size, bytes.len());
        }
    }

    #[test]
    fn refuses_empty_files() {
        assert_eq!(
            check_upload("empty.pdf", b""),
            Err(UploadError::Empty {
                file_name: "empty.pdf".to_owned()
            })
        );
    }

    #[test]
    fn refuses_files_over_20_mebibytes() {
        let mut bytes = MINIMAL_PDF.to_vec();
        bytes.resize(MAX_EVIDENCE_BYTES + 1, b' ');
        let error = check_upload("big.pdf", &bytes).expect_err("too large");
        assert!(matches!(
            error,
            UploadError::TooLarge {
                size,
                max: MAX_EVIDENCE_BYTES,
                ..
            } if size == MAX_EVIDENCE_BYTES + 1
        ));
        assert_eq!(
            error.to_string(),
            "\"big.pdf\" is too large: 20.0 MiB (20971521 bytes), at most 20.0 MiB are allowed"
        );
        bytes.truncate(MAX_EVIDENCE_BYTES);
        assert!(check_upload("big.pdf", &bytes).is_ok());
    }

    #[test]
    fn refuses_unsupported_extensions_and_lists_the_allowed_ones() {
        for (file_name, extension) in [("setup.exe", "exe"), ("README", ""), ("page.html", "html")]
        {
            let error = check_upload(file_name, b"hello").expect_err("unsupported");
            assert_eq!(
                error,
                UploadError::UnsupportedType {
                    file_name: file_name.to_owned(),
                    extension: extension.to_owned()
                }
            );
            let message = error.to_string();
            assert!(message.contains(file_name) && message.contains(".pdf, .png"));
        }
    }

    #[test]
    fn refuses_content_that_disagrees_with_the_extension() {
        let mut windows_program = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
        windows_program.resize(128, 0);
        assert_eq!(
            found_when_disguised("invoice.pdf", &windows_program),
            "Windows executable"
        );
        assert_eq!(
            found_when_disguised("invoice.pdf", b"\x7fELF\x02\x01\x01\x00"),
            "ELF executable"
        );
        assert_eq!(
            found_when_disguised("invoice.pdf", b"  <!DOCTYPE html><html></html>"),
            "HTML"
        );
        assert_eq!(
            found_when_disguised("notes.txt", b"<script>alert(1)</script>"),
            "HTML"
        );
        assert_eq!(
            found_when_disguised("invoice.pdf", &zip_archive(&[("a.txt", b"a")])),
            "ZIP archive"
        );
        assert_eq!(
            found_when_disguised("minutes.docx", &zip_archive(&[("word/document.xml", b"")])),
            "ZIP archive"
        );
        assert_eq!(
            found_when_disguised("minutes.docx", &office_document("xl/")),
            "Excel workbook (XLSX)"
        );
        assert_eq!(
            found_when_disguised("photo.png", MINIMAL_JPEG),
            "JPEG image"
        );
        assert_eq!(
            found_when_disguised("report.pdf", b"just words"),
            "plain text"
        );
        assert_eq!(found_when_disguised("notes.txt", b"a\0b"), "unknown binary");
        assert_eq!(
            found_when_disguised("notes.csv", b"a,\x1b[31m"),
            "unknown binary"
        );
        assert_eq!(
            found_when_disguised("notes.txt", b"\xff\xfe"),
            "unknown binary"
        );
        assert_eq!(
            found_when_disguised("minutes.odt", &opendocument("application/zip")),
            "ZIP archive"
        );
    }

    #[test]
    fn plain_text_starting_with_mz_is_still_text() {
        assert!(check_upload("regions.txt", b"MZ region report\n").is_ok());
    }

    #[test]
    fn disguised_message_names_file_and_both_kinds() {
        let message = check_upload("invoice.pdf", b"\x7fELF")
            .expect_err("disguised")
            .to_string();
        assert_eq!(
            message,
            "\"invoice.pdf\" is named as a .pdf file, but its content looks like: ELF executable"
        );
    }

    #[test]
    fn refuses_office_documents_that_are_not_readable_zips() {
        let error = check_upload("minutes.docx", b"PK\x03\x04garbage").expect_err("malformed");
        assert!(
            matches!(&error, UploadError::Malformed { claimed, .. } if claimed == "docx"),
            "{error:?}"
        );
        assert!(error.to_string().contains("minutes.docx"));
    }

    #[test]
    fn opendocument_mimetype_must_come_first_and_uncompressed() {
        let mimetype_last = zip_archive(&[
            ("content.xml", b"<office:document-content/>"),
            ("mimetype", OPENDOCUMENT_TEXT_MEDIA_TYPE.as_bytes()),
        ]);
        assert_eq!(
            found_when_disguised("minutes.odt", &mimetype_last),
            "ZIP archive"
        );
        let oversized = format!("{OPENDOCUMENT_TEXT_MEDIA_TYPE}{}", " ".repeat(200));
        assert_eq!(
            found_when_disguised("minutes.odt", &opendocument(&oversized)),
            "ZIP archive"
        );
    }

    /// Marks every entry as deflated with an uncompressed size near 4 GiB, in
    /// both the local headers and the central directory. Checking such a file
    /// must still be instant because nothing is decompressed.
    fn pretend_entries_are_huge_and_deflated(archive: &mut [u8]) {
        let mut position = 0;
        while position + 46 <= archive.len() {
            let (method_offset, size_offset) = match &archive[position..position + 4] {
                b"PK\x03\x04" => (8, 22),
                b"PK\x01\x02" => (10, 24),
                _ => {
                    position += 1;
                    continue;
                }
            };
            archive[position + method_offset..position + method_offset + 2]
                .copy_from_slice(&8u16.to_le_bytes());
            archive[position + size_offset..position + size_offset + 4]
                .copy_from_slice(&0xffff_fff0u32.to_le_bytes());
            position += 4;
        }
    }

    #[test]
    fn zip_bomb_like_document_is_checked_by_names_only() {
        let mut bomb = office_document("word/");
        pretend_entries_are_huge_and_deflated(&mut bomb);
        let upload = accepted("bomb.docx", &bomb);
        assert_eq!(upload.size, bomb.len());
    }

    #[test]
    fn sanitizes_path_traversal_and_odd_characters() {
        let cases = [
            ("../../etc/passwd.txt", "passwd.txt"),
            ("..\\..\\windows\\system32\\notes.txt", "notes.txt"),
            ("C:\\Users\\ana\\Desktop\\report.pdf", "report.pdf"),
            (".hidden.pdf", "hidden.pdf"),
            ("...pdf", "evidence.pdf"),
            (".pdf", "evidence.pdf"),
            ("", "evidence"),
            ("../", "evidence"),
            ("report .pdf. ", "report .pdf"),
            ("rapport<final>;rm -rf.pdf", "rapport_final__rm -rf.pdf"),
            ("доклад 2025.pdf", "доклад 2025.pdf"),
            ("تقرير.pdf", "تقرير.pdf"),
            ("報告書.PDF", "報告書.PDF"),
            ("evil\u{202e}fdp.exe", "evil_fdp.exe"),
            ("tab\tand\nnewline.txt", "tab_and_newline.txt"),
        ];
        for (uploaded, expected) in cases {
            assert_eq!(sanitize_file_name(uploaded).0, expected, "{uploaded:?}");
        }
    }

    #[test]
    fn long_names_are_cut_keeping_the_extension() {
        let (name, extension) = sanitize_file_name(&format!("{}.docx", "é".repeat(300)));
        assert_eq!(name.chars().count(), MAX_FILE_NAME_CHARS);
        assert!(name.ends_with("é.docx"));
        assert_eq!(extension, "docx");
        let (name, extension) = sanitize_file_name(&"x.".repeat(200));
        assert!(name.chars().count() <= MAX_FILE_NAME_CHARS);
        assert_eq!(extension, "x");
        let (name, extension) = sanitize_file_name(&format!("a.{}", "b".repeat(50)));
        assert_eq!(name.chars().count(), 52);
        assert_eq!(extension, "");
    }

    #[test]
    fn traversal_names_are_accepted_under_their_base_name() {
        let upload = accepted("../../../../var/www/report.pdf", MINIMAL_PDF);
        assert_eq!(upload.file_name, "report.pdf");
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut state: u32 = 0x1234_5678;
        for length in 0..300 {
            let bytes: Vec<u8> = (0..length)
                .map(|_| {
                    state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (state >> 24) as u8
                })
                .collect();
            for name in ["a.pdf", "a.docx", "a.odt", "a.txt", "a.png"] {
                let _ = check_upload(name, &bytes);
                let mut with_zip_magic = b"PK\x03\x04".to_vec();
                with_zip_magic.extend_from_slice(&bytes);
                let _ = check_upload(name, &with_zip_magic);
            }
        }
    }
}
