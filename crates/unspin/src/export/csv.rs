//! Findings as CSV, one row per span, check-worthy claim, quote and inconsistency place, for a
//! spreadsheet or a newsroom tracker.
//!
//! Columns: `article_id, kind, label, start, end, score, text, speaker, note`.
//!
//! | kind | label | score | speaker | note |
//! |---|---|---|---|---|
//! | `span` | technique (PTC name) | confidence | | technique short name |
//! | `claim` | `check-worthy` | check-worthiness | | |
//! | `quote` | `direct` / `reported` | | resolved speaker | cue, `unattributed`, `headline`, `inside X's statement` |
//! | `finding` | finding kind | | | explanation, and which place of how many |
//!
//! Offsets are code points into the article text, end exclusive, as everywhere in unspin.
//! A cell that starts with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'` so
//! that a spreadsheet shows it instead of running it as a formula (CSV injection); the offsets
//! still point at the unprefixed text.

use crate::aids::{FindingKind, Quote, QuoteKind};
use crate::Report;
use serde::Serialize;

#[derive(Serialize)]
struct Row<'a> {
    article_id: String,
    kind: &'static str,
    label: &'a str,
    start: usize,
    end: usize,
    score: Option<f32>,
    text: String,
    speaker: String,
    note: String,
}

/// Writes the CSV of `reports` (header included, even when there is nothing to list).
pub fn write_csv<W: std::io::Write>(out: W, reports: &[&Report]) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut wrote = false;
    for r in reports {
        for row in rows(r) {
            w.serialize(row)?;
            wrote = true;
        }
    }
    if !wrote {
        w.write_record([
            "article_id",
            "kind",
            "label",
            "start",
            "end",
            "score",
            "text",
            "speaker",
            "note",
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn rows(r: &Report) -> Vec<Row<'_>> {
    // Ids come from file names, URLs or a client's report: defused like every text cell.
    let id = safe(&r.id);
    let mut rows = Vec::new();
    for s in &r.spans {
        rows.push(Row {
            article_id: id.clone(),
            kind: "span",
            label: s.technique().name(),
            start: s.start(),
            end: s.end(),
            score: Some(s.confidence()),
            text: safe(s.text()),
            speaker: String::new(),
            note: s.technique().short_name().to_string(),
        });
    }
    for c in r.claims.iter().filter(|c| c.check_worthy) {
        rows.push(Row {
            article_id: id.clone(),
            kind: "claim",
            label: "check-worthy",
            start: c.start(),
            end: c.end(),
            score: Some(c.score),
            text: safe(c.text()),
            speaker: String::new(),
            note: String::new(),
        });
    }
    rows.extend(r.quotes.iter().map(|q| quote_row(id.clone(), q, &r.quotes)));
    for (i, f) in r.findings.iter().enumerate() {
        for (k, p) in f.places.iter().enumerate() {
            rows.push(Row {
                article_id: id.clone(),
                kind: "finding",
                label: finding_label(f.kind),
                start: p.start(),
                end: p.end(),
                score: None,
                text: safe(p.text()),
                speaker: String::new(),
                note: safe(&format!(
                    "#{} place {} of {}: {}",
                    i + 1,
                    k + 1,
                    f.places.len(),
                    f.explanation
                )),
            });
        }
    }
    rows
}

/// A quote's row: its speaker (resolved, else the source's words) and, as the note, its cue
/// and whether it is unattributed, made in a headline or inside another statement
/// (`quotes` is the list `q` belongs to).
fn quote_row<'a>(article_id: String, q: &'a Quote, quotes: &[Quote]) -> Row<'a> {
    let mut note = Vec::new();
    if let Some(cue) = &q.cue {
        note.push(format!("cue: {}", cue.text()));
    }
    if q.unattributed {
        note.push("unattributed".to_string());
    }
    if q.headline {
        note.push("headline".to_string());
    }
    note.extend(q.within_note(quotes));
    let speaker = q.who().unwrap_or_default().to_string();
    Row {
        article_id,
        kind: "quote",
        label: match q.kind {
            QuoteKind::Direct => "direct",
            QuoteKind::Reported => "reported",
        },
        start: q.content.start(),
        end: q.content.end(),
        score: None,
        text: safe(q.content.text()),
        speaker: safe(&speaker),
        note: safe(&note.join("; ")),
    }
}

/// The finding kind as the JSON names it.
pub fn finding_label(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::PartsDontSumToTotal => "parts_dont_sum_to_total",
        FindingKind::PercentOver100 => "percent_over_100",
        FindingKind::ConflictingValues => "conflicting_values",
        FindingKind::NameSpelledTwoWays => "name_spelled_two_ways",
    }
}

/// Defuses a cell a spreadsheet would evaluate (OWASP's advice for CSV injection).
fn safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aids::{Finding, Place};
    use crate::Technique;

    fn report() -> Report {
        let mut r: Report = serde_json::from_str(
            r#"{"id":"a1","length":40,"detector":"x","spans":[],"claims":[],"quotes":[],"findings":[]}"#,
        )
        .unwrap();
        // Read back as a stored report would be: the texts test the CSV quoting, not the offsets.
        r.spans = serde_json::from_value(serde_json::json!([{"start": 0, "end": 6,
            "technique": Technique::LoadedLanguage, "confidence": 0.5, "text": "=1+2, \"x\""}]))
        .unwrap();
        r.claims = serde_json::from_value(serde_json::json!([
            {"start": 7, "end": 9, "text": "ok", "score": 0.75, "check_worthy": true},
            {"start": 10, "end": 12, "text": "no", "score": 0.1, "check_worthy": false}
        ]))
        .unwrap();
        let p = |s: usize| -> Place {
            serde_json::from_value(serde_json::json!({"start": s, "end": s + 2, "text": "12"}))
                .unwrap()
        };
        r.findings.push(Finding {
            kind: FindingKind::ConflictingValues,
            places: vec![p(20), p(30)],
            explanation: "two values".into(),
        });
        r
    }

    #[test]
    fn one_row_per_finding_place_and_no_unticked_claims() {
        let mut out = Vec::new();
        write_csv(&mut out, &[&report()]).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
        assert_eq!(rd.headers().unwrap().len(), 9);
        let kinds: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
        assert_eq!(kinds, ["span", "claim", "finding", "finding"]);
        // Quoted, comma and quotes survive, and the formula is defused.
        assert_eq!(&rows[0][6], "'=1+2, \"x\"");
        assert_eq!(&rows[1][5], "0.75");
        assert_eq!(&rows[3][3], "30");
        assert!(rows[3][8].starts_with("#1 place 2 of 2"));
    }

    #[test]
    fn a_quote_inside_another_names_whose_statement_holds_it() {
        let mut r = report();
        r.quotes = serde_json::from_value(serde_json::json!([
            {"kind": "reported", "content": {"start": 20, "end": 40, "text": "x".repeat(20)},
             "cue": {"start": 10, "end": 14, "text": "said"},
             "speaker": "Ann Lee", "unattributed": false},
            {"kind": "reported", "content": {"start": 30, "end": 40, "text": "y".repeat(10)},
             "speaker": "Bo Kim", "unattributed": false, "within": 0}
        ]))
        .unwrap();
        let mut out = Vec::new();
        write_csv(&mut out, &[&r]).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        let quotes: Vec<csv::StringRecord> = rd
            .records()
            .map(|r| r.unwrap())
            .filter(|r| &r[1] == "quote")
            .collect();
        assert_eq!(&quotes[0][8], "cue: said");
        assert_eq!(&quotes[1][7], "Bo Kim");
        assert_eq!(&quotes[1][8], "inside Ann Lee's statement");
    }

    #[test]
    fn header_even_when_empty() {
        let mut r = report();
        r.spans.clear();
        r.claims.clear();
        r.findings.clear();
        let mut out = Vec::new();
        write_csv(&mut out, &[&r]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "article_id,kind,label,start,end,score,text,speaker,note\n"
        );
    }
}
