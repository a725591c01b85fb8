//! The OpenAPI 3.1 document of the API, built by hand with `serde_json` from the same
//! constants the handlers use (page sizes, error codes, formats). The tests hold it to a
//! snapshot, check that its paths are exactly the routed ones, and that its schemas name
//! exactly the fields the handlers answer with.

use serde_json::{Map, Value, json};

use crate::error::ErrorCode;
use crate::openapi_roadmap;
use crate::query::{DEFAULT_PER_PAGE, MAX_PER_PAGE, MAX_VALUE_CHARS};

/// The whole document.
pub fn document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "hrtrack API",
            "version": "1",
            "description": "The registry of UN human-rights recommendations and the Roadmap that \
                follows them up. Registry: recommendations with \
                every facet filter, the reviews they came from, the States, themes and SDG goals \
                to filter by, and the statistics `hrtrack stats --json` prints. All answers are \
                JSON unless `format=csv` or `format=xlsx` asks for a download. Unknown or repeated \
                query parameters are refused with `bad_request`; an empty value counts as absent. \
                Errors are `{\"error\": {\"code\", \"message\"}}` with a stable code. Roadmap: \
                institutions, roadmaps, clusters, actions, indicators, progress reports with their \
                workflow and evidence, assessments and roll-ups, the calendar, the inbox and the \
                audit log. Reads show the public published data only; writes need a session (and \
                its `X-CSRF-Token` header) or a personal token (`Authorization: Bearer`), and a \
                role that may make them. Updates are PUTs that require only the `version` the \
                record was read at (a stale one is refused with 409 `stale_version`): a field \
                left out is left as it is, never reset.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"}
        },
        "servers": [{"url": "/"}],
        "paths": merged(paths(), openapi_roadmap::paths()),
        "components": {
            "schemas": merged(schemas(), openapi_roadmap::schemas()),
            "responses": merged(json!({
                "BadRequest": error_response("The request is malformed (`bad_request`), a filter value names nothing (`invalid_filter`) or the format is unknown (`unsupported_format`)."),
                "NotFound": error_response("Nothing at this address (`not_found`, `recommendation_not_found`, `record_not_found`)."),
                "Internal": error_response("Our fault (`internal`); the details are in the server log.")
            }), openapi_roadmap::responses()),
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "hrtrack_session",
                    "description": "The browser session of `/login`; writes also need the `X-CSRF-Token` header."},
                "bearer": {"type": "http", "scheme": "bearer",
                    "description": "A personal API token made on the account page."}
            }
        }
    })
}

/// `base` with the entries of `more` added.
fn merged(base: Value, more: Map<String, Value>) -> Value {
    let mut base = match base {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    base.extend(more);
    Value::Object(base)
}

fn paths() -> Value {
    json!({
        "/healthz": {"get": operation(
            "health", "Health check",
            "200 when the database answers a trivial query, 503 when it does not.",
            "Operations", vec![],
            json!({
                "200": json_response("The server and its database answer.", schema_ref("Health")),
                "503": json_response("The database does not answer.", schema_ref("Health"))
            }))},
        "/api/v1/recommendations": {"get": operation(
            "listRecommendations", "List recommendations",
            &format!("The recommendations that match every given filter, in registry order (State, \
                mechanism, cycle), or by relevance when `q` is given. Page with `page` and `per_page`, or with `offset` and `limit` \
                (not both). Past the last page the list is empty. With `format=csv` or \
                `format=xlsx` the answer is a file to download, holding every match unless a \
                slice is asked for. No value may be longer than {MAX_VALUE_CHARS} characters."),
            "Recommendations",
            filter_parameters().into_iter().chain(paging_parameters()).collect(),
            json!({
                "200": {
                    "description": "A page of recommendations, or the download.",
                    "content": {
                        "application/json": {"schema": schema_ref("RecommendationPage")},
                        "text/csv": {"schema": {"type": "string"}},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
                            {"schema": {"type": "string", "contentEncoding": "binary"}}
                    }
                },
                "400": response_ref("BadRequest"),
                "500": response_ref("Internal")
            }))},
        "/api/v1/recommendations/{uid}": {"get": operation(
            "getRecommendation", "One recommendation",
            "A recommendation by its stable id.",
            "Recommendations",
            vec![json!({
                "name": "uid", "in": "path", "required": true,
                "description": "The stable id, e.g. `SVN-UPR4-140.7`.",
                "schema": {"type": "string"}
            })],
            json!({
                "200": json_response("The recommendation.", schema_ref("RecommendationRecord")),
                "404": response_ref("NotFound"),
                "500": response_ref("Internal")
            }))},
        "/api/v1/reviews": {"get": operation(
            "listReviews", "List reviews",
            "Every review (State × mechanism × cycle) with its number of recommendations.",
            "Catalogues", vec![],
            items_responses("Review"))},
        "/api/v1/states": {"get": operation(
            "listStates", "List States",
            "Every State that received or made a recommendation, with both counts.",
            "Catalogues", vec![],
            items_responses("State"))},
        "/api/v1/themes": {"get": operation(
            "listThemes", "List themes, issues and affected persons",
            "Every tag in use with its number of recommendations: UHRI themes (`theme`), UPR Info \
             issues (`upr_issue`) and affected persons (`affected_person`).",
            "Catalogues",
            vec![json!({
                "name": "kind", "in": "query", "required": false,
                "description": "Only tags of this kind.",
                "schema": {"type": "string", "enum": ["theme", "upr_issue", "affected_person"]}
            })],
            items_responses("Tag"))},
        "/api/v1/sdg/goals": {"get": operation(
            "listSdgGoals", "List SDG goals",
            "The 17 goals with their titles in English, Russian and Turkmen.",
            "SDG", vec![],
            items_responses("SdgGoal"))},
        "/api/v1/sdg/goals/{goal}/targets": {"get": operation(
            "listSdgTargets", "List the targets of an SDG goal",
            "The targets of one goal with their titles in English, Russian and Turkmen.",
            "SDG",
            vec![json!({
                "name": "goal", "in": "path", "required": true,
                "description": "The goal number.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 17}
            })],
            json!({
                "200": json_response("The targets.", items_schema("SdgTarget")),
                "404": response_ref("NotFound"),
                "500": response_ref("Internal")
            }))},
        "/api/v1/sdg/indicators": {"get": operation(
            "listSdgIndicators", "List SDG indicators with their data",
            "Every indicator of the global framework, and national indicators (such as \
                `10.5.1.1`) the published data names, with titles in English, Russian and \
                Turkmen, whether published data exists, the number of SDMX series codes and \
                observations, and the latest period.",
            "SDG", vec![],
            items_responses("SdgIndicator"))},
        "/api/v1/sdg/data/{code}": {"get": operation(
            "getSdgData", "A slice of an indicator's published data",
            "The published observations of one indicator, cut on the server. Any dimension \
                id of the indicator's data (`SEX`, `AGE`, `URBANISATION`, `UNIT_MEASURE`, …) \
                takes a comma-separated list of codes (`SEX=F,M`); `_T` also matches a total \
                left blank, as Open SDG files write it. Dimensions not named are not filtered; \
                an id the data does not have is refused with `bad_request`. `format` chooses \
                JSON (`{\"indicator\", \"observations\"}`), a plain CSV, SDMX-CSV 2.x or an \
                Open SDG CSV.",
            "SDG",
            vec![
                json!({
                    "name": "code", "in": "path", "required": true,
                    "description": "The indicator code, e.g. `5.5.1` or a national `10.5.1.1`.",
                    "schema": {"type": "string"}
                }),
                query_parameter("series", "Only this SDMX SERIES code.", string()),
                query_parameter("startPeriod", "First period (inclusive), e.g. `2015`.", string()),
                query_parameter("endPeriod", "Last period (inclusive, with its quarters and months).", string()),
                query_parameter("format", "The answer's format.",
                    json!({"type": "string", "enum": ["json", "csv", "sdmx-csv", "open-sdg"], "default": "json"})),
            ],
            json!({
                "200": {
                    "description": "The slice.",
                    "content": {
                        "application/json": {"schema": schema_ref("SdgData")},
                        "text/csv": {"schema": {"type": "string"}}
                    }
                },
                "400": response_ref("BadRequest"),
                "404": response_ref("NotFound"),
                "500": response_ref("Internal")
            }))},
        "/api/v1/stats": {"get": operation(
            "getStats", "Statistics",
            "The counts `hrtrack stats --json` prints, for the same filters as the list.",
            "Recommendations",
            filter_parameters(),
            json!({
                "200": json_response("The statistics.", schema_ref("Stats")),
                "400": response_ref("BadRequest"),
                "500": response_ref("Internal")
            }))},
        "/api/v1/openapi.json": {"get": operation(
            "getOpenApi", "This document",
            "The OpenAPI 3.1 document of the API.",
            "Operations", vec![],
            json!({"200": json_response("The document.", json!({"type": "object"}))}))},
        "/api/v1/docs": {"get": operation(
            "getDocs", "The API page",
            "This document as a page for people.",
            "Operations", vec![],
            json!({"200": {
                "description": "The page.",
                "content": {"text/html": {"schema": {"type": "string"}}}
            }}))}
    })
}

/// One operation object.
fn operation(
    id: &str,
    summary: &str,
    description: &str,
    tag: &str,
    parameters: Vec<Value>,
    responses: Value,
) -> Value {
    let mut operation = Map::new();
    operation.insert("operationId".into(), id.into());
    operation.insert("summary".into(), summary.into());
    operation.insert("description".into(), description.into());
    operation.insert("tags".into(), json!([tag]));
    if !parameters.is_empty() {
        operation.insert("parameters".into(), Value::Array(parameters));
    }
    operation.insert("responses".into(), responses);
    Value::Object(operation)
}

fn query_parameter(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

/// The filter parameters of `/recommendations` and `/stats`.
fn filter_parameters() -> Vec<Value> {
    let text = json!({"type": "string", "maxLength": MAX_VALUE_CHARS});
    vec![
        query_parameter(
            "state",
            "State under review: a name in any UN spelling or an ISO 3166 alpha-3 code.",
            text.clone(),
        ),
        query_parameter(
            "mechanism",
            "Mechanism code.",
            json!({"type": "string", "enum": ["UPR", "CCPR", "CESCR", "CAT", "CERD", "CEDAW",
                "CRC", "CRPD", "CMW", "CED", "SP", "NATIONAL"]}),
        ),
        query_parameter(
            "cycle",
            "UPR cycle.",
            json!({"type": "integer", "minimum": 1}),
        ),
        query_parameter(
            "session",
            "UPR Working Group session.",
            json!({"type": "integer", "minimum": 1}),
        ),
        query_parameter(
            "recommending_state",
            "A recommending State: name or ISO 3166 alpha-3 code.",
            text.clone(),
        ),
        query_parameter(
            "group",
            "UN regional group of a recommending State.",
            json!({"type": "string", "enum": ["African", "Asia-Pacific", "Eastern European",
                "GRULAC", "WEOG"]}),
        ),
        query_parameter(
            "position",
            "Position of the State under review.",
            json!({"type": "string", "enum": ["supported", "supported_in_part", "noted", "pending"]}),
        ),
        query_parameter(
            "theme",
            "A UHRI theme or UPR Info issue, as listed by `/api/v1/themes`.",
            text.clone(),
        ),
        query_parameter(
            "affected",
            "A group of affected persons, as listed by `/api/v1/themes?kind=affected_person`.",
            text.clone(),
        ),
        query_parameter(
            "sdg",
            "SDG goal number.",
            json!({"type": "integer", "minimum": 1, "maximum": 17}),
        ),
        query_parameter(
            "q",
            "Full-text search in the recommendation's text, case-insensitive. Every word must \
             match, in any order and in any form of its stem (English and Russian stemming: \
             `ratifying` finds `ratify`); `\"quoted words\"` must match as a phrase; the last \
             word also matches as a prefix (`tortu` finds `torture`). Other characters only \
             separate words: there is no syntax to get wrong. With `q`, \
             `/api/v1/recommendations` lists its matches by relevance (ties in registry order); \
             `/api/v1/stats` counts the recommendations whose text contains `q` as one \
             case-insensitive substring.",
            text,
        ),
    ]
}

/// The paging and format parameters of `/recommendations`.
fn paging_parameters() -> Vec<Value> {
    vec![
        query_parameter(
            "page",
            "Page number, from 1.",
            json!({"type": "integer", "minimum": 1, "default": 1}),
        ),
        query_parameter(
            "per_page",
            "Recommendations per page.",
            json!({"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}),
        ),
        query_parameter(
            "offset",
            "Recommendations to skip (instead of `page`).",
            json!({"type": "integer", "minimum": 0}),
        ),
        query_parameter(
            "limit",
            "Recommendations to return (instead of `per_page`).",
            json!({"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}),
        ),
        query_parameter(
            "format",
            "`json` (the default), or `csv` / `xlsx` for a download.",
            json!({"type": "string", "enum": ["json", "csv", "xlsx"], "default": "json"}),
        ),
    ]
}

pub(crate) fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

pub(crate) fn response_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/responses/{name}")})
}

fn json_response(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

fn error_response(description: &str) -> Value {
    json_response(description, schema_ref("Error"))
}

/// `{"items": [Name…]}`.
fn items_schema(name: &str) -> Value {
    object(&[("items", array(schema_ref(name)))])
}

fn items_responses(name: &str) -> Value {
    json!({
        "200": json_response("The list.", items_schema(name)),
        "400": response_ref("BadRequest"),
        "500": response_ref("Internal")
    })
}

pub(crate) fn string() -> Value {
    json!({"type": "string"})
}

pub(crate) fn integer() -> Value {
    json!({"type": "integer"})
}

pub(crate) fn nullable(type_name: &str) -> Value {
    json!({"type": [type_name, "null"]})
}

pub(crate) fn array(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

/// An object whose listed properties are all required.
pub(crate) fn object(properties: &[(&str, Value)]) -> Value {
    let required: Vec<&str> = properties.iter().map(|(name, _)| *name).collect();
    let properties: Map<String, Value> = properties
        .iter()
        .map(|(name, schema)| ((*name).to_owned(), schema.clone()))
        .collect();
    json!({"type": "object", "properties": properties, "required": required})
}

fn schemas() -> Value {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
    let group_count = {
        let mut schema = object(&[("key", string()), ("recommendations", integer())]);
        schema["properties"]["recommendation_state_pairs"] = integer();
        schema["properties"]["recommending_states"] = integer();
        schema
    };
    let recommendation_record = {
        let mut schema = object(&[
            ("uid", string()),
            ("state", string()),
            ("state_iso3", string()),
            ("mechanism", string()),
            ("cycle", nullable("integer")),
            ("session", nullable("integer")),
            ("date", nullable("string")),
            ("report_symbol", nullable("string")),
            ("paragraph", nullable("string")),
            ("text", string()),
            ("language", string()),
            ("position", string()),
            ("position_source", nullable("string")),
            ("recommending_states", array(string())),
            ("theme_heading", nullable("string")),
            ("themes", array(string())),
            ("affected_persons", array(string())),
            ("sdg_goals", array(integer())),
            ("sdg_targets", array(string())),
            ("action_category", nullable("integer")),
            ("upr_issues", array(string())),
            ("source_format", string()),
            (
                "translations",
                array(object(&[
                    ("language", string()),
                    ("text", string()),
                    ("source", string()),
                ])),
            ),
        ]);
        schema["properties"]["translations"]["description"] = json!(
            "The text in other languages than the original's (`text`, `language`), as imports brought them."
        );
        schema
    };
    json!({
        "Error": object(&[("error", {
            let mut detail = object(&[
                ("code", json!({"type": "string", "enum": codes})),
                ("message", string()),
            ]);
            detail["properties"]["current"] = json!({
                "type": "object",
                "description": "With `stale_version` only: the record as it is now."
            });
            detail
        })]),
        "Health": object(&[("status", json!({"type": "string", "enum": ["ok", "unavailable"]}))]),
        "RecommendationRecord": recommendation_record,
        "RecommendationPage": object(&[
            ("total", integer()),
            ("page", integer()),
            ("per_page", integer()),
            ("offset", integer()),
            ("items", array(schema_ref("RecommendationRecord"))),
        ]),
        "Review": object(&[
            ("state", string()),
            ("iso3", string()),
            ("mechanism", string()),
            ("cycle", nullable("integer")),
            ("session", nullable("integer")),
            ("report_symbol", nullable("string")),
            ("recommendations", integer()),
        ]),
        "State": object(&[
            ("name", string()),
            ("iso3", string()),
            ("regional_group", nullable("string")),
            ("as_state_under_review", integer()),
            ("as_recommending_state", integer()),
        ]),
        "Tag": object(&[
            ("kind", json!({"type": "string", "enum": ["theme", "upr_issue", "affected_person"]})),
            ("value", string()),
            ("recommendations", integer()),
        ]),
        "SdgGoal": object(&[
            ("goal", integer()),
            ("title_en", string()),
            ("title_ru", string()),
            ("title_tk", string()),
            ("short_en", string()),
            ("short_ru", string()),
            ("short_tk", string()),
        ]),
        "SdgIndicator": object(&[
            ("code", string()),
            ("target", string()),
            ("goal", integer()),
            ("global", json!({"type": "boolean"})),
            ("title_en", string()),
            ("title_ru", nullable("string")),
            ("title_tk", nullable("string")),
            ("series", integer()),
            ("observations", integer()),
            ("latest_period", nullable("string")),
            ("reported", json!({"type": "boolean"})),
        ]),
        "SdgData": object(&[
            ("indicator", string()),
            ("observations", array(schema_ref("SdgObservation"))),
        ]),
        "SdgObservation": object(&[
            ("series", string()),
            ("indicator", nullable("string")),
            ("dimensions", json!({"type": "object", "additionalProperties": {"type": "string"}})),
            ("time_period", string()),
            ("value", nullable("number")),
            ("attributes", json!({"type": "object", "additionalProperties": {"type": "string"}})),
            ("action", json!({"type": "string", "enum": ["Information", "Append", "Replace", "Delete"]})),
        ]),
        "SdgTarget": object(&[
            ("code", string()),
            ("goal", integer()),
            ("title_en", string()),
            ("title_ru", nullable("string")),
            ("title_tk", nullable("string")),
        ]),
        "PositionCounts": object(&[
            ("supported", integer()),
            ("supported_in_part", integer()),
            ("noted", integer()),
            ("pending", integer()),
        ]),
        "GroupCount": group_count,
        "ReviewStats": object(&[
            ("state", string()),
            ("iso3", string()),
            ("mechanism", string()),
            ("cycle", nullable("integer")),
            ("session", nullable("integer")),
            ("recommendations", integer()),
            ("recommendation_state_pairs", integer()),
            ("recommending_states", integer()),
            ("positions", schema_ref("PositionCounts")),
        ]),
        "Stats": object(&[
            ("filter", json!({"type": "object", "description": "The filter as the store read it."})),
            ("recommendations", integer()),
            ("recommendation_state_pairs", integer()),
            ("recommending_states", integer()),
            ("positions", schema_ref("PositionCounts")),
            ("reviews", array(schema_ref("ReviewStats"))),
            ("by_regional_group", array(schema_ref("GroupCount"))),
            ("by_theme", array(schema_ref("GroupCount"))),
            ("by_upr_issue", array(schema_ref("GroupCount"))),
            ("by_affected_persons", array(schema_ref("GroupCount"))),
            ("by_sdg_goal", array(schema_ref("GroupCount"))),
        ]),
    })
}
