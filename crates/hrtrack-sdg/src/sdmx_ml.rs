//! Safe reader for SDMX-ML data messages.
//!
//! Supported: SDMX-ML 2.0 `GenericData`, SDMX-ML 2.1 `GenericData` /
//! `GenericTimeSeriesData` and SDMX-ML 2.1 `StructureSpecificData` /
//! `StructureSpecificTimeSeriesData`. The message kind is recognised from the root
//! element and its namespace URI.
//!
//! Safety rules: the input size is checked before parsing; any DOCTYPE is refused, so no
//! entity beyond the five predefined ones (and character references) can ever be expanded;
//! element nesting, observation count and error count are capped; no input can panic.
//! Errors carry a place, "line L, column C", counted in characters from 1.
//!
//! Structure-specific messages carry dimensions and attributes as XML attributes without
//! saying which is which; without the DSD this module tells them apart with a list of
//! well-known SDMX/SDG attribute ids ([`is_known_attribute`]); every other id is a dimension.

use std::borrow::Cow;
use std::collections::BTreeMap;

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use crate::model::{Dataset, Observation, RowAction, SdgFormat, SdgReadError};

/// Caps applied while reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes (checked before parsing).
    pub max_input_bytes: usize,
    /// Deepest accepted element nesting.
    pub max_depth: usize,
    /// Most observations accepted in one file.
    pub max_observations: usize,
    /// Errors collected before giving up.
    pub max_errors: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 256 * 1024 * 1024,
            max_depth: 64,
            max_observations: 5_000_000,
            max_errors: 100,
        }
    }
}

pub(crate) const NS_MESSAGE_20: &str = "http://www.SDMX.org/resources/SDMXML/schemas/v2_0/message";
pub(crate) const NS_MESSAGE_21: &str = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message";

/// Reads an SDMX-ML data message with the default [`Limits`].
pub fn read(bytes: &[u8], file_name: &str) -> Result<Dataset, Vec<SdgReadError>> {
    read_with_limits(bytes, file_name, &Limits::default())
}

/// Reads an SDMX-ML data message with the given caps.
pub fn read_with_limits(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
) -> Result<Dataset, Vec<SdgReadError>> {
    let whole = |message: String| {
        vec![SdgReadError {
            file: file_name.to_string(),
            place: "file".to_string(),
            message,
        }]
    };
    if bytes.len() > limits.max_input_bytes {
        return Err(whole(format!(
            "file is {} bytes, more than the {} bytes accepted; nothing read",
            bytes.len(),
            limits.max_input_bytes
        )));
    }
    if bytes.is_empty() {
        return Err(whole("file is empty".to_string()));
    }
    let text = match decode(bytes) {
        Ok(t) => t,
        Err((offset_text, message)) => {
            let place = match offset_text {
                Some((t, off)) => place_in(&t, off),
                None => "file".to_string(),
            };
            return Err(vec![SdgReadError {
                file: file_name.to_string(),
                place,
                message,
            }]);
        }
    };
    let mut parser = Parser::new(&text, file_name, limits);
    parser.run();
    parser.finish()
}

// ---------------------------------------------------------------------------------------------
// Encoding

pub(crate) type DecodeError = (Option<(String, usize)>, String);

/// Turns the raw bytes into text, honouring a BOM or the XML declaration.
pub(crate) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        let declared = declared_encoding(rest);
        if let Some(enc) = &declared
            && !matches!(enc.as_str(), "utf-8" | "utf8")
        {
            return Err((
                None,
                format!("file starts with a UTF-8 byte-order mark but declares encoding \"{enc}\""),
            ));
        }
        return utf8(rest);
    }
    if bytes.starts_with(&[0xFE, 0xFF]) || bytes.starts_with(&[0xFF, 0xFE]) {
        let big = bytes[0] == 0xFE;
        return utf16(&bytes[2..], big).map(Cow::Owned);
    }
    if bytes.starts_with(&[0, 0, 0, b'<']) || bytes.starts_with(&[b'<', 0, 0, 0]) {
        return Err((
            None,
            "file looks like UTF-32, which is not supported; save it as UTF-8".to_string(),
        ));
    }
    if bytes.starts_with(&[0, b'<']) || bytes.starts_with(&[b'<', 0]) {
        return Err((
            None,
            "file looks like UTF-16 without a byte-order mark, which cannot be read safely; save it as UTF-8"
                .to_string(),
        ));
    }
    match declared_encoding(bytes).as_deref() {
        None | Some("utf-8") | Some("utf8") => utf8(bytes),
        Some("us-ascii") | Some("ascii") => {
            if let Some(pos) = bytes.iter().position(|b| !b.is_ascii()) {
                let prefix = String::from_utf8_lossy(&bytes[..pos]).into_owned();
                Err((
                    Some((prefix, pos)),
                    format!(
                        "byte 0x{:02X} is not US-ASCII, the encoding the file declares",
                        bytes[pos]
                    ),
                ))
            } else {
                utf8(bytes)
            }
        }
        Some("iso-8859-1") | Some("latin1") | Some("latin-1") | Some("l1") => {
            Ok(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()))
        }
        Some(other) => Err((
            None,
            format!(
                "declared encoding \"{other}\" is not supported (UTF-8, UTF-16 with byte-order mark, US-ASCII, ISO-8859-1); save the file as UTF-8"
            ),
        )),
    }
}

fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(e) => {
            let pos = e.valid_up_to();
            let prefix = String::from_utf8_lossy(&bytes[..pos]).into_owned();
            let byte = bytes.get(pos).copied().unwrap_or(0);
            Err((
                Some((prefix, pos)),
                format!(
                    "byte 0x{byte:02X} is not valid UTF-8 and the file declares no other supported encoding; save it as UTF-8"
                ),
            ))
        }
    }
}

fn utf16(bytes: &[u8], big_endian: bool) -> Result<String, DecodeError> {
    if !bytes.len().is_multiple_of(2) {
        return Err((
            None,
            "UTF-16 file has an odd number of bytes (truncated?)".to_string(),
        ));
    }
    let units = bytes.chunks_exact(2).map(|c| {
        if big_endian {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    });
    let mut out = String::with_capacity(bytes.len() / 2);
    for ch in char::decode_utf16(units) {
        match ch {
            Ok(c) => out.push(c),
            Err(_) => {
                let len = out.len();
                return Err((
                    Some((out, len)),
                    "invalid UTF-16 (unpaired surrogate)".to_string(),
                ));
            }
        }
    }
    if let Some(enc) = declared_encoding(out.as_bytes())
        && !enc.starts_with("utf-16")
    {
        return Err((
            None,
            format!("file is UTF-16 (byte-order mark) but declares encoding \"{enc}\""),
        ));
    }
    Ok(out)
}

/// The lower-cased `encoding` of a leading XML declaration, if any.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = String::from_utf8_lossy(&head[..end]).into_owned();
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let body = &rest[1..];
    let close = body.find(quote)?;
    Some(body[..close].trim().to_ascii_lowercase())
}

/// "line L, column C" of a byte offset in `text` (both counted from 1, columns in characters).
pub(crate) fn place_in(text: &str, offset: usize) -> String {
    let mut off = offset.min(text.len());
    while !text.is_char_boundary(off) {
        off -= 1;
    }
    let before = &text[..off];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let column = before[line_start..].chars().count() + 1;
    format!("line {line}, column {column}")
}

// ---------------------------------------------------------------------------------------------
// Classification helpers

/// Well-known SDMX cross-domain and SDG DSD attribute ids. In structure-specific messages
/// these are read as attributes; any other id is read as a dimension.
pub fn is_known_attribute(id: &str) -> bool {
    matches!(
        id,
        "OBS_STATUS"
            | "OBS_CONF"
            | "OBS_PRE_BREAK"
            | "OBS_COM"
            | "UNIT_MULT"
            | "UNIT_MEASURE"
            | "UNIT"
            | "BASE_PER"
            | "NATURE"
            | "TIME_DETAIL"
            | "COMMENT_OBS"
            | "COMMENT_TS"
            | "COMMENT_DSET"
            | "TIME_COVERAGE"
            | "UPPER_BOUND"
            | "LOWER_BOUND"
            | "SOURCE_DETAIL"
            | "GEO_INFO_URL"
            | "GEO_INFO_TYPE"
            | "CUST_BREAKDOWN_LB"
            | "DATA_LAST_UPDATE"
            | "DECIMALS"
            | "TITLE"
            | "TITLE_COMPL"
            | "TIME_FORMAT"
            | "COLLECTION"
            | "COMPILING_ORG"
            | "DISS_ORG"
            | "DATA_COMP"
            | "EMBARGO_TIME"
            | "REF_PERIOD_DETAIL"
            | "SOURCE"
            | "INDICATOR"
    )
}

/// Standard (non-DSD) attributes of a 2.1 `DataSet` element.
fn is_dataset_standard_attribute(local: &str) -> bool {
    matches!(
        local,
        "structureRef"
            | "setID"
            | "action"
            | "reportingBeginDate"
            | "reportingEndDate"
            | "validFromDate"
            | "validToDate"
            | "publicationYear"
            | "publicationPeriod"
            | "dataScope"
            | "id"
    )
}

fn parse_action(s: &str) -> Option<RowAction> {
    match s.trim().to_ascii_lowercase().as_str() {
        "information" => Some(RowAction::Information),
        "append" | "update" => Some(RowAction::Append),
        "replace" => Some(RowAction::Replace),
        "delete" => Some(RowAction::Delete),
        _ => None,
    }
}

/// Normalises an SDG indicator code: "C050501" → "5.5.1", "C0104A1"/"C010a01" → "1.a.1",
/// "5_5_1" / "5-5-1" → "5.5.1"; None when empty.
pub fn normalise_indicator(code: &str) -> Option<String> {
    let code = code.trim();
    if code.is_empty() {
        return None;
    }
    let b = code.as_bytes();
    if b.len() == 7 && (b[0] == b'C' || b[0] == b'c') && code.is_ascii() {
        let goal = &code[1..3];
        let target = &code[3..5];
        let ind = &code[5..7];
        if let (Ok(g), Ok(i)) = (goal.parse::<u32>(), ind.parse::<u32>()) {
            let t = match target.parse::<u32>() {
                Ok(t) => t.to_string(),
                Err(_) => target.trim_start_matches('0').to_ascii_lowercase(),
            };
            if !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Some(format!("{g}.{t}.{i}"));
            }
        }
    }
    Some(code.replace(['_', '-'], "."))
}

fn parse_value(raw: &str) -> Result<Option<f64>, String> {
    let t = raw.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("nan") {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        Ok(_) => Err(format!("OBS_VALUE \"{raw}\" is not a finite number")),
        Err(_) => Err(format!("OBS_VALUE \"{raw}\" is not a number")),
    }
}

// ---------------------------------------------------------------------------------------------
// Parser

/// An element on the open-element stack.
struct Frame {
    local: String,
    offset: usize,
}

/// A structure reference from a 2.1 header.
#[derive(Default, Clone)]
struct HeaderStructure {
    id: String,
    dim_at_obs: Option<String>,
    dataflow: Option<String>,
    dsd: Option<String>,
}

#[derive(Default)]
struct KeyAttrs {
    dims: BTreeMap<String, String>,
    attrs: BTreeMap<String, String>,
}

struct DataSetCtx {
    action: RowAction,
    dim_at_obs: String,
    level: KeyAttrs,
    groups: Vec<KeyAttrs>,
    pending: Vec<RawObs>,
}

struct SeriesCtx {
    level: KeyAttrs,
    has_key: bool,
    first_obs: usize,
    offset: usize,
}

struct RawObs {
    level: KeyAttrs,
    time: Option<String>,
    value_raw: Option<String>,
    offset: usize,
}

/// Which map a generic `Value` element feeds.
#[derive(Clone, Copy)]
enum ValueTarget {
    DataSetAttrs,
    GroupKey,
    GroupAttrs,
    SeriesKey,
    SeriesAttrs,
    ObsKey,
    ObsAttrs,
}

struct Parser<'a> {
    text: &'a str,
    file: &'a str,
    limits: &'a Limits,
    errors: Vec<SdgReadError>,
    stopped: bool,
    format: Option<SdgFormat>,
    root_done: bool,
    stack: Vec<Frame>,
    capture: Option<String>,
    header_structs: Vec<HeaderStructure>,
    key_family: Option<String>,
    key_family_agency: Option<String>,
    header_action: Option<RowAction>,
    dataset_flow: Option<String>,
    ds: Option<DataSetCtx>,
    group: Option<KeyAttrs>,
    series: Option<SeriesCtx>,
    obs: Option<RawObs>,
    total_obs: usize,
    observations: Vec<Observation>,
}

struct Attr {
    prefix: Option<String>,
    local: String,
    value: String,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, file: &'a str, limits: &'a Limits) -> Self {
        Parser {
            text,
            file,
            limits,
            errors: Vec::new(),
            stopped: false,
            format: None,
            root_done: false,
            stack: Vec::new(),
            capture: None,
            header_structs: Vec::new(),
            key_family: None,
            key_family_agency: None,
            header_action: None,
            dataset_flow: None,
            ds: None,
            group: None,
            series: None,
            obs: None,
            total_obs: 0,
            observations: Vec::new(),
        }
    }

    fn error_at(&mut self, offset: usize, message: String) {
        if self.stopped {
            return;
        }
        let place = place_in(self.text, offset);
        self.errors.push(SdgReadError {
            file: self.file.to_string(),
            place,
            message,
        });
        if self.errors.len() >= self.limits.max_errors {
            self.errors.push(SdgReadError {
                file: self.file.to_string(),
                place: "file".to_string(),
                message: format!("stopped after {} errors", self.limits.max_errors),
            });
            self.stopped = true;
        }
    }

    fn fatal(&mut self, offset: usize, message: String) {
        self.error_at(offset, message);
        self.stopped = true;
    }

    fn finish(self) -> Result<Dataset, Vec<SdgReadError>> {
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        let Some(format) = self.format else {
            return Err(vec![SdgReadError {
                file: self.file.to_string(),
                place: "file".to_string(),
                message: "no root element found; not an XML document".to_string(),
            }]);
        };
        let header = self.header_structs.first();
        let dataflow = header
            .and_then(|h| h.dataflow.clone().or_else(|| h.dsd.clone()))
            .or_else(|| {
                self.key_family.map(|k| match self.key_family_agency {
                    Some(a) if !a.is_empty() => format!("{a}:{k}"),
                    _ => k,
                })
            })
            .or(self.dataset_flow);
        Ok(Dataset {
            source: self.file.to_string(),
            format,
            dataflow,
            observations: self.observations,
            rows: Vec::new(),
            warnings: Vec::new(),
        })
    }

    fn run(&mut self) {
        let mut reader = NsReader::from_str(self.text);
        {
            let cfg = reader.config_mut();
            cfg.check_end_names = true;
            cfg.expand_empty_elements = false;
        }
        loop {
            if self.stopped {
                return;
            }
            let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let event = reader.read_resolved_event();
            match event {
                Err(e) => {
                    let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                    let open = self
                        .stack
                        .last()
                        .map(|f| format!(" (inside <{}>)", f.local))
                        .unwrap_or_default();
                    self.fatal(at, format!("XML is not well-formed: {e}{open}"));
                    return;
                }
                Ok((ns, ev)) => match ev {
                    Event::DocType(_) => {
                        self.fatal(
                            before,
                            "DOCTYPE/DTD declarations are refused (they can define entities: billion-laughs, external files); remove it"
                                .to_string(),
                        );
                        return;
                    }
                    Event::Start(e) => {
                        let ns_uri = namespace_of(&ns);
                        self.open(&e, ns_uri, before);
                    }
                    Event::Empty(e) => {
                        let ns_uri = namespace_of(&ns);
                        self.open(&e, ns_uri, before);
                        if !self.stopped {
                            self.close(before);
                        }
                    }
                    Event::End(_) => self.close(before),
                    Event::Text(t) => {
                        let content = t.xml10_content();
                        self.text_event(&content, before);
                    }
                    Event::CData(c) => {
                        let content = c.xml10_content();
                        self.text_event(&content, before);
                    }
                    Event::GeneralRef(r) => {
                        let resolved: Option<String> = if r.is_char_ref() {
                            match r.resolve_char_ref() {
                                Ok(Some(c)) => Some(c.to_string()),
                                _ => None,
                            }
                        } else {
                            match r.xml10_content().as_ref() {
                                "lt" => Some("<".into()),
                                "gt" => Some(">".into()),
                                "amp" => Some("&".into()),
                                "apos" => Some("'".into()),
                                "quot" => Some("\"".into()),
                                _ => None,
                            }
                        };
                        match resolved {
                            Some(s) => self.text_event(&s, before),
                            None => {
                                let name = r.xml10_content().into_owned();
                                self.fatal(
                                    before,
                                    format!(
                                        "reference &{name}; is not allowed: only the 5 predefined entities and character references are"
                                    ),
                                );
                                return;
                            }
                        }
                    }
                    Event::Eof => {
                        if let Some(f) = self.stack.last() {
                            let (name, off) = (f.local.clone(), f.offset);
                            let end = self.text.len();
                            self.fatal(
                                end,
                                format!(
                                    "file ends early (truncated?): element <{name}> opened at {} is not closed",
                                    place_in(self.text, off)
                                ),
                            );
                        } else if self.format.is_none() {
                            self.fatal(0, "no root element found; not an XML document".to_string());
                        }
                        return;
                    }
                    Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                },
            }
        }
    }

    fn text_event(&mut self, content: &str, offset: usize) {
        if self.stack.is_empty() {
            if !content.trim().is_empty() {
                self.fatal(offset, "text outside the root element".to_string());
            }
            return;
        }
        if let Some(buf) = self.capture.as_mut() {
            buf.push_str(content);
        }
    }

    fn attrs(&mut self, e: &BytesStart<'_>, offset: usize) -> Option<Vec<Attr>> {
        let mut out = Vec::new();
        for a in e.attributes() {
            match a {
                Ok(a) => {
                    let key = a.key;
                    let prefix = key.prefix().map(|p| p.as_ref().to_string());
                    let local = key.local_name().as_ref().to_string();
                    if key.as_ref() == "xmlns" || prefix.as_deref() == Some("xmlns") {
                        continue;
                    }
                    match a.normalized_value(XmlVersion::Implicit1_0) {
                        Ok(v) => out.push(Attr {
                            prefix,
                            local,
                            value: v.into_owned(),
                        }),
                        Err(err) => {
                            self.fatal(offset, format!("attribute {}: {err}", key.as_ref()));
                            return None;
                        }
                    }
                }
                Err(err) => {
                    self.fatal(offset, format!("bad attribute: {err}"));
                    return None;
                }
            }
        }
        Some(out)
    }

    fn parent(&self, up: usize) -> &str {
        // up = 1: parent of the element just pushed
        let n = self.stack.len();
        if n > up {
            self.stack[n - 1 - up].local.as_str()
        } else {
            ""
        }
    }

    fn open(&mut self, e: &BytesStart<'_>, ns_uri: Option<String>, offset: usize) {
        let local = e.local_name().as_ref().to_string();
        let qname = e.name().as_ref().to_string();
        if self.stack.len() >= self.limits.max_depth {
            self.fatal(
                offset,
                format!(
                    "elements nested deeper than {} levels; refused",
                    self.limits.max_depth
                ),
            );
            return;
        }
        let Some(attrs) = self.attrs(e, offset) else {
            return;
        };
        if self.stack.is_empty() {
            if self.root_done {
                self.fatal(offset, format!("second root element <{qname}>"));
                return;
            }
            self.root_done = true;
            self.stack.push(Frame { local, offset });
            self.root(&qname, ns_uri, offset);
            return;
        }
        self.stack.push(Frame {
            local: local.clone(),
            offset,
        });
        let get = |name: &str| {
            attrs
                .iter()
                .find(|a| a.prefix.is_none() && a.local == name)
                .map(|a| a.value.clone())
        };
        let p1 = self.parent(1).to_string();
        let p2 = self.parent(2).to_string();
        let depth = self.stack.len();
        let ss = self.format == Some(SdgFormat::SdmxMlStructureSpecific21);
        let in_header = self.stack.get(1).is_some_and(|f| f.local == "Header");
        if in_header {
            match local.as_str() {
                "KeyFamilyRef" | "KeyFamilyAgency" | "DataSetAction" | "URN"
                    if depth == 3 || local == "URN" =>
                {
                    self.capture = Some(String::new());
                }
                "Structure" if depth == 3 => {
                    self.header_structs.push(HeaderStructure {
                        id: get("structureID").unwrap_or_default(),
                        dim_at_obs: get("dimensionAtObservation"),
                        ..HeaderStructure::default()
                    });
                }
                "Ref" if depth >= 5 => {
                    let r = reference(get("agencyID"), get("id"), get("version"));
                    if let (Some(h), Some(r)) = (self.header_structs.last_mut(), r) {
                        if p1 == "StructureUsage" || p1 == "Dataflow" {
                            h.dataflow = Some(r);
                        } else {
                            h.dsd = Some(r);
                        }
                    }
                }
                _ => {}
            }
            return;
        }
        if depth == 2 && local == "DataSet" {
            self.open_dataset(&attrs, offset);
            return;
        }
        if self.ds.is_none() {
            return;
        }
        match local.as_str() {
            "KeyFamilyRef" if p1 == "DataSet" => self.capture = Some(String::new()),
            "Group" if p1 == "DataSet" => {
                let mut level = KeyAttrs::default();
                if ss {
                    classify(&attrs, &mut level);
                }
                self.group = Some(level);
            }
            "Series" if p1 == "DataSet" => {
                let mut level = KeyAttrs::default();
                if ss {
                    classify(&attrs, &mut level);
                }
                let has_key = !level.dims.is_empty();
                let first_obs = self.ds.as_ref().map_or(0, |d| d.pending.len());
                self.series = Some(SeriesCtx {
                    level,
                    has_key,
                    first_obs,
                    offset,
                });
            }
            "SeriesKey" if p1 == "Series" => {
                if let Some(s) = self.series.as_mut() {
                    s.has_key = true;
                }
            }
            "Obs" if p1 == "Series" || p1 == "DataSet" => {
                let mut raw = RawObs {
                    level: KeyAttrs::default(),
                    time: None,
                    value_raw: None,
                    offset,
                };
                if ss {
                    for a in &attrs {
                        if a.prefix.is_some() {
                            continue;
                        }
                        match a.local.as_str() {
                            "OBS_VALUE" => raw.value_raw = Some(a.value.clone()),
                            _ => classify_one(&a.local, &a.value, &mut raw.level),
                        }
                    }
                }
                self.obs = Some(raw);
            }
            "Time" if p1 == "Obs" => self.capture = Some(String::new()),
            "ObsDimension" if p1 == "Obs" => {
                let dim = get("id")
                    .or_else(|| get("concept"))
                    .or_else(|| self.ds.as_ref().map(|d| d.dim_at_obs.clone()))
                    .unwrap_or_else(|| "TIME_PERIOD".to_string());
                match get("value") {
                    Some(v) => {
                        if let Some(o) = self.obs.as_mut() {
                            o.level.dims.insert(dim, v);
                        }
                    }
                    None => {
                        self.error_at(offset, "ObsDimension without a value attribute".to_string())
                    }
                }
            }
            "ObsValue" if p1 == "Obs" => {
                if let Some(o) = self.obs.as_mut() {
                    o.value_raw = get("value");
                }
            }
            "Value" => {
                let target = match (p1.as_str(), p2.as_str()) {
                    ("SeriesKey", _) => Some(ValueTarget::SeriesKey),
                    ("Attributes", "Series") => Some(ValueTarget::SeriesAttrs),
                    ("ObsKey", _) => Some(ValueTarget::ObsKey),
                    ("Attributes", "Obs") => Some(ValueTarget::ObsAttrs),
                    ("GroupKey", _) => Some(ValueTarget::GroupKey),
                    ("Attributes", "Group") => Some(ValueTarget::GroupAttrs),
                    ("Attributes", "DataSet") => Some(ValueTarget::DataSetAttrs),
                    _ => None,
                };
                if let Some(t) = target {
                    let id = get("id").or_else(|| get("concept"));
                    let value = get("value");
                    match (id, value) {
                        (Some(id), Some(value)) if !id.trim().is_empty() => {
                            self.put_value(t, id.trim().to_string(), value)
                        }
                        (Some(id), Some(_)) if id.trim().is_empty() => {
                            self.error_at(offset, format!("<{qname}> with an empty id"))
                        }
                        (None, _) => self.error_at(
                            offset,
                            format!("<{qname}> without an id (or concept) attribute"),
                        ),
                        _ => self.error_at(offset, format!("<{qname}> without a value attribute")),
                    }
                }
            }
            _ => {}
        }
    }

    fn put_value(&mut self, t: ValueTarget, id: String, value: String) {
        let level = match t {
            ValueTarget::DataSetAttrs => self.ds.as_mut().map(|d| &mut d.level.attrs),
            ValueTarget::GroupKey => self.group.as_mut().map(|g| &mut g.dims),
            ValueTarget::GroupAttrs => self.group.as_mut().map(|g| &mut g.attrs),
            ValueTarget::SeriesKey => self.series.as_mut().map(|s| &mut s.level.dims),
            ValueTarget::SeriesAttrs => self.series.as_mut().map(|s| &mut s.level.attrs),
            ValueTarget::ObsKey => self.obs.as_mut().map(|o| &mut o.level.dims),
            ValueTarget::ObsAttrs => self.obs.as_mut().map(|o| &mut o.level.attrs),
        };
        if let Some(map) = level {
            map.insert(id, value);
        }
    }

    fn root(&mut self, qname: &str, ns_uri: Option<String>, offset: usize) {
        let local = qname.rsplit(':').next().unwrap_or(qname).to_string();
        let ns_text = ns_uri.clone().unwrap_or_else(|| "(none)".to_string());
        let ns = ns_uri.unwrap_or_default();
        let v20 = ns.eq_ignore_ascii_case(NS_MESSAGE_20);
        let v21 = ns.eq_ignore_ascii_case(NS_MESSAGE_21);
        if !v20 && !v21 {
            let hint = if ns.to_ascii_lowercase().contains("sdmx") {
                " (an SDMX namespace, but not the SDMX-ML 2.0 or 2.1 message namespace this reader supports)"
            } else {
                ""
            };
            self.fatal(
                offset,
                format!(
                    "root element <{qname}> is in namespace \"{ns_text}\"{hint}; expected an SDMX-ML 2.0 ({NS_MESSAGE_20}) or 2.1 ({NS_MESSAGE_21}) data message"
                ),
            );
            return;
        }
        let version = if v20 { "2.0" } else { "2.1" };
        let format = match (v20, local.as_str()) {
            (true, "GenericData") => Some(SdgFormat::SdmxMlGeneric20),
            (false, "GenericData") | (false, "GenericTimeSeriesData") => {
                Some(SdgFormat::SdmxMlGeneric21)
            }
            (false, "StructureSpecificData") | (false, "StructureSpecificTimeSeriesData") => {
                Some(SdgFormat::SdmxMlStructureSpecific21)
            }
            _ => None,
        };
        match format {
            Some(f) => self.format = Some(f),
            None => {
                let message = if local == "Structure" {
                    format!(
                        "<{qname}> is an SDMX-ML {version} structure message (data structure definitions, codelists…), not a data message; nothing read"
                    )
                } else {
                    format!(
                        "<{qname}> is an SDMX-ML {version} message of a kind this reader does not read; supported: 2.0 GenericData, 2.1 GenericData, 2.1 StructureSpecificData"
                    )
                };
                self.fatal(offset, message);
            }
        }
    }

    fn open_dataset(&mut self, attrs: &[Attr], offset: usize) {
        let get = |name: &str| {
            attrs
                .iter()
                .find(|a| a.local == name && (a.prefix.is_none() || name == "structureRef"))
                .map(|a| a.value.clone())
        };
        let action = match get("action") {
            Some(a) => match parse_action(&a) {
                Some(x) => x,
                None => {
                    self.error_at(
                        offset,
                        format!("DataSet action \"{a}\" is not one of Information, Append, Replace, Delete"),
                    );
                    RowAction::Information
                }
            },
            None => self.header_action.unwrap_or_default(),
        };
        let structure_ref = get("structureRef");
        let header = match &structure_ref {
            Some(r) => self.header_structs.iter().find(|h| &h.id == r).cloned(),
            None => self.header_structs.first().cloned(),
        };
        let dim_at_obs = header
            .and_then(|h| h.dim_at_obs)
            .unwrap_or_else(|| "TIME_PERIOD".to_string());
        let mut level = KeyAttrs::default();
        if self.format == Some(SdgFormat::SdmxMlStructureSpecific21) {
            for a in attrs {
                if a.prefix.is_none() && !is_dataset_standard_attribute(&a.local) {
                    classify_one(&a.local, &a.value, &mut level);
                }
            }
        }
        self.ds = Some(DataSetCtx {
            action,
            dim_at_obs,
            level,
            groups: Vec::new(),
            pending: Vec::new(),
        });
    }

    fn close(&mut self, offset_end: usize) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let depth = self.stack.len() + 1;
        let local = frame.local.as_str();
        let in_header = self.stack.get(1).is_some_and(|f| f.local == "Header");
        if let Some(text) = self.capture.take() {
            let text = text.trim().to_string();
            match local {
                "KeyFamilyRef" if in_header => self.key_family = Some(text),
                "KeyFamilyRef" if self.dataset_flow.is_none() && !text.is_empty() => {
                    self.dataset_flow = Some(text);
                }
                "KeyFamilyAgency" => self.key_family_agency = Some(text),
                "DataSetAction" => match parse_action(&text) {
                    Some(a) => self.header_action = Some(a),
                    None => self.error_at(
                        frame.offset,
                        format!("DataSetAction \"{text}\" is not one of Information, Append, Replace, Delete"),
                    ),
                },
                "URN" => {
                    if let Some(h) = self.header_structs.last_mut()
                        && h.dsd.is_none()
                        && h.dataflow.is_none()
                    {
                        h.dsd = Some(text);
                    }
                }
                "Time" => {
                    if let Some(o) = self.obs.as_mut() {
                        o.time = Some(text);
                    }
                }
                _ => {}
            }
        }
        if in_header || self.ds.is_none() {
            return;
        }
        let _ = offset_end;
        match local {
            "Obs" => {
                if let Some(raw) = self.obs.take() {
                    self.total_obs += 1;
                    if self.total_obs > self.limits.max_observations {
                        self.fatal(
                            raw.offset,
                            format!(
                                "more than {} observations; refused",
                                self.limits.max_observations
                            ),
                        );
                        return;
                    }
                    if let Some(ds) = self.ds.as_mut() {
                        ds.pending.push(raw);
                    }
                }
            }
            "Series" => {
                if let Some(s) = self.series.take() {
                    if !s.has_key {
                        self.error_at(s.offset, "Series without a series key".to_string());
                    }
                    if let Some(ds) = self.ds.as_mut() {
                        for o in ds.pending.iter_mut().skip(s.first_obs) {
                            merge_missing(&mut o.level, &s.level);
                        }
                    }
                }
            }
            "Group" => {
                if let (Some(g), Some(ds)) = (self.group.take(), self.ds.as_mut()) {
                    ds.groups.push(g);
                }
            }
            "DataSet" if depth == 2 => self.close_dataset(),
            _ => {}
        }
    }

    fn close_dataset(&mut self) {
        let Some(ds) = self.ds.take() else {
            return;
        };
        for raw in ds.pending {
            let mut level = raw.level;
            for g in &ds.groups {
                if !g.dims.is_empty() && g.dims.iter().all(|(k, v)| level.dims.get(k) == Some(v)) {
                    for (k, v) in &g.attrs {
                        level.attrs.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
            }
            merge_missing(&mut level, &ds.level);
            let time = raw
                .time
                .filter(|t| !t.is_empty())
                .or_else(|| level.dims.remove("TIME_PERIOD"))
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty());
            level.dims.remove("TIME_PERIOD");
            let Some(time_period) = time else {
                self.error_at(
                    raw.offset,
                    "Obs without a time period (TIME_PERIOD)".to_string(),
                );
                continue;
            };
            let value = match raw.value_raw.as_deref().map(parse_value) {
                None => None,
                Some(Ok(v)) => v,
                Some(Err(m)) => {
                    self.error_at(raw.offset, m);
                    continue;
                }
            };
            let series = level.dims.remove("SERIES").unwrap_or_default();
            let indicator = match level.dims.remove("INDICATOR") {
                Some(i) => normalise_indicator(&i),
                None => level
                    .attrs
                    .get("INDICATOR")
                    .and_then(|i| normalise_indicator(i)),
            };
            self.observations.push(Observation {
                series,
                indicator,
                dimensions: level.dims.into(),
                time_period,
                value,
                attributes: level.attrs.into(),
                action: ds.action,
            });
        }
    }
}

fn namespace_of(ns: &ResolveResult<'_>) -> Option<String> {
    match ns {
        ResolveResult::Bound(n) => Some(n.as_ref().to_string()),
        _ => None,
    }
}

fn reference(
    agency: Option<String>,
    id: Option<String>,
    version: Option<String>,
) -> Option<String> {
    let id = id?;
    let mut out = match agency {
        Some(a) if !a.is_empty() => format!("{a}:{id}"),
        _ => id,
    };
    if let Some(v) = version.filter(|v| !v.is_empty()) {
        out.push_str(&format!("({v})"));
    }
    Some(out)
}

fn classify_one(id: &str, value: &str, level: &mut KeyAttrs) {
    if is_known_attribute(id) {
        level.attrs.insert(id.to_string(), value.to_string());
    } else {
        level.dims.insert(id.to_string(), value.to_string());
    }
}

fn classify(attrs: &[Attr], level: &mut KeyAttrs) {
    for a in attrs {
        if a.prefix.is_none() {
            classify_one(&a.local, &a.value, level);
        }
    }
}

/// Copies into `into` the dimensions and attributes of `from` that `into` lacks.
fn merge_missing(into: &mut KeyAttrs, from: &KeyAttrs) {
    for (k, v) in &from.dims {
        into.dims.entry(k.clone()).or_insert_with(|| v.clone());
    }
    for (k, v) in &from.attrs {
        into.attrs.entry(k.clone()).or_insert_with(|| v.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicator_codes_normalise_to_dots() {
        assert_eq!(normalise_indicator("C050501").as_deref(), Some("5.5.1"));
        assert_eq!(normalise_indicator("C010a01").as_deref(), Some("1.a.1"));
        assert_eq!(normalise_indicator("5_5_1").as_deref(), Some("5.5.1"));
        assert_eq!(normalise_indicator("5.5.1").as_deref(), Some("5.5.1"));
        assert_eq!(normalise_indicator(" "), None);
    }

    #[test]
    fn values_and_actions() {
        assert_eq!(parse_value(" 211 "), Ok(Some(211.0)));
        assert_eq!(parse_value("NaN"), Ok(None));
        assert_eq!(parse_value(""), Ok(None));
        assert!(parse_value("1,5").is_err());
        assert!(parse_value("INF").is_err());
        assert_eq!(parse_action("append"), Some(RowAction::Append));
        assert_eq!(parse_action("bogus"), None);
    }

    #[test]
    fn places_and_declarations() {
        assert_eq!(place_in("ab\ncdé\nx", 7), "line 2, column 4");
        assert_eq!(place_in("a", 99), "line 1, column 2");
        assert_eq!(
            declared_encoding(b"<?xml version='1.0' encoding = 'Latin1'?><a/>").as_deref(),
            Some("latin1")
        );
        assert_eq!(declared_encoding(b"<a/>"), None);
    }

    #[test]
    fn empty_and_rootless_inputs_are_errors() {
        assert!(read(b"", "e.xml").is_err());
        assert!(read(b"<?xml version=\"1.0\"?>", "e.xml").is_err());
        assert!(read(b"just text", "e.xml").is_err());
    }
}
