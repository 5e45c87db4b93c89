//! A standalone annotated HTML report: one file that opens offline in any browser, can be
//! mailed to a colleague, and prints legibly in black and white.
//!
//! Layout of each article: the summary first (share of text in spans against the PTC corpus,
//! techniques, inconsistencies, unattributed statements, top claims, each a link to its
//! places), then the article with its spans underlined, then the lists.
//!
//! Overlapping spans are drawn as stacked underlines, one per span, in the technique's colour;
//! the text is cut at every span boundary so each piece carries the underlines of every span
//! covering it. Colour alone does not survive a black-and-white printer, so every span also ends
//! in a label naming it (`3 Loaded`), and the places of an inconsistency get a dashed frame and a
//! label (`F1`). Everything is inline (style, a few lines of script that make a finding's link
//! highlight all its places): no outside requests.

use super::ExportMeta;
use crate::summary::{percent, Summary, PTC_BASELINE};
use crate::{Report, Technique};
use std::fmt::Write as _;

/// Underlines drawn under a piece of text before the rest are left to the labels.
const MAX_LAYERS: usize = 4;
/// Claims the summary lists; the table below the article has them all.
const SUMMARY_CLAIMS: usize = 5;
/// Spans (and findings) a piece of text names for the highlight script; real articles never
/// nest this deep, and a hostile report cannot make every piece list thousands.
const MAX_HITS: usize = 16;

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font: 16px/1.5 system-ui, sans-serif; color: #1a1a1a; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; } h3 { font-size: 1.05rem; }
.meta, .muted { color: #555; font-size: .9rem; }
.summary { border: 1px solid #888; border-radius: 6px; padding: .5rem 1rem; background: #f6f6f6; }
.summary ul { padding-left: 1.2rem; margin: .3rem 0; }
.text { white-space: pre-wrap; line-height: 2.3; font-family: Georgia, serif; font-size: 1.05rem; }
.u { box-decoration-break: clone; -webkit-box-decoration-break: clone; }
.m { font: 600 .7rem/1 system-ui, sans-serif; vertical-align: super; border: 1px solid #333; border-radius: 3px; padding: 0 2px; margin: 0 1px; text-decoration: none; }
.f { outline: 2px dashed #333; outline-offset: 1px; }
.f.hit, .u.hit { background: #ffe45c; }
.fm { font: 700 .7rem/1 system-ui, sans-serif; vertical-align: super; color: #000; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border-bottom: 1px solid #ccc; padding: .25rem .4rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.sw { display: inline-block; width: 2.2rem; height: 0; border-bottom: 4px solid; vertical-align: middle; }
a { color: #0b57d0; }
@media print {
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  body { margin: 0; max-width: none; font-size: 11pt; }
  a { color: inherit; text-decoration: none; }
  .summary { break-inside: avoid; }
  tr { break-inside: avoid; }
  h2 { break-after: avoid; }
}
"#;

/// Makes a finding's link (`#f2`) highlight every place of that finding, not just one.
const SCRIPT: &str = r#"
function hit(){document.querySelectorAll('.hit').forEach(e=>e.classList.remove('hit'));
var m=location.hash.match(/^#(a\d+-(?:f|s)\d+)$/);if(!m)return;
document.querySelectorAll('[data-hit~="'+m[1]+'"]').forEach(e=>e.classList.add('hit'));}
addEventListener('hashchange',hit);hit();
"#;

/// Writes one HTML document holding every report; `texts[i]` is the text `reports[i]`'s
/// offsets point into.
pub fn write_html(out: &mut String, items: &[(&str, &Report)], meta: &ExportMeta) {
    let title = match items {
        [(_, r)] => format!("unspin report: {}", r.title.as_deref().unwrap_or(&r.id)),
        _ => format!("unspin report: {} articles", items.len()),
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"unspin {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&meta.version),
        esc(&title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", esc(&title));
    let mut made = format!("Made by unspin {}", esc(&meta.version));
    if let Some(created) = &meta.created {
        let _ = write!(made, " on {}", esc(created));
    }
    let _ = writeln!(out, "<p class=\"meta\">{made}. Offsets are characters (Unicode code points) into the article text, end exclusive.</p>");
    for (k, (text, report)) in items.iter().enumerate() {
        article(out, k, text, report);
    }
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
}

fn article(out: &mut String, k: usize, text: &str, r: &Report) {
    let a = format!("a{k}");
    // Ranked once: the summary shows the first few claims, the table below all of them.
    let s = Summary::of(r, usize::MAX);
    let _ = writeln!(out, "<article id=\"{a}\">");
    let heading = r.title.as_deref().unwrap_or(&r.id);
    let _ = writeln!(out, "<h2>{}</h2>", esc(heading));
    let mut facts = format!(
        "Article {}, {} characters, detector {}",
        esc(&r.id),
        r.length,
        esc(&r.detector)
    );
    if let Some(url) = &r.url {
        let _ = write!(facts, ", from {}", esc(url));
    }
    let _ = writeln!(out, "<p class=\"meta\">{facts}.</p>");
    for note in &r.notes {
        let _ = writeln!(
            out,
            "<p class=\"meta\"><strong>Note:</strong> {}</p>",
            esc(note)
        );
    }
    // Summary first: what to act on.
    summary(out, &a, r, &s);
    legend(out, &s.techniques);
    // No line break after the tag: `pre-wrap` would show it as an empty first line.
    out.push_str("<h3>Article</h3>\n<div class=\"text\">");
    body(out, &a, text, r);
    out.push_str("</div>\n");
    lists(out, &a, r, &s.top_claims);
    out.push_str("</article>\n");
}

/// The summary section: the propaganda share against PTC's, the techniques with links to
/// their first span, then the findings, unattributed statements and top claims.
fn summary(out: &mut String, a: &str, r: &Report, s: &Summary) {
    let _ = writeln!(
        out,
        "<section class=\"summary\" aria-label=\"Summary\">\n<h3>Summary</h3>"
    );
    let _ = writeln!(
        out,
        "<p><strong>{}</strong> of the text is inside a detected span. In the annotated PTC news articles it is {} overall; half have {} or less, a quarter {} or more. That is {}.</p>",
        percent(s.span_share),
        percent(PTC_BASELINE.overall),
        percent(PTC_BASELINE.median),
        percent(PTC_BASELINE.upper_quartile),
        s.standing.describe()
    );
    if s.techniques.is_empty() {
        out.push_str("<p>No propaganda techniques detected.</p>\n");
    } else {
        out.push_str("<p>Techniques: ");
        for (i, (t, n)) in s.techniques.iter().enumerate() {
            let first = r
                .spans
                .iter()
                .position(|x| x.technique() == *t)
                .unwrap_or(0);
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(
                out,
                "<a href=\"#{a}-s{}\">{}</a> ({n})",
                first + 1,
                esc(t.short_name())
            );
        }
        out.push_str("</p>\n");
    }
    let findings = s.findings.iter().map(|&i| {
        let f = i + 1;
        let text = esc(&r.findings[i].explanation);
        format!("<a href=\"#{a}-f{f}\">F{f}</a>: {text}")
    });
    summary_list(
        out,
        &format!("Inconsistencies ({})", s.findings.len()),
        findings,
    );
    let unattributed = s.unattributed_quotes.iter().map(|&i| {
        let text = esc(&clip(r.quotes[i].content.text(), 160));
        format!("<a href=\"#{a}-q{}\">{text}</a>", i + 1)
    });
    let title = format!("Unattributed statements ({})", s.unattributed_quotes.len());
    summary_list(out, &title, unattributed);
    let claims = s.top_claims.iter().take(SUMMARY_CLAIMS).map(|&i| {
        let c = &r.claims[i];
        let text = esc(&clip(c.text(), 160));
        format!("{:.2} <a href=\"#{a}-c{}\">{text}</a>", c.score, i + 1)
    });
    let title = format!(
        "Top claims to check ({} of {} check-worthy sentences)",
        s.top_claims.len().min(SUMMARY_CLAIMS),
        s.check_worthy
    );
    summary_list(out, &title, claims);
    out.push_str("</section>\n");
}

/// `<p>title:</p>` and a list of `items` (markup, escaped by the caller); nothing when there
/// are no items.
fn summary_list(out: &mut String, title: &str, items: impl Iterator<Item = String>) {
    let mut items = items.peekable();
    if items.peek().is_none() {
        return;
    }
    let _ = writeln!(out, "<p>{title}:</p><ul>");
    for item in items {
        let _ = writeln!(out, "<li>{item}</li>");
    }
    out.push_str("</ul>\n");
}

fn legend(out: &mut String, techniques: &[(Technique, usize)]) {
    if techniques.is_empty() {
        return;
    }
    out.push_str("<h3>Legend</h3>\n<table><thead><tr><th>Underline</th><th>Label</th><th>Technique</th><th class=\"num\">Spans</th><th>What it is</th></tr></thead><tbody>\n");
    for (t, n) in techniques {
        let _ = writeln!(
            out,
            "<tr><td><span class=\"sw\" style=\"border-color:{}\"></span></td><td>{}</td><td>{}</td><td class=\"num\">{n}</td><td>{}</td></tr>",
            t.color(),
            esc(t.short_name()),
            esc(t.name()),
            esc(t.definition())
        );
    }
    out.push_str("</tbody></table>\n");
}

/// Draws the article in one sweep over the boundaries where the set of covering spans or
/// finding places changes, keeping those sets incrementally: linear in text plus markup for
/// real articles (a report handed in from outside is capped by its caller).
fn body(out: &mut String, a: &str, text: &str, r: &Report) {
    let chars: Vec<char> = text.chars().collect();
    let ev = Events::of(r, chars.len());
    let (mut si, mut ei, mut psi, mut pei, mut ai) = (0, 0, 0, 0, 0);
    let mut active: Vec<usize> = Vec::new();
    let mut active_places: Vec<usize> = Vec::new();
    for (k, &lo) in ev.bounds.iter().enumerate() {
        // Close what ends here: labels, inner (later-starting) spans first.
        while ei < ev.span_ends.len() && ev.span_ends[ei].0 == lo {
            let i = ev.span_ends[ei].2;
            if ev.spans[i].0 < lo {
                active.retain(|&x| x != i);
            }
            if ev.spans[i].0 <= lo {
                label(out, a, i, r);
            }
            ei += 1;
        }
        while pei < ev.place_ends.len() && ev.place_ends[pei].0 == lo {
            let kk = ev.place_ends[pei].1;
            if ev.places[kk].0 < lo {
                active_places.retain(|&x| x != kk);
                let _ = write!(
                    out,
                    "<span class=\"fm\" aria-hidden=\"true\">F{}</span>",
                    ev.places[kk].2 + 1
                );
            }
            pei += 1;
        }
        // Open what starts here, with an anchor for links to land on.
        while si < ev.span_starts.len() && ev.span_starts[si].0 == lo {
            let i = ev.span_starts[si].1;
            let _ = write!(out, "<span id=\"{a}-s{}\"></span>", i + 1);
            // An empty span (or one whose end came before its start, clipped to empty) was
            // labelled among the ends above and covers nothing.
            if ev.spans[i].1 > lo {
                active.push(i);
            }
            si += 1;
        }
        while psi < ev.place_starts.len() && ev.place_starts[psi].0 == lo {
            let kk = ev.place_starts[psi].1;
            if ev.places[kk].1 > lo {
                active_places.push(kk);
            }
            psi += 1;
        }
        while ai < ev.anchors.len() && ev.anchors[ai].0 == lo {
            let (_, kind, i) = ev.anchors[ai];
            let _ = write!(out, "<span id=\"{a}-{kind}{}\"></span>", i + 1);
            ai += 1;
        }
        let Some(&hi) = ev.bounds.get(k + 1) else {
            break;
        };
        let piece: String = chars[lo..hi].iter().collect();
        ev.piece(out, a, r, &piece, &active, &active_places);
    }
}

/// Everything that happens at a position of the text, bucketed and sorted once.
struct Events {
    /// (start, end) of every span, clipped to the text.
    spans: Vec<(usize, usize)>,
    /// (start, end, finding) of every finding's place, clipped to the text.
    places: Vec<(usize, usize, usize)>,
    span_starts: Vec<(usize, usize)>,
    span_ends: Vec<(usize, std::cmp::Reverse<usize>, usize)>,
    place_starts: Vec<(usize, usize)>,
    place_ends: Vec<(usize, usize)>,
    /// (position, 'q' or 'c', index): where a quote's content or a check-worthy claim starts.
    anchors: Vec<(usize, char, usize)>,
    /// Every position where something starts or ends, and the text's ends.
    bounds: Vec<usize>,
}

impl Events {
    fn of(r: &Report, n: usize) -> Self {
        let clip = |x: usize| x.min(n);
        let places: Vec<(usize, usize, usize)> = r
            .findings
            .iter()
            .enumerate()
            .flat_map(|(i, f)| f.places.iter().map(move |p| (p.start(), p.end(), i)))
            .map(|(s, e, i)| (clip(s), clip(e), i))
            .collect();
        let spans: Vec<(usize, usize)> = r
            .spans
            .iter()
            .map(|s| (clip(s.start()), clip(s.end()).max(clip(s.start()))))
            .collect();
        let mut span_starts: Vec<(usize, usize)> =
            spans.iter().enumerate().map(|(i, s)| (s.0, i)).collect();
        let mut span_ends: Vec<(usize, std::cmp::Reverse<usize>, usize)> = spans
            .iter()
            .enumerate()
            .map(|(i, s)| (s.1, std::cmp::Reverse(s.0), i))
            .collect();
        let mut place_starts: Vec<(usize, usize)> =
            places.iter().enumerate().map(|(k, p)| (p.0, k)).collect();
        let mut place_ends: Vec<(usize, usize)> =
            places.iter().enumerate().map(|(k, p)| (p.1, k)).collect();
        let mut anchors: Vec<(usize, char, usize)> = r
            .quotes
            .iter()
            .enumerate()
            .map(|(i, q)| (clip(q.content.start()), 'q', i))
            .chain(
                r.claims
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.check_worthy)
                    .map(|(i, c)| (clip(c.start()), 'c', i)),
            )
            .collect();
        span_starts.sort_unstable();
        span_ends.sort_unstable();
        place_starts.sort_unstable();
        place_ends.sort_unstable();
        anchors.sort_unstable();
        let mut bounds: Vec<usize> = vec![0, n];
        bounds.extend(spans.iter().flat_map(|&(s, e)| [s, e]));
        bounds.extend(places.iter().flat_map(|&(s, e, _)| [s, e]));
        bounds.extend(anchors.iter().map(|x| x.0));
        bounds.sort_unstable();
        bounds.dedup();
        Events {
            spans,
            places,
            span_starts,
            span_ends,
            place_starts,
            place_ends,
            anchors,
            bounds,
        }
    }

    /// A piece of text between two bounds, underlined in the colours of the spans covering it
    /// and marked when finding places cover it.
    fn piece(
        &self,
        out: &mut String,
        a: &str,
        r: &Report,
        piece: &str,
        active: &[usize],
        active_places: &[usize],
    ) {
        if active.is_empty() && active_places.is_empty() {
            push_text(out, piece);
            return;
        }
        let spans = &self.spans;
        let mut class = String::new();
        let mut style = String::new();
        let mut hits: Vec<String> = Vec::new();
        if !active.is_empty() {
            class.push('u');
            // Innermost (shortest) span nearest the text, as the text view colours the innermost.
            let mut layers = active.to_vec();
            layers.sort_by_key(|&i| (spans[i].1 - spans[i].0, i));
            layers.truncate(MAX_LAYERS);
            let shadows: Vec<String> = layers
                .iter()
                .enumerate()
                .map(|(k, &i)| format!("0 {}px 0 0 {}", 3 + 4 * k, r.spans[i].technique().color()))
                .collect();
            let _ = write!(style, "box-shadow:{}", shadows.join(","));
            let mut ids = active.to_vec();
            ids.sort_unstable();
            hits.extend(ids.iter().take(MAX_HITS).map(|i| format!("{a}-s{}", i + 1)));
        }
        if !active_places.is_empty() {
            if !class.is_empty() {
                class.push(' ');
            }
            class.push('f');
            let mut fs: Vec<usize> = active_places.iter().map(|&kk| self.places[kk].2).collect();
            fs.sort_unstable();
            fs.dedup();
            hits.extend(fs.iter().take(MAX_HITS).map(|f| format!("{a}-f{}", f + 1)));
        }
        let _ = write!(out, "<span class=\"{class}\"");
        if !style.is_empty() {
            let _ = write!(out, " style=\"{style}\"");
        }
        let _ = write!(out, " data-hit=\"{}\">", hits.join(" "));
        push_text(out, piece);
        out.push_str("</span>");
    }
}

/// The label after a span: its number and technique, in the technique's colour and in words,
/// so black-and-white prints keep it. Links to its row in the span table.
fn label(out: &mut String, a: &str, i: usize, r: &Report) {
    let s = &r.spans[i];
    let _ = write!(
        out,
        "<a class=\"m\" href=\"#{a}-row{}\" style=\"background:{};color:{}\" title=\"{} ({:.2})\">{} {}</a>",
        i + 1,
        s.technique().color(),
        ink(s.technique().color()),
        esc(s.technique().name()),
        s.confidence(),
        i + 1,
        esc(s.technique().short_name())
    );
}

/// The tables below the article; `claims` are the check-worthy ones, best first.
fn lists(out: &mut String, a: &str, r: &Report, claims: &[usize]) {
    if !r.spans.is_empty() {
        out.push_str("<h3>Spans</h3>\n<table><thead><tr><th class=\"num\">#</th><th>Technique</th><th class=\"num\">Confidence</th><th class=\"num\">Offsets</th><th>Text</th></tr></thead><tbody>\n");
        for (i, s) in r.spans.iter().enumerate() {
            let _ = writeln!(
                out,
                "<tr id=\"{a}-row{n}\"><td class=\"num\"><a href=\"#{a}-s{n}\">{n}</a></td><td>{}</td><td class=\"num\">{:.2}</td><td class=\"num\">{}–{}</td><td>{}</td></tr>",
                esc(s.technique().short_name()),
                s.confidence(),
                s.start(),
                s.end(),
                esc(&clip(s.text(), 200)),
                n = i + 1,
            );
        }
        out.push_str("</tbody></table>\n");
    }
    if !r.findings.is_empty() {
        out.push_str("<h3>Inconsistencies</h3>\n<ul>\n");
        for (i, f) in r.findings.iter().enumerate() {
            let places: Vec<String> = f
                .places
                .iter()
                .map(|p| format!("“{}” at {}–{}", esc(p.text()), p.start(), p.end()))
                .collect();
            let _ = writeln!(
                out,
                "<li id=\"{a}-f{n}\"><a href=\"#{a}-f{n}\">F{n}</a> {}: {}</li>",
                esc(&f.explanation),
                places.join(", "),
                n = i + 1
            );
        }
        out.push_str("</ul>\n");
    }
    if !r.quotes.is_empty() {
        out.push_str("<h3>Quotes</h3>\n<table><thead><tr><th>Speaker</th><th>Cue</th><th>Statement</th><th class=\"num\">Offsets</th></tr></thead><tbody>\n");
        for (i, q) in r.quotes.iter().enumerate() {
            let who = match (q.who(), q.unattributed) {
                (Some(w), true) => format!("{} (unattributed)", esc(w)),
                (Some(w), false) => esc(w),
                (None, true) => "<em>unattributed</em>".to_string(),
                (None, false) => format!("<em>{}</em>", esc(q.who_or_none())),
            };
            let mut cue = q.cue.as_ref().map(|c| esc(c.text())).unwrap_or_default();
            if q.headline {
                cue.push_str(" <em>(headline)</em>");
            }
            if let Some(note) = q.within_note(&r.quotes) {
                let _ = write!(cue, " <em>({})</em>", esc(&note));
            }
            let _ = writeln!(
                out,
                "<tr><td>{who}</td><td>{cue}</td><td><a href=\"#{a}-q{}\">{}</a></td><td class=\"num\">{}–{}</td></tr>",
                i + 1,
                esc(&clip(q.content.text(), 200)),
                q.content.start(),
                q.content.end()
            );
        }
        out.push_str("</tbody></table>\n");
    }
    if !claims.is_empty() {
        out.push_str("<h3>Check-worthy claims</h3>\n<table><thead><tr><th class=\"num\">Score</th><th>Sentence</th><th class=\"num\">Offsets</th></tr></thead><tbody>\n");
        for &i in claims {
            let c = &r.claims[i];
            let _ = writeln!(
                out,
                "<tr><td class=\"num\">{:.2}</td><td><a href=\"#{a}-c{}\">{}</a></td><td class=\"num\">{}–{}</td></tr>",
                c.score,
                i + 1,
                esc(&clip(c.text(), 200)),
                c.start(),
                c.end()
            );
        }
        out.push_str("</tbody></table>\n");
    }
}

/// Black or white, whichever reads better on `background` (`#rrggbb`), by WCAG relative
/// luminance: the label text must stay legible on every technique's colour.
fn ink(background: &str) -> &'static str {
    let channel = |i: usize| {
        let v = background
            .get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(128) as f32
            / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    // Contrast with black is (l + 0.05) / 0.05, with white 1.05 / (l + 0.05); equal at l ≈ 0.179.
    if l > 0.179 {
        "#000"
    } else {
        "#fff"
    }
}

/// Escapes text for element content and quoted attribute values. Control characters other than
/// line breaks and tabs would be invalid in HTML and are shown as U+FFFD. Every HTML unspin
/// writes (this export, the statistics page) escapes with it.
///
/// ```
/// use unspin::export::html::esc;
/// assert_eq!(esc("<a href='x'>\u{1b}\"&</a>"), "&lt;a href=&#39;x&#39;&gt;\u{fffd}&quot;&amp;&lt;/a&gt;");
/// ```
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_text(&mut out, s);
    out
}

fn push_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// At most `max` characters, whitespace runs collapsed, "…" where cut.
fn clip(text: &str, max: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let one = words.join(" ");
    if one.chars().count() <= max {
        one
    } else {
        let mut s: String = one.chars().take(max).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aids::{Finding, FindingKind, Place};
    use crate::ReportSpan;

    fn report(text: &str) -> Report {
        let mut r: Report = serde_json::from_str(
            r#"{"id":"x<1>","length":0,"detector":"d","spans":[],"claims":[],"quotes":[],"findings":[]}"#,
        )
        .unwrap();
        r.length = text.chars().count();
        r
    }

    fn span(text: &str, start: usize, end: usize, technique: Technique) -> ReportSpan {
        let s = crate::Span {
            start,
            end,
            technique,
            confidence: 0.8,
        };
        ReportSpan::new(&crate::Article::new("", text), &s).unwrap()
    }

    fn render(text: &str, r: &Report) -> String {
        let mut out = String::new();
        let meta = ExportMeta {
            version: "0.0.0".into(),
            created: Some("2026-12-03T00:00:00Z".into()),
        };
        write_html(&mut out, &[(text, r)], &meta);
        out
    }

    /// The visible text of the article div, tags and labels removed, entities decoded.
    fn article_text(html: &str) -> String {
        let start = html.find("<div class=\"text\">").unwrap() + "<div class=\"text\">".len();
        let end = html[start..].find("</div>").unwrap() + start;
        let mut body = html[start..end].to_string();
        // Drop the labels (their text is not the article's).
        while let Some(i) = body.find("<a class=\"m\"") {
            let j = body[i..].find("</a>").unwrap() + i + 4;
            body.replace_range(i..j, "");
        }
        while let Some(i) = body.find("<span class=\"fm\"") {
            let j = body[i..].find("</span>").unwrap() + i + 7;
            body.replace_range(i..j, "");
        }
        let mut out = String::new();
        let mut in_tag = false;
        for c in body.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    #[test]
    fn text_survives_with_overlaps_and_escapes() {
        let text = "Tom & <Jerry> said \"no\"; émoji 🎉 here.\nNext line.";
        let mut r = report(text);
        r.spans.push(span(text, 0, 13, Technique::LoadedLanguage));
        r.spans.push(span(text, 6, 30, Technique::Doubt));
        r.spans.push(span(text, 6, 13, Technique::Slogans));
        let html = render(text, &r);
        assert_eq!(article_text(&html), text);
        // Three labels, the inner span (6..13, Slogans) closes before the outer one at 13.
        let a = html.find(">3 Slogan").unwrap();
        let b = html.find(">1 Loaded").unwrap();
        assert!(a < b, "inner label first");
        assert!(!html.contains("<Jerry>"));
        // The piece 6..13 is under all three spans: three stacked underlines.
        assert!(html.contains("data-hit=\"a0-s1 a0-s2 a0-s3\""));
    }

    #[test]
    fn notes_are_shown_escaped() {
        let text = "Short.";
        let mut r = report(text);
        r.notes.push("the <mpnet> encoder failed".into());
        let html = render(text, &r);
        assert!(html.contains("<strong>Note:</strong> the &lt;mpnet&gt; encoder failed"));
    }

    #[test]
    fn summary_comes_first_and_links_findings() {
        let text = "Parts 2 and 3 make 6.";
        let mut r = report(text);
        let article = crate::Article::new("", text);
        let place = |s: usize, e: usize| Place::new(&article, crate::CharSpan::new(s, e)).unwrap();
        r.findings.push(Finding {
            kind: FindingKind::PartsDontSumToTotal,
            places: vec![place(6, 7), place(12, 13), place(19, 20)],
            explanation: "2 + 3 ≠ 6".into(),
        });
        let html = render(text, &r);
        let summary = html.find("<h3>Summary</h3>").unwrap();
        let article = html.find("<h3>Article</h3>").unwrap();
        assert!(summary < article);
        assert!(html[summary..article].contains("href=\"#a0-f1\""));
        // All three places are tagged for the finding's link.
        assert_eq!(html.matches("data-hit=\"a0-f1\"").count(), 3);
        assert_eq!(html.matches(">F1</span>").count(), 3);
        assert_eq!(article_text(&html), text);
        assert!(html.contains("No propaganda techniques detected."));
    }

    #[test]
    fn spans_past_the_text_do_not_panic() {
        let text = "short";
        let mut r = report(text);
        // Only a stored report read back can hold such a span.
        let v = serde_json::json!({"start": 3, "end": 99, "technique": Technique::Doubt,
            "confidence": 0.5, "text": ""});
        r.spans.push(serde_json::from_value(v).unwrap());
        let html = render(text, &r);
        assert_eq!(article_text(&html), text);
        assert!(html.contains(">1 Doubt</a>"));
    }

    #[test]
    fn label_ink_contrasts() {
        assert_eq!(ink("#ffff00"), "#000");
        assert_eq!(ink("#000080"), "#fff");
        assert_eq!(ink("bad"), "#000");
    }

    #[test]
    fn a_question_put_by_nobody_named_is_no_unattributed_claim() {
        let text = "Asked whether it was a bomb, she declined. Officials said it was.";
        let mut r = report(text);
        let article = crate::Article::new("", text);
        let place = |s: usize, e: usize| Place::new(&article, crate::CharSpan::new(s, e)).unwrap();
        let quote = |content: Place, cue: Place, unattributed: bool| crate::aids::Quote {
            kind: crate::aids::QuoteKind::Reported,
            content,
            cue: Some(cue),
            source: None,
            speaker: None,
            speaker_place: None,
            unattributed,
            headline: false,
            within: None,
        };
        r.quotes.push(quote(place(6, 27), place(0, 5), false));
        r.quotes.push(quote(place(58, 64), place(53, 57), true));
        let html = render(text, &r);
        assert_eq!(
            html.matches("<td><em>an unnamed asker</em></td>").count(),
            1
        );
        assert_eq!(html.matches("<td><em>unattributed</em></td>").count(), 1);
    }

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(esc("a\u{1b}[31mb"), "a\u{fffd}[31mb");
    }
}
