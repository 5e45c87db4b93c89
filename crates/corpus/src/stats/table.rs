//! The terminal report: aligned plain-text tables, one section after another.
//!
//! The columns are laid out here rather than by a table crate because the layout is part of
//! the output format (two-space gutters, a rule under the heading, no borders, trailing
//! blanks trimmed) that scripts and tests compare byte for byte.

use super::format::{articles, percent, source_label, technique_code, thousands, truncate};
use super::model::{Stats, TechniqueCount, Totals};
use std::fmt::Write as _;

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

/// Renders rows as columns padded to the widest cell, two spaces apart, with a rule under the
/// heading.
fn table(out: &mut String, head: &[(&str, Align)], rows: &[Vec<String>]) {
    let mut width: Vec<usize> = head.iter().map(|(h, _)| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::from("  ");
        for (i, cell) in cells.enumerate() {
            let pad = width[i].saturating_sub(cell.chars().count());
            if i > 0 {
                s.push_str("  ");
            }
            match head[i].1 {
                Align::Left => {
                    s.push_str(cell);
                    s.extend(std::iter::repeat_n(' ', pad));
                }
                Align::Right => {
                    s.extend(std::iter::repeat_n(' ', pad));
                    s.push_str(cell);
                }
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(out, &mut head.iter().map(|(h, _)| *h));
    let rule: Vec<String> = width.iter().map(|w| "─".repeat(*w)).collect();
    line(out, &mut rule.iter().map(String::as_str));
    for row in rows {
        line(out, &mut row.iter().map(String::as_str));
    }
}

fn section(out: &mut String, title: &str) {
    out.push('\n');
    out.push_str(title);
    out.push('\n');
}

/// The plain-text report: several aligned tables, for a terminal or a log.
pub fn render_table(stats: &Stats) -> String {
    let mut out = String::new();
    let t = &stats.totals;
    let _ = write!(out, "unspin stats");
    if !stats.filter.is_empty() {
        let _ = write!(out, " ({})", stats.filter.describe());
    }
    out.push('\n');
    if t.articles == 0 {
        for n in &stats.notes {
            let _ = writeln!(out, "\n{n}");
        }
        return out;
    }
    overview(&mut out, t);
    techniques(&mut out, stats);
    let groups = GroupTable::new(stats);
    if !stats.by_source.is_empty() && t.articles_without_source < t.articles {
        let rows = stats.by_source.iter().map(|s| GroupCells {
            label: truncate(source_label(&s.source), 28),
            articles: s.articles,
            share: s.propaganda_share,
            spans_per_1000: s.spans_per_1000_articles,
            techniques: &s.techniques,
        });
        groups.render(&mut out, "OUTLETS", "Outlet", rows);
    }
    if !stats.by_month.is_empty() {
        let rows = stats.by_month.iter().map(|m| GroupCells {
            label: m.month.clone(),
            articles: m.articles,
            share: m.propaganda_share,
            spans_per_1000: m.spans_per_1000_articles,
            techniques: &m.techniques,
        });
        groups.render(&mut out, "MONTHS", "Month", rows);
    }
    phrases(&mut out, stats);
    findings(&mut out, stats);
    if !stats.notes.is_empty() {
        section(&mut out, "NOTES");
        for n in &stats.notes {
            out.push_str(&wrap(n, 100, "  - ", "    "));
        }
    }
    out
}

fn overview(out: &mut String, t: &Totals) {
    section(out, "OVERVIEW");
    let months = match (&t.first_month, &t.last_month) {
        (Some(a), Some(b)) if a != b => format!("{} ({a} to {b})", t.months),
        (Some(a), _) => format!("1 ({a})"),
        _ => "none (no parseable dates)".into(),
    };
    let spans = format!(
        "{} ({:.1} per article)",
        thousands(t.spans),
        t.spans_per_1000_articles / 1000.0
    );
    let share = format!(
        "{} of {} characters",
        percent(t.propaganda_share),
        thousands(t.chars)
    );
    let rows = [
        ("Articles", thousands(t.articles)),
        ("Outlets", thousands(t.sources)),
        ("Months", months),
        ("Propaganda spans", spans),
        ("Propaganda share", share),
        (
            "Check-worthy sentences",
            format!(
                "{} of {}",
                thousands(t.check_worthy),
                thousands(t.sentences)
            ),
        ),
        (
            "Quotes",
            format!(
                "{} ({} unattributed)",
                thousands(t.quotes),
                thousands(t.unattributed_quotes)
            ),
        ),
        (
            "Findings",
            format!(
                "{} in {}",
                thousands(t.findings),
                articles(t.articles_with_findings)
            ),
        ),
    ];
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(k, v)| vec![k.into(), v]).collect();
    table(
        out,
        &[("Measure", Align::Left), ("Value", Align::Left)],
        &rows,
    );
}

fn techniques(out: &mut String, stats: &Stats) {
    section(out, "TECHNIQUES");
    let rows: Vec<Vec<String>> = stats
        .techniques
        .iter()
        .map(|c| {
            vec![
                c.technique.clone(),
                thousands(c.spans),
                percent(c.share_of_spans),
                format!("{:.0}", c.per_1000_articles),
            ]
        })
        .collect();
    table(
        out,
        &[
            ("Technique", Align::Left),
            ("Spans", Align::Right),
            ("Share", Align::Right),
            ("Per 1000 articles", Align::Right),
        ],
        &rows,
    );
}

/// One row of the outlet or month table.
struct GroupCells<'a> {
    label: String,
    articles: u64,
    share: f64,
    spans_per_1000: f64,
    /// In the order of [`Stats::techniques`].
    techniques: &'a [TechniqueCount],
}

/// Outlets and months are the same table over a different grouping: per-technique columns
/// for the techniques that occur, most frequent first, with a legend of their codes.
struct GroupTable<'a> {
    cols: Vec<usize>,
    codes: Vec<&'a str>,
    legend: String,
}

impl<'a> GroupTable<'a> {
    fn new(stats: &'a Stats) -> Self {
        let cols = stats.present_techniques();
        let codes: Vec<&str> = cols
            .iter()
            .map(|&i| technique_code(&stats.techniques[i].technique))
            .collect();
        let mut legend = String::from("  Spans per 1000 articles.");
        let mut width = legend.chars().count();
        for &i in &cols {
            let n = &stats.techniques[i].technique;
            let item = format!("{} = {n}", technique_code(n));
            let w = item.chars().count() + 3;
            if width + w > 100 {
                legend.push_str("\n ");
                width = 1;
            }
            legend.push_str("   ");
            legend.push_str(&item);
            width += w;
        }
        legend.push('\n');
        GroupTable {
            cols,
            codes,
            legend,
        }
    }

    fn render<'r>(
        &self,
        out: &mut String,
        title: &str,
        first: &str,
        rows: impl Iterator<Item = GroupCells<'r>>,
    ) {
        section(out, title);
        let mut head: Vec<(&str, Align)> = vec![
            (first, Align::Left),
            ("Articles", Align::Right),
            ("Share", Align::Right),
            ("Spans/art", Align::Right),
        ];
        head.extend(self.codes.iter().map(|c| (*c, Align::Right)));
        let rows: Vec<Vec<String>> = rows
            .map(|g| {
                let mut row = vec![
                    g.label,
                    thousands(g.articles),
                    percent(g.share),
                    format!("{:.1}", g.spans_per_1000 / 1000.0),
                ];
                row.extend(
                    self.cols
                        .iter()
                        .map(|&i| format!("{:.0}", g.techniques[i].per_1000_articles)),
                );
                row
            })
            .collect();
        table(out, &head, &rows);
        out.push_str(&self.legend);
    }
}

fn phrases(out: &mut String, stats: &Stats) {
    if stats.phrases.is_empty() {
        return;
    }
    section(
        out,
        "LOADED PHRASES (Loaded_Language, Name_Calling,Labeling)",
    );
    let rows: Vec<Vec<String>> = stats
        .phrases
        .iter()
        .enumerate()
        .map(|(i, p)| {
            vec![
                (i + 1).to_string(),
                truncate(&p.phrase, 50),
                thousands(p.count),
                thousands(p.outlets),
                technique_code(&p.technique).to_string(),
            ]
        })
        .collect();
    table(
        out,
        &[
            ("#", Align::Right),
            ("Phrase", Align::Left),
            ("Count", Align::Right),
            ("Outlets", Align::Right),
            ("Mostly", Align::Left),
        ],
        &rows,
    );
}

fn findings(out: &mut String, stats: &Stats) {
    if stats.top_findings.is_empty() {
        return;
    }
    section(out, "ARTICLES WITH THE MOST FINDINGS");
    let mut rows = Vec::new();
    for a in &stats.top_findings {
        // The article's columns on its first explanation only; the rest continue below it.
        let mut lead = vec![
            truncate(&a.id, 24),
            truncate(source_label(&a.source), 24),
            a.date.clone().unwrap_or_default(),
            a.n_findings.to_string(),
        ];
        for e in &a.explanations {
            let mut row = std::mem::replace(&mut lead, vec![String::new(); 4]);
            row.push(truncate(e, 90));
            rows.push(row);
        }
    }
    table(
        out,
        &[
            ("Article", Align::Left),
            ("Outlet", Align::Left),
            ("Date", Align::Left),
            ("Findings", Align::Right),
            ("Explanation", Align::Left),
        ],
        &rows,
    );
}

/// Wraps `text` at `width` columns; every line starts with `first` or, after the first,
/// `indent`.
fn wrap(text: &str, width: usize, first: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = indent.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    if !empty {
        out.push_str(&line);
        out.push('\n');
    }
    out
}
