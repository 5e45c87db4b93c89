use super::csv::{num, sheet};
use super::format::*;
use super::*;
use crate::store::Store;
use unspin::aids::{Finding, FindingKind, Place};
use unspin::Technique;
use unspin::{Report, ReportSpan};

/// A span as a stored report holds it: read back, so its text is taken as given.
fn span(start: usize, end: usize, t: Technique, text: &str) -> ReportSpan {
    let v = serde_json::json!({"start": start, "end": end, "technique": t, "confidence": 0.9, "text": text});
    serde_json::from_value(v).unwrap()
}

fn report(
    id: &str,
    source: Option<&str>,
    date: Option<&str>,
    length: usize,
    spans: Vec<ReportSpan>,
    findings: &[&str],
) -> Report {
    Report {
        id: id.into(),
        source: source.map(Into::into),
        url: Some(format!("https://example.org/{id}")),
        date: date.map(Into::into),
        length,
        detector: "test".into(),
        version: None,
        created: None,
        notes: Vec::new(),
        title: Some(format!("Title of {id}")),
        text: None,
        spans,
        claims: Vec::new(),
        quotes: Vec::new(),
        findings: findings
            .iter()
            .map(|e| Finding {
                kind: FindingKind::ConflictingValues,
                places: vec![serde_json::from_value::<Place>(
                    serde_json::json!({"start": 0, "end": 1, "text": "x"}),
                )
                .unwrap()],
                explanation: e.to_string(),
            })
            .collect(),
    }
}

/// Three outlets' worth of articles with hand-countable numbers:
/// - A (2 articles, 2025-01 and 2025-02): 100 + 300 chars; spans cover 10 + 30 (union).
/// - B (1 article, 2025-02): 200 chars, 50 covered.
/// - no source (1 article, no date): 100 chars, no spans.
fn corpus() -> (tempfile::TempDir, Store) {
    use Technique::*;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
    store
        .insert_shard(
            0,
            &[
                report(
                    "a1",
                    Some("A"),
                    Some("2025-01-05"),
                    100,
                    vec![
                        span(0, 10, LoadedLanguage, "Evil  Regime,"),
                        span(5, 10, NameCallingLabeling, "regime"),
                    ],
                    &["one", "two"],
                ),
                report(
                    "a2",
                    Some("A"),
                    Some("2025-02-01T09:00:00Z"),
                    300,
                    vec![
                        span(0, 20, LoadedLanguage, "“evil regime”"),
                        span(100, 110, Doubt, "really"),
                    ],
                    &[],
                ),
            ],
        )
        .unwrap();
    store
        .insert_shard(
            1,
            &[
                report(
                    "b1",
                    Some("B"),
                    Some("2025-02-20"),
                    200,
                    vec![
                        span(0, 50, NameCallingLabeling, "Evil regime"),
                        span(60, 60, LoadedLanguage, "..."),
                    ],
                    &["three"],
                ),
                report("n1", None, Some("last Tuesday"), 100, vec![], &[]),
            ],
        )
        .unwrap();
    (dir, store)
}

fn find<'a>(stats: &'a Stats, source: Option<&str>) -> &'a SourceRow {
    stats
        .by_source
        .iter()
        .find(|r| r.source.as_deref() == source)
        .unwrap()
}

fn technique(row: &[TechniqueCount], t: Technique) -> &TechniqueCount {
    row.iter().find(|c| c.technique == t.name()).unwrap()
}

#[test]
fn counts_and_rates_by_outlet_and_month_are_exact() {
    let (_dir, store) = corpus();
    let s = compute(&store, &Options::default()).unwrap();
    let t = &s.totals;
    assert_eq!(t.articles, 4);
    assert_eq!(t.sources, 2);
    assert_eq!(t.months, 2);
    assert_eq!(t.spans, 6);
    assert_eq!(t.chars, 700);
    assert_eq!(t.propaganda_chars, 10 + 30 + 50);
    assert!((t.propaganda_share - 90.0 / 700.0).abs() < 1e-12);
    assert_eq!(t.findings, 3);
    assert_eq!(t.articles_with_findings, 2);
    assert_eq!(t.articles_without_source, 1);
    assert_eq!(t.articles_without_month, 1);

    // The most frequent technique comes first, and every technique is listed.
    assert_eq!(s.techniques.len(), Technique::COUNT);
    assert_eq!(s.techniques[0].technique, "Loaded_Language");
    assert_eq!(s.techniques[0].spans, 3);
    assert_eq!(s.techniques[0].per_1000_articles, 750.0);
    assert_eq!(s.techniques[0].share_of_spans, 0.5);

    assert_eq!(s.by_source.len(), 3);
    assert_eq!(s.by_source[0].source.as_deref(), Some("A"), "largest first");
    let a = find(&s, Some("A"));
    assert_eq!((a.articles, a.chars, a.propaganda_chars), (2, 400, 40));
    assert_eq!(a.propaganda_share, 0.1);
    assert_eq!(a.spans, 4);
    assert_eq!(a.spans_per_1000_articles, 2000.0);
    assert_eq!(a.findings, 2);
    let loaded = technique(&a.techniques, Technique::LoadedLanguage);
    assert_eq!((loaded.spans, loaded.per_1000_articles), (2, 1000.0));
    assert_eq!(loaded.share_of_spans, 0.5);
    let b = find(&s, Some("B"));
    assert_eq!(b.propaganda_share, 0.25);
    assert_eq!(
        technique(&b.techniques, Technique::NameCallingLabeling).per_1000_articles,
        1000.0
    );
    let none = find(&s, None);
    assert_eq!(
        (none.articles, none.spans, none.propaganda_share),
        (1, 0, 0.0)
    );

    let months: Vec<(&str, u64, u64)> = s
        .by_month
        .iter()
        .map(|m| (m.month.as_str(), m.articles, m.spans))
        .collect();
    assert_eq!(months, vec![("2025-01", 1, 2), ("2025-02", 2, 4)]);
    let feb = &s.by_month[1];
    assert_eq!(
        technique(&feb.techniques, Technique::LoadedLanguage).per_1000_articles,
        1000.0
    );
    assert_eq!(feb.propaganda_share, 80.0 / 500.0);
    assert!(s
        .notes
        .iter()
        .any(|n| n.starts_with("1 article names no outlet; it is counted")));
    assert!(s
        .notes
        .iter()
        .any(|n| n.starts_with("1 article has no date that parses; it is left out")));
}

#[test]
fn counts_of_articles_agree_in_number() {
    assert_eq!(articles(1), "1 article");
    assert_eq!(articles(0), "0 articles");
    assert_eq!(articles(1234), "1,234 articles");
}

#[test]
fn phrases_are_normalised_and_counted_across_outlets() {
    let (_dir, store) = corpus();
    let s = compute(&store, &Options::default()).unwrap();
    // "Evil  Regime,", "“evil regime”" (A) and "Evil regime" (B) are one phrase; "..."
    // normalises to nothing; Doubt spans are not phrases.
    assert_eq!(
        s.phrases[0],
        Phrase {
            phrase: "evil regime".into(),
            count: 3,
            outlets: 2,
            technique: "Loaded_Language".into(),
        }
    );
    assert_eq!(s.phrases[1].phrase, "regime");
    assert_eq!(s.phrases.len(), 2);
}

#[test]
fn top_findings_are_ordered_and_explained() {
    let (_dir, store) = corpus();
    let s = compute(&store, &Options::default()).unwrap();
    let got: Vec<(&str, u64, Vec<String>)> = s
        .top_findings
        .iter()
        .map(|a| (a.id.as_str(), a.n_findings, a.explanations.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("a1", 2, vec!["one".to_string(), "two".to_string()]),
            ("b1", 1, vec!["three".to_string()]),
        ]
    );
    assert_eq!(s.top_findings[0].date.as_deref(), Some("2025-01-05"));
    let s = compute(
        &store,
        &Options {
            top: 1,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(s.top_findings.len(), 1);
    assert_eq!(s.phrases.len(), 1);
    assert_eq!(s.by_source.len(), 1);
    assert!(s.notes.iter().any(|n| n.contains("largest of 3 outlets")));
}

#[test]
fn filters_restrict_every_section() {
    let (_dir, store) = corpus();
    let only_b = compute(
        &store,
        &Options {
            source: Some("B".into()),
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(only_b.totals.articles, 1);
    assert_eq!(only_b.by_source.len(), 1);
    assert_eq!(only_b.phrases[0].count, 1);
    assert_eq!(only_b.top_findings.len(), 1);

    let feb = compute(
        &store,
        &Options {
            since: Some("2025-02".into()),
            until: Some("2025-02".into()),
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(feb.totals.articles, 2, "undated articles are left out");
    assert_eq!(feb.by_month.len(), 1);
    assert_eq!(feb.totals.articles_without_month, 0);

    let none = compute(
        &store,
        &Options {
            source: Some("Nobody".into()),
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(none.totals.articles, 0);
    assert_eq!(
        none.notes,
        vec!["No article matches the filter (outlet \"Nobody\").".to_string()]
    );

    for (since, until) in [("2025-13", "2025-01"), ("2025-03", "2025-01")] {
        let e = compute(
            &store,
            &Options {
                since: Some(since.into()),
                until: Some(until.into()),
                ..Options::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains(since), "{e}");
    }
}

#[test]
fn empty_database_renders_a_message_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.sqlite")).unwrap();
    let s = compute(&store, &Options::default()).unwrap();
    assert_eq!(s.totals, Totals::default());
    assert!(s.by_source.is_empty() && s.by_month.is_empty() && s.phrases.is_empty());
    assert_eq!(
        s.notes,
        vec!["The database holds no articles yet.".to_string()]
    );
    let table = render_table(&s);
    assert!(table.contains("no articles yet"), "{table}");
    let html = render_html(&s, "empty");
    assert!(html.contains("no articles yet") && !html.contains("<svg"));
    for out in [table, html, render_json(&s).unwrap(), render_csv(&s)] {
        assert!(!out.contains("NaN") && !out.contains("inf"), "{out}");
    }
}

#[test]
fn no_sources_and_no_dates_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
    let reports = vec![report(
        "x",
        None,
        None,
        50,
        vec![span(0, 5, Technique::Slogans, "Go!")],
        &[],
    )];
    store.insert_shard(0, &reports).unwrap();
    let s = compute(&store, &Options::default()).unwrap();
    assert!(s
        .notes
        .iter()
        .any(|n| n.contains("No article names its outlet")));
    assert!(s.notes.iter().any(|n| n.contains("no month-by-month view")));
    let table = render_table(&s);
    assert!(
        !table.contains("OUTLETS") && !table.contains("MONTHS"),
        "{table}"
    );
    let html = render_html(&s, "t");
    assert!(!html.contains(r#"data-testid="mix""#));
    assert!(html.contains("no timeline"));
    assert!(!html.contains("NaN"));
}

#[test]
fn outlets_with_few_articles_come_last_in_the_share_chart() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
    let heavy = |id: &str| {
        report(
            id,
            Some("Lone Blog"),
            Some("2025-03-01"),
            100,
            vec![span(0, 80, Technique::LoadedLanguage, "x")],
            &[],
        )
    };
    let light = |id: &str| {
        report(
            id,
            Some("Daily Ledger"),
            Some("2025-03-01"),
            100,
            vec![span(0, 10, Technique::LoadedLanguage, "x")],
            &[],
        )
    };
    let reports = vec![heavy("1"), light("2"), light("3"), light("4")];
    store.insert_shard(0, &reports).unwrap();
    let s = compute(&store, &Options::default()).unwrap();
    let html = render_html(&s, "t");
    let share = &html[html.find(r#"id="share""#).expect("share chart")..];
    let ledger = share.find(r#"data-outlet="Daily Ledger""#).unwrap();
    let lone = share.find(r#"data-outlet="Lone Blog""#).unwrap();
    assert!(
        ledger < lone,
        "the one-article outlet (80% share) comes after the 10% one"
    );
    assert!(share.contains(r#"<g class="row few" data-outlet="Lone Blog""#));
    assert!(share.contains(r#"<g class="row" data-outlet="Daily Ledger""#));
}

#[test]
fn renderers_show_the_numbers_and_escape_corpus_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
    let evil = "<script>alert(1)</script> & \"Co\", Ltd";
    let mut r = report(
        "<b>id</b>",
        Some(evil),
        Some("2025-03-01"),
        200,
        vec![span(
            0,
            50,
            Technique::LoadedLanguage,
            "<img src=x onerror=alert(1)>",
        )],
        &["<i>bad</i>\u{1b}[31m"],
    );
    r.url = Some("javascript:alert(1)".into());
    store.insert_shard(0, &[r]).unwrap();
    let s = compute(&store, &Options::default()).unwrap();

    let html = render_html(&s, "<title>");
    assert!(
        !html.contains("<script>alert"),
        "outlet name must be escaped"
    );
    assert!(!html.contains("<img"));
    assert!(!html.contains("<i>bad"));
    assert!(
        !html.contains('\u{1b}'),
        "control characters cannot reach the page"
    );
    assert!(html.contains("&lt;i&gt;bad&lt;/i&gt;\u{fffd}[31m"));
    assert!(!html.contains("<b>id"));
    assert!(!html.contains("javascript:alert"), "no javascript: links");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;, Ltd"));
    assert!(html.contains("25.0%"), "propaganda share 50/200");
    assert!(html.contains(Technique::LoadedLanguage.color()));
    assert!(!html.contains("{{"), "every placeholder is filled");

    let table = render_table(&s);
    assert!(table.contains("25.0%"), "{table}");

    let files = csv_files(&s);
    let sources = &files.iter().find(|f| f.0 == "sources.csv").unwrap().1;
    assert!(
        sources.contains("\"<script>alert(1)</script> & \"\"Co\"\", Ltd\",1,200,50,0.25,"),
        "{sources}"
    );
    let long = render_csv(&s);
    assert!(long.starts_with("section,source,month,technique,item,metric,value\r\n"));
    assert!(
        long.contains("overview,,,,,propaganda_share,0.25\r\n"),
        "{long}"
    );
    assert!(
        long.contains("techniques_by_month,,2025-03,Loaded_Language,,per_1000_articles,1000\r\n")
    );

    let json: serde_json::Value = serde_json::from_str(&render_json(&s).unwrap()).unwrap();
    assert_eq!(json["totals"]["propaganda_share"], 0.25);
    assert_eq!(json["by_source"][0]["source"], evil);
}

#[test]
fn phrase_normalisation() {
    assert_eq!(
        normalize_phrase("  Evil\n\tRegime ,").as_deref(),
        Some("evil regime")
    );
    assert_eq!(
        normalize_phrase("“Crooked Hillary”").as_deref(),
        Some("crooked hillary")
    );
    assert_eq!(
        normalize_phrase("Trump’s  puppets!").as_deref(),
        Some("trump's puppets")
    );
    assert_eq!(
        normalize_phrase("U.S.-backed").as_deref(),
        Some("u.s.-backed")
    );
    assert_eq!(normalize_phrase("ÉNORME").as_deref(), Some("énorme"));
    assert_eq!(normalize_phrase(" ... "), None);
    assert_eq!(normalize_phrase(""), None);
}

#[test]
fn month_bounds() {
    assert_eq!(parse_month("2025-03").unwrap(), "2025-03");
    for bad in [
        "2025-3",
        "2025-13",
        "2025-00",
        "25-03",
        "2025-03-01",
        "march",
        "",
    ] {
        assert!(parse_month(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn number_formatting() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(1234567), "1,234,567");
    assert_eq!(num(0.1 + 0.2), "0.3");
    assert_eq!(num(1000.0), "1000");
    assert_eq!(num(0.0), "0");
    assert_eq!(truncate("abcdef", 4), "abc…");
    assert_eq!(truncate("abc", 4), "abc");
}

#[test]
fn csv_quotes_only_what_it_must_and_an_empty_section_keeps_its_header() {
    #[derive(serde::Serialize, Default)]
    struct Row {
        name: &'static str,
        n: u64,
    }
    let rows = [
        Row { name: "a,b", n: 1 },
        Row {
            name: "say \"hi\"",
            n: 2,
        },
        Row {
            name: "two\nlines",
            n: 3,
        },
        Row {
            name: "plain",
            n: 4,
        },
    ];
    assert_eq!(
        sheet(rows),
        "name,n\r\n\"a,b\",1\r\n\"say \"\"hi\"\"\",2\r\n\"two\nlines\",3\r\nplain,4\r\n"
    );
    assert_eq!(sheet(std::iter::empty::<Row>()), "name,n\r\n");
}
