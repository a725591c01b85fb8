//! `hrtrack seed-roadmap`: fills the database with a synthetic Roadmap (institutions, a
//! coordinator and one focal point per institution, a roadmap on the largest review with
//! clusters, actions, indicators, progress reports through their whole workflow and
//! published assessments), for the benchmark and for trying the screens. Everything goes
//! through the store's own calls, with their checks and audit entries; the texts say they
//! are synthetic.

use anyhow::{Context, bail};
use hrtrack_db::roadmap::{
    ActionInput, Actor, AssessmentInput, ClusterInput, IndicatorInput, InstitutionInput, NewUser,
    ReportInput, ReportValue, RoadmapInput,
};
use hrtrack_db::{RecommendationFilter, Store};
use hrtrack_domain::{
    ActionStatus, AssessmentStatus, Cycle, Date, Frequency, ImplementationLevel, InstitutionKind,
    Mechanism, Period, ReportStatus, Role,
};

use crate::cli::SeedRoadmapArgs;
use crate::output::out;

/// The institutions of the synthetic roadmap: (code, name, kind).
const INSTITUTIONS: [(&str, &str, InstitutionKind); 12] = [
    (
        "MFA",
        "Ministry of Foreign Affairs",
        InstitutionKind::Ministry,
    ),
    ("MOJ", "Ministry of Justice", InstitutionKind::Ministry),
    (
        "MIA",
        "Ministry of Internal Affairs",
        InstitutionKind::Ministry,
    ),
    (
        "MOH",
        "Ministry of Health and Medical Industry",
        InstitutionKind::Ministry,
    ),
    ("MOE", "Ministry of Education", InstitutionKind::Ministry),
    (
        "MLSP",
        "Ministry of Labour and Social Protection of Population",
        InstitutionKind::Ministry,
    ),
    (
        "MFE",
        "Ministry of Finance and Economy",
        InstitutionKind::Ministry,
    ),
    ("MOC", "Ministry of Culture", InstitutionKind::Ministry),
    (
        "STAT",
        "State Committee of Statistics",
        InstitutionKind::Agency,
    ),
    ("MEJLIS", "Mejlis (Parliament)", InstitutionKind::Parliament),
    ("SUPCOURT", "Supreme Court", InstitutionKind::Court),
    ("OMBUDS", "Ombudsperson", InstitutionKind::Nhri),
];

/// Recommendations linked per action.
const RECOMMENDATIONS_PER_ACTION: usize = 3;

pub async fn run(store: &Store, args: &SeedRoadmapArgs) -> anyhow::Result<()> {
    let password = std::env::var("HRTRACK_PASSWORD")
        .context("set HRTRACK_PASSWORD: the password of the accounts this makes")?;
    hrtrack_access::password::check_new_password(&password, "coordinator")?;
    let hash = hrtrack_access::password::hash_password(&password)?;
    if args.actions == 0 || args.indicators < args.actions {
        bail!("give at least one action and at least one indicator per action");
    }
    let system = Actor::system("seed");
    let started = std::time::Instant::now();
    let reviews = store.reviews().await?;
    let review = reviews
        .iter()
        .max_by_key(|r| r.recommendations)
        .context("the registry is empty: import recommendations first (e.g. hrtrack demo)")?;
    let review_key = format!(
        "{}/{}/{}",
        review.iso3,
        review.mechanism,
        review.cycle.unwrap_or(0)
    );
    let filter = RecommendationFilter {
        state: Some(review.iso3.clone()),
        mechanism: Some(Mechanism::parse(&review.mechanism)?),
        cycle: review
            .cycle
            .map(|c| Cycle::new(c.clamp(0, 255) as u8))
            .transpose()?,
        ..RecommendationFilter::default()
    };
    let uids: Vec<String> = store
        .list(&filter, None, 0)
        .await?
        .into_iter()
        .map(|r| r.uid)
        .collect();
    if uids.is_empty() {
        bail!("review {review_key} has no recommendations");
    }

    let mut institutions = Vec::new();
    for (code, name, kind) in INSTITUTIONS {
        let input = InstitutionInput {
            code: code.into(),
            name: name.into(),
            name_ru: String::new(),
            name_tk: String::new(),
            kind,
            archived: false,
        };
        institutions.push(store.create_institution(&system, input).await?.id);
    }
    let user = |name: &str, role: Role, institutions: Vec<i64>| NewUser {
        name: name.into(),
        display_name: name.into(),
        email: String::new(),
        role,
        institutions,
        password_hash: hash.clone(),
    };
    let coordinator = store
        .create_user(&system, user("coordinator", Role::Coordinator, vec![]))
        .await?;
    let mut focal_points = Vec::new();
    for (&(code, _, _), &institution) in INSTITUTIONS.iter().zip(&institutions) {
        let name = format!("focal.{}", code.to_lowercase());
        focal_points.push(
            store
                .create_user(&system, user(&name, Role::FocalPoint, vec![institution]))
                .await?,
        );
    }
    let coordinator = Actor::user(coordinator.id, &coordinator.name);

    let roadmap = store
        .create_roadmap(
            &coordinator,
            RoadmapInput {
                title: format!("Synthetic Roadmap for {review_key}"),
                description: "Made by hrtrack seed-roadmap for benchmarks and demonstrations."
                    .into(),
                review: Some(review_key.clone()),
                followup_months: 12,
                reviewers: vec![],
                archived: false,
            },
        )
        .await?;
    let mut clusters = Vec::new();
    for (n, chunk) in uids.chunks(uids.len().div_ceil(20)).enumerate() {
        let input = ClusterInput {
            title: format!("Cluster {}", n + 1),
            description: String::new(),
            recommendations: chunk.to_vec(),
            archived: false,
        };
        clusters.push(
            store
                .create_cluster(&coordinator, roadmap.id, input)
                .await?
                .id,
        );
    }

    // Reports per action, spread evenly; each action runs long enough for its monthly
    // indicator to give that many due dates.
    let reports_per_action = args.reports.div_ceil(args.actions).max(1);
    let start = Date::parse("2020-01-01")?;
    let mut actions = Vec::new();
    for a in 0..args.actions {
        let lead = institutions[a % institutions.len()];
        let supporting = institutions[(a + 1) % institutions.len()];
        let input = ActionInput {
            title: format!("Synthetic action {}", a + 1),
            description: "A synthetic action of the benchmark roadmap.".into(),
            expected_outcome: "Progress on the linked recommendations.".into(),
            lead_institution_id: lead,
            supporting_institutions: vec![supporting],
            partners: vec![],
            start_date: start,
            end_date: start.add_months(reports_per_action as i32),
            cost: format!("{}", 10_000 * (a % 7 + 1)),
            currency: "TMT".into(),
            funding_source: "State budget".into(),
            status: ActionStatus::InProgress,
            published: true,
            recommendations: (0..RECOMMENDATIONS_PER_ACTION)
                .map(|k| uids[(a * RECOMMENDATIONS_PER_ACTION + k) % uids.len()].clone())
                .collect(),
            clusters: vec![clusters[a % clusters.len()]],
            sdg_targets: vec![],
            archived: false,
        };
        actions.push(store.create_action(&coordinator, roadmap.id, input).await?);
    }
    let mut indicator_ids = vec![Vec::new(); actions.len()];
    for i in 0..args.indicators {
        let a = i % actions.len();
        let frequency = if i < actions.len() {
            Frequency::Monthly
        } else {
            Frequency::Quarterly
        };
        let input = IndicatorInput {
            title: format!("Indicator {} of action {}", i / actions.len() + 1, a + 1),
            baseline: "0".into(),
            target: "100".into(),
            unit: "%".into(),
            frequency,
            sdg_indicator: None,
            archived: false,
        };
        indicator_ids[a].push(
            store
                .create_indicator(&coordinator, actions[a].id, input)
                .await?
                .id,
        );
    }

    let mut written = 0;
    let mut published = 0;
    'actions: for (a, action) in actions.iter().enumerate() {
        let focal = &focal_points[a % focal_points.len()];
        let focal = Actor::user(focal.id, &focal.name);
        let due = store.due_dates_of_action(action).await?;
        for (d, date) in due.into_iter().enumerate().take(reports_per_action) {
            if written >= args.reports {
                break 'actions;
            }
            let input = ReportInput {
                narrative: format!("Synthetic progress report {} on action {}.", d + 1, a + 1),
                values: indicator_ids[a]
                    .iter()
                    .map(|&indicator_id| ReportValue {
                        indicator_id,
                        value: format!("{}", (d * 3) % 100),
                    })
                    .collect(),
            };
            let report = store.create_report(&focal, action.id, date, input).await?;
            written += 1;
            // One report in ten goes through the whole workflow to publication.
            if d % 10 == 0 {
                let mut version = report.version;
                for (actor, step) in [
                    (&focal, ReportStatus::Submitted),
                    (&coordinator, ReportStatus::Validated),
                    (&coordinator, ReportStatus::Published),
                ] {
                    version = store
                        .transition_report(actor, report.id, version, step, None)
                        .await?
                        .version;
                }
                published += 1;
            }
        }
    }

    let levels = ImplementationLevel::ALL;
    let mut assessed = 0;
    for (n, uid) in uids
        .iter()
        .enumerate()
        .take(args.actions * RECOMMENDATIONS_PER_ACTION)
    {
        let input = AssessmentInput {
            recommendation_uid: uid.clone(),
            period: Period::parse("2024")?,
            level: levels[n % levels.len()],
            summary: "Synthetic assessment.".into(),
            shadow: false,
            status: AssessmentStatus::Published,
            reports: vec![],
            archived: false,
        };
        store.create_assessment(&coordinator, input).await?;
        assessed += 1;
    }
    out!(
        "seeded roadmap {} on {review_key}: {} institutions, {} users, {} clusters, {} actions, {} indicators, {written} reports ({published} published), {assessed} assessments in {:.1} s",
        roadmap.id,
        institutions.len(),
        focal_points.len() + 1,
        clusters.len(),
        actions.len(),
        args.indicators,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
