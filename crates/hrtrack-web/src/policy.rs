//! Who may do what on the Roadmap: the one place where roles and institutions become
//! allowed or refused. API handlers and pages both ask here before they call the store, and
//! the authorization matrix test walks every route with every role.
//!
//! The roles: the *administrator* manages accounts, reads the audit log and may do what a
//! coordinator does; the *coordinator* plans (roadmaps, clusters, actions, indicators,
//! institutions), validates and publishes reports and makes the government's assessments;
//! the *focal point* reads the Roadmap's drafts and reports on the actions their institutions
//! lead or support; the *reviewer* (NHRI, civil society) reads the drafts of roadmaps shared
//! with them, except internal evidence, and writes shadow assessments; the *public*
//! (anonymous) sees published data only.
//!
//! On the SDG data platform, the *data provider* (an agency's user) sends new versions of
//! indicator data and the *statistician* approves or returns them, sets embargoes and keeps
//! the national metadata; the administrator may do both.

use hrtrack_db::roadmap::{Action, Assessment, Evidence, ProgressReport, Roadmap, User};
use hrtrack_domain::{AssessmentStatus, ReportStatus, Role};

use crate::auth::Principal;
use crate::error::{ApiError, ErrorCode};

/// An action a principal may be allowed to take, independent of any one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ManageUsers,
    ReadAudit,
    ManageInstitutions,
    Plan,
    ReviewReports,
    AssessForGovernment,
    AssessAsReviewer,
    ReadCalendar,
    /// Read unpublished Roadmap data of every roadmap (government staff).
    ReadInternal,
    /// Send a new version of an indicator's data (SDG data platform).
    SubmitSdgData,
    /// Approve or return submitted SDG data, set embargoes, edit national metadata.
    ReviewSdgData,
}

/// Whether `role` holds `permission`.
pub fn role_allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Administrator => permission != AssessAsReviewer,
        Role::Coordinator => matches!(
            permission,
            ManageInstitutions
                | Plan
                | ReviewReports
                | AssessForGovernment
                | ReadCalendar
                | ReadInternal
        ),
        Role::FocalPoint => matches!(permission, ReadCalendar | ReadInternal),
        Role::Reviewer => matches!(permission, AssessAsReviewer),
        Role::DataProvider => matches!(permission, SubmitSdgData),
        Role::Statistician => matches!(permission, ReviewSdgData | SubmitSdgData),
    }
}

fn signed_in(principal: &Principal) -> Result<&User, ApiError> {
    principal.user().ok_or_else(ApiError::unauthorized)
}

/// Signed in (401 if not) and holding `permission` (403 if not).
pub fn require(principal: &Principal, permission: Permission) -> Result<&User, ApiError> {
    let user = signed_in(principal)?;
    if role_allows(user.role, permission) {
        Ok(user)
    } else {
        Err(ApiError::forbidden(format!(
            "a {} may not do this",
            user.role.as_str().replace('_', " ")
        )))
    }
}

/// Signed in, whatever the role.
pub fn require_user(principal: &Principal) -> Result<&User, ApiError> {
    signed_in(principal)
}

/// Whether the principal sees this roadmap's unpublished data.
pub fn sees_drafts_of(principal: &Principal, roadmap: &Roadmap) -> bool {
    match principal.user() {
        Some(user) if role_allows(user.role, Permission::ReadInternal) => true,
        Some(user) if user.role == Role::Reviewer => roadmap.reviewers.contains(&user.id),
        _ => false,
    }
}

/// Whether the principal may see this action at all.
pub fn sees_action(principal: &Principal, roadmap: &Roadmap, action: &Action) -> bool {
    (action.published && !action.archived && !roadmap.archived)
        || sees_drafts_of(principal, roadmap)
}

/// Whether the principal may see this report (published ones of visible actions, or any
/// of a roadmap whose drafts they see).
pub fn sees_report(
    principal: &Principal,
    roadmap: &Roadmap,
    action: &Action,
    report: &ProgressReport,
) -> bool {
    sees_drafts_of(principal, roadmap)
        || (report.status == ReportStatus::Published && sees_action(principal, roadmap, action))
}

/// Whether the principal may see this piece of evidence of a report they see: public
/// evidence of published reports for everyone, internal evidence for government staff only.
pub fn sees_evidence(principal: &Principal, report: &ProgressReport, evidence: &Evidence) -> bool {
    let staff = principal
        .user()
        .is_some_and(|user| role_allows(user.role, Permission::ReadInternal));
    staff
        || (evidence.public && report.status == ReportStatus::Published)
        || (evidence.public && principal.user().is_some_and(|u| u.role == Role::Reviewer))
}

/// A focal point of an institution that leads or supports `action` (403 otherwise; 401 when
/// not signed in).
pub fn require_reporter(principal: &Principal, action: &Action) -> Result<(), ApiError> {
    let user = signed_in(principal)?;
    if user.role != Role::FocalPoint {
        return Err(ApiError::forbidden(
            "only focal points write progress reports",
        ));
    }
    if user.institutions.iter().any(|&i| action.involves(i)) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "action {} is not one of your institution's: you report only on actions your institution leads or supports",
            action.id
        )))
    }
}

/// Someone who may send a new version of an indicator's data whose providers are
/// `providers` (institution ids): statisticians and administrators always; a data provider when
/// the indicator has no providers set or they work for one of them (403 otherwise).
pub fn require_sdg_provider<'a>(
    principal: &'a Principal,
    providers: &[i64],
) -> Result<&'a User, ApiError> {
    let user = require(principal, Permission::SubmitSdgData)?;
    if user.role != Role::DataProvider
        || providers.is_empty()
        || user.institutions.iter().any(|i| providers.contains(i))
    {
        Ok(user)
    } else {
        Err(ApiError::forbidden(
            "this indicator's data is provided by other institutions than yours",
        ))
    }
}

/// Who may take a report to `next`: its focal points submit; coordinators return, validate
/// and publish.
pub fn require_transition(
    principal: &Principal,
    action: &Action,
    next: ReportStatus,
) -> Result<(), ApiError> {
    match next {
        ReportStatus::Submitted => require_reporter(principal, action),
        ReportStatus::Returned | ReportStatus::Validated | ReportStatus::Published => {
            require(principal, Permission::ReviewReports).map(|_| ())
        }
        ReportStatus::Draft => Err(ApiError::new(
            ErrorCode::InvalidTransition,
            "a report goes back to its focal point by being returned, not to draft",
        )),
    }
}

/// Whether the principal assesses as a reviewer (`true`: shadow assessments of their own)
/// or for the government (`false`: coordinators and administrators); 401/403 otherwise.
pub fn assessor(principal: &Principal) -> Result<bool, ApiError> {
    let user = signed_in(principal)?;
    if role_allows(user.role, Permission::AssessForGovernment) {
        Ok(false)
    } else if role_allows(user.role, Permission::AssessAsReviewer) {
        Ok(true)
    } else {
        Err(ApiError::forbidden(
            "only coordinators and reviewers assess implementation",
        ))
    }
}

/// Which assessments the principal sees: published ones; government staff also the
/// government's drafts; a reviewer also their own drafts (a shadow draft is its author's
/// alone).
pub fn sees_assessment(principal: &Principal, assessment: &Assessment) -> bool {
    if assessment.status == AssessmentStatus::Published {
        return true;
    }
    match principal.user() {
        Some(user) if role_allows(user.role, Permission::ReadInternal) => !assessment.shadow,
        Some(user) => assessment.author_id == Some(user.id),
        None => false,
    }
}
