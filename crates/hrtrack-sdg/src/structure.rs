//! Safe reader for SDMX-ML 2.1 structure messages: the data structure definition (DSD) of a
//! dataflow, i.e. its components (dimensions, time dimension, attributes, primary measure) and
//! the code lists they draw on, such as the UNSD global SDG DSD.
//!
//! Safety rules are those of [`crate::sdmx_ml`]: the input size is checked before parsing, any
//! DOCTYPE is refused (so no entity beyond the five predefined ones and character references is
//! ever expanded), element nesting and the number of codes are capped, and no input can panic.
//! Errors carry a place, "line L, column C". A data message is refused, saying so.

use std::collections::BTreeMap;

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use serde::{Deserialize, Serialize};

use crate::input::MAX_FILE_BYTES;
use crate::model::SdgReadError;
use crate::sdmx_ml::{NS_MESSAGE_20, NS_MESSAGE_21, decode, normalise_indicator, place_in};

/// Deepest element nesting accepted (the SDG DSD nests 9 deep).
pub const MAX_DEPTH: usize = 64;
/// Most codes accepted over all code lists of one message (the SDG DSD has 1,664).
pub const MAX_CODES: usize = 1_000_000;
/// Errors collected before giving up.
const MAX_STRUCTURE_ERRORS: usize = 100;

/// A data structure definition with the code lists the message carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataStructure {
    /// `AGENCY:ID(VERSION)`, e.g. "IAEG-SDGs:SDG(1.0)".
    pub id: String,
    /// Dimensions, time dimension, attributes and primary measure, in file order.
    pub components: Vec<Component>,
    /// Every code list of the message, in file order.
    pub codelists: Vec<Codelist>,
}

/// One component of a DSD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Component {
    /// The component id, e.g. "SEX", "TIME_PERIOD", "UNIT_MEASURE", "OBS_VALUE".
    pub id: String,
    pub kind: ComponentKind,
    /// The id of the code list its values come from (e.g. "CL_SEX"); None when not coded.
    pub codelist: Option<String>,
}

/// What role a component plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ComponentKind {
    Dimension,
    TimeDimension,
    Attribute,
    Measure,
}

/// A code list, e.g. `IAEG-SDGs:CL_SEX(1.0)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Codelist {
    pub id: String,
    pub agency: String,
    pub version: String,
    /// The codes in file order.
    pub codes: Vec<Code>,
}

impl Codelist {
    /// The code with this id, if the list has it.
    pub fn code(&self, id: &str) -> Option<&Code> {
        self.codes.iter().find(|code| code.id == id)
    }
}

/// One code of a code list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Code {
    pub id: String,
    /// Language -> name, from the code's `com:Name xml:lang` elements.
    pub names: BTreeMap<String, String>,
    /// The parent code's id, when the list is a hierarchy.
    pub parent: Option<String>,
    /// The SDG indicator of a CL_SERIES code (its first annotation titled "Indicator"),
    /// normalised to dots, e.g. "5.5.1".
    pub indicator: Option<String>,
    /// Further indicators the series serves (a series can repeat under several, e.g.
    /// 1.5.1, 11.5.1 and 13.1.1), from later "Indicator" annotations.
    pub other_indicators: Vec<String>,
}

impl Code {
    /// Whether the code (a series) belongs to this indicator, e.g. "5.5.1".
    pub fn serves_indicator(&self, indicator: &str) -> bool {
        self.indicator.as_deref() == Some(indicator)
            || self.other_indicators.iter().any(|i| i == indicator)
    }
}

/// Reads an SDMX-ML 2.1 structure message holding a data structure definition.
pub fn read(bytes: &[u8], file_name: &str) -> Result<DataStructure, Vec<SdgReadError>> {
    let whole = |message: String| vec![SdgReadError::new(file_name, "file", message)];
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(whole(format!(
            "file is {} bytes, more than the {MAX_FILE_BYTES} bytes accepted; nothing read",
            bytes.len()
        )));
    }
    if bytes.is_empty() {
        return Err(whole("file is empty".to_string()));
    }
    let text = match decode(bytes) {
        Ok(text) => text,
        Err((Some((prefix, offset)), message)) => {
            return Err(vec![SdgReadError::new(
                file_name,
                place_in(&prefix, offset),
                message,
            )]);
        }
        Err((None, message)) => return Err(whole(message)),
    };
    let mut parser = Parser::new(&text, file_name);
    parser.run();
    parser.finish()
}

/// Where captured text goes when its element closes.
enum Capture {
    Name(String),
    AnnotationTitle,
    AnnotationText,
}

/// The open element stack's entry.
struct Frame {
    local: String,
    offset: usize,
}

struct Parser<'a> {
    text: &'a str,
    file: &'a str,
    errors: Vec<SdgReadError>,
    stopped: bool,
    stack: Vec<Frame>,
    root_seen: bool,
    capture: Option<(Capture, String)>,
    structure_id: Option<String>,
    structures_seen: usize,
    in_first_structure: bool,
    component_open: bool,
    components: Vec<Component>,
    codelist_open: bool,
    code_open: bool,
    annotation: Option<(Option<String>, Option<String>)>,
    codelists: Vec<Codelist>,
    codes: usize,
}

fn is_component_element(local: &str) -> bool {
    matches!(
        local,
        "Dimension" | "TimeDimension" | "Attribute" | "PrimaryMeasure"
    )
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, file: &'a str) -> Self {
        Parser {
            text,
            file,
            errors: Vec::new(),
            stopped: false,
            stack: Vec::new(),
            root_seen: false,
            capture: None,
            structure_id: None,
            structures_seen: 0,
            in_first_structure: false,
            component_open: false,
            components: Vec::new(),
            codelist_open: false,
            code_open: false,
            annotation: None,
            codelists: Vec::new(),
            codes: 0,
        }
    }

    fn error_at(&mut self, offset: usize, message: String) {
        if self.stopped {
            return;
        }
        self.errors.push(SdgReadError::new(
            self.file,
            place_in(self.text, offset),
            message,
        ));
        if self.errors.len() >= MAX_STRUCTURE_ERRORS {
            self.errors.push(SdgReadError::new(
                self.file,
                "file",
                format!("stopped after {MAX_STRUCTURE_ERRORS} errors"),
            ));
            self.stopped = true;
        }
    }

    fn fatal(&mut self, offset: usize, message: String) {
        self.error_at(offset, message);
        self.stopped = true;
    }

    fn finish(self) -> Result<DataStructure, Vec<SdgReadError>> {
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        let file_error = |message: &str| vec![SdgReadError::new(self.file, "file", message)];
        let Some(id) = self.structure_id else {
            return Err(file_error(
                "the structure message holds no data structure definition (<str:DataStructure>)",
            ));
        };
        if self.components.is_empty() {
            return Err(file_error(
                "the data structure definition lists no dimensions, attributes or measure",
            ));
        }
        Ok(DataStructure {
            id,
            components: self.components,
            codelists: self.codelists,
        })
    }

    fn run(&mut self) {
        let mut reader = NsReader::from_str(self.text);
        reader.config_mut().check_end_names = true;
        while !self.stopped {
            let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            match reader.read_resolved_event() {
                Err(e) => {
                    let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                    let inside = self
                        .stack
                        .last()
                        .map(|f| format!(" (inside <{}>)", f.local))
                        .unwrap_or_default();
                    self.fatal(at, format!("XML is not well-formed: {e}{inside}"));
                }
                Ok((_, Event::DocType(_))) => self.fatal(
                    before,
                    "DOCTYPE/DTD declarations are refused (they can define entities: \
                     billion-laughs, external files); remove it"
                        .to_string(),
                ),
                Ok((ns, Event::Start(e))) => self.open(&e, &ns, before),
                Ok((ns, Event::Empty(e))) => {
                    self.open(&e, &ns, before);
                    if !self.stopped {
                        self.close();
                    }
                }
                Ok((_, Event::End(_))) => self.close(),
                Ok((_, Event::Text(t))) => self.text_event(&t.xml10_content(), before),
                Ok((_, Event::CData(c))) => self.text_event(&c.xml10_content(), before),
                Ok((_, Event::GeneralRef(r))) => {
                    let resolved = if r.is_char_ref() {
                        r.resolve_char_ref().ok().flatten().map(String::from)
                    } else {
                        predefined_entity(&r.xml10_content()).map(str::to_string)
                    };
                    match resolved {
                        Some(s) => self.text_event(&s, before),
                        None => self.fatal(
                            before,
                            format!(
                                "reference &{}; is not allowed: only the 5 predefined entities \
                                 and character references are",
                                r.xml10_content()
                            ),
                        ),
                    }
                }
                Ok((_, Event::Eof)) => {
                    if let Some(frame) = self.stack.last() {
                        let message = format!(
                            "file ends early (truncated?): element <{}> opened at {} is not closed",
                            frame.local,
                            place_in(self.text, frame.offset)
                        );
                        self.fatal(self.text.len(), message);
                    } else if !self.root_seen {
                        self.fatal(0, "no root element found; not an XML document".to_string());
                    }
                    return;
                }
                Ok((_, Event::Decl(_) | Event::PI(_) | Event::Comment(_))) => {}
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
        if let Some((_, buffer)) = self.capture.as_mut() {
            buffer.push_str(content);
        }
    }

    /// The local name `up` levels above the element just pushed (1 = its parent).
    fn ancestor(&self, up: usize) -> &str {
        self.stack
            .len()
            .checked_sub(up + 1)
            .and_then(|i| self.stack.get(i))
            .map_or("", |f| f.local.as_str())
    }

    fn open(&mut self, element: &BytesStart<'_>, ns: &ResolveResult<'_>, offset: usize) {
        if self.stack.len() >= MAX_DEPTH {
            self.fatal(
                offset,
                format!("elements nested deeper than {MAX_DEPTH} levels; refused"),
            );
            return;
        }
        let local = element.local_name().as_ref().to_string();
        let Some(attributes) = self.attributes(element, offset) else {
            return;
        };
        let get = |name: &str| {
            attributes
                .iter()
                .find(|(prefix, key, _)| prefix.is_none() && key == name)
                .map(|(_, _, value)| value.clone())
        };
        if self.stack.is_empty() {
            let qname = element.name().as_ref().to_string();
            self.root(&qname, &local, ns, offset);
            self.stack.push(Frame { local, offset });
            return;
        }
        self.stack.push(Frame {
            local: local.clone(),
            offset,
        });
        let parent = self.ancestor(1).to_string();
        match (local.as_str(), parent.as_str()) {
            ("DataStructure", "DataStructures") => {
                self.structures_seen += 1;
                if self.structures_seen == 1 {
                    self.in_first_structure = true;
                    match get("id") {
                        Some(id) => {
                            let agency = get("agencyID").unwrap_or_default();
                            let version = get("version").unwrap_or_else(|| "1.0".to_string());
                            self.structure_id = Some(format!("{agency}:{id}({version})"));
                        }
                        None => self.error_at(offset, "<DataStructure> without an id".to_string()),
                    }
                }
            }
            ("Dimension" | "TimeDimension", "DimensionList")
            | ("Attribute", "AttributeList")
            | ("PrimaryMeasure", "MeasureList")
                if self.in_first_structure =>
            {
                let kind = match local.as_str() {
                    "Dimension" => ComponentKind::Dimension,
                    "TimeDimension" => ComponentKind::TimeDimension,
                    "Attribute" => ComponentKind::Attribute,
                    _ => ComponentKind::Measure,
                };
                match get("id") {
                    Some(id) => {
                        self.components.push(Component {
                            id,
                            kind,
                            codelist: None,
                        });
                        self.component_open = true;
                    }
                    None => self.error_at(offset, format!("<{local}> without an id")),
                }
            }
            ("Ref", "Enumeration")
                if self.component_open
                    && self.ancestor(2) == "LocalRepresentation"
                    && is_component_element(self.ancestor(3)) =>
            {
                if let Some(component) = self.components.last_mut() {
                    component.codelist = get("id");
                }
            }
            ("Codelist", "Codelists") => match get("id") {
                Some(id) => {
                    self.codelists.push(Codelist {
                        id,
                        agency: get("agencyID").unwrap_or_default(),
                        version: get("version").unwrap_or_else(|| "1.0".to_string()),
                        codes: Vec::new(),
                    });
                    self.codelist_open = true;
                }
                None => self.error_at(offset, "<Codelist> without an id".to_string()),
            },
            ("Code", "Codelist") if self.codelist_open => self.open_code(get("id"), offset),
            ("Name", "Code") if self.code_open => {
                let language = attributes
                    .iter()
                    .find(|(prefix, key, _)| prefix.as_deref() == Some("xml") && key == "lang")
                    .map_or_else(|| "en".to_string(), |(_, _, value)| value.clone());
                self.capture = Some((Capture::Name(language), String::new()));
            }
            ("Annotation", "Annotations") if self.code_open && self.ancestor(2) == "Code" => {
                self.annotation = Some((None, None));
            }
            ("AnnotationTitle", "Annotation") if self.annotation.is_some() => {
                self.capture = Some((Capture::AnnotationTitle, String::new()));
            }
            ("AnnotationText", "Annotation") if self.annotation.is_some() => {
                self.capture = Some((Capture::AnnotationText, String::new()));
            }
            ("Ref", "Parent") if self.code_open && self.ancestor(2) == "Code" => {
                if let Some(code) = self.current_code() {
                    code.parent = get("id");
                }
            }
            _ => {}
        }
    }

    fn open_code(&mut self, id: Option<String>, offset: usize) {
        let Some(id) = id else {
            self.error_at(offset, "<Code> without an id".to_string());
            return;
        };
        self.codes += 1;
        if self.codes > MAX_CODES {
            self.fatal(
                offset,
                format!("more than {MAX_CODES} codes in the message; refused"),
            );
            return;
        }
        if let Some(codelist) = self.codelists.last_mut() {
            codelist.codes.push(Code {
                id,
                names: BTreeMap::new(),
                parent: None,
                indicator: None,
                other_indicators: Vec::new(),
            });
            self.code_open = true;
        }
    }

    fn current_code(&mut self) -> Option<&mut Code> {
        self.codelists
            .last_mut()
            .and_then(|codelist| codelist.codes.last_mut())
    }

    fn close(&mut self) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        match frame.local.as_str() {
            "Name" | "AnnotationTitle" | "AnnotationText" => self.close_capture(),
            "Annotation" => {
                if let Some((Some(title), Some(text))) = self.annotation.take()
                    && title.trim() == "Indicator"
                    && let Some(indicator) = normalise_indicator(&text)
                    && let Some(code) = self.current_code()
                {
                    match code.indicator {
                        None => code.indicator = Some(indicator),
                        Some(_) => code.other_indicators.push(indicator),
                    }
                }
            }
            "Code" => self.code_open = false,
            "Codelist" => self.codelist_open = false,
            "DataStructure" => self.in_first_structure = false,
            local if is_component_element(local) && self.ancestor(0).ends_with("List") => {
                self.component_open = false;
            }
            _ => {}
        }
    }

    fn close_capture(&mut self) {
        let Some((target, text)) = self.capture.take() else {
            return;
        };
        let text = text.trim().to_string();
        match target {
            Capture::Name(language) => {
                if let Some(code) = self.current_code() {
                    code.names.insert(language, text);
                }
            }
            Capture::AnnotationTitle => {
                if let Some(annotation) = self.annotation.as_mut() {
                    annotation.0 = Some(text);
                }
            }
            Capture::AnnotationText => {
                if let Some(annotation) = self.annotation.as_mut() {
                    annotation.1 = Some(text);
                }
            }
        }
    }

    /// The element's attributes as (prefix, local name, value); None after a fatal error.
    fn attributes(
        &mut self,
        element: &BytesStart<'_>,
        offset: usize,
    ) -> Option<Vec<(Option<String>, String, String)>> {
        let mut out = Vec::new();
        for attribute in element.attributes() {
            let attribute = match attribute {
                Ok(a) => a,
                Err(e) => {
                    self.fatal(offset, format!("bad attribute: {e}"));
                    return None;
                }
            };
            let key = attribute.key;
            let prefix = key.prefix().map(|p| p.as_ref().to_string());
            if key.as_ref() == "xmlns" || prefix.as_deref() == Some("xmlns") {
                continue;
            }
            let local = key.local_name().as_ref().to_string();
            match attribute.normalized_value(XmlVersion::Implicit1_0) {
                Ok(value) => out.push((prefix, local, value.into_owned())),
                Err(e) => {
                    self.fatal(offset, format!("attribute {local}: {e}"));
                    return None;
                }
            }
        }
        Some(out)
    }

    fn root(&mut self, qname: &str, local: &str, ns: &ResolveResult<'_>, offset: usize) {
        self.root_seen = true;
        let namespace = match ns {
            ResolveResult::Bound(n) => n.as_ref().to_string(),
            _ => String::new(),
        };
        let is_21 = namespace.eq_ignore_ascii_case(NS_MESSAGE_21);
        let is_20 = namespace.eq_ignore_ascii_case(NS_MESSAGE_20);
        let is_data = matches!(
            local,
            "GenericData"
                | "GenericTimeSeriesData"
                | "StructureSpecificData"
                | "StructureSpecificTimeSeriesData"
                | "CompactData"
                | "CrossSectionalData"
                | "UtilityData"
        );
        let problem = if (is_20 || is_21) && is_data {
            Some(format!(
                "<{qname}> is an SDMX-ML data message (observations), not a structure message \
                 (data structure definition, code lists); nothing read"
            ))
        } else if is_21 && local == "Structure" {
            None
        } else if is_20 && local == "Structure" {
            Some(format!(
                "<{qname}> is an SDMX-ML 2.0 structure message; only SDMX-ML 2.1 structure \
                 messages are read"
            ))
        } else {
            Some(format!(
                "root element <{qname}> in namespace \"{namespace}\" is not an SDMX-ML 2.1 \
                 structure message (<Structure> in {NS_MESSAGE_21})"
            ))
        };
        if let Some(message) = problem {
            self.fatal(offset, message);
        }
    }
}

fn predefined_entity(name: &str) -> Option<&'static str> {
    match name {
        "lt" => Some("<"),
        "gt" => Some(">"),
        "amp" => Some("&"),
        "apos" => Some("'"),
        "quot" => Some("\""),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"<?xml version="1.0"?>
<mes:Structure xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" xmlns:str="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure" xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"><mes:Structures>"#;

    #[test]
    fn parents_and_several_indicators_are_kept() {
        let text = format!(
            "{HEAD}<str:Codelists><str:Codelist id=\"CL_X\" agencyID=\"A\" version=\"2.0\">\
             <str:Code id=\"P\"><com:Name xml:lang=\"en\">Parent &amp; co</com:Name></str:Code>\
             <str:Code id=\"C\"><com:Annotations>\
             <com:Annotation><com:AnnotationTitle>Indicator</com:AnnotationTitle><com:AnnotationText>C010501</com:AnnotationText></com:Annotation>\
             <com:Annotation><com:AnnotationTitle>Indicator</com:AnnotationTitle><com:AnnotationText>13.1.1</com:AnnotationText></com:Annotation>\
             </com:Annotations><str:Parent><Ref id=\"P\"/></str:Parent></str:Code>\
             </str:Codelist></str:Codelists><str:DataStructures><str:DataStructure id=\"D\" agencyID=\"A\" version=\"1.0\">\
             <str:DataStructureComponents><str:DimensionList id=\"DimensionDescriptor\"><str:Dimension id=\"X\">\
             <str:LocalRepresentation><str:Enumeration><Ref id=\"CL_X\"/></str:Enumeration></str:LocalRepresentation>\
             </str:Dimension></str:DimensionList></str:DataStructureComponents></str:DataStructure></str:DataStructures>\
             </mes:Structures></mes:Structure>"
        );
        let structure = read(text.as_bytes(), "s.xml").expect("reads");
        assert_eq!(structure.id, "A:D(1.0)");
        assert_eq!(structure.components.len(), 1);
        assert_eq!(structure.components[0].codelist.as_deref(), Some("CL_X"));
        let list = &structure.codelists[0];
        assert_eq!((list.agency.as_str(), list.version.as_str()), ("A", "2.0"));
        assert_eq!(list.codes[0].names["en"], "Parent & co");
        let child = &list.codes[1];
        assert_eq!(child.parent.as_deref(), Some("P"));
        assert_eq!(child.indicator.as_deref(), Some("1.5.1"));
        assert!(child.serves_indicator("13.1.1"));
        assert!(!child.serves_indicator("5.5.1"));
    }

    #[test]
    fn a_message_without_a_dsd_is_refused() {
        let text = format!("{HEAD}<str:Codelists/></mes:Structures></mes:Structure>");
        let errors = read(text.as_bytes(), "s.xml").expect_err("refused");
        assert!(errors[0].message.contains("no data structure definition"));
    }
}
