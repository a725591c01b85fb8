//! Evidence files in and out, shared by the API and the pages: reading a multipart upload
//! (its text fields, its one file, whether the body limit cut it short), turning a checked
//! file into evidence to store, finding the evidence a principal may download, and the
//! download itself (an attachment with the stored type, never rendered inline).

use axum::body::{Body, Bytes};
use axum::extract::Multipart;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hrtrack_access::upload::{MAX_EVIDENCE_BYTES, UploadError, check_upload, sanitize_file_name};
use hrtrack_db::roadmap::{Evidence, NewEvidence};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorCode};
use crate::html::url_encode;
use crate::policy;

/// The body limit of the upload routes: the largest file plus room for the form's fields.
pub const UPLOAD_BODY_LIMIT: usize = MAX_EVIDENCE_BYTES + 1024 * 1024;

/// A multipart form as read: text fields, the file (name and bytes), and whether the body
/// was over [`UPLOAD_BODY_LIMIT`] (then the file, if any, is empty).
#[derive(Debug, Default)]
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub file: Option<(String, Vec<u8>)>,
    pub too_large: bool,
}

impl Upload {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether a checkbox field is on.
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.field(name), Some("on" | "true" | "1" | "yes"))
    }
}

/// Reads every field of `multipart`; a body over the limit is reported in `too_large`, not
/// as an error, so that the answer can name the file.
pub async fn read_upload(mut multipart: Multipart) -> Result<Upload, ApiError> {
    let mut upload = Upload::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                upload.too_large = true;
                return Ok(upload);
            }
            Err(error) => return Err(ApiError::bad_request(error.body_text())),
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_owned();
            match field.bytes().await {
                Ok(bytes) => upload.file = Some((file_name, bytes.to_vec())),
                Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    upload.too_large = true;
                    upload.file = Some((file_name, Vec::new()));
                }
                Err(error) => return Err(ApiError::bad_request(error.body_text())),
            }
        } else {
            let text = field
                .text()
                .await
                .map_err(|e| ApiError::bad_request(e.body_text()))?;
            upload.fields.push((name, text));
        }
    }
    Ok(upload)
}

/// The error for an upload over the limit, naming the file when it is known.
pub fn too_large(file_name: Option<&str>) -> UploadError {
    UploadError::TooLarge {
        file_name: file_name.unwrap_or("the upload").to_owned(),
        size: UPLOAD_BODY_LIMIT,
        max: MAX_EVIDENCE_BYTES,
    }
}

/// Checks a file (kind by content, size, name) and makes it evidence to store; an empty
/// title becomes the file's name. The content checks (which open office files' zip) run off
/// the async runtime, in one of the application's parsing slots: the outer error is 503
/// `busy` when none frees up, the inner one the file's refusal.
pub async fn file_evidence(
    app: &AppState,
    title: &str,
    public: bool,
    file_name: &str,
    content: Vec<u8>,
) -> Result<Result<NewEvidence, UploadError>, ApiError> {
    let title = title.to_owned();
    let name = file_name.to_owned();
    app.parsing()
        .run(file_name, move || {
            checked_evidence(&title, public, &name, content)
        })
        .await
}

/// [`file_evidence`]'s work, on a blocking thread.
fn checked_evidence(
    title: &str,
    public: bool,
    file_name: &str,
    content: Vec<u8>,
) -> Result<NewEvidence, UploadError> {
    let checked = check_upload(file_name, &content)?;
    let sha256 = Sha256::digest(&content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let title = if title.trim().is_empty() {
        checked.file_name.clone()
    } else {
        title.to_owned()
    };
    Ok(NewEvidence::File {
        title,
        file_name: checked.file_name,
        media_type: checked.media_type.to_owned(),
        sha256,
        content,
        public,
    })
}

/// The API error of a refused upload: 413 `upload_too_large` or 415 `upload_rejected`.
pub fn upload_error(error: UploadError) -> ApiError {
    let code = match error {
        UploadError::TooLarge { .. } => ErrorCode::UploadTooLarge,
        _ => ErrorCode::UploadRejected,
    };
    ApiError::new(code, error.to_string())
}

/// Evidence to download: its record and how many bytes of content it stores (read later,
/// in parts, by [`attachment`]).
pub struct StoredEvidence {
    pub evidence: Evidence,
    pub length: i64,
}

/// The evidence `id` and its length, if the principal may see it: 404 for the public (its
/// existence is not told), 403 for a signed-in user who may not.
pub async fn downloadable(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<StoredEvidence, ApiError> {
    let (evidence, length) = state.store().evidence_with_length(id).await?;
    let file = StoredEvidence { evidence, length };
    let report = state.store().report(file.evidence.report_id).await?;
    let action = state.store().action(report.action_id).await?;
    let roadmap = state.store().roadmap(action.roadmap_id).await?;
    if policy::sees_report(principal, &roadmap, &action, &report)
        && policy::sees_evidence(principal, &report, &file.evidence)
    {
        Ok(file)
    } else if principal.user().is_some() {
        Err(ApiError::forbidden(format!(
            "evidence {id} is not shared with you"
        )))
    } else {
        Err(ApiError::new(
            ErrorCode::RecordNotFound,
            format!("no published evidence {id}"),
        ))
    }
}

/// How much of a file one read from the database brings: a download holds about this much
/// in memory at a time, whatever the file's size.
pub const DOWNLOAD_PART_BYTES: i64 = 256 * 1024;

/// Part reads running at once, over all downloads. SQLite's `substr` of a BLOB brings the
/// whole value into memory for the length of the query (a 20 MiB file: 20 MiB per read), so
/// without a limit 40 parallel downloads of one large file held a pool's worth of copies
/// (measured by `bench/hostile.sh`: +149 MB); with two at a time that is at most two.
const PART_READS_AT_ONCE: usize = 2;
static PART_READS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(PART_READS_AT_ONCE);

/// A stored file as a download: `Content-Disposition: attachment` with its (sanitized)
/// name, its checked media type, not cached by shared caches. The content is read from the
/// database in parts of [`DOWNLOAD_PART_BYTES`] as the client takes it; a part that cannot be
/// read ends the response early (logged), never with a body shorter than announced passed
/// off as whole: the `Content-Length` tells the client it was cut.
pub fn attachment(state: &AppState, file: StoredEvidence) -> Response {
    let (name, _) = sanitize_file_name(file.evidence.file_name.as_deref().unwrap_or("evidence"));
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        url_encode(&name)
    );
    let media_type = file
        .evidence
        .media_type
        .as_deref()
        .and_then(|m| HeaderValue::from_str(m).ok())
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let store = state.store().clone();
    let id = file.evidence.id;
    let length = file.length;
    let parts = futures_util::stream::unfold(0_i64, move |offset| {
        let store = store.clone();
        async move {
            if offset >= length {
                return None;
            }
            let wanted = DOWNLOAD_PART_BYTES.min(length - offset);
            // The semaphore is never closed; if it were, reading on without it is still right.
            let _permit = PART_READS.acquire().await.ok();
            match store.evidence_part(id, offset, wanted).await {
                Ok(part) => {
                    let read = i64::try_from(part.len()).unwrap_or(i64::MAX);
                    // Past the end: stop after this error.
                    let next = if read > 0 { offset + read } else { length };
                    Some((Ok::<_, std::io::Error>(Bytes::from(part)), next))
                }
                Err(error) => {
                    tracing::warn!(%error, id, offset, "evidence download cut short");
                    Some((Err(std::io::Error::other(error.to_string())), length))
                }
            }
        }
    });
    let mut response = Body::from_stream(parts).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length.max(0)));
    headers.insert(header::CONTENT_TYPE, media_type);
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}
