//! The timeline chart: techniques per month on a true calendar axis.

use super::{card_start, color, empty_chart, esc, f, nice_axis, pretty, rate, spans};
use crate::stats::format::{articles, percent, thousands};
use crate::stats::model::{MonthRow, Stats};
use std::fmt::Write as _;
use std::ops::Range;

// The timeline's frame, in SVG units.
const W: f64 = 1000.0;
const X0: f64 = 70.0;
const X1: f64 = W - 16.0;
const Y0: f64 = 12.0;
const PLOT_H: f64 = 290.0;
const STRIP_Y: f64 = Y0 + PLOT_H + 16.0;
const STRIP_H: f64 = 48.0;
const H: f64 = STRIP_Y + STRIP_H + 34.0;

/// Techniques over time: stacked areas of spans per 1000 articles, by month, with the number
/// of articles per month below (a rate from few articles is noisy, and the reader should see
/// that).
pub(super) fn time_chart(out: &mut String, stats: &Stats) {
    card_start(
        out,
        "time",
        "Techniques over time",
        "Spans per 1000 articles, stacked by technique, per month of publication. The bars \
         below count the articles behind each month; a month without articles is a gap.",
    );
    if stats.by_month.is_empty() {
        empty_chart(
            out,
            "No article has a date that parses (like 2025-03-01), so there is no timeline.",
        );
        out.push_str("</section>");
        return;
    }
    let axis = Axis::new(&stats.by_month);
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="Techniques over time">"#
    );
    axis.grid(out);
    axis.layers(out, stats);
    axis.strip(out);
    axis.month_labels(out);
    axis.hover_columns(out);
    out.push_str("</svg></section>");
}

/// Where months and rates sit on the timeline.
struct Axis<'a> {
    months: &'a [MonthRow],
    /// Every calendar month on the axis (see [`month_slots`]).
    labels: Vec<String>,
    /// The slot of each of `months` among `labels`.
    slot_of: Vec<usize>,
    /// The width of one month.
    slot: f64,
    /// The rate axis: tick step and top.
    step: f64,
    top: f64,
}

impl<'a> Axis<'a> {
    fn new(months: &'a [MonthRow]) -> Self {
        let n = months.len();
        let (labels, slot_of) = month_slots(months).unwrap_or_else(|| {
            (
                months.iter().map(|m| m.month.clone()).collect(),
                (0..n).collect(),
            )
        });
        let max_total = months
            .iter()
            .map(|m| m.spans_per_1000_articles)
            .fold(0.0, f64::max);
        let (step, top) = nice_axis(max_total, 5);
        // Each month owns an equal slot; points and bars sit at the slot centres, so the first
        // and last month's bars stay inside the plot.
        let slot = (X1 - X0) / labels.len() as f64;
        Axis {
            months,
            labels,
            slot_of,
            slot,
            step,
            top,
        }
    }

    /// The centre of slot `j`.
    fn x_at(&self, j: usize) -> f64 {
        X0 + self.slot * (j as f64 + 0.5)
    }

    /// The centre of the `i`th month with articles.
    fn x_of(&self, i: usize) -> f64 {
        self.x_at(self.slot_of[i])
    }

    fn y_of(&self, v: f64) -> f64 {
        Y0 + PLOT_H - PLOT_H * v / self.top
    }

    /// Runs of months next to each other: each is drawn as one shape, gaps between them.
    fn runs(&self) -> Vec<Range<usize>> {
        let mut runs: Vec<Range<usize>> = Vec::new();
        for i in 0..self.months.len() {
            match runs.last_mut() {
                Some(r) if self.slot_of[r.end - 1] + 1 == self.slot_of[i] => r.end = i + 1,
                _ => runs.push(i..i + 1),
            }
        }
        runs
    }

    fn grid(&self, out: &mut String) {
        let mut v = 0.0;
        while v <= self.top + self.step / 2.0 {
            let y = self.y_of(v);
            let _ = write!(
                out,
                r#"<line class="grid" x1="{X0}" x2="{X1}" y1="{y}" y2="{y}"/><text class="tick" x="{tx}" y="{ty}" text-anchor="end">{l}</text>"#,
                y = f(y),
                tx = f(X0 - 8.0),
                ty = f(y + 4.0),
                l = rate(v)
            );
            v += self.step;
        }
        let _ = write!(
            out,
            r#"<text class="axis-title" transform="translate(16 {y}) rotate(-90)" text-anchor="middle">Spans per 1000 articles</text>"#,
            y = f(Y0 + PLOT_H / 2.0)
        );
    }

    /// Stacked layers, most frequent technique at the bottom.
    fn layers(&self, out: &mut String, stats: &Stats) {
        let months = self.months;
        let runs = self.runs();
        let mut base = vec![0.0f64; months.len()];
        for (k, technique) in stats.techniques.iter().enumerate() {
            let vals: Vec<f64> = months
                .iter()
                .map(|m| m.techniques[k].per_1000_articles)
                .collect();
            if vals.iter().all(|v| *v == 0.0) {
                continue;
            }
            let tech = &technique.technique;
            let tip = esc(&format!(
                "{} · {} over the period",
                pretty(tech),
                spans(months.iter().map(|m| m.techniques[k].spans).sum())
            ));
            for run in &runs {
                self.layer(out, run.clone(), tech, &tip, &base, &vals);
            }
            for (b, v) in base.iter_mut().zip(&vals) {
                *b += v;
            }
        }
    }

    /// One technique's layer over one run of months: a bar for a lone month, else an area.
    fn layer(
        &self,
        out: &mut String,
        run: Range<usize>,
        tech: &str,
        tip: &str,
        base: &[f64],
        vals: &[f64],
    ) {
        let col = color(tech);
        if run.len() == 1 {
            let i = run.start;
            let bw = 80.0f64.min(self.slot * 0.6);
            let _ = write!(
                out,
                r#"<rect class="layer" data-technique="{t}" x="{x}" y="{y}" width="{bw}" height="{h}" fill="{col}"><title>{tip}</title></rect>"#,
                t = esc(tech),
                x = f(self.x_of(i) - bw / 2.0),
                y = f(self.y_of(base[i] + vals[i])),
                bw = f(bw),
                h = f(PLOT_H * vals[i] / self.top),
            );
            return;
        }
        let mut pts = String::new();
        for i in run.clone() {
            let _ = write!(
                pts,
                "{},{} ",
                f(self.x_of(i)),
                f(self.y_of(base[i] + vals[i]))
            );
        }
        for i in run.rev() {
            let _ = write!(pts, "{},{} ", f(self.x_of(i)), f(self.y_of(base[i])));
        }
        let _ = write!(
            out,
            r#"<polygon class="layer" data-technique="{t}" points="{p}" fill="{col}"><title>{tip}</title></polygon>"#,
            t = esc(tech),
            p = pts.trim_end(),
        );
    }

    /// Articles per month, as bars under the plot.
    fn strip(&self, out: &mut String) {
        let max_articles = self
            .months
            .iter()
            .map(|m| m.articles)
            .max()
            .unwrap_or(1)
            .max(1);
        let bw = (self.slot * 0.55).clamp(2.0, 40.0);
        let _ = write!(
            out,
            r#"<text class="tick" x="{tx}" y="{ty}" text-anchor="end">Articles</text><text class="tick small" x="{tx}" y="{ty2}" text-anchor="end">max {m}</text>"#,
            tx = f(X0 - 8.0),
            ty = f(STRIP_Y + STRIP_H / 2.0),
            ty2 = f(STRIP_Y + STRIP_H / 2.0 + 13.0),
            m = thousands(max_articles)
        );
        for (i, m) in self.months.iter().enumerate() {
            let h = STRIP_H * m.articles as f64 / max_articles as f64;
            let _ = write!(
                out,
                r#"<rect class="strip" x="{x}" y="{y}" width="{bw}" height="{h}" rx="1.5"/>"#,
                x = f(self.x_of(i) - bw / 2.0),
                y = f(STRIP_Y + STRIP_H - h),
                bw = f(bw),
                h = f(h.max(1.0)),
            );
        }
    }

    /// Month labels along the calendar, thinned to stay about 70 units apart.
    fn month_labels(&self, out: &mut String) {
        let n_slots = self.labels.len();
        let every = ((70.0 / self.slot).ceil() as usize).max(1);
        let mut last_year = "";
        for (j, month) in self.labels.iter().enumerate() {
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
                x = f(self.x_at(j)),
                y = f(STRIP_Y + STRIP_H + 18.0),
                l = esc(&month_label(month, with_year))
            );
        }
    }

    /// Hover columns with the whole month in the tooltip.
    fn hover_columns(&self, out: &mut String) {
        for (i, m) in self.months.iter().enumerate() {
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
                x = f(self.x_of(i) - self.slot / 2.0),
                w = f(self.slot),
                h = f(STRIP_Y + STRIP_H - Y0),
                tip = esc(&tip)
            );
        }
    }
}

pub(super) fn month_label(m: &str, with_year: bool) -> String {
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
    fn stray_or_unparsable_months_fall_back_to_side_by_side() {
        assert_eq!(month_slots(&rows(&["1970-01", "2024-01"])), None);
        assert_eq!(month_slots(&rows(&["2024-13"])), None);
        assert_eq!(month_slots(&rows(&["unknown"])), None);
        assert_eq!(month_slots(&rows(&["2024-02", "2024-01"])), None);
    }
}
