//! Just enough of a Word `.docx` file for the readers: open the zip package with care, read
//! one part with a cap on its decompressed size, and turn WordprocessingML into plain text
//! paragraphs and tables of cells.
//!
//! Nothing from the file is trusted: the zip may be truncated or a bomb, the XML may be
//! malformed. Every failure is an [`ImportError`] naming the file and the part.

use crate::ImportError;
use crate::bounded_zip::{BoundedZip, DOCX_LIMITS};
use quick_xml::NsReader;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};

/// The namespace of WordprocessingML elements (`w:`).
const WORDPROCESSING_ML: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// The first bytes of an OLE compound file: a legacy `.doc`, or an encrypted `.docx`.
const OLE_SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The first bytes of a zip file (a local file header).
const ZIP_SIGNATURE: [u8; 4] = *b"PK\x03\x04";

/// An opened `.docx` package.
pub(crate) struct Package<'a> {
    file: &'a str,
    archive: BoundedZip<'a>,
}

impl<'a> Package<'a> {
    /// Opens the zip package, telling a legacy `.doc`, an empty file and other non-zip files
    /// apart, and checks that it holds `word/document.xml`.
    pub(crate) fn open(bytes: &'a [u8], file: &'a str) -> Result<Self, ImportError> {
        let not_docx = |detail: &str| {
            ImportError::new(file, "file", format!("not a Word .docx file ({detail})"))
        };
        if bytes.is_empty() {
            return Err(not_docx("the file is empty"));
        }
        if bytes.starts_with(&OLE_SIGNATURE) {
            return Err(ImportError::new(
                file,
                "file",
                "this is a legacy Word .doc file (or a password-protected .docx); \
                 open it in Word and save it as a .docx document without a password",
            ));
        }
        if !bytes.starts_with(&ZIP_SIGNATURE) {
            return Err(not_docx("it is not a zip package"));
        }
        let archive = BoundedZip::open(bytes, DOCX_LIMITS).map_err(|e| {
            not_docx(&format!(
                "the zip package is damaged or truncated: {}",
                e.message
            ))
        })?;
        if !archive.contains(DOCUMENT_PART) {
            return Err(not_docx("the zip package has no word/document.xml"));
        }
        Ok(Self { file, archive })
    }

    /// The names of the parts whose names start with `prefix` and end with `.xml`, sorted.
    pub(crate) fn part_names(&self, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .archive
            .names()
            .into_iter()
            .filter(|name| name.starts_with(prefix) && name.ends_with(".xml"))
            .collect();
        names.sort();
        names
    }

    /// Reads one part as UTF-8 text, refusing to decompress more than `limit` bytes whatever
    /// size the zip declares.
    pub(crate) fn read_part(&mut self, name: &str, limit: u64) -> Result<String, ImportError> {
        let file = self.file;
        let error = |message: String| ImportError::new(file, name, message);
        let bytes = self
            .archive
            .read_limited(name, limit)
            .map_err(|e| ImportError::new(file, e.place, e.message))?;
        String::from_utf8(bytes).map_err(|_| error("this part is not UTF-8 text".to_owned()))
    }
}

/// The main part of every `.docx`.
pub(crate) const DOCUMENT_PART: &str = "word/document.xml";

/// The text of a document part: the body or a page header.
#[derive(Debug, Default)]
pub(crate) struct Content {
    /// Paragraphs that stand outside any table, in order.
    pub(crate) paragraphs: Vec<String>,
    /// Top-level tables, in order. A table nested in a cell adds its paragraphs to that cell.
    pub(crate) tables: Vec<Table>,
}

#[derive(Debug, Default)]
pub(crate) struct Table {
    pub(crate) rows: Vec<Row>,
}

#[derive(Debug, Default)]
pub(crate) struct Row {
    pub(crate) cells: Vec<Cell>,
    /// Grid columns left empty before the first cell (`gridBefore`).
    grid_before: usize,
}

#[derive(Debug)]
pub(crate) struct Cell {
    /// The first grid column the cell covers (0-based), counting `gridBefore` and the spans of
    /// the cells before it.
    pub(crate) grid_column: usize,
    /// How many grid columns the cell covers (`gridSpan`, at least 1).
    pub(crate) grid_span: usize,
    /// The cell's paragraphs as text; a line break (`w:br`) inside a paragraph is `\n`.
    pub(crate) paragraphs: Vec<String>,
}

impl Cell {
    /// The non-empty lines of the cell, trimmed: paragraphs split at their line breaks.
    pub(crate) fn lines(&self) -> impl Iterator<Item = &str> {
        self.paragraphs
            .iter()
            .flat_map(|p| p.split('\n'))
            .map(str::trim)
            .filter(|line| !line.is_empty())
    }

    pub(crate) fn is_blank(&self) -> bool {
        self.lines().next().is_none()
    }
}

impl Row {
    /// The cell that covers grid column `column`, if any.
    pub(crate) fn cell_at(&self, column: usize) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|c| (c.grid_column..c.grid_column + c.grid_span).contains(&column))
    }
}

/// Parses a WordprocessingML part into paragraphs and tables of plain text.
///
/// Text is what `w:t` holds; `w:tab` is a tab, `w:br` and `w:cr` a line break and
/// `w:noBreakHyphen` a hyphen. Deleted text, field instructions and text boxes are left out.
pub(crate) fn parse_content(xml: &str, file: &str, part: &str) -> Result<Content, ImportError> {
    let mut reader = NsReader::from_str(xml);
    let mut builder = ContentBuilder::default();
    let mut open_elements = 0usize;
    loop {
        let malformed = |position: u64, problem: &dyn std::fmt::Display| {
            ImportError::new(
                file,
                part,
                format!("malformed XML at byte {position}: {problem}"),
            )
        };
        let (in_word_ml, event) = match reader.read_resolved_event() {
            Ok((namespace, event)) => (is_word_ml(&namespace), event),
            Err(e) => return Err(malformed(reader.error_position(), &e)),
        };
        match event {
            Event::Start(start) => {
                open_elements += 1;
                builder.start(in_word_ml, &start);
            }
            Event::Empty(start) => {
                builder.start(in_word_ml, &start);
                builder.end(in_word_ml, start.local_name().as_ref());
            }
            Event::End(end) => {
                open_elements = open_elements.saturating_sub(1);
                builder.end(in_word_ml, end.local_name().as_ref());
            }
            Event::Text(text) => {
                let text = text.xml10_content();
                builder.text(&text);
            }
            Event::CData(data) => {
                builder.text(&data);
            }
            Event::GeneralRef(reference) => match resolve_reference(&reference) {
                Some(c) => builder.text(c.encode_utf8(&mut [0; 4])),
                None => {
                    let problem = format!("unknown entity &{};", &*reference);
                    return Err(malformed(reader.buffer_position(), &problem));
                }
            },
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if open_elements > 0 {
        return Err(ImportError::new(
            file,
            part,
            "malformed XML: the document ends too early",
        ));
    }
    Ok(builder.content)
}

fn is_word_ml(namespace: &ResolveResult<'_>) -> bool {
    matches!(namespace, ResolveResult::Bound(Namespace(ns)) if *ns == WORDPROCESSING_ML)
}

/// The character a predefined entity or a character reference stands for.
fn resolve_reference(reference: &BytesRef<'_>) -> Option<char> {
    match reference.resolve_char_ref() {
        Ok(Some(c)) => Some(c),
        Ok(None) => match &**reference {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => None,
        },
        Err(_) => None,
    }
}

/// Elements whose whole content is not running text of the paragraph they sit in.
const SKIPPED_ELEMENTS: [&str; 4] = ["del", "moveFrom", "txbxContent", "instrText"];

/// Builds [`Content`] from the events of one part.
#[derive(Default)]
struct ContentBuilder {
    content: Content,
    /// Depth of nested tables; only the outermost one (depth 1) makes rows and cells.
    table_depth: usize,
    /// Depth inside an element of [`SKIPPED_ELEMENTS`]; 0 when not inside one.
    skip_depth: usize,
    /// Depth of nested paragraphs; text boxes can put a paragraph inside a paragraph.
    paragraph_depth: usize,
    open_paragraph: Option<String>,
    in_text: bool,
    in_cell_properties: bool,
}

impl ContentBuilder {
    fn start(&mut self, in_word_ml: bool, element: &BytesStart<'_>) {
        let name = element.local_name();
        let name = name.as_ref();
        if self.skip_depth > 0 {
            self.skip_depth += 1;
            return;
        }
        if !in_word_ml {
            return;
        }
        if SKIPPED_ELEMENTS.contains(&name) {
            self.skip_depth = 1;
            return;
        }
        match name {
            "tbl" => {
                self.table_depth += 1;
                if self.table_depth == 1 {
                    self.content.tables.push(Table::default());
                }
            }
            "tr" if self.table_depth == 1 => {
                if let Some(table) = self.content.tables.last_mut() {
                    table.rows.push(Row::default());
                }
            }
            "tc" if self.table_depth == 1 => {
                if let Some(row) = self.current_row() {
                    let grid_column = row
                        .cells
                        .last()
                        .map_or(row.grid_before, |c| c.grid_column + c.grid_span);
                    row.cells.push(Cell {
                        grid_column,
                        grid_span: 1,
                        paragraphs: Vec::new(),
                    });
                }
            }
            "tcPr" if self.table_depth == 1 => self.in_cell_properties = true,
            "gridSpan" if self.table_depth == 1 && self.in_cell_properties => {
                let span = numeric_value(element)
                    .unwrap_or(1)
                    .clamp(1, MAX_GRID_COLUMNS);
                if let Some(cell) = self.current_row().and_then(|row| row.cells.last_mut()) {
                    cell.grid_span = span;
                }
            }
            "gridBefore" if self.table_depth == 1 => {
                if let Some(row) = self.current_row() {
                    row.grid_before = numeric_value(element).unwrap_or(0).min(MAX_GRID_COLUMNS);
                }
            }
            "p" => {
                self.paragraph_depth += 1;
                if self.paragraph_depth == 1 {
                    self.open_paragraph = Some(String::new());
                }
            }
            "t" => self.in_text = true,
            "tab" => self.push_str("\t"),
            "br" | "cr" => self.push_str("\n"),
            "noBreakHyphen" => self.push_str("-"),
            _ => {}
        }
    }

    fn end(&mut self, in_word_ml: bool, name: &str) {
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
            return;
        }
        if !in_word_ml {
            return;
        }
        match name {
            "tbl" => self.table_depth = self.table_depth.saturating_sub(1),
            "tcPr" => self.in_cell_properties = false,
            "t" => self.in_text = false,
            "p" => {
                self.paragraph_depth = self.paragraph_depth.saturating_sub(1);
                if self.paragraph_depth == 0
                    && let Some(paragraph) = self.open_paragraph.take()
                {
                    self.finish_paragraph(paragraph);
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        if self.in_text && self.skip_depth == 0 {
            self.push_str(text);
        }
    }

    fn push_str(&mut self, text: &str) {
        if let Some(paragraph) = self.open_paragraph.as_mut() {
            paragraph.push_str(text);
        }
    }

    fn current_row(&mut self) -> Option<&mut Row> {
        self.content
            .tables
            .last_mut()
            .and_then(|table| table.rows.last_mut())
    }

    fn finish_paragraph(&mut self, paragraph: String) {
        if self.table_depth == 0 {
            self.content.paragraphs.push(paragraph);
        } else if let Some(cell) = self.current_row().and_then(|row| row.cells.last_mut()) {
            cell.paragraphs.push(paragraph);
        }
    }
}

/// More grid columns than any real table has; bounds a hostile `gridSpan`.
const MAX_GRID_COLUMNS: usize = 64;

/// The number in an element's `w:val` attribute.
fn numeric_value(element: &BytesStart<'_>) -> Option<usize> {
    element
        .attributes()
        .filter_map(Result::ok)
        .find(|attribute| attribute.key.local_name().as_ref() == "val")
        .and_then(|attribute| attribute.value.trim().parse().ok())
}
