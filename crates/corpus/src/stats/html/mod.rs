//! The HTML report: one self-contained page (inline CSS, SVG and a little JavaScript, nothing
//! fetched), so it can be mailed, archived or opened offline and look the same everywhere.
//!
//! Charts are SVG drawn here rather than by a JavaScript library: the page needs no network,
//! renders without scripts (tooltips fall back to SVG `<title>`), and is testable as text.
//! Every corpus string (outlet names, phrases, ids, explanations) goes through [`esc`].

mod charts;
mod timeline;

use super::format::{articles, counted, percent, source_label, thousands, truncate};
use super::model::Stats;
use charts::{mix_chart, phrases_chart, share_chart, techniques_chart};
use std::fmt::Write as _;
use timeline::{month_label, time_chart};
// The one HTML escaper, shared with the export: control characters become U+FFFD.
use unspin::export::html::esc;
use unspin::Technique;

const TEMPLATE: &str = include_str!("../../../assets/stats.html");

/// Replaces each `{{KEY}}` of the template in one pass, so text that happens to contain a
/// placeholder is never substituted again.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|v| v.1.len()).sum::<usize>());
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find("}}").and_then(|j| {
            let key = &after[..j];
            values.iter().find(|(k, _)| *k == key).map(|(_, v)| (j, *v))
        }) {
            Some((j, v)) => {
                out.push_str(v);
                rest = &after[j + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn color(technique: &str) -> &'static str {
    technique
        .parse::<Technique>()
        .map(Technique::color)
        .unwrap_or("#8c8c8c")
}

fn short(technique: &str) -> String {
    technique
        .parse::<Technique>()
        .map(|t| t.short_name().to_string())
        .unwrap_or_else(|_| technique.to_string())
}

/// A readable name: `Name_Calling,Labeling` → `Name Calling, Labeling`.
fn pretty(technique: &str) -> String {
    technique.replace('_', " ").replace(',', ", ")
}

fn rgb(hex: &str) -> (f64, f64, f64) {
    let h = hex.trim_start_matches('#');
    let c = |i: usize| {
        h.get(i..i + 2)
            .and_then(|s| u8::from_str_radix(s, 16).ok())
            .unwrap_or(128) as f64
            / 255.0
    };
    (c(0), c(2), c(4))
}

/// Relative luminance (WCAG), to pick dark or light text on a coloured fill.
fn luminance(hex: &str) -> f64 {
    let lin = |c: f64| {
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let (r, g, b) = rgb(hex);
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

fn text_on(hex: &str) -> &'static str {
    if luminance(hex) > 0.35 {
        "#14171a"
    } else {
        "#ffffff"
    }
}

/// A number for SVG coordinates: one decimal is plenty and keeps the page small.
fn f(x: f64) -> String {
    if x.is_finite() {
        let s = format!("{x:.1}");
        s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
    } else {
        "0".into()
    }
}

/// A "nice" axis: a step of 1, 2 or 5 × 10^k giving about `n` ticks up to at least `max`.
fn nice_axis(max: f64, n: usize) -> (f64, f64) {
    if !(max.is_finite() && max > 0.0) {
        return (1.0, 1.0);
    }
    let raw = max / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let top = (max / step).ceil() * step;
    (step, top.max(step))
}

/// `1 span`, `2,000 spans`.
fn spans(n: u64) -> String {
    counted(n, "span", "spans")
}

fn rate(x: f64) -> String {
    thousands(x.round().max(0.0) as u64)
}

/// Renders the statistics as a self-contained HTML page titled `title` (e.g. the batch
/// directory's name).
pub fn render_html(stats: &Stats, title: &str) -> String {
    let mut body = String::new();
    header(&mut body, stats, title);
    if stats.totals.articles == 0 {
        let msg = stats
            .notes
            .first()
            .map(String::as_str)
            .unwrap_or("No articles.");
        let _ = write!(
            body,
            r#"<section class="card empty" data-testid="empty"><h2>Nothing to show</h2><p>{}</p><p class="sub">Run <code>unspin batch INPUT --out DIR</code> to analyse a corpus, then <code>unspin stats DIR --html report.html</code>.</p></section>"#,
            esc(msg)
        );
    } else {
        kpis(&mut body, stats);
        let has_sources = stats.totals.articles_without_source < stats.totals.articles;
        legend(&mut body, stats);
        if has_sources {
            mix_chart(&mut body, stats);
        }
        time_chart(&mut body, stats);
        body.push_str(r#"<div class="grid2"><div class="col">"#);
        if has_sources {
            share_chart(&mut body, stats);
        }
        techniques_chart(&mut body, stats);
        body.push_str(r#"</div><div class="col">"#);
        phrases_chart(&mut body, stats);
        body.push_str("</div></div>");
        if has_sources {
            heat_table(&mut body, stats);
        }
        findings_table(&mut body, stats);
        notes(&mut body, stats);
    }
    fill(
        TEMPLATE,
        &[
            ("TITLE", &esc(&format!("{title} · unspin statistics"))),
            ("BODY", &body),
            ("VERSION", env!("CARGO_PKG_VERSION")),
        ],
    )
}

fn header(out: &mut String, stats: &Stats, title: &str) {
    let t = &stats.totals;
    let mut sub = Vec::new();
    if t.articles > 0 {
        sub.push(articles(t.articles));
        if t.sources > 0 {
            sub.push(format!(
                "{} outlet{}",
                thousands(t.sources),
                if t.sources == 1 { "" } else { "s" }
            ));
        }
        match (&t.first_month, &t.last_month) {
            (Some(a), Some(b)) if a != b => sub.push(format!(
                "{} – {}",
                month_label(a, true),
                month_label(b, true)
            )),
            (Some(a), _) => sub.push(month_label(a, true)),
            _ => {}
        }
    }
    if !stats.filter.is_empty() {
        sub.push(format!("filtered: {}", stats.filter.describe()));
    }
    let _ = write!(
        out,
        r#"<header class="page"><div class="brand">unspin <span>corpus statistics</span></div><h1>{}</h1><p class="sub">{}</p></header>"#,
        esc(title),
        esc(&sub.join(" · "))
    );
}

fn kpis(out: &mut String, stats: &Stats) {
    let t = &stats.totals;
    let items = [
        (
            "Articles",
            thousands(t.articles),
            format!("{} characters", thousands(t.chars)),
        ),
        (
            "Propaganda share",
            percent(t.propaganda_share),
            "of the text is in spans".to_string(),
        ),
        (
            "Spans",
            thousands(t.spans),
            format!("{:.1} per article", t.spans_per_1000_articles / 1000.0),
        ),
        (
            "Check-worthy",
            thousands(t.check_worthy),
            format!("of {} sentences", thousands(t.sentences)),
        ),
        (
            "Unattributed quotes",
            thousands(t.unattributed_quotes),
            format!("of {} quotes", thousands(t.quotes)),
        ),
        (
            "Findings",
            thousands(t.findings),
            format!("in {}", articles(t.articles_with_findings)),
        ),
    ];
    out.push_str(r#"<section class="kpis" data-testid="kpis">"#);
    for (label, value, note) in items {
        let _ = write!(
            out,
            r#"<div class="kpi"><div class="kpi-label">{}</div><div class="kpi-value">{}</div><div class="kpi-note">{}</div></div>"#,
            esc(label),
            esc(&value),
            esc(&note)
        );
    }
    out.push_str("</section>");
}

/// The technique legend, shared by every technique-coloured chart: hovering an entry
/// highlights that technique everywhere. Entries show each technique's share of all spans.
fn legend(out: &mut String, stats: &Stats) {
    out.push_str(r#"<section class="card legend-card"><div class="legend" data-testid="legend" aria-label="Techniques">"#);
    for c in stats.techniques.iter().filter(|c| c.spans > 0) {
        let _ = write!(
            out,
            r#"<button type="button" data-technique="{t}" title="{tip}"><i style="background:{col}"></i>{name}<span>{share}</span></button>"#,
            t = esc(&c.technique),
            tip = esc(&format!(
                "{}: {}, {} per 1000 articles. {}",
                pretty(&c.technique),
                spans(c.spans),
                rate(c.per_1000_articles),
                c.technique
                    .parse::<Technique>()
                    .map(Technique::definition)
                    .unwrap_or("")
            )),
            col = color(&c.technique),
            name = esc(&short(&c.technique)),
            share = esc(&percent(c.share_of_spans)),
        );
    }
    out.push_str("</div></section>");
}

fn card_start(out: &mut String, id: &str, title: &str, sub: &str) {
    let _ = write!(
        out,
        r#"<section class="card" data-testid="{id}" id="{id}"><h2>{}</h2><p class="sub">{}</p>"#,
        esc(title),
        esc(sub)
    );
}

fn empty_chart(out: &mut String, msg: &str) {
    let _ = write!(out, r#"<p class="nodata">{}</p>"#, esc(msg));
}

/// Outlets × techniques, spans per 1000 articles, each column shaded relative to its maximum:
/// which outlet leans on which technique most.
fn heat_table(out: &mut String, stats: &Stats) {
    card_start(
        out,
        "heat",
        "Techniques per 1000 articles, by outlet",
        "Each column is shaded from its lowest to its highest value, so the heaviest user of every \
         technique stands out.",
    );
    let cols = stats.present_techniques();
    out.push_str(r#"<div class="scroll"><table class="heat"><thead><tr><th class="left">Outlet</th><th>Articles</th>"#);
    for &i in &cols {
        let t = &stats.techniques[i].technique;
        let _ = write!(
            out,
            r#"<th class="vert" data-technique="{}" title="{}"><span>{}</span></th>"#,
            esc(t),
            esc(&pretty(t)),
            esc(&short(t))
        );
    }
    out.push_str("</tr></thead><tbody>");
    // Shade by where a value lies between its column's minimum and maximum: outlets often
    // differ by tens of percent, which shading against zero would hide.
    let col_range: Vec<(f64, f64)> = cols
        .iter()
        .map(|&i| {
            stats
                .by_source
                .iter()
                .map(|s| s.techniques[i].per_1000_articles)
                .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                })
        })
        .collect();
    for s in &stats.by_source {
        let name = source_label(&s.source);
        let _ = write!(
            out,
            r#"<tr><th class="left" title="{o}">{n}</th><td class="num">{a}</td>"#,
            o = esc(name),
            n = esc(&truncate(name, 32)),
            a = thousands(s.articles)
        );
        for (j, &i) in cols.iter().enumerate() {
            let c = &s.techniques[i];
            let _ = write!(
                out,
                r#"<td class="num" data-technique="{t}" style="{style}" title="{tip}">{v}</td>"#,
                t = esc(&c.technique),
                style = heat_style(&c.technique, c.spans, c.per_1000_articles, col_range[j]),
                tip = esc(&format!(
                    "{name} · {}: {}, {} per 1000 articles",
                    pretty(&c.technique),
                    spans(c.spans),
                    rate(c.per_1000_articles)
                )),
                v = rate(c.per_1000_articles)
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div></section>");
}

/// The fill of one heat-table cell: the technique's colour, more opaque the nearer `value` lies
/// to its column's maximum (`lo..hi`), and none for a technique the outlet never used.
fn heat_style(technique: &str, spans: u64, value: f64, (lo, hi): (f64, f64)) -> String {
    let level = if hi > lo {
        (value - lo) / (hi - lo)
    } else {
        0.5
    };
    let (r, g, b) = rgb(color(technique));
    let alpha = if spans == 0 { 0.0 } else { 0.08 + 0.84 * level };
    // Text colour for the fill as seen over a light page; over a dark page the weak fills keep
    // the page's own (light) text colour.
    let fg = if alpha > 0.5 {
        let blend = |c: f64| alpha * c + (1.0 - alpha);
        let seen = format!(
            "#{:02x}{:02x}{:02x}",
            (blend(r) * 255.0) as u8,
            (blend(g) * 255.0) as u8,
            (blend(b) * 255.0) as u8
        );
        format!(";color:{}", text_on(&seen))
    } else {
        String::new()
    };
    format!(
        "background:rgba({:.0},{:.0},{:.0},{alpha:.2}){fg}",
        r * 255.0,
        g * 255.0,
        b * 255.0
    )
}

/// Whether a URL may become a link: only web addresses, never `javascript:` and the like.
fn safe_url(url: &str) -> bool {
    let u = url.trim_start().to_ascii_lowercase();
    u.starts_with("http://") || u.starts_with("https://")
}

fn findings_table(out: &mut String, stats: &Stats) {
    card_start(
        out,
        "findings",
        "Articles with the most findings",
        "Places where an article contradicts itself: parts that do not add up to their total, \
         conflicting values, one name spelled two ways.",
    );
    if stats.top_findings.is_empty() {
        empty_chart(out, "No article contradicts itself.");
        out.push_str("</section>");
        return;
    }
    out.push_str(r#"<div class="scroll"><table class="findings"><thead><tr><th>#</th><th class="left">Article</th><th class="left">Outlet</th><th class="left">Date</th><th>Findings</th><th class="left">What does not add up</th></tr></thead><tbody>"#);
    for (i, a) in stats.top_findings.iter().enumerate() {
        let id = match &a.url {
            Some(u) if safe_url(u) => format!(
                r#"<a href="{}" rel="noopener noreferrer">{}</a>"#,
                esc(u.trim()),
                esc(&a.id)
            ),
            _ => esc(&a.id),
        };
        let title = a
            .title
            .as_deref()
            .map(|t| {
                format!(
                    r#"<div class="muted small">{}</div>"#,
                    esc(&truncate(t, 90))
                )
            })
            .unwrap_or_default();
        let _ = write!(
            out,
            r#"<tr><td class="num muted">{n}</td><td class="left id">{id}{title}</td><td class="left">{s}</td><td class="left nowrap">{d}</td><td class="num"><span class="pill">{k}</span></td><td class="left"><ul>"#,
            n = i + 1,
            s = esc(source_label(&a.source)),
            d = esc(a.date.as_deref().unwrap_or("")),
            k = a.n_findings,
        );
        for e in &a.explanations {
            let _ = write!(out, "<li>{}</li>", esc(e));
        }
        out.push_str("</ul></td></tr>");
    }
    out.push_str("</tbody></table></div></section>");
}

fn notes(out: &mut String, stats: &Stats) {
    if stats.notes.is_empty() {
        return;
    }
    out.push_str(r#"<section class="card notes" data-testid="notes"><h2>Notes</h2><ul>"#);
    for n in &stats.notes {
        let _ = write!(out, "<li>{}</li>", esc(n));
    }
    out.push_str("</ul></section>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(spans(1), "1 span");
        assert_eq!(spans(0), "0 spans");
        assert_eq!(spans(2000), "2,000 spans");
        assert_eq!(counted(1, "outlet", "outlets"), "1 outlet");
    }
}
