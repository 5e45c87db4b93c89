//! The human-readable view of `unspin analyze --format text`: the article with its spans
//! highlighted, a numbered list of spans, and a legend.
//!
//! Spans may nest or overlap (a slogan inside a loaded sentence, one span carrying two
//! techniques), but a character can only be drawn in one colour. Each character takes the
//! colour of the *innermost* span covering it (ties: the more confident one), because the inner
//! span is the more specific claim and would otherwise be invisible. Every span, drawn or not,
//! gets a numbered marker such as `[3]` right after its end, so nothing is lost: the numbers
//! lead to the list below the article, which has every span's technique and confidence.
//!
//! Without colour, spans are delimited as `«...»[3]` instead, so the view still works in a
//! pipe, a file or a terminal without colour.

use std::fmt::Write as _;
use unspin::summary::Summary;
use unspin::{Report, ReportSpan, Technique};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
/// Longest span text shown in the span list before it is cut with "…".
const MAX_LISTED_CHARS: usize = 120;

/// Appends the full text view of one article to `out`.
pub fn render_report(out: &mut String, text: &str, report: &Report, color: bool) {
    let n = report.spans.len();
    let mut title = format!(
        "article {} ({} characters, {} span{}, detector {})",
        report.id,
        report.length,
        n,
        if n == 1 { "" } else { "s" },
        report.detector
    );
    if report.text.is_some() {
        title.push_str(", main text extracted from HTML");
    }
    if color {
        let _ = writeln!(out, "{BOLD}{title}{RESET}");
    } else {
        let _ = writeln!(out, "{title}");
    }
    if let Some(page_title) = &report.title {
        let _ = writeln!(out, "title: {page_title}");
    }
    out.push('\n');
    // Ranked once, for the summary's top claims and the full list below.
    let summary = Summary::of(report, usize::MAX);
    render_summary(out, report, &summary, color);
    out.push('\n');
    render_body(out, text, &report.spans, color);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
    if report.spans.is_empty() {
        out.push_str("No propaganda techniques detected.\n");
    } else {
        render_span_list(out, &report.spans, color);
        out.push('\n');
        render_legend(out, &report.spans, color);
    }
    render_aids(out, report, &summary, color);
}

/// How many of each kind of finding the summary lists before "and N more".
const SUMMARY_ITEMS: usize = 3;

/// What to read first, above the article: the share of text in spans against the PTC corpus,
/// the techniques, and the aids' strongest findings, each with its offsets so it can be found.
fn render_summary(out: &mut String, report: &Report, s: &Summary, color: bool) {
    if color {
        let _ = writeln!(out, "{BOLD}Summary{RESET}");
    } else {
        let _ = writeln!(out, "Summary");
    }
    let _ = writeln!(out, "  {}", s.share_sentence());
    if !s.techniques.is_empty() {
        let names: Vec<String> = s
            .techniques
            .iter()
            .map(|(t, n)| format!("{} ({n})", t.short_name()))
            .collect();
        let _ = writeln!(out, "  Techniques: {}", names.join(", "));
    }
    let more = |out: &mut String, total: usize| {
        if total > SUMMARY_ITEMS {
            let _ = writeln!(out, "    … and {} more below", total - SUMMARY_ITEMS);
        }
    };
    if !s.findings.is_empty() {
        let _ = writeln!(out, "  Inconsistencies ({}):", s.findings.len());
        for &i in s.findings.iter().take(SUMMARY_ITEMS) {
            let f = &report.findings[i];
            let at: Vec<String> = f.places.iter().map(|p| p.start().to_string()).collect();
            let _ = writeln!(
                out,
                "    {} (at {})",
                one_line(&f.explanation),
                at.join(", ")
            );
        }
        more(out, s.findings.len());
    }
    if !s.unattributed_quotes.is_empty() {
        let _ = writeln!(
            out,
            "  Unattributed statements ({}):",
            s.unattributed_quotes.len()
        );
        for &i in s.unattributed_quotes.iter().take(SUMMARY_ITEMS) {
            let q = &report.quotes[i].content;
            let _ = writeln!(
                out,
                "    {:>6}-{:<6}  {}",
                q.start(),
                q.end(),
                one_line(q.text())
            );
        }
        more(out, s.unattributed_quotes.len());
    }
    if !s.top_claims.is_empty() {
        let _ = writeln!(
            out,
            "  Top claims to check ({} of {} check-worthy):",
            s.top_claims.len().min(SUMMARY_ITEMS),
            s.check_worthy
        );
        for &i in s.top_claims.iter().take(SUMMARY_ITEMS) {
            claim_line(out, "    ", &report.claims[i]);
        }
    } else if !report.claims.is_empty() {
        // Scored but none ticked: said, so that it does not read as the aids not running.
        let _ = writeln!(
            out,
            "  Claims to check: none of {} sentences is check-worthy",
            report.claims.len()
        );
    }
}

/// How many check-worthy sentences the text view lists; JSON has them all.
const MAX_LISTED_CLAIMS: usize = 10;

/// The fact-checking aids, after the propaganda spans: what to verify, who said what, and where
/// the article contradicts itself. Silent when the aids were not run.
fn render_aids(out: &mut String, report: &Report, s: &Summary, color: bool) {
    let heading = |out: &mut String, h: &str| {
        out.push('\n');
        if color {
            let _ = writeln!(out, "{BOLD}{h}{RESET}");
        } else {
            let _ = writeln!(out, "{h}");
        }
    };
    let claims = &s.top_claims;
    if !claims.is_empty() {
        let shown = claims.len().min(MAX_LISTED_CLAIMS);
        heading(
            out,
            &format!(
                "Claims to check ({shown} of {} check-worthy sentences, most check-worthy first):",
                claims.len()
            ),
        );
        for &i in &claims[..shown] {
            claim_line(out, "  ", &report.claims[i]);
        }
    } else if !report.claims.is_empty() {
        heading(
            out,
            &format!(
                "Claims to check: none of {} sentences is check-worthy.",
                report.claims.len()
            ),
        );
    }
    if !report.quotes.is_empty() {
        heading(out, &format!("Quotes ({}):", report.quotes.len()));
        for q in &report.quotes {
            let kind = match q.kind {
                unspin::aids::QuoteKind::Direct => "direct",
                unspin::aids::QuoteKind::Reported => "reported",
            };
            let who = match q.who() {
                Some(who) => who.to_string(),
                None => format!("({})", q.who_or_none()),
            };
            let mut flags = Vec::new();
            if q.unattributed {
                flags.push("unattributed".to_string());
            }
            if q.headline {
                flags.push("headline".to_string());
            }
            flags.extend(q.within_note(&report.quotes).map(|n| one_line(&n)));
            let flag = match flags.is_empty() {
                true => String::new(),
                false => format!("  [{}]", flags.join(", ")),
            };
            let cue = q
                .cue
                .as_ref()
                .map(|c| format!(" ({})", c.text()))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {kind:<8} {:>6}-{:<6}  {}{cue}{flag}: {}",
                q.content.start(),
                q.content.end(),
                one_line(&who),
                one_line(q.content.text())
            );
        }
    }
    if !report.findings.is_empty() {
        heading(
            out,
            &format!("Inconsistencies ({}):", report.findings.len()),
        );
        for f in &report.findings {
            let places: Vec<String> = f
                .places
                .iter()
                .map(|p| format!("{:?} at {}-{}", p.text(), p.start(), p.end()))
                .collect();
            let _ = writeln!(out, "  {}", f.explanation);
            let _ = writeln!(out, "      {}", places.join(", "));
        }
    }
}

/// One claim as the text view lists it: score, offsets, the sentence on one line.
fn claim_line(out: &mut String, indent: &str, c: &unspin::aids::Claim) {
    let _ = writeln!(
        out,
        "{indent}{:.2}  {:>6}-{:<6}  {}",
        c.score,
        c.start(),
        c.end(),
        one_line(c.text())
    );
}

/// Spans sharing one exact range: drawn once, with one marker listing all their numbers.
struct Group {
    start: usize,
    end: usize,
    /// Indices into the span list (0-based; displayed 1-based).
    members: Vec<usize>,
}

fn groups(spans: &[ReportSpan]) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by_key(|&i| (spans[i].start(), spans[i].end(), i));
    for i in order {
        let s = &spans[i];
        match out.last_mut() {
            Some(g) if g.start == s.start() && g.end == s.end() => g.members.push(i),
            _ => out.push(Group {
                start: s.start(),
                end: s.end(),
                members: vec![i],
            }),
        }
    }
    out
}

/// The span whose colour a character at `pos` takes: innermost, then most confident, then
/// first listed.
fn active_span(spans: &[ReportSpan], pos: usize) -> Option<usize> {
    spans
        .iter()
        .enumerate()
        .filter(|(_, s)| s.start() <= pos && pos < s.end())
        .min_by(|(i, a), (j, b)| {
            (a.end() - a.start())
                .cmp(&(b.end() - b.start()))
                .then(b.confidence().total_cmp(&a.confidence()))
                .then(i.cmp(j))
        })
        .map(|(i, _)| i)
}

/// Draws the article. Work happens only at span boundaries, so a long article with few spans
/// costs one pass over its characters.
fn render_body(out: &mut String, text: &str, spans: &[ReportSpan], color: bool) {
    let groups = groups(spans);
    let mut bounds: Vec<usize> = groups.iter().flat_map(|g| [g.start, g.end]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let mut next = 0;
    let mut style: Option<String> = None;
    let mut chars = text.chars().enumerate().peekable();
    loop {
        let pos = chars.peek().map(|(p, _)| *p);
        // Boundaries at or before this character (or all remaining ones at the end of the text).
        while next < bounds.len() && reached(pos, bounds[next]) {
            let b = bounds[next];
            next += 1;
            if style.is_some() {
                out.push_str(RESET);
            }
            // Close inner ranges first: they started later.
            let mut closing: Vec<&Group> = groups
                .iter()
                .filter(|g| g.end == b && g.start < b)
                .collect();
            closing.sort_by_key(|g| std::cmp::Reverse(g.start));
            for g in closing {
                if !color {
                    out.push('»');
                }
                push_marker(out, spans, &g.members, color);
            }
            // Empty spans have nothing to highlight; they still get their marker.
            for g in groups.iter().filter(|g| g.start == b && g.end == b) {
                if !color {
                    out.push_str("«»");
                }
                push_marker(out, spans, &g.members, color);
            }
            if !color {
                let opening = groups.iter().filter(|g| g.start == b && g.end > b).count();
                out.push_str(&"«".repeat(opening));
            }
            style = if color {
                active_span(spans, b).map(|i| highlight(spans[i].technique()))
            } else {
                None
            };
            if let Some(s) = &style {
                out.push_str(s);
            }
        }
        let Some((_, c)) = chars.next() else { break };
        // A lone `\r` (old Mac line ends) would make the terminal overwrite the line, so it is
        // shown as a line break; in `\r\n` the `\n` does that.
        let crlf = c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n');
        match c {
            '\r' if crlf => {}
            '\n' | '\r' => {
                // Reset before the newline so the background does not fill the rest of the line.
                if let Some(s) = &style {
                    out.push_str(RESET);
                    out.push('\n');
                    out.push_str(s);
                } else {
                    out.push('\n');
                }
            }
            c => push_visible(out, c),
        }
    }
    if style.is_some() {
        out.push_str(RESET);
    }
}

/// Whether the walk at `pos` has reached boundary `b`; `None` (past the last character) has
/// reached every boundary, so spans ending at the end of the text still get their markers.
fn reached(pos: Option<usize>, b: usize) -> bool {
    pos.is_none_or(|p| p >= b)
}

/// Pushes a character that is safe to print: article text could contain escape sequences (or a
/// carriage return) that would otherwise drive the user's terminal, so control characters other
/// than tab are shown as U+FFFD.
fn push_visible(out: &mut String, c: char) {
    match c {
        '\t' => out.push('\t'),
        c if c.is_control() => out.push('\u{fffd}'),
        c => out.push(c),
    }
}

/// `[3]` or `[3,4]`, each number in its technique's colour.
fn push_marker(out: &mut String, spans: &[ReportSpan], members: &[usize], color: bool) {
    out.push('[');
    for (k, &i) in members.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        if color {
            let _ = write!(
                out,
                "{BOLD}{}{}{RESET}",
                foreground(spans[i].technique()),
                i + 1
            );
        } else {
            let _ = write!(out, "{}", i + 1);
        }
    }
    out.push(']');
}

fn render_span_list(out: &mut String, spans: &[ReportSpan], color: bool) {
    let _ = writeln!(out, "Spans (offsets in characters, end exclusive):");
    let num_width = spans.len().to_string().len() + 2;
    let name_width = spans
        .iter()
        .map(|s| s.technique().name().len())
        .max()
        .unwrap_or(0);
    for (i, s) in spans.iter().enumerate() {
        let num = format!("[{}]", i + 1);
        let name = s.technique().name();
        let name = if color {
            format!(
                "{}{name}{RESET}{}",
                foreground(s.technique()),
                " ".repeat(name_width - name.len())
            )
        } else {
            format!("{name:<name_width$}")
        };
        let _ = writeln!(
            out,
            "  {num:>num_width$} {name}  {:.2}  {:>6}-{:<6}  {}",
            s.confidence(),
            s.start(),
            s.end(),
            one_line(s.text())
        );
    }
}

fn render_legend(out: &mut String, spans: &[ReportSpan], color: bool) {
    let mut counts = [0usize; Technique::COUNT];
    for s in spans {
        counts[s.technique().index()] += 1;
    }
    let mut present: Vec<Technique> = Technique::ALL
        .into_iter()
        .filter(|t| counts[t.index()] > 0)
        .collect();
    present.sort_by_key(|t| (std::cmp::Reverse(counts[t.index()]), t.index()));
    let width = present.iter().map(|t| t.name().len()).max().unwrap_or(0);
    let _ = writeln!(out, "Legend ({} techniques):", present.len());
    for t in present {
        let swatch = if color {
            format!("{}  {RESET} ", highlight(t))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {swatch}{:<width$}  {:>3}  {}",
            t.name(),
            counts[t.index()],
            t.short_name()
        );
    }
}

/// A span text on one line: whitespace runs collapsed to one space, control characters made
/// harmless, and texts longer than [`MAX_LISTED_CHARS`] cut and marked with "…".
fn one_line(text: &str) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut last_space = false;
    for c in text.chars() {
        if count == MAX_LISTED_CHARS {
            out.push('…');
            break;
        }
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                count += 1;
            }
            last_space = true;
            continue;
        }
        last_space = false;
        push_visible(&mut out, c);
        count += 1;
    }
    out
}

/// Parses `#rrggbb`; anything else falls back to mid grey rather than failing a render.
fn rgb(hex: &str) -> (u8, u8, u8) {
    let parse = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
    };
    match (hex.len(), parse(1), parse(3), parse(5)) {
        (7, Some(r), Some(g), Some(b)) => (r, g, b),
        _ => (128, 128, 128),
    }
}

/// Background in the technique's colour, with black or white text, whichever reads better.
fn highlight(t: Technique) -> String {
    let (r, g, b) = rgb(t.color());
    // Relative luminance (ITU-R BT.601 weights) decides the text colour for contrast.
    let luma = 0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b);
    let fg = if luma > 140.0 { "0;0;0" } else { "255;255;255" };
    format!("\x1b[48;2;{r};{g};{b}m\x1b[38;2;{fg}m")
}

/// Text in the technique's colour (for markers and names).
fn foreground(t: Technique) -> String {
    let (r, g, b) = rgb(t.color());
    format!("\x1b[38;2;{r};{g};{b}m")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize, technique: Technique, confidence: f32) -> ReportSpan {
        // The renderer reads offsets only; the text is whatever the article holds there.
        let article = unspin::Article::new("", " ".repeat(end));
        let s = unspin::Span {
            start,
            end,
            technique,
            confidence,
        };
        ReportSpan::new(&article, &s).unwrap()
    }

    fn body(text: &str, spans: &[ReportSpan]) -> String {
        let mut out = String::new();
        render_body(&mut out, text, spans, false);
        out
    }

    #[test]
    fn plain_markers_nest_and_number() {
        let spans = [
            span(0, 11, Technique::LoadedLanguage, 0.5),
            span(6, 11, Technique::Slogans, 0.5),
            span(6, 11, Technique::Repetition, 0.4),
        ];
        assert_eq!(body("Hello world!", &spans), "«Hello «world»[2,3]»[1]!");
    }

    #[test]
    fn overlaps_and_edges() {
        let spans = [
            span(0, 3, Technique::Doubt, 0.5),
            span(2, 5, Technique::Slogans, 0.5),
        ];
        assert_eq!(body("abcdef", &spans), "«ab«c»[1]de»[2]f");
        // A span ending at the end of the text still gets its marker; empty spans get one too.
        let spans = [
            span(4, 6, Technique::Doubt, 0.5),
            span(1, 1, Technique::Slogans, 0.5),
        ];
        assert_eq!(body("abcdef", &spans), "a«»[2]bcd«ef»[1]");
    }

    #[test]
    fn control_characters_cannot_reach_the_terminal() {
        assert_eq!(body("a\x1b[31mb\r\nc\rd", &[]), "a\u{fffd}[31mb\nc\nd");
    }

    #[test]
    fn innermost_then_most_confident_wins() {
        let spans = [
            span(0, 10, Technique::Doubt, 0.9),
            span(2, 4, Technique::Slogans, 0.1),
            span(2, 4, Technique::FlagWaving, 0.3),
        ];
        assert_eq!(active_span(&spans, 1), Some(0));
        assert_eq!(active_span(&spans, 3), Some(2));
        assert_eq!(active_span(&spans, 10), None);
    }

    #[test]
    fn coloured_view_resets_at_line_ends() {
        let spans = [span(0, 4, Technique::Doubt, 0.5)];
        let mut out = String::new();
        render_body(&mut out, "a\nbc", &spans, true);
        let hl = highlight(Technique::Doubt);
        let fg = foreground(Technique::Doubt);
        assert_eq!(
            out,
            format!("{hl}a{RESET}\n{hl}bc{RESET}[{BOLD}{fg}1{RESET}]")
        );
    }

    #[test]
    fn long_span_texts_are_cut() {
        let long = "word ".repeat(100);
        let s = one_line(&long);
        assert_eq!(s.chars().count(), MAX_LISTED_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(one_line("a\n\n b"), "a b");
    }

    #[test]
    fn colours_parse() {
        assert_eq!(rgb("#1f77b4"), (0x1f, 0x77, 0xb4));
        assert_eq!(rgb("bad"), (128, 128, 128));
        for t in Technique::ALL {
            assert_ne!(rgb(t.color()), (128, 128, 128), "{t}");
        }
    }
}
