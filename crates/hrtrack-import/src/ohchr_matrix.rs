//! Reader of the OHCHR Word files that list the recommendations of one UPR review: the
//! "Thematic list of recommendations" and the older "Matrix of recommendations".
//!
//! Such a file is one table. Its first row names the columns (recommendation, recommending
//! States in the older layout, position, themes and persons, SDGs in the newest layout); then
//! heading rows (`Theme: …`, `Right or area: …`) group recommendation rows, each starting
//! with its paragraph number (`140.7 Ratify … (Maldives) (Portugal);`) and carrying a
//! `Source of position: …` line. The page header names the review:
//! `UPR of Slovenia (4th Cycle - 48th Session)`.
//!
//! Choices made where the files leave room:
//! - A recommendation row with an empty position cell gets no position (`None`): OHCHR
//!   publishes lists before the State answers, and the answer is then simply not known yet.
//!   A position that is present but not understood is an error.
//! - Themes-column lines that are SDG codes (`S16 SDG 16 - peace, justice…`, China 2018) go to
//!   `sdg_goals` only, not to `themes`; `S Sustainable Development Goal implementation` names no
//!   goal and stays a theme.
//! - A `Comments: …` line in the recommendation cell (Egypt 2014) is not part of the text.
//! - The recommending States come from the `Recommending state/s` column where the file has
//!   one, else from the parenthesised names that close each recommendation in the text.
//! - The same paragraph number twice with the same text is kept once; with different texts it
//!   is an error naming both table rows.
//! - A document that prints its own total ("Total number of recommendations: 254") must agree
//!   with the number of recommendations read.

use std::collections::HashMap;

use hrtrack_domain::{
    Cycle, Field, FieldSet, ImportBatch, Mechanism, NewRecommendation, NewReview, Paragraph,
    ParseError, Position, SdgGoal, Session, SourceFormat,
};

use crate::ImportError;
use crate::docx::{self, Cell, Content, Package, Row};

/// Overrides for what the page header says.
#[derive(Debug, Clone, Default)]
pub struct MatrixOptions {
    pub state: Option<String>,
    pub cycle: Option<Cycle>,
    pub session: Option<Session>,
}

/// The most `word/document.xml` may grow to once decompressed (real lists are under 2 MiB).
const DOCUMENT_LIMIT: u64 = 64 * 1024 * 1024;
/// The most one page header part may grow to once decompressed.
const HEADER_LIMIT: u64 = 4 * 1024 * 1024;
/// Word writes at most three headers per section; more than this is not a real list.
const MAX_HEADER_PARTS: usize = 16;

/// Reads one OHCHR thematic list or matrix into a batch holding one UPR review.
pub fn read(bytes: &[u8], file: &str, options: &MatrixOptions) -> Result<ImportBatch, ImportError> {
    let mut package = Package::open(bytes, file)?;
    let body = {
        let xml = package.read_part(docx::DOCUMENT_PART, DOCUMENT_LIMIT)?;
        docx::parse_content(&xml, file, docx::DOCUMENT_PART)?
    };
    let header = read_page_header(&mut package, file)?;
    let recommendations = read_recommendations(&body, file)?;
    if let Some(total) = printed_total(&body)
        && total != recommendations.len()
    {
        return Err(ImportError::new(
            file,
            "document",
            format!(
                "the document says it lists {total} recommendations, but {} were read",
                recommendations.len()
            ),
        ));
    }

    let state = options
        .state
        .as_deref()
        .map(str::trim)
        .filter(|state| !state.is_empty())
        .map(str::to_owned)
        .or(header.state)
        .ok_or_else(|| {
            ImportError::new(
                file,
                "page header",
                "the page header does not name the State under review (\"UPR of …\"); pass --state",
            )
        })?;
    let cycle = given_or_in_header(options.cycle, header.cycle, Cycle::parse, "--cycle", file)?;
    let session = given_or_in_header(
        options.session,
        header.session,
        Session::parse,
        "--session",
        file,
    )?;
    let report_symbol = most_common_report_symbol(&recommendations);

    Ok(ImportBatch {
        format: SourceFormat::OhchrMatrix,
        source: file.to_owned(),
        reviews: vec![NewReview {
            state,
            mechanism: Mechanism::Upr,
            cycle,
            session,
            date: session.and_then(|s| crate::sessions::year_of_session(s.get())),
            report_symbol,
            // Complete records of everything a matrix has; UPR Info's own fields it lacks. The
            // report symbol is the review's (above), not each row's.
            fields: FieldSet::of(&[
                Field::Paragraph,
                Field::Text,
                Field::Language,
                Field::Position,
                Field::PositionSource,
                Field::RecommendingStates,
                Field::ThemeHeading,
                Field::Themes,
                Field::AffectedPersons,
                Field::Sdgs,
            ]),
            recommendations,
        }],
    })
}

/// The value the options give, else the one the page header names (which must then read).
fn given_or_in_header<T>(
    given: Option<T>,
    in_header: Option<String>,
    parse: impl Fn(&str) -> Result<T, ParseError>,
    option_name: &str,
    file: &str,
) -> Result<Option<T>, ImportError> {
    match (given, in_header) {
        (Some(value), _) => Ok(Some(value)),
        (None, Some(text)) => parse(&text)
            .map(Some)
            .map_err(|e| ImportError::new(file, "page header", format!("{e}; pass {option_name}"))),
        (None, None) => Ok(None),
    }
}

/// What the page header says about the review, as text.
#[derive(Debug, Default, PartialEq)]
struct PageHeader {
    state: Option<String>,
    cycle: Option<String>,
    session: Option<String>,
}

/// Reads the first page header that says "UPR of …".
fn read_page_header(package: &mut Package<'_>, file: &str) -> Result<PageHeader, ImportError> {
    for part in package
        .part_names("word/header")
        .into_iter()
        .take(MAX_HEADER_PARTS)
    {
        let xml = package.read_part(&part, HEADER_LIMIT)?;
        let content = docx::parse_content(&xml, file, &part)?;
        let cell_paragraphs = content
            .tables
            .iter()
            .flat_map(|table| &table.rows)
            .flat_map(|row| &row.cells)
            .flat_map(|cell| &cell.paragraphs);
        if let Some(header) = content
            .paragraphs
            .iter()
            .chain(cell_paragraphs)
            .find_map(|p| parse_page_header(p))
        {
            return Ok(header);
        }
    }
    Ok(PageHeader::default())
}

/// Reads `UPR of Slovenia (4th Cycle - 48th Session)<tab>Thematic list…`,
/// `UPR of Iran (Islamic Republic of) (3rd Cycle – 34th session)` or
/// `UPR of Egypt - Second Cycle`.
fn parse_page_header(line: &str) -> Option<PageHeader> {
    let start = find_ignoring_case(line, "upr of ")? + "upr of ".len();
    let rest = &line[start..];
    let mut title = rest.split(['\t', '\n']).next().unwrap_or(rest);
    for word in ["thematic list", "matrix of recommendations"] {
        if let Some(end) = find_ignoring_case(title, word) {
            title = &title[..end];
        }
    }
    let title = title.trim();
    let (state, details) = split_review_details(title);
    let mut header = PageHeader {
        state: Some(state.trim().to_owned()).filter(|s| !s.is_empty()),
        ..PageHeader::default()
    };
    for part in details.split(['-', '–', '—', ',']).map(str::trim) {
        let lower = part.to_lowercase();
        if lower.contains("cycle") {
            header.cycle.get_or_insert_with(|| part.to_owned());
        } else if lower.contains("session") {
            header.session.get_or_insert_with(|| part.to_owned());
        }
    }
    Some(header)
}

/// Splits `Slovenia (4th Cycle - 48th Session)` or `Egypt - Second Cycle` into the State and
/// the cycle and session part; the State's own parentheses (`Iran (Islamic Republic of)`) stay.
fn split_review_details(title: &str) -> (&str, &str) {
    let mentions_review = |text: &str| {
        let lower = text.to_lowercase();
        lower.contains("cycle") || lower.contains("session")
    };
    if let Some(inner_end) = title.strip_suffix(')').map(str::len)
        && let Some(open) = matching_open_parenthesis(title, inner_end)
    {
        let details = &title[open + 1..inner_end];
        if mentions_review(details) {
            return (&title[..open], details);
        }
    }
    for dash in [" - ", " – ", " — "] {
        if let Some(at) = title.rfind(dash) {
            let details = &title[at + dash.len()..];
            if mentions_review(details) {
                return (&title[..at], details);
            }
        }
    }
    (title, "")
}

/// The byte index of the `(` that the `)` at byte `close` closes.
fn matching_open_parenthesis(text: &str, close: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text[..=close].char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Where the columns are, by grid column.
#[derive(Debug, Clone, Copy)]
struct Layout {
    recommendation: usize,
    recommending_states: Option<usize>,
    position: Option<usize>,
    themes: Option<usize>,
    sdgs: Option<usize>,
}

impl Layout {
    /// The columns of the thematic lists when no column header row says otherwise.
    const USUAL: Layout = Layout {
        recommendation: 0,
        recommending_states: None,
        position: Some(1),
        themes: Some(2),
        sdgs: None,
    };

    /// Reads a column header row: `Recommendation | Position | Full list of themes | …`.
    fn from_column_headers(row: &Row) -> Option<Layout> {
        let mut recommendation = None;
        let mut layout = Layout {
            recommendation: 0,
            recommending_states: None,
            position: None,
            themes: None,
            sdgs: None,
        };
        for cell in &row.cells {
            let name = cell_text(cell, " ").to_lowercase();
            let column = Some(cell.grid_column);
            if name.starts_with("recommending state") {
                layout.recommending_states = layout.recommending_states.or(column);
            } else if name.starts_with("recommendation") {
                recommendation = recommendation.or(column);
            } else if name.contains("position") {
                layout.position = layout.position.or(column);
            } else if name.contains("sdg") {
                layout.sdgs = layout.sdgs.or(column);
            } else if ["theme", "affected persons", "groups of persons", "rights/"]
                .iter()
                .any(|word| name.contains(word))
            {
                layout.themes = layout.themes.or(column);
            }
        }
        let has_other_column = layout.position.is_some()
            || layout.themes.is_some()
            || layout.recommending_states.is_some();
        recommendation
            .filter(|_| has_other_column)
            .map(|column| Layout {
                recommendation: column,
                ..layout
            })
    }
}

/// Reads every recommendation row of every table, in document order.
fn read_recommendations(body: &Content, file: &str) -> Result<Vec<NewRecommendation>, ImportError> {
    let mut layout = Layout::USUAL;
    let mut theme_heading: Option<String> = None;
    let mut recommendations: Vec<NewRecommendation> = Vec::new();
    let mut first_stray_row: Option<ImportError> = None;
    let mut seen_paragraphs: HashMap<Paragraph, usize> = HashMap::new();

    for (table_index, table) in body.tables.iter().enumerate() {
        for (row_index, row) in table.rows.iter().enumerate() {
            let origin = if table_index == 0 {
                format!("table row {}", row_index + 1)
            } else {
                format!("table {}, row {}", table_index + 1, row_index + 1)
            };
            if row.cells.iter().all(Cell::is_blank) {
                continue;
            }
            if let Some(headers) = Layout::from_column_headers(row) {
                layout = headers;
                continue;
            }
            let first_text = row
                .cells
                .iter()
                .find(|c| !c.is_blank())
                .map(|c| cell_text(c, " "));
            let heading = first_text.as_deref().and_then(strip_heading_label);
            if row.cells.len() == 1 || heading.is_some() {
                let text = heading.or(first_text.as_deref()).unwrap_or_default().trim();
                theme_heading = Some(text.to_owned()).filter(|t| !t.is_empty());
                continue;
            }
            let recommendation_cell = row.cell_at(layout.recommendation);
            let Some((number, _)) = recommendation_cell
                .and_then(|cell| cell.lines().next())
                .and_then(split_paragraph_number)
            else {
                first_stray_row.get_or_insert_with(|| {
                    let text = first_text.unwrap_or_default();
                    ImportError::new(
                        file,
                        &origin,
                        format!(
                            "neither a theme heading nor a recommendation starting with a \
                             paragraph number such as 140.7: {}",
                            shortened(&text)
                        ),
                    )
                });
                continue;
            };
            let paragraph = Paragraph::parse(number)
                .map_err(|e| ImportError::new(file, &origin, e.to_string()))?;
            let recommendation = read_recommendation(
                row,
                &layout,
                paragraph.clone(),
                &origin,
                file,
                theme_heading.as_deref(),
            )?;
            match seen_paragraphs.get(&paragraph) {
                Some(&earlier) if recommendations[earlier].text == recommendation.text => {}
                Some(&earlier) => {
                    return Err(ImportError::new(
                        file,
                        &origin,
                        format!(
                            "paragraph {paragraph} is also in {} with a different text",
                            recommendations[earlier].origin
                        ),
                    ));
                }
                None => {
                    seen_paragraphs.insert(paragraph, recommendations.len());
                    recommendations.push(recommendation);
                }
            }
        }
    }
    if recommendations.is_empty() {
        return Err(ImportError::new(
            file,
            "document",
            "no recommendations found (no table row starts with a paragraph number such as \
             140.7); is this an OHCHR matrix?",
        ));
    }
    match first_stray_row {
        Some(error) => Err(error),
        None => Ok(recommendations),
    }
}

/// Reads one recommendation row.
fn read_recommendation(
    row: &Row,
    layout: &Layout,
    paragraph: Paragraph,
    origin: &str,
    file: &str,
    theme_heading: Option<&str>,
) -> Result<NewRecommendation, ImportError> {
    let error = |message: String| ImportError::new(file, origin, message);
    let mut text_lines = Vec::new();
    let mut position_source = None;
    let lines = row
        .cell_at(layout.recommendation)
        .into_iter()
        .flat_map(Cell::lines);
    for (index, line) in lines.enumerate() {
        if index == 0 {
            if let Some((_, rest)) =
                split_paragraph_number(line).filter(|(_, rest)| !rest.is_empty())
            {
                text_lines.push(rest);
            }
        } else if let Some(source) = strip_label(line, "source of position") {
            if position_source.is_none() && !source.is_empty() {
                position_source = Some(source.to_owned());
            }
        } else if strip_label(line, "comments").is_none() {
            text_lines.push(line);
        }
    }
    let text = text_lines.join("\n");
    if text.is_empty() {
        return Err(error(format!("recommendation {paragraph} has no text")));
    }

    let recommending_states = match layout.recommending_states {
        Some(column) => {
            let mut states = Vec::new();
            for name in row.cell_at(column).into_iter().flat_map(Cell::lines) {
                push_unique(&mut states, name.to_owned());
            }
            states
        }
        None => recommending_states_in(&text),
    };

    let position_text = layout
        .position
        .and_then(|column| row.cell_at(column))
        .map(|cell| cell_text(cell, " "))
        .unwrap_or_default();
    let position = if position_text.is_empty() {
        None
    } else {
        Some(Position::parse(&position_text).map_err(|e| error(e.to_string()))?)
    };

    let mut annotations = Annotations::default();
    if let Some(cell) = layout.themes.and_then(|column| row.cell_at(column)) {
        annotations.read(cell, Section::Themes).map_err(error)?;
    }
    if let Some(cell) = layout.sdgs.and_then(|column| row.cell_at(column)) {
        annotations.read(cell, Section::SdgGoals).map_err(error)?;
    }

    Ok(NewRecommendation {
        origin: origin.to_owned(),
        paragraph: Some(paragraph),
        text,
        language: "en".to_owned(),
        recommending_states,
        position,
        position_source,
        theme_heading: theme_heading.map(str::to_owned),
        themes: annotations.themes,
        affected_persons: annotations.affected_persons,
        sdg_goals: annotations.sdg_goals,
        ..NewRecommendation::default()
    })
}

/// The part of a themes or SDG cell a line belongs to, switched by labels such as
/// `Affected persons:`.
#[derive(Debug, Clone, Copy)]
enum Section {
    Themes,
    AffectedPersons,
    SdgGoals,
}

/// What the themes and SDG columns say about one recommendation.
#[derive(Debug, Default)]
struct Annotations {
    themes: Vec<String>,
    affected_persons: Vec<String>,
    sdg_goals: Vec<SdgGoal>,
}

impl Annotations {
    fn read(&mut self, cell: &Cell, first_section: Section) -> Result<(), String> {
        let mut section = first_section;
        for line in cell.lines() {
            let item = match section_label(line) {
                Some((label_section, rest)) => {
                    section = label_section;
                    rest
                }
                None => line,
            };
            let item = strip_bullet(item);
            if item.is_empty() {
                continue;
            }
            match section {
                Section::Themes => match sdg_goal_in_theme(item) {
                    Some(goal) => push_unique(&mut self.sdg_goals, goal),
                    None => self.themes.push(item.to_owned()),
                },
                Section::AffectedPersons => self.affected_persons.push(item.to_owned()),
                Section::SdgGoals => {
                    let goal = SdgGoal::parse(item).map_err(|e| e.to_string())?;
                    push_unique(&mut self.sdg_goals, goal);
                }
            }
        }
        Ok(())
    }
}

/// Reads a section label such as `Affected persons:` or `SDGs:` and what follows it.
fn section_label(line: &str) -> Option<(Section, &str)> {
    let (label, rest) = line.split_once(':')?;
    let section = match label.trim().to_lowercase().as_str() {
        "affected persons" | "groups of persons" => Section::AffectedPersons,
        "sdgs" | "sdg" | "relevant sdgs" => Section::SdgGoals,
        "themes" | "human rights themes" => Section::Themes,
        _ => return None,
    };
    Some((section, rest.trim()))
}

/// The SDG goal of a theme line written as an SDG code: `S16 SDG 16 - peace, justice…`.
fn sdg_goal_in_theme(theme: &str) -> Option<SdgGoal> {
    let (code, rest) = theme.split_once(' ')?;
    let numbered_code =
        code.len() > 1 && code.starts_with('S') && code[1..].bytes().all(|b| b.is_ascii_digit());
    let names_goal = rest
        .get(..4)
        .is_some_and(|start| start.eq_ignore_ascii_case("sdg "));
    if numbered_code && names_goal {
        SdgGoal::parse(rest).ok()
    } else {
        None
    }
}

/// Drops a list bullet: `- Public officials` → `Public officials`.
fn strip_bullet(line: &str) -> &str {
    for bullet in ['-', '–', '•'] {
        if let Some(rest) = line.strip_prefix(bullet)
            && rest.starts_with(char::is_whitespace)
        {
            return rest.trim_start();
        }
    }
    line
}

/// Splits `140.7 Ratify…` into `140.7` and `Ratify…` (and `186.28. Continue` into `186.28.`
/// and `Continue`); `None` when the line does not start with a paragraph number.
fn split_paragraph_number(line: &str) -> Option<(&str, &str)> {
    let end = line.find(char::is_whitespace).unwrap_or(line.len());
    let number = &line[..end];
    let mut parts = number.trim_end_matches('.').split('.');
    let leads_with_digits = parts
        .next()
        .is_some_and(|first| !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit()));
    let mut sub_parts = 0;
    for part in parts {
        let digits = !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        let letter = part.len() == 1 && part.bytes().all(|b| b.is_ascii_lowercase());
        if !digits && !letter {
            return None;
        }
        sub_parts += 1;
    }
    (leads_with_digits && sub_parts > 0).then(|| (number, line[end..].trim_start()))
}

/// The heading text of `Theme: …` or `Right or area: …`, without the label.
fn strip_heading_label(text: &str) -> Option<&str> {
    ["theme", "right or area"]
        .iter()
        .find_map(|label| strip_label(text, label))
}

/// What follows `label:` at the start of `line` (the label in any case), trimmed.
fn strip_label<'l>(line: &'l str, label: &str) -> Option<&'l str> {
    let head = line.get(..label.len())?;
    let rest = line[label.len()..].trim_start().strip_prefix(':')?;
    head.eq_ignore_ascii_case(label).then(|| rest.trim())
}

/// The recommending States named in the parentheses that close each recommendation of a
/// text: `… (France) (Lithuania);`, `… (Portugal, Slovakia);`,
/// `… (Ukraine); Increase efforts … (Slovakia);`, in order and each once.
///
/// Parentheses that precede the closing names and do not look like State names are left out:
/// `(No. 29) (United Kingdom…)`, `(ICRMW) (Iran (Islamic Republic of))`,
/// `(the Paris Principles) (Niger)`.
fn recommending_states_in(text: &str) -> Vec<String> {
    let groups = top_level_groups(text);
    let mut states = Vec::new();
    let mut chain_start = 0;
    for (index, group) in groups.iter().enumerate() {
        let continues = groups
            .get(index + 1)
            .is_some_and(|next| text[group.end..next.start].trim().is_empty());
        if continues {
            continue;
        }
        let after = text[group.end..].trim_start();
        if after.is_empty() || after.starts_with([';', '.']) {
            let chain = &groups[chain_start..=index];
            let named = chain
                .iter()
                .rev()
                .take_while(|g| looks_like_state_names(g.inner))
                .count();
            for named_group in &chain[chain.len() - named..] {
                for name in state_names(named_group.inner) {
                    push_unique(&mut states, name);
                }
            }
        }
        chain_start = index + 1;
    }
    states
}

/// A parenthesised group at the top level of a text: the bytes of `(…)` and what is inside.
struct Group<'t> {
    start: usize,
    end: usize,
    inner: &'t str,
}

fn top_level_groups(text: &str) -> Vec<Group<'_>> {
    let mut groups = Vec::new();
    let mut depth = 0usize;
    let mut open = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => {
                if depth == 0 {
                    open = i;
                }
                depth += 1;
            }
            ')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    groups.push(Group {
                        start: open,
                        end: i + 1,
                        inner: &text[open + 1..i],
                    });
                }
            }
            _ => {}
        }
    }
    groups
}

/// Splits `Senegal, Venezuela (Bolivarian Republic of),Peru` at its top-level commas, keeping
/// inverted names whole: `Korea, Republic of`.
fn state_names(group: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut pieces = Vec::new();
    for (i, c) in group.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                pieces.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    pieces.push(&group[start..]);
    for piece in pieces.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
        let last_word = piece.rsplit(char::is_whitespace).next().unwrap_or(piece);
        let qualifies_previous = last_word == "of" || last_word == "the";
        match names.last_mut() {
            Some(previous) if qualifies_previous => {
                previous.push_str(", ");
                previous.push_str(piece);
            }
            _ => names.push(piece.to_owned()),
        }
    }
    names
}

fn looks_like_state_names(group: &str) -> bool {
    let names = state_names(group);
    !names.is_empty() && names.iter().all(|name| looks_like_state_name(name))
}

/// A State name starts with a capital (or is `the former Yugoslav Republic of Macedonia`),
/// holds no digit and is not an acronym such as `ICRMW` or `OP-CAT`.
fn looks_like_state_name(name: &str) -> bool {
    let capitalised = name.starts_with(char::is_uppercase) || name.starts_with("the former ");
    let acronym = !name.contains(char::is_whitespace)
        && name
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase);
    capitalised && !acronym && !name.chars().any(|c| c.is_ascii_digit())
}

/// The number of recommendations the document prints about itself, if it does: a paragraph
/// outside the table that mentions recommendations and says `Total … 254` or
/// `254 recommendations`.
fn printed_total(body: &Content) -> Option<usize> {
    body.paragraphs.iter().find_map(|paragraph| {
        let lower = paragraph.to_lowercase();
        let mentions = lower.find("recommendations")?;
        match lower.find("total") {
            Some(total) => first_number(&lower[total..]),
            None => lower[..mentions].split_whitespace().last()?.parse().ok(),
        }
    })
}

fn first_number(text: &str) -> Option<usize> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let digits = &text[start..];
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

/// The report symbol most position sources point to: `A/HRC/28/15/Add.1 - Para. 3` points to
/// `A/HRC/28/15`. On a tie the one met first wins.
fn most_common_report_symbol(recommendations: &[NewRecommendation]) -> Option<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for source in recommendations
        .iter()
        .filter_map(|r| r.position_source.as_deref())
    {
        let Some(symbol) = report_symbol(source) else {
            continue;
        };
        match counts.iter_mut().find(|(known, _)| *known == symbol) {
            Some((_, count)) => *count += 1,
            None => counts.push((symbol, 1)),
        }
    }
    let most = counts.iter().map(|(_, count)| *count).max()?;
    counts
        .into_iter()
        .find(|(_, count)| *count == most)
        .map(|(symbol, _)| symbol)
}

fn report_symbol(position_source: &str) -> Option<String> {
    let document = position_source
        .split(|c: char| c == ',' || c.is_whitespace())
        .next()?;
    let base = match document.to_ascii_lowercase().find("/add.") {
        Some(addendum) => &document[..addendum],
        None => document,
    };
    let looks_like_symbol =
        base.contains('/') && base.starts_with(|c: char| c.is_ascii_uppercase());
    looks_like_symbol.then(|| base.to_owned())
}

/// The cell's non-empty lines joined with `separator`.
fn cell_text(cell: &Cell, separator: &str) -> String {
    cell.lines().collect::<Vec<_>>().join(separator)
}

fn push_unique<T: PartialEq>(items: &mut Vec<T>, item: T) {
    if !items.contains(&item) {
        items.push(item);
    }
}

/// The byte index of `needle` (ASCII, lower case) in `haystack`, ignoring ASCII case.
fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack.to_ascii_lowercase().find(needle)
}

/// At most 80 characters of a text, for messages.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{:?}…", &text[..cut]),
        None => format!("{text:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_headers_of_the_known_layouts() {
        let slovenia = parse_page_header(
            "UPR of Slovenia (4th Cycle - 48th Session)\t\tThematic list of recommendations*",
        );
        assert_eq!(
            slovenia,
            Some(PageHeader {
                state: Some("Slovenia".into()),
                cycle: Some("4th Cycle".into()),
                session: Some("48th Session".into()),
            })
        );
        let iran =
            parse_page_header("UPR of Iran (Islamic Republic of) (3rd Cycle – 34th session)");
        assert_eq!(
            iran.and_then(|h| h.state).as_deref(),
            Some("Iran (Islamic Republic of)")
        );
        let egypt =
            parse_page_header("UPR of Egypt - Second Cycle\tThematic list of recommendations");
        assert_eq!(
            egypt,
            Some(PageHeader {
                state: Some("Egypt".into()),
                cycle: Some("Second Cycle".into()),
                session: None
            })
        );
        let guinea_bissau = parse_page_header("UPR of Guinea-Bissau - Third Cycle");
        assert_eq!(
            guinea_bissau.and_then(|h| h.state).as_deref(),
            Some("Guinea-Bissau")
        );
        assert_eq!(parse_page_header("Page 3 of 12"), None);
    }

    #[test]
    fn paragraph_numbers() {
        assert_eq!(
            split_paragraph_number("140.7 Ratify"),
            Some(("140.7", "Ratify"))
        );
        assert_eq!(
            split_paragraph_number("186.28. Continue"),
            Some(("186.28.", "Continue"))
        );
        assert_eq!(split_paragraph_number("28.4"), Some(("28.4", "")));
        assert_eq!(split_paragraph_number("1. Introduction"), None);
        assert_eq!(split_paragraph_number("Theme: A12"), None);
        assert_eq!(split_paragraph_number("140.7Ratify the"), None);
    }

    #[test]
    fn states_closing_recommendations() {
        let states = |text: &str| recommending_states_in(text);
        assert_eq!(
            states("Ratify OP-ICESCR (France) (Lithuania);"),
            ["France", "Lithuania"]
        );
        assert_eq!(
            states("Ratify it (Portugal, Slovakia);"),
            ["Portugal", "Slovakia"]
        );
        assert_eq!(
            states("Do it (Ukraine); Increase efforts (Slovakia);"),
            ["Ukraine", "Slovakia"]
        );
        assert_eq!(
            states("Ratify ICRMW (ICRMW) (Iran (Islamic Republic of));"),
            ["Iran (Islamic Republic of)"]
        );
        assert_eq!(
            states(
                "Convention, 1930 (No. 29) (United Kingdom of Great Britain and Northern Ireland);"
            ),
            ["United Kingdom of Great Britain and Northern Ireland"]
        );
        assert_eq!(
            states("in line with (the Paris Principles) (Niger)."),
            ["Niger"]
        );
        assert_eq!(
            states(
                "Ratify (Senegal, Venezuela (Bolivarian Republic of),Peru, Korea, Republic of);"
            ),
            [
                "Senegal",
                "Venezuela (Bolivarian Republic of)",
                "Peru",
                "Korea, Republic of"
            ]
        );
        assert_eq!(
            states("Provide care (the former Yugoslav Republic of Macedonia);"),
            ["the former Yugoslav Republic of Macedonia"]
        );
        assert_eq!(
            states("Adopt the plan (2009–2014) and act (Bahrain) (Bahrain);"),
            ["Bahrain"]
        );
        assert!(states("Repeal the law (Law 107 of 2013), and act").is_empty());
    }

    #[test]
    fn sdg_codes_in_themes() {
        assert_eq!(
            sdg_goal_in_theme("S16 SDG 16 - peace, justice"),
            SdgGoal::new(16).ok()
        );
        assert_eq!(
            sdg_goal_in_theme("S04 SDG 4 - education"),
            SdgGoal::new(4).ok()
        );
        assert_eq!(
            sdg_goal_in_theme("S Sustainable Development Goal implementation"),
            None
        );
        assert_eq!(
            sdg_goal_in_theme("A12 Acceptance of international norms"),
            None
        );
    }

    #[test]
    fn report_symbols() {
        assert_eq!(
            report_symbol("A/HRC/28/15/Add.1 - Para. 3").as_deref(),
            Some("A/HRC/28/15")
        );
        assert_eq!(
            report_symbol("A/HRC/43/15 - Para 121").as_deref(),
            Some("A/HRC/43/15")
        );
        assert_eq!(
            report_symbol("A/HRC/28/15/Add.1, para. 3").as_deref(),
            Some("A/HRC/28/15")
        );
        assert_eq!(report_symbol("see the letter"), None);
    }

    #[test]
    fn printed_totals() {
        let body = |text: &str| Content {
            paragraphs: vec![text.to_owned()],
            tables: Vec::new(),
        };
        assert_eq!(
            printed_total(&body("Total number of recommendations: 254")),
            Some(254)
        );
        assert_eq!(
            printed_total(&body("Slovenia received 254 recommendations.")),
            Some(254)
        );
        assert_eq!(
            printed_total(&body("Relevant recommendations of Treaty Bodies")),
            None
        );
    }
}
