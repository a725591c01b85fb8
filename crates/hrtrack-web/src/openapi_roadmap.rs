//! The Roadmap's part of the OpenAPI document, and that of the SDG data collection
//! workflow: their paths (one table row per operation) and the schemas of their records and
//! request bodies. `openapi` merges both into the document.

use serde_json::{Map, Value, json};

use crate::openapi::{array, integer, nullable, object, response_ref, schema_ref, string};

/// Who may call an operation.
#[derive(Clone, Copy)]
enum Access {
    /// Anyone; the public sees published data only.
    Public,
    /// A signed-in user (the description says which roles).
    SignedIn,
}

/// (path, method, operationId, summary and rules, access, request schema, response schema,
/// success status).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Access,
    Option<&'static str>,
    &'static str,
    &'static str,
);

const OPERATIONS: &[Row] = &[
    (
        "/api/v1/me",
        "get",
        "getMe",
        "The signed-in user and their unread messages.",
        Access::SignedIn,
        None,
        "Me",
        "200",
    ),
    (
        "/api/v1/users",
        "get",
        "listUsers",
        "Every account (administrator).",
        Access::SignedIn,
        None,
        "UserList",
        "200",
    ),
    (
        "/api/v1/users",
        "post",
        "createUser",
        "Creates an account with an initial password (administrator).",
        Access::SignedIn,
        Some("UserBody"),
        "User",
        "201",
    ),
    (
        "/api/v1/users/{id}",
        "get",
        "getUser",
        "One account (administrator).",
        Access::SignedIn,
        None,
        "User",
        "200",
    ),
    (
        "/api/v1/users/{id}",
        "put",
        "updateUser",
        "Updates role, institutions, name, e-mail or archiving (administrator); archiving ends the user's sessions.",
        Access::SignedIn,
        Some("UserEdit"),
        "User",
        "200",
    ),
    (
        "/api/v1/users/{id}/tokens/revoke",
        "post",
        "revokeUserTokens",
        "Revokes every live API token of the user (administrator; audited). A password change or reset revokes them too.",
        Access::SignedIn,
        None,
        "TokensRevoked",
        "200",
    ),
    (
        "/api/v1/users/{id}/unlock",
        "post",
        "unlockUser",
        "Clears the user's sign-in throttle for every client address (administrator; audited). Sign-ins are throttled per name and client: after 5 failures that client waits 1 s, 2 s, 4 s … up to 15 minutes; other clients are not held back.",
        Access::SignedIn,
        None,
        "ThrottleCleared",
        "200",
    ),
    (
        "/api/v1/institutions",
        "get",
        "listInstitutions",
        "The institutions (ministries, agencies, the NHRI, UN agencies…) not archived.",
        Access::Public,
        None,
        "InstitutionList",
        "200",
    ),
    (
        "/api/v1/institutions",
        "post",
        "createInstitution",
        "Creates an institution (coordinator, administrator).",
        Access::SignedIn,
        Some("InstitutionBody"),
        "Institution",
        "201",
    ),
    (
        "/api/v1/institutions/{id}",
        "get",
        "getInstitution",
        "One institution.",
        Access::Public,
        None,
        "Institution",
        "200",
    ),
    (
        "/api/v1/institutions/{id}",
        "put",
        "updateInstitution",
        "Updates or archives an institution (coordinator, administrator).",
        Access::SignedIn,
        Some("InstitutionEdit"),
        "Institution",
        "200",
    ),
    (
        "/api/v1/roadmaps",
        "get",
        "listRoadmaps",
        "The roadmaps the caller may see: all for government staff, shared ones for reviewers, those with a published action for the public.",
        Access::Public,
        None,
        "RoadmapList",
        "200",
    ),
    (
        "/api/v1/roadmaps",
        "post",
        "createRoadmap",
        "Creates a roadmap, optionally tied to a review `ISO3/MECHANISM/CYCLE` (coordinator).",
        Access::SignedIn,
        Some("RoadmapBody"),
        "Roadmap",
        "201",
    ),
    (
        "/api/v1/roadmaps/{id}",
        "get",
        "getRoadmap",
        "One roadmap, if the caller may see it.",
        Access::Public,
        None,
        "Roadmap",
        "200",
    ),
    (
        "/api/v1/roadmaps/{id}",
        "put",
        "updateRoadmap",
        "Updates a roadmap, its reviewers (who may read its drafts) or archives it (coordinator).",
        Access::SignedIn,
        Some("RoadmapEdit"),
        "Roadmap",
        "200",
    ),
    (
        "/api/v1/roadmaps/{id}/clusters",
        "get",
        "listClusters",
        "The roadmap's clusters of recommendations.",
        Access::Public,
        None,
        "ClusterList",
        "200",
    ),
    (
        "/api/v1/roadmaps/{id}/clusters",
        "post",
        "createCluster",
        "Creates a cluster of recommendations (coordinator).",
        Access::SignedIn,
        Some("ClusterBody"),
        "Cluster",
        "201",
    ),
    (
        "/api/v1/clusters/{id}",
        "get",
        "getCluster",
        "One cluster.",
        Access::Public,
        None,
        "Cluster",
        "200",
    ),
    (
        "/api/v1/clusters/{id}",
        "put",
        "updateCluster",
        "Updates a cluster (coordinator).",
        Access::SignedIn,
        Some("ClusterEdit"),
        "Cluster",
        "200",
    ),
    (
        "/api/v1/roadmaps/{id}/actions",
        "get",
        "listActions",
        "The roadmap's actions the caller may see (published ones for the public).",
        Access::Public,
        None,
        "ActionList",
        "200",
    ),
    (
        "/api/v1/roadmaps/{id}/actions",
        "post",
        "createAction",
        "Creates an action (coordinator).",
        Access::SignedIn,
        Some("ActionBody"),
        "Action",
        "201",
    ),
    (
        "/api/v1/actions/{id}",
        "get",
        "getAction",
        "One action, if the caller may see it.",
        Access::Public,
        None,
        "Action",
        "200",
    ),
    (
        "/api/v1/actions/{id}",
        "put",
        "updateAction",
        "Updates, publishes or archives an action (coordinator).",
        Access::SignedIn,
        Some("ActionEdit"),
        "Action",
        "200",
    ),
    (
        "/api/v1/actions/{id}/indicators",
        "get",
        "listIndicators",
        "The action's indicators.",
        Access::Public,
        None,
        "IndicatorList",
        "200",
    ),
    (
        "/api/v1/actions/{id}/indicators",
        "post",
        "createIndicator",
        "Creates an indicator; its frequency generates the action's due dates (coordinator).",
        Access::SignedIn,
        Some("IndicatorBody"),
        "Indicator",
        "201",
    ),
    (
        "/api/v1/indicators/{id}",
        "put",
        "updateIndicator",
        "Updates or archives an indicator (coordinator).",
        Access::SignedIn,
        Some("IndicatorEdit"),
        "Indicator",
        "200",
    ),
    (
        "/api/v1/actions/{id}/reports",
        "get",
        "listReports",
        "The action's progress reports the caller may see (published ones for the public, without internal evidence).",
        Access::Public,
        None,
        "ReportList",
        "200",
    ),
    (
        "/api/v1/actions/{id}/reports",
        "post",
        "createReport",
        "Starts the report due on `due_date` as a draft (a focal point of an institution leading or supporting the action).",
        Access::SignedIn,
        Some("ReportBody"),
        "ProgressReport",
        "201",
    ),
    (
        "/api/v1/reports/{id}",
        "get",
        "getReport",
        "One progress report, if the caller may see it.",
        Access::Public,
        None,
        "ProgressReport",
        "200",
    ),
    (
        "/api/v1/reports/{id}",
        "put",
        "updateReport",
        "Edits a draft or returned report (its focal points).",
        Access::SignedIn,
        Some("ReportEdit"),
        "ProgressReport",
        "200",
    ),
    (
        "/api/v1/reports/{id}/transitions",
        "post",
        "transitionReport",
        "Moves a report: `submitted` (focal point), `returned` with a comment, `validated`, `published` (coordinator). Publishing publishes the action too.",
        Access::SignedIn,
        Some("TransitionBody"),
        "ProgressReport",
        "200",
    ),
    (
        "/api/v1/reports/{id}/evidence",
        "post",
        "addEvidence",
        "Attaches evidence to a draft or returned report (its focal points): `multipart/form-data` with `title`, `public` and `file` (PDF, PNG, JPEG, DOCX, XLSX, PPTX, ODT, ODS, TXT, CSV; at most 20 MiB; checked by content), or JSON `{title, url, public}` for a link.",
        Access::SignedIn,
        Some("LinkBody"),
        "Evidence",
        "201",
    ),
    (
        "/api/v1/evidence/{id}",
        "get",
        "getEvidence",
        "Downloads a file (or answers a link): public evidence of published reports for everyone, internal evidence for government staff only.",
        Access::Public,
        None,
        "EvidenceLink",
        "200",
    ),
    (
        "/api/v1/recommendations/{uid}/assessments",
        "get",
        "listAssessments",
        "The recommendation's assessments: the government's and the reviewers' shadow ones, published only for the public.",
        Access::Public,
        None,
        "AssessmentList",
        "200",
    ),
    (
        "/api/v1/recommendations/{uid}/assessments",
        "post",
        "createAssessment",
        "Assesses the recommendation for a period: coordinators for the government (one per period), reviewers as their own shadow assessment.",
        Access::SignedIn,
        Some("AssessmentBody"),
        "Assessment",
        "201",
    ),
    (
        "/api/v1/assessments/{id}",
        "put",
        "updateAssessment",
        "Updates an assessment (coordinators the government's, reviewers their own).",
        Access::SignedIn,
        Some("AssessmentEdit"),
        "Assessment",
        "200",
    ),
    (
        "/api/v1/rollups",
        "get",
        "getRollup",
        "Counts the latest published government assessment of each recommendation by `by` (review, theme, sdg_goal, institution, recommending_state), optionally within one `review`.",
        Access::Public,
        None,
        "Rollup",
        "200",
    ),
    (
        "/api/v1/calendar",
        "get",
        "getCalendar",
        "Reports due up to `until` (default: 90 days ahead), overdue ones flagged, optionally for one `institution`; and the UN deadlines of the roadmaps' reviews (staff).",
        Access::SignedIn,
        None,
        "Calendar",
        "200",
    ),
    (
        "/api/v1/inbox",
        "get",
        "getInbox",
        "The caller's messages, newest first.",
        Access::SignedIn,
        None,
        "InboxList",
        "200",
    ),
    (
        "/api/v1/inbox/{id}/read",
        "post",
        "markRead",
        "Marks one of the caller's messages read.",
        Access::SignedIn,
        None,
        "Read",
        "200",
    ),
    (
        "/api/v1/audit",
        "get",
        "getAudit",
        "The audit log, newest first, filtered by `entity`, `entity_id`, `user`, `action`, `since`, `until`; paged by `limit` and `offset` (administrator).",
        Access::SignedIn,
        None,
        "AuditPage",
        "200",
    ),
];

/// The Roadmap's paths.
/// The SDG data collection workflow's operations (tag "SDG data").
const SDG_OPERATIONS: &[Row] = &[
    (
        "/api/v1/sdg/submissions",
        "post",
        "submitSdgData",
        "Sends a new version of one indicator's data (data providers, statisticians): `multipart/form-data` with `indicator` (e.g. 5.5.1), `note` and `file` (the XLSX template, Open SDG CSV, SDMX-CSV or SDMX-ML, told by content). Validation runs at once: codes in their code lists, numbers, duplicate keys, units, parts not above totals; year-on-year jumps are warnings. A file that cannot be read or has errors answers 422 `validation_failed` with `report` (every problem by place, column and value) and nothing is stored. Files are read two at a time server-wide: when both slots stay busy the answer is 503 `busy` with `Retry-After`, nothing stored.",
        Access::SignedIn,
        Some("SdgSubmissionBody"),
        "SdgSubmission",
        "201",
    ),
    (
        "/api/v1/sdg/submissions",
        "get",
        "listSdgSubmissions",
        "Submissions, newest first: all for statisticians, their own for data providers. `status` filters (submitted, returned, approved, published).",
        Access::SignedIn,
        None,
        "SdgSubmissionList",
        "200",
    ),
    (
        "/api/v1/sdg/submissions/{id}",
        "get",
        "getSdgSubmission",
        "One submission with its validation report (its sender and statisticians).",
        Access::SignedIn,
        None,
        "SdgSubmission",
        "200",
    ),
    (
        "/api/v1/sdg/submissions/{id}/decision",
        "post",
        "decideSdgSubmission",
        "A statistician approves a submitted version (published at once, or at `publish_at`, an embargo time in UTC) or returns it with a `comment`. Publishing replaces the indicator's published data and keeps the version.",
        Access::SignedIn,
        Some("SdgDecisionBody"),
        "SdgSubmission",
        "200",
    ),
    (
        "/api/v1/sdg/indicators/{code}/versions",
        "get",
        "listSdgVersions",
        "The published versions of an indicator's data, newest first (version 1 is the data imported before the first submission).",
        Access::Public,
        None,
        "SdgVersionList",
        "200",
    ),
    (
        "/api/v1/sdg/indicators/{code}/changes",
        "get",
        "getSdgChanges",
        "What changed between two published versions (`from`, `to`; by default the last two): observations added, removed and changed (before and after).",
        Access::Public,
        None,
        "SdgChanges",
        "200",
    ),
];

pub fn paths() -> Map<String, Value> {
    let mut paths = Map::new();
    let tagged = OPERATIONS
        .iter()
        .map(|row| (row, "Roadmap"))
        .chain(SDG_OPERATIONS.iter().map(|row| (row, "SDG data")));
    for (&(path, method, id, description, access, body, answer, status), tag) in tagged {
        let mut operation = Map::new();
        operation.insert("operationId".into(), id.into());
        operation.insert(
            "summary".into(),
            description
                .split(". ")
                .next()
                .unwrap_or(description)
                .trim_end_matches('.')
                .into(),
        );
        operation.insert("description".into(), description.into());
        operation.insert("tags".into(), json!([tag]));
        let mut parameters: Vec<Value> = ["id", "uid", "code"]
            .iter()
            .filter(|name| path.contains(&format!("{{{name}}}")))
            .map(|&name| {
                json!({"name": name, "in": "path", "required": true,
                       "schema": if name == "id" { integer() } else { string() }})
            })
            .collect();
        if path == "/api/v1/rollups" {
            parameters.push(json!({"name": "by", "in": "query", "required": true, "schema": {"type": "string", "enum": ["review", "theme", "sdg_goal", "institution", "recommending_state"]}}));
            parameters.push(
                json!({"name": "review", "in": "query", "required": false, "schema": string()}),
            );
        }
        if path == "/api/v1/sdg/submissions" && method == "get" {
            parameters.push(
                json!({"name": "status", "in": "query", "required": false, "schema": string()}),
            );
        }
        if path == "/api/v1/sdg/indicators/{code}/changes" {
            for name in ["from", "to"] {
                parameters.push(
                    json!({"name": name, "in": "query", "required": false, "schema": integer()}),
                );
            }
        }
        if path == "/api/v1/calendar" {
            parameters.push(json!({"name": "institution", "in": "query", "required": false, "schema": integer()}));
            parameters.push(json!({"name": "until", "in": "query", "required": false, "schema": {"type": "string", "format": "date"}}));
        }
        if path == "/api/v1/audit" {
            for name in ["entity", "entity_id", "user", "action", "since", "until"] {
                parameters.push(
                    json!({"name": name, "in": "query", "required": false, "schema": string()}),
                );
            }
            for name in ["limit", "offset"] {
                parameters.push(
                    json!({"name": name, "in": "query", "required": false, "schema": integer()}),
                );
            }
        }
        if !parameters.is_empty() {
            operation.insert("parameters".into(), Value::Array(parameters));
        }
        if let Some(body) = body {
            let mut content = json!({"application/json": {"schema": schema_ref(body)}});
            if id == "submitSdgData" {
                content = json!({"multipart/form-data": {"schema": schema_ref(body)}});
            }
            if id == "addEvidence" {
                content["multipart/form-data"] = json!({"schema": object(&[
                    ("title", string()), ("public", json!({"type": "boolean"})),
                    ("file", json!({"type": "string", "contentEncoding": "binary"})),
                ])});
            }
            operation.insert(
                "requestBody".into(),
                json!({"required": true, "content": content}),
            );
        }
        let mut responses = Map::new();
        responses.insert(status.into(), json!({"description": "Done.", "content": {"application/json": {"schema": schema_ref(answer)}}}));
        responses.insert("400".into(), response_ref("BadRequest"));
        if matches!(access, Access::SignedIn) {
            responses.insert("401".into(), response_ref("Unauthorized"));
            operation.insert("security".into(), json!([{"session": []}, {"bearer": []}]));
        }
        responses.insert("403".into(), response_ref("Forbidden"));
        if path.contains('{') {
            responses.insert("404".into(), response_ref("NotFound"));
        }
        if method != "get" {
            responses.insert("409".into(), response_ref("Conflict"));
            responses.insert("422".into(), response_ref("InvalidInput"));
        }
        responses.insert("500".into(), response_ref("Internal"));
        operation.insert("responses".into(), Value::Object(responses));
        let entry = paths.entry(path).or_insert_with(|| json!({}));
        entry[method] = Value::Object(operation);
    }
    paths
}

/// The responses the Roadmap adds to the document's shared ones.
pub fn responses() -> Map<String, Value> {
    let error = |description: &str| json!({"description": description, "content": {"application/json": {"schema": schema_ref("Error")}}});
    let mut responses = Map::new();
    responses.insert(
        "Unauthorized".into(),
        error("Not signed in, or an unknown or revoked token (`unauthorized`)."),
    );
    responses.insert("Forbidden".into(), error("This role or institution may not do this (`forbidden`), or a session call without its `X-CSRF-Token` (`csrf_invalid`)."));
    responses.insert("Conflict".into(), error("The record changed since the `version` sent (`stale_version`, with `current`: the record now), or the workflow does not allow this step (`invalid_transition`). Nothing was written."));
    responses.insert("InvalidInput".into(), error("A value the Roadmap refuses: a missing title, a bad date or period, an unknown reference (`invalid_input`)."));
    responses
}

fn boolean() -> Value {
    json!({"type": "boolean"})
}

fn list(name: &str) -> Value {
    object(&[("items", array(schema_ref(name)))])
}

fn record(fields: &[(&str, Value)]) -> Value {
    let mut all: Vec<(&str, Value)> = vec![("id", integer())];
    all.extend(fields.iter().cloned());
    all.extend([
        ("archived", boolean()),
        ("version", integer()),
        ("created_at", string()),
        ("updated_at", string()),
    ]);
    object(&all)
}

/// Request bodies list their optional fields too, all as not required.
fn body(fields: &[(&str, Value)], required: &[&str]) -> Value {
    let mut schema = object(fields);
    schema["required"] = json!(required);
    schema["additionalProperties"] = json!(false);
    schema
}

fn ids() -> Value {
    array(integer())
}

fn strings() -> Value {
    array(string())
}

/// The Roadmap's schemas.
pub fn schemas() -> Map<String, Value> {
    let version = (
        "version",
        json!({"type": "integer", "description": "The version of the record you decided on."}),
    );
    let create_version = (
        "version",
        json!({"type": "integer", "description": "Ignored when creating."}),
    );
    let entries = [
        (
            "User",
            record(&[
                ("name", string()),
                ("display_name", string()),
                ("email", string()),
                ("role", string()),
                ("institutions", ids()),
            ]),
        ),
        (
            "Me",
            object(&[("user", schema_ref("User")), ("unread_messages", integer())]),
        ),
        ("UserList", list("User")),
        (
            "UserBody",
            body(
                &[
                    ("name", string()),
                    ("display_name", string()),
                    ("email", string()),
                    ("role", string()),
                    ("institutions", ids()),
                    ("password", string()),
                    (
                        "archived",
                        json!({"type": "boolean", "description": "Ignored: an account is created active."}),
                    ),
                    create_version.clone(),
                ],
                &["display_name", "role"],
            ),
        ),
        (
            "Institution",
            record(&[
                ("code", string()),
                ("name", string()),
                ("name_ru", string()),
                ("name_tk", string()),
                ("kind", string()),
            ]),
        ),
        ("InstitutionList", list("Institution")),
        (
            "InstitutionBody",
            body(
                &[
                    ("code", string()),
                    ("name", string()),
                    ("name_ru", string()),
                    ("name_tk", string()),
                    ("kind", string()),
                    ("archived", boolean()),
                    create_version.clone(),
                ],
                &["code", "name", "kind"],
            ),
        ),
        (
            "Roadmap",
            record(&[
                ("title", string()),
                ("description", string()),
                ("review", nullable("string")),
                ("followup_months", integer()),
                ("reviewers", ids()),
            ]),
        ),
        ("RoadmapList", list("Roadmap")),
        (
            "RoadmapBody",
            body(
                &[
                    ("title", string()),
                    ("description", string()),
                    ("review", nullable("string")),
                    ("followup_months", integer()),
                    ("reviewers", ids()),
                    ("archived", boolean()),
                    create_version.clone(),
                ],
                &["title"],
            ),
        ),
        (
            "Cluster",
            record(&[
                ("roadmap_id", integer()),
                ("title", string()),
                ("description", string()),
                ("recommendations", strings()),
            ]),
        ),
        ("ClusterList", list("Cluster")),
        (
            "ClusterBody",
            body(
                &[
                    ("title", string()),
                    ("description", string()),
                    ("recommendations", strings()),
                    ("archived", boolean()),
                    create_version.clone(),
                ],
                &["title"],
            ),
        ),
        (
            "Action",
            record(&[
                ("roadmap_id", integer()),
                ("title", string()),
                ("description", string()),
                ("expected_outcome", string()),
                ("lead_institution_id", integer()),
                ("supporting_institutions", ids()),
                ("partners", ids()),
                ("start_date", string()),
                ("end_date", string()),
                ("cost", string()),
                ("currency", string()),
                ("funding_source", string()),
                ("status", string()),
                ("published", boolean()),
                ("recommendations", strings()),
                ("clusters", ids()),
                ("sdg_targets", strings()),
            ]),
        ),
        ("ActionList", list("Action")),
        (
            "ActionBody",
            body(
                &[
                    ("title", string()),
                    ("description", string()),
                    ("expected_outcome", string()),
                    ("lead_institution_id", integer()),
                    ("supporting_institutions", ids()),
                    ("partners", ids()),
                    ("start_date", string()),
                    ("end_date", string()),
                    ("cost", string()),
                    ("currency", string()),
                    ("funding_source", string()),
                    ("status", string()),
                    ("published", boolean()),
                    ("recommendations", strings()),
                    ("clusters", ids()),
                    ("sdg_targets", strings()),
                    ("archived", boolean()),
                    create_version.clone(),
                ],
                &["title", "lead_institution_id", "start_date", "end_date"],
            ),
        ),
        (
            "Indicator",
            record(&[
                ("action_id", integer()),
                ("title", string()),
                ("baseline", string()),
                ("target", string()),
                ("unit", string()),
                ("frequency", string()),
                ("sdg_indicator", nullable("string")),
            ]),
        ),
        ("IndicatorList", list("Indicator")),
        (
            "IndicatorBody",
            body(
                &[
                    ("title", string()),
                    ("baseline", string()),
                    ("target", string()),
                    ("unit", string()),
                    (
                        "frequency",
                        json!({"type": "string", "enum": ["monthly", "quarterly", "half_yearly", "yearly"]}),
                    ),
                    ("sdg_indicator", nullable("string")),
                    ("archived", boolean()),
                    create_version.clone(),
                ],
                &["title", "frequency"],
            ),
        ),
        (
            "ProgressReport",
            record(&[
                ("action_id", integer()),
                ("due_date", string()),
                ("narrative", string()),
                ("status", string()),
                ("author_id", nullable("integer")),
                ("author_name", nullable("string")),
                ("submitted_at", nullable("string")),
                ("validated_at", nullable("string")),
                ("published_at", nullable("string")),
                ("values", array(schema_ref("ReportValue"))),
                ("comments", array(schema_ref("ReportComment"))),
                ("evidence", array(schema_ref("Evidence"))),
            ]),
        ),
        ("ReportList", list("ProgressReport")),
        (
            "ReportValue",
            object(&[("indicator_id", integer()), ("value", string())]),
        ),
        (
            "ReportComment",
            object(&[
                ("id", integer()),
                ("author_name", nullable("string")),
                ("body", string()),
                ("created_at", string()),
            ]),
        ),
        (
            "ReportBody",
            body(
                &[
                    ("due_date", string()),
                    ("narrative", string()),
                    ("values", array(schema_ref("ReportValue"))),
                    create_version.clone(),
                ],
                &[],
            ),
        ),
        (
            "TransitionBody",
            body(
                &[
                    (
                        "to",
                        json!({"type": "string", "enum": ["submitted", "returned", "validated", "published"]}),
                    ),
                    ("version", integer()),
                    ("comment", string()),
                ],
                &["to", "version"],
            ),
        ),
        (
            "Evidence",
            object(&[
                ("id", integer()),
                ("report_id", integer()),
                ("title", string()),
                ("url", nullable("string")),
                ("file_name", nullable("string")),
                ("media_type", nullable("string")),
                ("size", integer()),
                ("sha256", nullable("string")),
                ("public", boolean()),
                ("created_at", string()),
            ]),
        ),
        (
            "LinkBody",
            body(
                &[
                    ("title", string()),
                    ("url", string()),
                    ("public", boolean()),
                ],
                &["title", "url"],
            ),
        ),
        (
            "EvidenceLink",
            object(&[("title", string()), ("url", string())]),
        ),
        (
            "Assessment",
            record(&[
                ("recommendation_uid", string()),
                ("period", string()),
                ("level", string()),
                ("summary", string()),
                ("shadow", boolean()),
                ("author_id", nullable("integer")),
                ("author_name", nullable("string")),
                ("status", string()),
                ("reports", ids()),
            ]),
        ),
        ("AssessmentList", list("Assessment")),
        (
            "AssessmentBody",
            body(
                &[
                    ("period", string()),
                    (
                        "level",
                        json!({"type": "string", "enum": ["not_started", "in_progress", "partially_implemented", "fully_implemented", "not_applicable"]}),
                    ),
                    ("summary", string()),
                    (
                        "status",
                        json!({"type": "string", "enum": ["draft", "published"]}),
                    ),
                    ("reports", ids()),
                    ("archived", boolean()),
                    create_version.clone(),
                ],
                &["period", "level"],
            ),
        ),
        (
            "Rollup",
            object(&[
                ("dimension", string()),
                ("rows", array(schema_ref("RollupRow"))),
            ]),
        ),
        (
            "RollupRow",
            object(&[
                ("key", string()),
                ("label", string()),
                (
                    "levels",
                    json!({"type": "object", "additionalProperties": integer()}),
                ),
                ("assessed", integer()),
            ]),
        ),
        (
            "DueReport",
            object(&[
                ("action_id", integer()),
                ("action_title", string()),
                ("roadmap_id", integer()),
                ("lead_institution_id", integer()),
                ("due_date", string()),
                ("report_id", nullable("integer")),
                ("report_status", nullable("string")),
                ("overdue", boolean()),
            ]),
        ),
        (
            "UnDeadline",
            object(&[
                ("roadmap_id", integer()),
                ("review", string()),
                ("kind", string()),
                ("due_date", string()),
                ("approximate", boolean()),
            ]),
        ),
        (
            "Calendar",
            object(&[
                ("reports", array(schema_ref("DueReport"))),
                ("un_deadlines", array(schema_ref("UnDeadline"))),
            ]),
        ),
        (
            "InboxMessage",
            object(&[
                ("id", integer()),
                ("at", string()),
                ("subject", string()),
                ("body", string()),
                ("link", string()),
                ("read", boolean()),
            ]),
        ),
        ("InboxList", list("InboxMessage")),
        ("Read", object(&[("read", boolean())])),
        ("TokensRevoked", object(&[("revoked", integer())])),
        ("ThrottleCleared", object(&[("cleared", integer())])),
        (
            "AuditEntry",
            object(&[
                ("id", integer()),
                ("at", string()),
                ("user_id", nullable("integer")),
                ("user_name", string()),
                ("entity", string()),
                ("entity_id", string()),
                ("action", string()),
                (
                    "changes",
                    json!({"type": "object", "description": "{field: {old, new}}"}),
                ),
            ]),
        ),
        (
            "AuditPage",
            object(&[
                ("total", integer()),
                ("items", array(schema_ref("AuditEntry"))),
            ]),
        ),
        (
            "SdgSubmission",
            object(&[
                ("id", integer()),
                ("indicator", string()),
                ("institution_id", nullable("integer")),
                ("submitted_by", integer()),
                ("submitted_by_name", string()),
                ("submitted_at", string()),
                (
                    "status",
                    json!({"type": "string", "enum": ["submitted", "returned", "approved", "published"]}),
                ),
                ("file_name", string()),
                ("format", string()),
                ("note", string()),
                ("observations", integer()),
                ("errors", integer()),
                ("warnings", integer()),
                (
                    "report",
                    json!({"type": "object", "description": "The validation report: `observations`, `series` and `issues`, each with `place` (\"row 12\" or the observation's key), `column`, `value`, `severity` (error, warning), `kind` (unknown_code, not_numeric, duplicate_key, unit_missing, part_above_total, year_on_year_jump, too_many_issues) and `message`."}),
                ),
                ("decided_by_name", nullable("string")),
                ("decided_at", nullable("string")),
                ("decision_comment", string()),
                ("publish_at", nullable("string")),
                ("published_at", nullable("string")),
                ("published_version", nullable("integer")),
                ("base_version", nullable("integer")),
                ("version", integer()),
            ]),
        ),
        (
            "SdgSubmissionList",
            object(&[("submissions", array(schema_ref("SdgSubmission")))]),
        ),
        (
            "SdgSubmissionBody",
            body(
                &[
                    ("indicator", string()),
                    ("note", string()),
                    (
                        "file",
                        json!({"type": "string", "contentEncoding": "binary"}),
                    ),
                ],
                &["indicator", "file"],
            ),
        ),
        (
            "SdgDecisionBody",
            body(
                &[
                    version.clone(),
                    (
                        "decision",
                        json!({"type": "string", "enum": ["approve", "return"]}),
                    ),
                    ("publish_at", string()),
                    ("comment", string()),
                ],
                &["version", "decision"],
            ),
        ),
        (
            "SdgVersionList",
            object(&[
                ("indicator", string()),
                (
                    "versions",
                    array(object(&[
                        ("indicator", string()),
                        ("number", integer()),
                        ("submission_id", nullable("integer")),
                        ("published_at", string()),
                        ("observations", integer()),
                    ])),
                ),
            ]),
        ),
        (
            "SdgChanges",
            object(&[
                ("indicator", string()),
                ("from", integer()),
                ("to", integer()),
                (
                    "changes",
                    json!({"type": "object", "description": "`added`, `removed` (observations), `changed` (pairs `before`, `after`) and `unchanged` (a count)."}),
                ),
            ]),
        ),
    ];
    let mut schemas: Map<String, Value> = entries
        .into_iter()
        .map(|(name, schema)| (name.to_owned(), schema))
        .collect();
    // An update's body: the create body's fields (less those an update does not edit), all
    // optional, and `version`.
    for (create, edit, not_edited) in [
        ("UserBody", "UserEdit", &["name", "password"][..]),
        ("InstitutionBody", "InstitutionEdit", &[]),
        ("RoadmapBody", "RoadmapEdit", &[]),
        ("ClusterBody", "ClusterEdit", &[]),
        ("ActionBody", "ActionEdit", &[]),
        ("IndicatorBody", "IndicatorEdit", &[]),
        ("ReportBody", "ReportEdit", &["due_date"]),
        ("AssessmentBody", "AssessmentEdit", &[]),
    ] {
        let mut schema = edit_schema(&schemas[create], not_edited);
        if edit == "UserEdit" {
            schema["properties"]["archived"] = json!({"type": "boolean", "description": "Omitted: left as it is. Archiving an account ends its sessions."});
        }
        if edit == "ReportEdit" {
            schema["properties"]["values"]["description"] = json!(
                "Omitted: left as they are. Sent: each names an indicator whose value it sets (an empty `value` clears it); the other indicators' values are left as they are."
            );
        }
        schemas.insert(edit.to_owned(), schema);
    }
    schemas
}

/// The body of a `PUT` made from `create`'s: every field but `not_edited` is optional, and
/// omitted means left as it is (`null`, where allowed, clears it); `version` is required.
fn edit_schema(create: &Value, not_edited: &[&str]) -> Value {
    let mut properties = Map::new();
    if let Some(fields) = create["properties"].as_object() {
        for (name, schema) in fields {
            if name == "version" || not_edited.contains(&name.as_str()) {
                continue;
            }
            let mut schema = schema.clone();
            let nullable = schema["type"]
                .as_array()
                .is_some_and(|types| types.iter().any(|t| t == "null"));
            schema["description"] = json!(if nullable {
                "Omitted: left as it is. `null`: cleared."
            } else {
                "Omitted: left as it is."
            });
            properties.insert(name.clone(), schema);
        }
    }
    properties.insert(
        "version".into(),
        json!({"type": "integer", "description": "The version of the record you edited: required. If the record has changed since, nothing is written (409 `stale_version`)."}),
    );
    json!({
        "type": "object",
        "description": "An update: only `version` is required; every field left out is left as it is, never reset.",
        "properties": properties,
        "required": ["version"],
        "additionalProperties": false,
    })
}
