//! Which reader a data file needs, told from its content (and its name where the content
//! cannot tell): an XLSX workbook (a ZIP), SDMX-ML (XML), SDMX-CSV (a header starting with
//! `DATAFLOW` or `STRUCTURE`) or else an Open SDG CSV.

use crate::{Dataset, SdgReadError, open_sdg, sdmx_csv, sdmx_ml, xlsx};

/// The formats [`read_any`] tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Xlsx,
    SdmxMl,
    SdmxCsv,
    OpenSdg,
}

/// The kind of a data file, from its first bytes.
pub fn kind_of(bytes: &[u8], file_name: &str) -> FileKind {
    if bytes.starts_with(b"PK\x03\x04") || file_name.to_ascii_lowercase().ends_with(".xlsx") {
        return FileKind::Xlsx;
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let head = &text[start..text.len().min(start + 64)];
    if head.starts_with(b"<") {
        return FileKind::SdmxMl;
    }
    let first: Vec<u8> = head
        .iter()
        .filter(|b| **b != b'"')
        .take(9)
        .map(u8::to_ascii_uppercase)
        .collect();
    if first.starts_with(b"DATAFLOW") || first.starts_with(b"STRUCTURE") {
        FileKind::SdmxCsv
    } else {
        FileKind::OpenSdg
    }
}

/// Reads a data file of any supported format (see [`kind_of`]).
pub fn read_any(bytes: &[u8], file_name: &str) -> Result<Dataset, Vec<SdgReadError>> {
    match kind_of(bytes, file_name) {
        FileKind::Xlsx => xlsx::read(bytes, file_name),
        FileKind::SdmxMl => sdmx_ml::read(bytes, file_name),
        FileKind::SdmxCsv => sdmx_csv::read(bytes, file_name),
        FileKind::OpenSdg => open_sdg::read(bytes, file_name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(kind_of(b"PK\x03\x04rest", "a.bin"), FileKind::Xlsx);
        assert_eq!(
            kind_of(b"\xEF\xBB\xBF <?xml version", "a"),
            FileKind::SdmxMl
        );
        assert_eq!(
            kind_of(b"STRUCTURE,STRUCTURE_ID", "a.csv"),
            FileKind::SdmxCsv
        );
        assert_eq!(kind_of(b"\"DATAFLOW\",FREQ", "a.csv"), FileKind::SdmxCsv);
        assert_eq!(kind_of(b"Year,SEX,Value", "a.csv"), FileKind::OpenSdg);
    }
}
