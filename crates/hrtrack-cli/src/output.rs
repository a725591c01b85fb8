//! What people read on the terminal: import summaries, statistics, lists and single
//! recommendations. JSON output does not pass through here.

use std::io::{ErrorKind, Write};

use hrtrack_db::{GroupCount, ImportSummary, ReviewStats, SdgGoalTitles, Stats};
use hrtrack_domain::RecommendationRecord;

/// Like `println!`, through [`write_line`].
macro_rules! out {
    () => {
        $crate::output::write_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::write_line(format_args!($($arg)*))
    };
}
pub(crate) use out;

/// Writes one line to standard output. When the reader has gone away (`hrtrack list | head`),
/// the program ends quietly with success, as Unix tools do, instead of panicking.
pub fn write_line(line: std::fmt::Arguments<'_>) {
    let result = writeln!(std::io::stdout().lock(), "{line}");
    if let Err(error) = result {
        if error.kind() == ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {error}");
        std::process::exit(1);
    }
}

/// Reviews listed one per line in an import summary; above this only the total is printed.
const REVIEWS_LISTED: usize = 12;

pub fn print_import_summary(summary: &ImportSummary) {
    let superseded = match summary.superseded {
        0 => String::new(),
        n => format!(", {n} superseded by an official matrix"),
    };
    out!(
        "{} ({}): {} added, {} updated, {} unchanged{superseded} in {} review(s)",
        summary.source,
        summary.format,
        summary.added,
        summary.updated,
        summary.unchanged,
        summary.reviews.len()
    );
    if summary.reviews.len() <= REVIEWS_LISTED {
        for review in &summary.reviews {
            out!(
                "  {}: {} added, {} updated, {} unchanged, {} superseded",
                review_label(
                    &review.state,
                    &review.mechanism,
                    review.cycle.map(i64::from),
                    review.session.map(i64::from)
                ),
                review.added,
                review.updated,
                review.unchanged,
                review.superseded
            );
        }
    }
}

fn review_label(state: &str, mechanism: &str, cycle: Option<i64>, session: Option<i64>) -> String {
    let mut label = format!("{state} {mechanism}");
    if let Some(cycle) = cycle {
        label.push_str(&format!(" cycle {cycle}"));
    }
    if let Some(session) = session {
        label.push_str(&format!(" (session {session})"));
    }
    label
}

fn position_line(supported: i64, in_part: i64, noted: i64, pending: i64) -> String {
    let mut parts = vec![format!("{supported} supported")];
    if in_part > 0 {
        parts.push(format!("{in_part} supported in part"));
    }
    parts.push(format!("{noted} noted"));
    if pending > 0 {
        parts.push(format!("{pending} pending"));
    }
    parts.join(", ")
}

pub fn print_stats_headline(stats: &Stats) {
    let p = &stats.positions;
    out!(
        "{} recommendations ({} recommendation–State pairs) from {} recommending States in {} review(s): {}",
        stats.recommendations,
        stats.recommendation_state_pairs,
        stats.recommending_states,
        stats.reviews.len(),
        position_line(p.supported, p.supported_in_part, p.noted, p.pending)
    );
}

fn print_review(review: &ReviewStats) {
    let p = &review.positions;
    out!(
        "  {}: {} recommendations from {} States ({} pairs); {}",
        review_label(
            &review.state,
            &review.mechanism,
            review.cycle,
            review.session
        ),
        review.recommendations,
        review.recommending_states,
        review.recommendation_state_pairs,
        position_line(p.supported, p.supported_in_part, p.noted, p.pending)
    );
}

fn print_breakdown(title: &str, lines: &[GroupCount], limit: usize) {
    if lines.is_empty() {
        return;
    }
    out!("\n{title}:");
    for line in lines.iter().take(limit) {
        match (line.recommendation_state_pairs, line.recommending_states) {
            (Some(pairs), Some(states)) => {
                out!(
                    "  {:>7}  {} ({pairs} pairs, {states} States)",
                    line.recommendations,
                    line.key
                );
            }
            _ => out!("  {:>7}  {}", line.recommendations, line.key),
        }
    }
    if lines.len() > limit {
        out!("  … and {} more (see --json)", lines.len() - limit);
    }
}

/// The statistics for people; SDG goals are named by their short English titles.
pub fn print_stats(stats: &Stats, goals: &[SdgGoalTitles]) {
    print_stats_headline(stats);
    if stats.reviews.len() <= 20 {
        for review in &stats.reviews {
            print_review(review);
        }
    }
    print_breakdown(
        "By regional group of the recommending States (recommendations)",
        &stats.by_regional_group,
        10,
    );
    let named_goals: Vec<GroupCount> = stats
        .by_sdg_goal
        .iter()
        .map(|line| {
            let title = goals
                .iter()
                .find(|g| g.goal.to_string() == line.key)
                .map(|g| g.short_en.as_str());
            GroupCount {
                key: format!("{} {}", line.key, title.unwrap_or_default()),
                ..line.clone()
            }
        })
        .collect();
    print_breakdown("By SDG goal", &named_goals, 17);
    print_breakdown("By theme (UHRI)", &stats.by_theme, 10);
    print_breakdown("By UPR Info issue", &stats.by_upr_issue, 10);
    print_breakdown("By affected persons", &stats.by_affected_persons, 10);
}

pub fn print_list_line(record: &RecommendationRecord) {
    let mut text: String = record.text.chars().take(100).collect();
    if text.len() < record.text.len() {
        text.push('…');
    }
    out!(
        "{:<22} {:<17} {}",
        record.uid,
        record.position,
        text.replace('\n', " ")
    );
}

pub fn print_record(record: &RecommendationRecord) {
    out!("{}", record.uid);
    out!(
        "Review:      {}{}",
        review_label(
            &record.state,
            &record.mechanism,
            record.cycle,
            record.session
        ),
        [record.date.as_deref(), record.report_symbol.as_deref()]
            .into_iter()
            .flatten()
            .map(|s| format!(", {s}"))
            .collect::<String>()
    );
    if let Some(paragraph) = &record.paragraph {
        out!("Paragraph:   {paragraph}");
    }
    out!(
        "Text ({}):\n  {}",
        record.language,
        record.text.replace('\n', "\n  ")
    );
    out!("Made by:     {}", record.recommending_states.join(", "));
    out!(
        "Position:    {}{}",
        record.position,
        record
            .position_source
            .as_ref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default()
    );
    let lists = [
        (
            "Heading",
            record.theme_heading.iter().cloned().collect::<Vec<_>>(),
        ),
        ("Themes", record.themes.clone()),
        ("Persons", record.affected_persons.clone()),
        (
            "SDG goals",
            record.sdg_goals.iter().map(i64::to_string).collect(),
        ),
        ("SDG targets", record.sdg_targets.clone()),
        ("UPR Info", record.upr_issues.clone()),
    ];
    for (label, values) in lists {
        if !values.is_empty() {
            out!("{:<12} {}", format!("{label}:"), values.join("; "));
        }
    }
    if let Some(category) = record.action_category {
        out!("Action category (UPR Info): {category}");
    }
}
