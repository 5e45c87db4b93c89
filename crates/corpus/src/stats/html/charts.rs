//! The bar charts: technique mix and propaganda share per outlet, techniques overall, and
//! the loaded phrases.

use super::{
    card_start, color, empty_chart, esc, f, nice_axis, pretty, rate, short, spans, text_on,
};
use crate::stats::format::{articles, counted, percent, source_label, thousands, truncate};
use crate::stats::model::{SourceRow, Stats};
use crate::stats::query::PHRASE_TECHNIQUES;
use std::fmt::Write as _;

/// Technique mix per outlet: one 100% stacked bar per outlet.
pub(super) fn mix_chart(out: &mut String, stats: &Stats) {
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
    percent_grid(out, (25.0, 100.0), |v| X0 + BAR_W * v / 100.0, TOP, axis_y);
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
        mix_segments(out, row, name, (X0, BAR_W), (y, BAR_H));
        out.push_str("</g>");
    }
    out.push_str("</svg></section>");
}

/// One outlet's stacked bar: a segment per technique, labelled when wide enough to read.
fn mix_segments(
    out: &mut String,
    row: &SourceRow,
    name: &str,
    (x0, bar_w): (f64, f64),
    (y, bar_h): (f64, f64),
) {
    let total: u64 = row.techniques.iter().map(|c| c.spans).sum();
    let mut x = x0;
    for c in row.techniques.iter().filter(|c| c.spans > 0) {
        let w = bar_w * c.spans as f64 / total.max(1) as f64;
        let col = color(&c.technique);
        let _ = write!(
            out,
            r#"<rect class="seg" data-technique="{t}" x="{x}" y="{y}" width="{w}" height="{bar_h}" fill="{col}"><title>{tip}</title></rect>"#,
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
                y = f(y + bar_h / 2.0 + 4.0),
                fg = text_on(col),
                p = c.share_of_spans * 100.0
            );
        }
        x += w;
    }
}

/// Propaganda share per outlet: bars sorted by share, with the corpus-wide share marked.
pub(super) fn share_chart(out: &mut String, stats: &Stats) {
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
    let few = |r: &&SourceRow| r.articles < FEW_ARTICLES;
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
    percent_grid(out, (step, top), |v| X0 + BAR_W * v / top, TOP, axis_y);
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

/// Vertical grid lines from 0 to `top` percent every `step`, each with its tick label below
/// the axis at `axis_y`; `x_of` places a percentage.
fn percent_grid(
    out: &mut String,
    (step, top): (f64, f64),
    x_of: impl Fn(f64) -> f64,
    grid_top: f64,
    axis_y: f64,
) {
    let mut v = 0.0;
    while v <= top + step / 2.0 {
        let _ = write!(
            out,
            r#"<line class="grid" x1="{x}" x2="{x}" y1="{grid_top}" y2="{y}"/><text class="tick" x="{x}" y="{ty}" text-anchor="middle">{l}%</text>"#,
            x = f(x_of(v)),
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
}

/// All techniques over the whole selection: spans per 1000 articles.
pub(super) fn techniques_chart(out: &mut String, stats: &Stats) {
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
pub(super) fn phrases_chart(out: &mut String, stats: &Stats) {
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
