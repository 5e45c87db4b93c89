//! The HTML report: one self-contained page (inline CSS, SVG and a little JavaScript, nothing
//! fetched), so it can be mailed, archived or opened offline and look the same everywhere.
//!
//! Charts are SVG drawn here rather than by a JavaScript library: the page needs no network,
//! renders without scripts (tooltips fall back to SVG `<title>`), and is testable as text.
//! Every corpus string (outlet names, phrases, ids, explanations) goes through [`esc`].

use super::{
    articles, counted, percent, source_label, thousands, truncate, MonthRow, Stats,
    PHRASE_TECHNIQUES,
};
use std::fmt::Write as _;
use unspin::Technique;

const TEMPLATE: &str = include_str!("../../assets/stats.html");

/// Escapes text for HTML element content and quoted attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

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

fn month_label(m: &str, with_year: bool) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let name = m
        .get(5..7)
        .and_then(|s| s.parse::<usize>().ok())
        .and_then(|i| NAMES.get(i.wrapping_sub(1)))
        .copied();
    match (name, m.get(..4)) {
        (Some(n), Some(y)) if with_year => format!("{n} {y}"),
        (Some(n), _) => n.to_string(),
        _ => m.to_string(),
    }
}

/// The longest stretch drawn month by month: a stray date decades away would otherwise squeeze
/// the real months into slivers.
const MAX_MONTH_SLOTS: usize = 240;

/// A true time axis: every calendar month from the first to the last one with articles, and
/// the slot of each row of `months` (sorted `YYYY-MM`) on it, so months without articles show
/// as gaps rather than being skipped. `None` when a month does not parse or the stretch is
/// longer than [`MAX_MONTH_SLOTS`]; the chart then puts the rows side by side.
fn month_slots(months: &[MonthRow]) -> Option<(Vec<String>, Vec<usize>)> {
    let index = |m: &str| -> Option<i64> {
        let (y, mo) = m.split_once('-')?;
        let (y, mo): (i64, i64) = (y.parse().ok()?, mo.parse().ok()?);
        (1..=12).contains(&mo).then_some(y * 12 + mo - 1)
    };
    let idx: Vec<i64> = months
        .iter()
        .map(|m| index(&m.month))
        .collect::<Option<_>>()?;
    let (first, last) = (*idx.first()?, *idx.last()?);
    let len = usize::try_from(last - first + 1).ok()?;
    if len > MAX_MONTH_SLOTS || idx.windows(2).any(|w| w[0] >= w[1]) {
        return None;
    }
    let labels = (first..=last)
        .map(|i| format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1))
        .collect();
    Some((labels, idx.iter().map(|&i| (i - first) as usize).collect()))
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

/// Technique mix per outlet: one 100% stacked bar per outlet.
fn mix_chart(out: &mut String, stats: &Stats) {
    card_start(
        out,
        "mix",
        "Technique mix per outlet",
        "Share of each outlet's propaganda spans by technique. Hover a segment for counts.",
    );
    const W: f64 = 1000.0;
    const LABEL: f64 = 230.0;
    const X0: f64 = 244.0;
    const BAR_W: f64 = W - X0 - 12.0;
    const ROW: f64 = 42.0;
    const BAR_H: f64 = 24.0;
    const TOP: f64 = 6.0;
    let rows = &stats.by_source;
    let h = TOP + ROW * rows.len() as f64 + 30.0;
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {W} {}" role="img" aria-label="Technique mix per outlet">"#,
        f(h)
    );
    // Grid and axis.
    let axis_y = TOP + ROW * rows.len() as f64;
    for i in 0..=4 {
        let x = X0 + BAR_W * i as f64 / 4.0;
        let _ = write!(
            out,
            r#"<line class="grid" x1="{x}" x2="{x}" y1="{TOP}" y2="{y}"/><text class="tick" x="{x}" y="{ty}" text-anchor="middle">{p}%</text>"#,
            x = f(x),
            y = f(axis_y),
            ty = f(axis_y + 18.0),
            p = i * 25
        );
    }
    for (r, row) in rows.iter().enumerate() {
        let y = TOP + ROW * r as f64 + (ROW - BAR_H) / 2.0;
        let name = source_label(&row.source);
        let _ = write!(
            out,
            r#"<g class="row" data-outlet="{o}"><text class="label" x="{LABEL}" y="{y1}" text-anchor="end">{n}<title>{o}</title></text><text class="label-sub" x="{LABEL}" y="{y2}" text-anchor="end">{a}</text>"#,
            o = esc(name),
            n = esc(&truncate(name, 28)),
            y1 = f(y + 10.0),
            y2 = f(y + 24.0),
            a = articles(row.articles),
        );
        if row.spans == 0 {
            let _ = write!(
                out,
                r#"<rect class="track" x="{X0}" y="{y}" width="{BAR_W}" height="{BAR_H}" rx="3"/><text class="tick" x="{x}" y="{ty}">no spans</text>"#,
                y = f(y),
                x = f(X0 + 8.0),
                ty = f(y + 16.0)
            );
        }
        let total: u64 = row.techniques.iter().map(|c| c.spans).sum();
        let mut x = X0;
        for c in row.techniques.iter().filter(|c| c.spans > 0) {
            let w = BAR_W * c.spans as f64 / total.max(1) as f64;
            let col = color(&c.technique);
            let _ = write!(
                out,
                r#"<rect class="seg" data-technique="{t}" x="{x}" y="{y}" width="{w}" height="{BAR_H}" fill="{col}"><title>{tip}</title></rect>"#,
                t = esc(&c.technique),
                x = f(x),
                y = f(y),
                w = f(w),
                tip = esc(&format!(
                    "{name} · {}\n{}, {} of the outlet's spans\n{} per 1000 articles",
                    pretty(&c.technique),
                    spans(c.spans),
                    percent(c.share_of_spans),
                    rate(c.per_1000_articles)
                )),
            );
            if w >= 34.0 {
                let _ = write!(
                    out,
                    r#"<text class="seg-label" data-technique="{t}" x="{x}" y="{y}" text-anchor="middle" style="fill:{fg}">{p:.0}%</text>"#,
                    t = esc(&c.technique),
                    x = f(x + w / 2.0),
                    y = f(y + BAR_H / 2.0 + 4.0),
                    fg = text_on(col),
                    p = c.share_of_spans * 100.0
                );
            }
            x += w;
        }
        out.push_str("</g>");
    }
    out.push_str("</svg></section>");
}

/// Techniques over time: stacked areas of spans per 1000 articles, by month, with the number
/// of articles per month below (a rate from few articles is noisy, and the reader should see
/// that).
fn time_chart(out: &mut String, stats: &Stats) {
    card_start(
        out,
        "time",
        "Techniques over time",
        "Spans per 1000 articles, stacked by technique, per month of publication. The bars \
         below count the articles behind each month; a month without articles is a gap.",
    );
    let months = &stats.by_month;
    if months.is_empty() {
        empty_chart(
            out,
            "No article has a date that parses (like 2025-03-01), so there is no timeline.",
        );
        out.push_str("</section>");
        return;
    }
    const W: f64 = 1000.0;
    const X0: f64 = 70.0;
    const X1: f64 = W - 16.0;
    const Y0: f64 = 12.0;
    const PLOT_H: f64 = 290.0;
    const STRIP_Y: f64 = Y0 + PLOT_H + 16.0;
    const STRIP_H: f64 = 48.0;
    const H: f64 = STRIP_Y + STRIP_H + 34.0;
    let n = months.len();
    let (labels, slot_of) = month_slots(months).unwrap_or_else(|| {
        (
            months.iter().map(|m| m.month.clone()).collect(),
            (0..n).collect(),
        )
    });
    let n_slots = labels.len();
    // Runs of months next to each other: each is drawn as one shape, gaps between them.
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    for i in 0..n {
        match runs.last_mut() {
            Some(r) if slot_of[r.end - 1] + 1 == slot_of[i] => r.end = i + 1,
            _ => runs.push(i..i + 1),
        }
    }
    let n_tech = stats.techniques.len();
    let max_total = months
        .iter()
        .map(|m| m.spans_per_1000_articles)
        .fold(0.0, f64::max);
    let (step, top) = nice_axis(max_total, 5);
    let y_of = |v: f64| Y0 + PLOT_H - PLOT_H * v / top;
    // Each month owns an equal slot; points and bars sit at the slot centres, so the first
    // and last month's bars stay inside the plot.
    let slot = (X1 - X0) / n_slots as f64;
    let x_at = |j: usize| X0 + slot * (j as f64 + 0.5);
    let x_of = |i: usize| x_at(slot_of[i]);
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="Techniques over time">"#
    );
    let mut v = 0.0;
    while v <= top + step / 2.0 {
        let y = y_of(v);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{X0}" x2="{X1}" y1="{y}" y2="{y}"/><text class="tick" x="{tx}" y="{ty}" text-anchor="end">{l}</text>"#,
            y = f(y),
            tx = f(X0 - 8.0),
            ty = f(y + 4.0),
            l = rate(v)
        );
        v += step;
    }
    let _ = write!(
        out,
        r#"<text class="axis-title" transform="translate(16 {y}) rotate(-90)" text-anchor="middle">Spans per 1000 articles</text>"#,
        y = f(Y0 + PLOT_H / 2.0)
    );
    // Stacked layers, most frequent technique at the bottom.
    let mut base = vec![0.0f64; n];
    for k in 0..n_tech {
        let vals: Vec<f64> = months
            .iter()
            .map(|m| m.techniques[k].per_1000_articles)
            .collect();
        if vals.iter().all(|v| *v == 0.0) {
            continue;
        }
        let tech = &stats.techniques[k].technique;
        let col = color(tech);
        let tip = esc(&format!(
            "{} · {} over the period",
            pretty(tech),
            spans(months.iter().map(|m| m.techniques[k].spans).sum())
        ));
        for run in &runs {
            if run.len() == 1 {
                let i = run.start;
                let bw = 80.0f64.min(slot * 0.6);
                let _ = write!(
                    out,
                    r#"<rect class="layer" data-technique="{t}" x="{x}" y="{y}" width="{bw}" height="{h}" fill="{col}"><title>{tip}</title></rect>"#,
                    t = esc(tech),
                    x = f(x_of(i) - bw / 2.0),
                    y = f(y_of(base[i] + vals[i])),
                    bw = f(bw),
                    h = f(PLOT_H * vals[i] / top),
                );
                continue;
            }
            let mut pts = String::new();
            for i in run.clone() {
                let _ = write!(pts, "{},{} ", f(x_of(i)), f(y_of(base[i] + vals[i])));
            }
            for i in run.clone().rev() {
                let _ = write!(pts, "{},{} ", f(x_of(i)), f(y_of(base[i])));
            }
            let _ = write!(
                out,
                r#"<polygon class="layer" data-technique="{t}" points="{p}" fill="{col}"><title>{tip}</title></polygon>"#,
                t = esc(tech),
                p = pts.trim_end(),
            );
        }
        for i in 0..n {
            base[i] += vals[i];
        }
    }
    // Articles per month.
    let max_articles = months.iter().map(|m| m.articles).max().unwrap_or(1).max(1);
    let bw = (slot * 0.55).clamp(2.0, 40.0);
    let _ = write!(
        out,
        r#"<text class="tick" x="{tx}" y="{ty}" text-anchor="end">Articles</text><text class="tick small" x="{tx}" y="{ty2}" text-anchor="end">max {m}</text>"#,
        tx = f(X0 - 8.0),
        ty = f(STRIP_Y + STRIP_H / 2.0),
        ty2 = f(STRIP_Y + STRIP_H / 2.0 + 13.0),
        m = thousands(max_articles)
    );
    for (i, m) in months.iter().enumerate() {
        let h = STRIP_H * m.articles as f64 / max_articles as f64;
        let _ = write!(
            out,
            r#"<rect class="strip" x="{x}" y="{y}" width="{bw}" height="{h}" rx="1.5"/>"#,
            x = f(x_of(i) - bw / 2.0),
            y = f(STRIP_Y + STRIP_H - h),
            bw = f(bw),
            h = f(h.max(1.0)),
        );
    }
    // Month labels along the calendar, thinned to stay about 70 units apart.
    let every = ((70.0 / slot).ceil() as usize).max(1);
    let mut last_year = "";
    for (j, month) in labels.iter().enumerate() {
        if j % every != 0 && j != n_slots - 1 {
            continue;
        }
        if j == n_slots - 1 && j % every != 0 && (j % every) * 2 < every {
            continue; // too close to the previous label
        }
        let year = month.get(..4).unwrap_or("");
        let with_year = year != last_year;
        last_year = year;
        let _ = write!(
            out,
            r#"<text class="tick" x="{x}" y="{y}" text-anchor="middle">{l}</text>"#,
            x = f(x_at(j)),
            y = f(STRIP_Y + STRIP_H + 18.0),
            l = esc(&month_label(month, with_year))
        );
    }
    // Hover columns with the whole month in the tooltip.
    for (i, m) in months.iter().enumerate() {
        let mut tip = format!(
            "{} · {} · {} spans per 1000 articles · {} propaganda",
            month_label(&m.month, true),
            articles(m.articles),
            rate(m.spans_per_1000_articles),
            percent(m.propaganda_share)
        );
        let mut ranked: Vec<_> = m.techniques.iter().filter(|c| c.spans > 0).collect();
        ranked.sort_by_key(|c| std::cmp::Reverse(c.spans));
        for c in ranked {
            let _ = write!(
                tip,
                "\n{}: {} per 1000 articles ({})",
                pretty(&c.technique),
                rate(c.per_1000_articles),
                spans(c.spans)
            );
        }
        let _ = write!(
            out,
            r#"<rect class="hover" data-month="{mo}" x="{x}" y="{Y0}" width="{w}" height="{h}"><title>{tip}</title></rect>"#,
            mo = esc(&m.month),
            x = f(x_of(i) - slot / 2.0),
            w = f(slot),
            h = f(STRIP_Y + STRIP_H - Y0),
            tip = esc(&tip)
        );
    }
    out.push_str("</svg></section>");
}

/// Propaganda share per outlet: bars sorted by share, with the corpus-wide share marked.
fn share_chart(out: &mut String, stats: &Stats) {
    card_start(
        out,
        "share",
        "Propaganda share per outlet",
        "Characters inside a propaganda span, as a share of each outlet's text. Outlets with \
         fewer than 3 articles come last, marked *: one or two articles say little about an \
         outlet.",
    );
    const W: f64 = 540.0;
    const LABEL: f64 = 150.0;
    const X0: f64 = 160.0;
    const BAR_W: f64 = W - X0 - 56.0;
    const ROW: f64 = 30.0;
    const BAR_H: f64 = 18.0;
    const TOP: f64 = 22.0;
    // An outlet seen in one article would otherwise top the chart on that article alone.
    const FEW_ARTICLES: u64 = 3;
    let few = |r: &&super::SourceRow| r.articles < FEW_ARTICLES;
    let mut rows: Vec<_> = stats.by_source.iter().collect();
    rows.sort_by(|a, b| {
        few(a)
            .cmp(&few(b))
            .then_with(|| b.propaganda_share.total_cmp(&a.propaganda_share))
            .then_with(|| a.source.cmp(&b.source))
    });
    let overall = stats.totals.propaganda_share;
    let max = rows
        .iter()
        .map(|r| r.propaganda_share)
        .fold(overall, f64::max);
    let (step, top) = nice_axis(max * 100.0, 4);
    let x_of = |share: f64| X0 + BAR_W * (share * 100.0) / top;
    let axis_y = TOP + ROW * rows.len() as f64;
    let h = axis_y + 30.0;
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {W} {}" role="img" aria-label="Propaganda share per outlet">"#,
        f(h)
    );
    let mut v = 0.0;
    while v <= top + step / 2.0 {
        let x = X0 + BAR_W * v / top;
        let _ = write!(
            out,
            r#"<line class="grid" x1="{x}" x2="{x}" y1="{TOP}" y2="{y}"/><text class="tick" x="{x}" y="{ty}" text-anchor="middle">{l}%</text>"#,
            x = f(x),
            y = f(axis_y),
            ty = f(axis_y + 18.0),
            l = if step < 1.0 {
                format!("{v:.1}")
            } else {
                format!("{v:.0}")
            }
        );
        v += step;
    }
    for (r, row) in rows.iter().enumerate() {
        let y = TOP + ROW * r as f64 + (ROW - BAR_H) / 2.0;
        let name = source_label(&row.source);
        let w = (x_of(row.propaganda_share) - X0).max(1.0);
        let _ = write!(
            out,
            r#"<g class="{class}" data-outlet="{o}"><text class="label" x="{LABEL}" y="{ty}" text-anchor="end">{n}<title>{o}</title></text><rect class="bar" x="{X0}" y="{y}" width="{w}" height="{BAR_H}" rx="3"><title>{tip}</title></rect><text class="value" x="{vx}" y="{ty}">{p}{mark}</text></g>"#,
            class = if few(row) { "row few" } else { "row" },
            mark = if few(row) { "*" } else { "" },
            o = esc(name),
            n = esc(&truncate(name, 20)),
            ty = f(y + BAR_H / 2.0 + 4.0),
            y = f(y),
            w = f(w),
            vx = f(X0 + w + 6.0),
            p = percent(row.propaganda_share),
            tip = esc(&format!(
                "{name}: {} of {} characters ({}) in {}",
                thousands(row.propaganda_chars),
                thousands(row.chars),
                percent(row.propaganda_share),
                articles(row.articles)
            )),
        );
    }
    let ox = x_of(overall);
    let _ = write!(
        out,
        r#"<line class="avg" x1="{x}" x2="{x}" y1="{y1}" y2="{y2}"><title>All articles: {p}</title></line><text class="avg-label" x="{x}" y="{ty}" text-anchor="middle">all: {p}</text>"#,
        x = f(ox),
        y1 = f(TOP - 4.0),
        y2 = f(axis_y),
        ty = f(TOP - 8.0),
        p = percent(overall)
    );
    out.push_str("</svg></section>");
}

/// All techniques over the whole selection: spans per 1000 articles.
fn techniques_chart(out: &mut String, stats: &Stats) {
    card_start(
        out,
        "techniques",
        "Techniques overall",
        "Spans per 1000 articles across the whole selection.",
    );
    const W: f64 = 540.0;
    const LABEL: f64 = 110.0;
    const X0: f64 = 120.0;
    const BAR_W: f64 = W - X0 - 110.0;
    const ROW: f64 = 24.0;
    const BAR_H: f64 = 15.0;
    let rows: Vec<_> = stats.techniques.iter().filter(|c| c.spans > 0).collect();
    if rows.is_empty() {
        empty_chart(out, "No propaganda span was found.");
        out.push_str("</section>");
        return;
    }
    let max = rows
        .iter()
        .map(|c| c.per_1000_articles)
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let h = ROW * rows.len() as f64 + 4.0;
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {W} {}" role="img" aria-label="Techniques overall">"#,
        f(h)
    );
    for (i, c) in rows.iter().enumerate() {
        let y = ROW * i as f64 + (ROW - BAR_H) / 2.0;
        let w = (BAR_W * c.per_1000_articles / max).max(1.0);
        let _ = write!(
            out,
            r#"<g class="row"><text class="label" x="{LABEL}" y="{ty}" text-anchor="end">{n}</text><rect class="seg" data-technique="{t}" x="{X0}" y="{y}" width="{w}" height="{BAR_H}" rx="3" fill="{col}"><title>{tip}</title></rect><text class="value" x="{vx}" y="{ty}">{v}<tspan class="muted"> · {p}</tspan></text></g>"#,
            n = esc(&short(&c.technique)),
            t = esc(&c.technique),
            col = color(&c.technique),
            ty = f(y + BAR_H / 2.0 + 4.0),
            y = f(y),
            w = f(w),
            vx = f(X0 + w + 6.0),
            v = rate(c.per_1000_articles),
            p = percent(c.share_of_spans),
            tip = esc(&format!(
                "{}\n{}, {} per 1000 articles, {} of all spans",
                pretty(&c.technique),
                spans(c.spans),
                rate(c.per_1000_articles),
                percent(c.share_of_spans)
            )),
        );
    }
    out.push_str("</svg></section>");
}

/// The most frequent loaded phrases as bars, coloured by their technique.
fn phrases_chart(out: &mut String, stats: &Stats) {
    card_start(
        out,
        "phrases",
        "Most frequent loaded phrases",
        "Spans labelled loaded language or name calling, lowercased and trimmed; how often, and \
         in how many outlets.",
    );
    if stats.phrases.is_empty() {
        empty_chart(out, "No loaded language or name calling was found.");
        out.push_str("</section>");
        return;
    }
    out.push_str(r#"<div class="mini-legend">"#);
    for t in PHRASE_TECHNIQUES {
        let _ = write!(
            out,
            r#"<span data-technique="{}"><i style="background:{}"></i>{}</span>"#,
            esc(t.name()),
            t.color(),
            esc(&pretty(t.name()))
        );
    }
    out.push_str("</div>");
    const W: f64 = 540.0;
    const LABEL: f64 = 180.0;
    const X0: f64 = 190.0;
    const BAR_W: f64 = W - X0 - 92.0;
    const ROW: f64 = 26.0;
    const BAR_H: f64 = 16.0;
    let rows = &stats.phrases;
    let max = rows.iter().map(|p| p.count).max().unwrap_or(1).max(1);
    let h = ROW * rows.len() as f64 + 4.0;
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {W} {}" role="img" aria-label="Most frequent loaded phrases">"#,
        f(h)
    );
    for (i, p) in rows.iter().enumerate() {
        let y = ROW * i as f64 + (ROW - BAR_H) / 2.0;
        let w = (BAR_W * p.count as f64 / max as f64).max(1.0);
        let outlets = counted(p.outlets, "outlet", "outlets");
        let _ = write!(
            out,
            r#"<g class="row" data-phrase="{ph}"><text class="label" x="{LABEL}" y="{ty}" text-anchor="end">{n}<title>{ph}</title></text><rect class="seg" data-technique="{t}" x="{X0}" y="{y}" width="{w}" height="{BAR_H}" rx="3" fill="{col}"><title>“{ph}” · {c} times in {o} · mostly {tn}</title></rect><text class="value" x="{vx}" y="{ty}">{c}<tspan class="muted"> · {o}</tspan></text></g>"#,
            ph = esc(&p.phrase),
            n = esc(&truncate(&p.phrase, 26)),
            t = esc(&p.technique),
            col = color(&p.technique),
            tn = esc(&pretty(&p.technique)),
            ty = f(y + BAR_H / 2.0 + 4.0),
            y = f(y),
            w = f(w),
            vx = f(X0 + w + 6.0),
            c = thousands(p.count),
            o = esc(&outlets),
        );
    }
    out.push_str("</svg></section>");
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
            let (lo, hi) = col_range[j];
            let level = if hi > lo {
                (c.per_1000_articles - lo) / (hi - lo)
            } else {
                0.5
            };
            let hex = color(&c.technique);
            let (r, g, b) = rgb(hex);
            let alpha = if c.spans == 0 {
                0.0
            } else {
                0.08 + 0.84 * level
            };
            // Text colour for the fill as seen over a light page; over a dark page the weak
            // fills keep the page's own (light) text colour.
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
            let _ = write!(
                out,
                r#"<td class="num" data-technique="{t}" style="background:rgba({r:.0},{g:.0},{b:.0},{alpha:.2}){fg}" title="{tip}">{v}</td>"#,
                t = esc(&c.technique),
                r = r * 255.0,
                g = g * 255.0,
                b = b * 255.0,
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

    fn rows(months: &[&str]) -> Vec<MonthRow> {
        months
            .iter()
            .map(|m| MonthRow {
                month: m.to_string(),
                articles: 1,
                chars: 1,
                propaganda_chars: 0,
                propaganda_share: 0.0,
                spans: 0,
                spans_per_1000_articles: 0.0,
                techniques: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn months_without_articles_keep_their_place_on_the_axis() {
        let (labels, slots) = month_slots(&rows(&["2023-11", "2024-02"])).unwrap();
        assert_eq!(labels, ["2023-11", "2023-12", "2024-01", "2024-02"]);
        assert_eq!(slots, [0, 3]);
        let (labels, slots) = month_slots(&rows(&["2024-05"])).unwrap();
        assert_eq!((labels.len(), slots), (1, vec![0]));
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(spans(1), "1 span");
        assert_eq!(spans(0), "0 spans");
        assert_eq!(spans(2000), "2,000 spans");
        assert_eq!(counted(1, "outlet", "outlets"), "1 outlet");
    }

    #[test]
    fn stray_or_unparsable_months_fall_back_to_side_by_side() {
        assert_eq!(month_slots(&rows(&["1970-01", "2024-01"])), None);
        assert_eq!(month_slots(&rows(&["2024-13"])), None);
        assert_eq!(month_slots(&rows(&["unknown"])), None);
        assert_eq!(month_slots(&rows(&["2024-02", "2024-01"])), None);
    }
}
