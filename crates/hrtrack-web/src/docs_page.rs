//! The API page for people (`/api/v1/docs`): the OpenAPI document rendered on the server as
//! plain HTML — no script, no external viewer, no stylesheet. Every text taken from the
//! document goes through [`escape`]; `code` spans in descriptions become `<code>` elements
//! after escaping.

use std::fmt::Write;

use serde_json::Value;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// A description as HTML: escaped, with `backquoted` spans as `<code>`.
fn prose(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", escape(part))
            } else {
                escape(part)
            }
        })
        .collect()
}

fn text_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A schema in words: `string`, `integer or null`, `array of RecommendationRecord`,
/// `string, one of: a, b`.
fn describe_schema(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference.rsplit('/').next().unwrap_or(reference).to_owned();
    }
    let mut words = match schema.get("type") {
        Some(Value::String(name)) if name == "array" => format!(
            "array of {}",
            describe_schema(schema.get("items").unwrap_or(&Value::Null))
        ),
        Some(Value::String(name)) => name.clone(),
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".to_owned(),
    };
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect();
        let _ = write!(words, ", one of: {}", values.join(", "));
    }
    for (key, label) in [
        ("minimum", "min"),
        ("maximum", "max"),
        ("maxLength", "max length"),
        ("default", "default"),
    ] {
        if let Some(value) = schema.get(key) {
            let _ = write!(words, "; {label} {value}");
        }
    }
    words
}

/// Resolves a `#/components/...` reference within the document.
fn resolve<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .strip_prefix('#')
            .and_then(|pointer| document.pointer(pointer))
            .unwrap_or(value),
        None => value,
    }
}

/// The whole page.
pub fn render(document: &Value) -> String {
    let info = &document["info"];
    let title = escape(text_of(info, "title"));
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n</head>\n<body>\n<header>\n<h1>{title} <small>version {}</small></h1>\n\
         <p>{}</p>\n<p>The machine-readable document: <a href=\"/api/v1/openapi.json\">openapi.json</a> (OpenAPI {}).</p>\n\
         </header>\n<main>\n",
        escape(text_of(info, "version")),
        prose(text_of(info, "description")),
        escape(text_of(document, "openapi")),
    );
    render_contents(&mut html, document);
    if let Some(paths) = document["paths"].as_object() {
        html.push_str("<h2 id=\"endpoints\">Endpoints</h2>\n");
        for (path, item) in paths {
            if let Some(methods) = item.as_object() {
                for (method, operation) in methods {
                    render_operation(&mut html, document, path, method, operation);
                }
            }
        }
    }
    if let Some(schemas) = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        html.push_str("<h2 id=\"schemas\">Schemas</h2>\n");
        for (name, schema) in schemas {
            render_schema(&mut html, name, schema);
        }
    }
    html.push_str("</main>\n</body>\n</html>\n");
    html
}

/// The list of endpoints, linking to their sections.
fn render_contents(html: &mut String, document: &Value) {
    html.push_str("<nav aria-label=\"Endpoints\">\n<ul>\n");
    if let Some(paths) = document["paths"].as_object() {
        for (path, item) in paths {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let _ = writeln!(
                    html,
                    "<li><a href=\"#{}\"><code>{} {}</code></a> — {}</li>",
                    escape(text_of(operation, "operationId")),
                    escape(&method.to_uppercase()),
                    escape(path),
                    escape(text_of(operation, "summary")),
                );
            }
        }
    }
    html.push_str("</ul>\n</nav>\n");
}

fn render_operation(
    html: &mut String,
    document: &Value,
    path: &str,
    method: &str,
    operation: &Value,
) {
    let _ = write!(
        html,
        "<section id=\"{}\">\n<h3><code>{} {}</code> — {}</h3>\n<p>{}</p>\n",
        escape(text_of(operation, "operationId")),
        escape(&method.to_uppercase()),
        escape(path),
        escape(text_of(operation, "summary")),
        prose(text_of(operation, "description")),
    );
    if let Some(parameters) = operation.get("parameters").and_then(Value::as_array) {
        html.push_str(
            "<table>\n<caption>Parameters</caption>\n<thead><tr><th scope=\"col\">Name</th>\
             <th scope=\"col\">In</th><th scope=\"col\">Required</th><th scope=\"col\">Type</th>\
             <th scope=\"col\">Description</th></tr></thead>\n<tbody>\n",
        );
        for parameter in parameters {
            let required = parameter.get("required").and_then(Value::as_bool) == Some(true);
            let _ = writeln!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(text_of(parameter, "name")),
                escape(text_of(parameter, "in")),
                if required { "yes" } else { "no" },
                escape(&describe_schema(
                    parameter.get("schema").unwrap_or(&Value::Null)
                )),
                prose(text_of(parameter, "description")),
            );
        }
        html.push_str("</tbody>\n</table>\n");
    }
    if let Some(responses) = operation.get("responses").and_then(Value::as_object) {
        html.push_str("<h4>Responses</h4>\n<dl>\n");
        for (status, response) in responses {
            let response = resolve(document, response);
            let contents: Vec<String> = response
                .get("content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(media_type, content)| {
                    format!(
                        "<code>{}</code>: {}",
                        escape(media_type),
                        escape(&describe_schema(
                            content.get("schema").unwrap_or(&Value::Null)
                        ))
                    )
                })
                .collect();
            let _ = writeln!(
                html,
                "<dt>{}</dt><dd>{}{}</dd>",
                escape(status),
                prose(text_of(response, "description")),
                if contents.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", contents.join("; "))
                },
            );
        }
        html.push_str("</dl>\n");
    }
    html.push_str("</section>\n");
}

fn render_schema(html: &mut String, name: &str, schema: &Value) {
    let _ = write!(
        html,
        "<section id=\"schema-{0}\">\n<h3>{0}</h3>\n",
        escape(name)
    );
    match schema.get("properties").and_then(Value::as_object) {
        Some(properties) => {
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            html.push_str(
                "<table>\n<thead><tr><th scope=\"col\">Field</th><th scope=\"col\">Type</th>\
                 <th scope=\"col\">Always present</th></tr></thead>\n<tbody>\n",
            );
            for (field, field_schema) in properties {
                let _ = writeln!(
                    html,
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                    escape(field),
                    escape(&describe_schema(field_schema)),
                    if required.contains(&field.as_str()) {
                        "yes"
                    } else {
                        "no"
                    },
                );
            }
            html.push_str("</tbody>\n</table>\n");
        }
        None => {
            let _ = writeln!(html, "<p>{}</p>", escape(&describe_schema(schema)));
        }
    }
    html.push_str("</section>\n");
}
