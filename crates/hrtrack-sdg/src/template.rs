//! Which columns the XLSX template of an indicator has, and what they offer: the series of
//! the indicator, the breakdowns its published data uses (or sex, age and urbanisation when
//! it has none yet), the period and value, and the attributes; each coded column with the
//! codes of its code list, and the published data as the rows, so that an agency edits the
//! last version instead of starting from nothing. Labels, code names and instructions come in
//! English, Russian or Turkmen; the component ids of row 1, which the reader reads, never
//! change.

use std::collections::BTreeSet;

use crate::Observation;
use crate::codelists::CodeLists;
use crate::structure::ComponentKind;
use crate::xlsx::{TemplateColumn, TemplatePlan};

/// Breakdowns offered when the indicator has no published data yet.
const DEFAULT_BREAKDOWNS: [&str; 3] = ["SEX", "AGE", "URBANISATION"];

/// Attributes every template offers, in this order.
const USUAL_ATTRIBUTES: [&str; 6] = [
    "UNIT_MEASURE",
    "UNIT_MULT",
    "NATURE",
    "OBS_STATUS",
    "SOURCE_DETAIL",
    "COMMENT_OBS",
];

/// Row 2's labels: component id, English, Russian, Turkmen.
const LABELS: &[(&str, &str, &str, &str)] = &[
    ("SERIES", "Series", "Ряд", "Hatar"),
    ("REF_AREA", "Reference area", "Территория", "Ýer"),
    ("SEX", "Sex", "Пол", "Jyns"),
    ("AGE", "Age group", "Возрастная группа", "Ýaş topary"),
    (
        "URBANISATION",
        "Urban or rural",
        "Город или село",
        "Şäher ýa-da oba",
    ),
    (
        "INCOME_WEALTH_QUANTILE",
        "Income or wealth quantile",
        "Квантиль дохода или богатства",
        "Girdeji ýa-da baýlyk kwantili",
    ),
    (
        "EDUCATION_LEV",
        "Education level",
        "Уровень образования",
        "Bilim derejesi",
    ),
    (
        "DISABILITY_STATUS",
        "Disability status",
        "Инвалидность",
        "Maýyplyk ýagdaýy",
    ),
    (
        "TIME_PERIOD",
        "Year or period",
        "Год или период",
        "Ýyl ýa-da döwür",
    ),
    ("OBS_VALUE", "Value", "Значение", "Bahasy"),
    (
        "UNIT_MEASURE",
        "Unit of measure",
        "Единица измерения",
        "Ölçeg birligi",
    ),
    (
        "UNIT_MULT",
        "Unit multiplier",
        "Множитель единицы",
        "Birlik köpeldijisi",
    ),
    (
        "NATURE",
        "Nature of the figure",
        "Характер данных",
        "Maglumatyň häsiýeti",
    ),
    (
        "OBS_STATUS",
        "Observation status",
        "Статус наблюдения",
        "Synlamanyň ýagdaýy",
    ),
    ("SOURCE_DETAIL", "Source", "Источник", "Çeşme"),
    ("COMMENT_OBS", "Comment", "Комментарий", "Teswir"),
];

/// The instructions on sheet `About`, per language.
const INSTRUCTIONS_EN: [&str; 7] = [
    "How to fill in this template:",
    "Sheet Data holds one row per value, from row 3. The rows there now are the data as last published: edit them, add rows, delete rows.",
    "Do not change row 1: it holds the component ids the file is read by. Row 2 names them for people and is not read.",
    "Pick codes from the dropdown lists; sheet Codes lists every code with its name.",
    "_T means total (all sexes, all ages, the whole country, ...). A blank dimension cell means total too.",
    "OBS_VALUE takes a number with a dot as decimal separator. Leave it empty for a missing value and say why in OBS_STATUS.",
    "TIME_PERIOD is the year (2020) or a period such as 2020-Q1 or 2020-01.",
];
const INSTRUCTIONS_RU: [&str; 7] = [
    "Как заполнить этот шаблон:",
    "На листе Data одна строка на одно значение, начиная с 3-й строки. Сейчас там данные последней публикации: измените их, добавьте или удалите строки.",
    "Не меняйте 1-ю строку: в ней коды компонентов, по которым читается файл. 2-я строка называет их для людей и не читается.",
    "Выбирайте коды из раскрывающихся списков; на листе Codes перечислены все коды с названиями.",
    "_T означает «всего» (оба пола, все возрасты, вся страна, ...). Пустая ячейка разбивки тоже означает «всего».",
    "В OBS_VALUE — число с точкой как десятичным разделителем. Оставьте ячейку пустой, если значения нет, и укажите причину в OBS_STATUS.",
    "TIME_PERIOD — год (2020) или период, например 2020-Q1 или 2020-01.",
];
const INSTRUCTIONS_TK: [&str; 7] = [
    "Bu nusgany nädip doldurmaly:",
    "Data sahypasynda 3-nji setirden başlap her baha üçin bir setir bar. Häzir ol ýerde soňky çap edilen maglumatlar: olary üýtgediň, setir goşuň ýa-da aýryň.",
    "1-nji setiri üýtgetmäň: onda faýlyň okalýan komponent kodlary bar. 2-nji setir olary adamlar üçin atlandyrýar we okalmaýar.",
    "Kodlary açylýan sanawlardan saýlaň; Codes sahypasynda ähli kodlar atlary bilen görkezilýär.",
    "_T «jemi» diýmekdir (ähli jynslar, ähli ýaşlar, tutuş ýurt, ...). Boş bölüniş öýjügi hem «jemi» diýmekdir.",
    "OBS_VALUE-da onluk bölüji hökmünde nokatly san bolmaly. Baha ýok bolsa öýjügi boş goýuň we sebäbini OBS_STATUS-da görkeziň.",
    "TIME_PERIOD ýyldyr (2020) ýa-da 2020-Q1, 2020-01 ýaly döwürdir.",
];

/// The label of a component in row 2 of the template, in `lang` (`en`, `ru`, `tk`).
fn label(id: &str, lang: &str) -> String {
    LABELS
        .iter()
        .find(|(known, ..)| *known == id)
        .map_or(id, |(_, en, ru, tk)| match lang {
            "ru" => ru,
            "tk" => tk,
            _ => en,
        })
        .to_owned()
}

/// The instructions of sheet `About` in `lang`.
fn instructions(lang: &str) -> Vec<String> {
    let lines = match lang {
        "ru" => INSTRUCTIONS_RU,
        "tk" => INSTRUCTIONS_TK,
        _ => INSTRUCTIONS_EN,
    };
    lines.iter().map(|line| (*line).to_owned()).collect()
}

/// A code's name in `lang`, else in English.
fn name_of(code: &crate::structure::Code, lang: &str) -> String {
    code.names
        .get(lang)
        .or_else(|| code.names.get("en"))
        .cloned()
        .unwrap_or_default()
}

/// The codes a column offers: its code list's, with their names in `lang`.
fn codes_of(codes: &CodeLists, id: &str, lang: &str) -> Vec<(String, String)> {
    codes.codelist_of(id).map_or_else(Vec::new, |list| {
        list.codes
            .iter()
            .map(|code| (code.id.clone(), name_of(code, lang)))
            .collect()
    })
}

fn column(codes: &CodeLists, id: &str, lang: &str) -> TemplateColumn {
    TemplateColumn {
        id: id.to_owned(),
        label: label(id, lang),
        codes: codes_of(codes, id, lang),
    }
}

/// The template of `indicator` (titled `title`) with `published` as its rows, its labels,
/// code names and instructions in `lang` (`en`, `ru` or `tk`; English otherwise).
pub fn plan_template(
    indicator: &str,
    title: &str,
    codes: &CodeLists,
    published: Vec<Observation>,
    lang: &str,
) -> TemplatePlan {
    let used_dimensions: BTreeSet<&str> = published
        .iter()
        .flat_map(|o| o.dimensions.keys().map(String::as_str))
        .collect();
    let used_attributes: BTreeSet<&str> = published
        .iter()
        .flat_map(|o| o.attributes.keys().map(String::as_str))
        .collect();
    // Breakdowns in the structure's order, then those it does not know, by name.
    let structure_order: Vec<&str> = codes
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::Dimension && c.id != "SERIES")
        .map(|c| c.id.as_str())
        .collect();
    let mut breakdowns: Vec<&str> = if published.is_empty() {
        DEFAULT_BREAKDOWNS.to_vec()
    } else {
        structure_order
            .iter()
            .copied()
            .filter(|id| used_dimensions.contains(id))
            .collect()
    };
    breakdowns.extend(
        used_dimensions
            .iter()
            .copied()
            .filter(|id| !structure_order.contains(id)),
    );
    let mut columns = vec![TemplateColumn {
        codes: codes
            .series_of_indicator(indicator)
            .into_iter()
            .map(|code| (code.id.clone(), name_of(code, lang)))
            .collect(),
        ..column(codes, "SERIES", lang)
    }];
    columns.extend(breakdowns.iter().map(|id| column(codes, id, lang)));
    columns.push(column(codes, "TIME_PERIOD", lang));
    columns.push(column(codes, "OBS_VALUE", lang));
    columns.extend(USUAL_ATTRIBUTES.iter().map(|id| column(codes, id, lang)));
    columns.extend(
        used_attributes
            .iter()
            .filter(|id| !USUAL_ATTRIBUTES.contains(id))
            .map(|id| column(codes, id, lang)),
    );
    TemplatePlan {
        indicator: indicator.to_owned(),
        title: title.to_owned(),
        columns,
        rows: published,
        instructions: instructions(lang),
    }
}
