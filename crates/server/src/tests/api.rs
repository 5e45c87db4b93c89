//! The endpoints and what they answer.

use super::*;

#[test]
fn analyze_text_offsets_slice_by_code_points() {
    let s = server();
    let (status, r) = post(
        s.addr,
        "/v1/analyze",
        &json!({ "text": ARTICLE, "id": "x1" }),
    );
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["id"], "x1");
    assert_eq!(r["detector"], "classical");
    assert_eq!(r["length"], ARTICLE.chars().count());
    // The text comes back, so the page can save the report and read it back later.
    assert_eq!(r["text"], ARTICLE);
    assert_eq!(r["version"], env!("CARGO_PKG_VERSION"));
    assert!(r["created"].as_str().unwrap().ends_with('Z'));
    let spans = r["spans"].as_array().unwrap();
    assert!(!spans.is_empty(), "{r}");
    for sp in spans {
        let (a, b) = (sp["start"].as_u64().unwrap(), sp["end"].as_u64().unwrap());
        assert_eq!(sp["text"], slice(ARTICLE, a, b));
        assert!(sp["technique"]
            .as_str()
            .unwrap()
            .parse::<Technique>()
            .is_ok());
    }
    // The aids ran (on by default), with offsets in the same coordinates.
    let claims = r["claims"].as_array().unwrap();
    assert!(!claims.is_empty());
    for c in claims {
        let (a, b) = (c["start"].as_u64().unwrap(), c["end"].as_u64().unwrap());
        assert_eq!(c["text"], slice(ARTICLE, a, b));
    }
    assert!(!r["quotes"].as_array().unwrap().is_empty());

    // Exactly what the library reports for the same article, plus the text and the time.
    let mut expected = s.state.analyzers[0]
        .analyze(Article::new("x1", ARTICLE.to_string()))
        .unwrap();
    expected.text = Some(ARTICLE.to_string());
    expected.created = r["created"].as_str().map(str::to_string);
    let expected: Value = serde_json::from_str(&serde_json::to_string(&expected).unwrap()).unwrap();
    assert_eq!(r, expected);

    let (status, r) = post(
        s.addr,
        "/v1/analyze",
        &json!({ "text": ARTICLE, "aids": false }),
    );
    assert_eq!(status, 200);
    assert_eq!(r["id"], "article");
    assert!(r["claims"].as_array().unwrap().is_empty());
    assert!(r["quotes"].as_array().unwrap().is_empty());
}

#[test]
fn export_turns_a_report_into_html_and_csv() {
    let s = server();
    let (status, report) = post(
        s.addr,
        "/v1/analyze",
        &json!({ "text": ARTICLE, "id": "a/\"b" }),
    );
    assert_eq!(status, 200);
    let html = export(s.addr, &report, "html");
    assert_eq!(html.status, 200, "{}", html.body);
    assert_eq!(
        html.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    // The id's quote and slash never reach the file name.
    assert_eq!(
        html.header("content-disposition"),
        Some("attachment; filename=\"a__b.unspin.html\"")
    );
    assert!(html.body.starts_with("<!DOCTYPE html>"));
    assert!(html.body.contains("<h3>Summary</h3>"));

    let csv = export(s.addr, &report, "csv");
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let spans = report["spans"].as_array().unwrap().len();
    assert_eq!(csv.body.matches(",span,").count(), spans, "{}", csv.body);

    // A report made up to be expensive is refused, not rendered.
    let mut huge = report.clone();
    let one = huge["spans"][0].clone();
    huge["spans"] = Value::Array(vec![one; 2_001]);
    let (status, err) = post(
        s.addr,
        "/v1/export",
        &json!({ "report": huge, "format": "html" }),
    );
    assert_eq!(status, 400);
    assert!(error_of(&err).contains("too large"), "{err}");

    // HTML needs the text; an unknown format is refused.
    let mut bare = report.clone();
    bare.as_object_mut().unwrap().remove("text");
    let (status, err) = post(
        s.addr,
        "/v1/export",
        &json!({ "report": bare, "format": "html" }),
    );
    assert_eq!(status, 400);
    assert!(error_of(&err).contains("text"), "{err}");
    let (status, _) = post(
        s.addr,
        "/v1/export",
        &json!({ "report": report, "format": "pdf" }),
    );
    assert_eq!(status, 400);
}

#[test]
fn urls_are_fetched_only_when_the_operator_allows() {
    // Off by default, with a message that says how to turn it on.
    let s = server();
    let (status, err) = post(
        s.addr,
        "/v1/analyze",
        &json!({ "url": "http://example.org/" }),
    );
    assert_eq!(status, 403, "{err}");
    assert!(error_of(&err).contains("--fetch"), "{err}");
    let (_, health) = get(s.addr, "/healthz");
    assert_eq!(health["fetch"], false);

    // On: internal addresses are refused, here loopback and the cloud metadata address.
    let s = start(Config {
        fetch: Some(unspin::fetch::FetchOptions::default()),
        ..Config::default()
    });
    let (_, health) = get(s.addr, "/healthz");
    assert_eq!(health["fetch"], true);
    for url in [
        format!("http://{}/openapi.json", s.addr),
        format!("http://localhost:{}/openapi.json", s.addr.port()),
        "http://169.254.169.254/latest/meta-data/".to_string(),
    ] {
        let (status, err) = post(s.addr, "/v1/analyze", &json!({ "url": url }));
        assert_eq!(status, 403, "{url}: {err}");
        assert!(error_of(&err).contains("refused"), "{err}");
    }
    let (status, err) = post(
        s.addr,
        "/v1/analyze",
        &json!({ "url": "file:///etc/passwd" }),
    );
    assert_eq!(status, 400, "{err}");
    let (status, _) = post(
        s.addr,
        "/v1/analyze",
        &json!({ "url": "http://example.org/", "text": "x" }),
    );
    assert_eq!(status, 400, "one input only");

    // Allowed by the operator: this server's own OpenAPI document, fetched as plain text.
    let s = start(Config {
        fetch: Some(unspin::fetch::FetchOptions {
            allow_internal: true,
            ..Default::default()
        }),
        ..Config::default()
    });
    let url = format!("http://{}/openapi.json", s.addr);
    let (status, r) = post(s.addr, "/v1/analyze", &json!({ "url": url }));
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["id"], "openapi");
    assert_eq!(r["url"], url);
    assert!(r["text"].as_str().unwrap().contains("/v1/analyze"));
}

#[test]
fn analyze_html_reports_title_and_extracted_text() {
    let s = server();
    let paragraph = "The corrupt traitors will destroy our great nation, and every patriot \
                     knows it. Officials said that unemployment rose to 12% from 5% last year.";
    let html = format!(
        "<!DOCTYPE html><html><head><title>Big News</title></head><body>\
         <nav><a href=\"/\">Home</a></nav><article><h1>Big News</h1>\
         <p>{paragraph}</p><p>{paragraph}</p><p>{paragraph}</p></article></body></html>"
    );
    let (status, r) = post(s.addr, "/v1/analyze", &json!({ "html": html }));
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["title"], "Big News");
    let text = r["text"].as_str().unwrap();
    assert!(text.contains("corrupt traitors"), "{text}");
    assert!(!text.contains("Home"), "{text}");
    assert_eq!(r["length"], text.chars().count());
    for sp in r["spans"].as_array().unwrap() {
        let (a, b) = (sp["start"].as_u64().unwrap(), sp["end"].as_u64().unwrap());
        assert_eq!(sp["text"], slice(text, a, b));
    }
}

#[test]
fn classify_returns_a_technique_and_probabilities_per_span() {
    let s = server();
    let text = "🚨 They are corrupt traitors and liars.";
    let spans = json!([{ "start": 11, "end": 27 }, { "start": 0, "end": 1 }]);
    let (status, r) = post(
        s.addr,
        "/v1/classify",
        &json!({ "text": text, "spans": spans }),
    );
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["detector"], "classical");
    let out = r["spans"].as_array().unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["text"], "corrupt traitors");
    assert_eq!(out[1]["text"], "🚨");
    for sp in out {
        let probs = sp["probabilities"].as_object().unwrap();
        assert_eq!(probs.len(), 14);
        let technique = sp["technique"].as_str().unwrap();
        let best = probs
            .iter()
            .max_by(|a, b| a.1.as_f64().unwrap().total_cmp(&b.1.as_f64().unwrap()))
            .unwrap();
        assert_eq!(best.0, technique, "the pick is the most probable technique");
    }
}

#[test]
fn classify_refuses_more_spans_than_a_reply_should_hold() {
    let s = server();
    let text = "They are corrupt traitors and liars.";
    let spans: Vec<Value> = (0..2_001)
        .map(|i| json!({ "start": i % 30, "end": 31 }))
        .collect();
    let (status, r) = post(
        s.addr,
        "/v1/classify",
        &json!({ "text": text, "spans": spans }),
    );
    assert_eq!(status, 400, "{r}");
    assert!(error_of(&r).contains("at most 2000"), "{r}");
    let (status, r) = post(
        s.addr,
        "/v1/classify",
        &json!({ "text": text, "spans": spans[..2_000] }),
    );
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["spans"].as_array().unwrap().len(), 2_000);

    // Few spans, but each repeating a long text: the reply is bounded by what it copies.
    let long = "word ".repeat(500_000);
    let whole = json!({ "start": 0, "end": long.len() });
    let (status, r) = post(
        s.addr,
        "/v1/classify",
        &json!({ "text": long, "spans": [whole, whole] }),
    );
    assert_eq!(status, 400, "{r}");
    assert!(error_of(&r).contains("code points in all"), "{r}");
}

#[test]
fn export_refuses_spans_outside_the_text() {
    let s = server();
    let (status, report) = post(s.addr, "/v1/analyze", &json!({ "text": ARTICLE }));
    assert_eq!(status, 200);
    let len = ARTICLE.chars().count();
    for (start, end) in [(5, 999), (9, 5), (7, 7)] {
        let mut bad = report.clone();
        bad["spans"][0]["start"] = json!(start);
        bad["spans"][0]["end"] = json!(end);
        for format in ["html", "csv"] {
            let (status, err) = post(
                s.addr,
                "/v1/export",
                &json!({ "report": bad, "format": format }),
            );
            assert_eq!(status, 400, "{start}..{end} {format}: {err}");
            assert!(
                error_of(&err)
                    .contains(&format!("span 0 ({start}..{end}) is not a non-empty range"))
                    && error_of(&err).contains(&format!("{len} code points")),
                "{err}"
            );
        }
    }
    // Without its text, a report's spans are checked against its length.
    let mut bare = report.clone();
    bare.as_object_mut().unwrap().remove("text");
    bare["length"] = json!(3);
    let (status, err) = post(
        s.addr,
        "/v1/export",
        &json!({ "report": bare, "format": "csv" }),
    );
    assert_eq!(status, 400, "{err}");
    assert!(error_of(&err).contains("3 code points"), "{err}");
    // With it, the length must be the text's.
    let mut wrong = report.clone();
    wrong["length"] = json!(len + 1);
    let (status, err) = post(
        s.addr,
        "/v1/export",
        &json!({ "report": wrong, "format": "csv" }),
    );
    assert_eq!(status, 400, "{err}");
    assert!(
        error_of(&err).contains(&format!("\"length\" is {} but \"text\" has {len}", len + 1)),
        "{err}"
    );
}

#[test]
fn export_refuses_claims_quotes_and_findings_outside_the_text() {
    let s = server();
    let (status, report) = post(s.addr, "/v1/analyze", &json!({ "text": ARTICLE }));
    assert_eq!(status, 200);
    let len = ARTICLE.chars().count();
    let place = |start: usize, end: usize| json!({ "start": start, "end": end, "text": "x" });
    let mut fine = report.clone();
    // The article has no inconsistency; one made up checks findings too. An empty place is
    // what analysis gives where it could not make one, so it is exported.
    fine["findings"] = json!([{
        "kind": "name_spelled_two_ways",
        "places": [place(0, 1), place(2, 2)],
        "explanation": "made up",
    }]);
    let html = export(s.addr, &fine, "html");
    assert_eq!(html.status, 200, "{}", html.body);

    let cases = [
        ("claims[0]", "/claims/0"),
        ("quotes[0].content", "/quotes/0/content"),
        ("quotes[0].cue", "/quotes/0/cue"),
        ("quotes[0].source", "/quotes/0/source"),
        ("quotes[0].speaker_place", "/quotes/0/speaker_place"),
        ("findings[0].places[1]", "/findings/0/places/1"),
    ];
    for (what, pointer) in cases {
        for (start, end) in [(50, 9999), (9, 5)] {
            let mut bad = fine.clone();
            let target = bad.pointer_mut(pointer).unwrap();
            if target.is_null() {
                *target = place(0, 1);
            }
            target["start"] = json!(start);
            target["end"] = json!(end);
            for format in ["html", "csv"] {
                let (status, err) = post(
                    s.addr,
                    "/v1/export",
                    &json!({ "report": bad, "format": format }),
                );
                assert_eq!(status, 400, "{what} {start}..{end} {format}: {err}");
                assert!(
                    error_of(&err).contains(&format!(
                        "{what} ({start}..{end}) is not a range inside the text, which has {len} code points"
                    )),
                    "{what}: {err}"
                );
            }
        }
    }
}

#[test]
fn techniques_health_and_openapi() {
    let s = server();
    let (status, t) = get(s.addr, "/v1/techniques");
    assert_eq!(status, 200);
    let t = t.as_array().unwrap();
    assert_eq!(t.len(), 14);
    assert_eq!(t[9]["name"], "Name_Calling,Labeling");
    assert!(t
        .iter()
        .all(|x| x["color"].as_str().unwrap().starts_with('#')
            && !x["definition"].as_str().unwrap().is_empty()
            && !x["short_name"].as_str().unwrap().is_empty()));

    let (status, h) = get(s.addr, "/healthz");
    assert_eq!(status, 200);
    assert_eq!(
        h,
        json!({ "status": "ok", "detector": "classical", "models": ["classical"], "version": env!("CARGO_PKG_VERSION"), "fetch": false })
    );

    let (status, doc) = get(s.addr, "/openapi.json");
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in ["/v1/analyze", "/v1/classify", "/v1/techniques", "/healthz"] {
        assert!(paths.contains_key(p), "{p} missing from {paths:?}");
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "Report",
        "ReportSpan",
        "Claim",
        "Quote",
        "Finding",
        "Technique",
    ] {
        assert!(schemas.contains_key(name), "{name} missing");
    }
    assert_eq!(schemas["Technique"]["enum"].as_array().unwrap().len(), 14);
}

#[test]
fn bad_requests_get_400_with_a_message() {
    let s = server();
    let a = s.addr;
    let (status, r) = request(a, "POST", "/v1/analyze", b"{\"text\": \"caf\xff\"}");
    assert_eq!(status, 400);
    assert!(error_of(&r).contains("UTF-8"), "{r}");

    let (status, r) = request(a, "POST", "/v1/analyze", b"{\"text\": ");
    assert_eq!(status, 400);
    assert!(error_of(&r).contains("invalid JSON"), "{r}");
    for path in ["/v1/analyze", "/v1/classify", "/v1/export"] {
        for body in [&b" [1, 2]"[..], b"\"text\"", b"42"] {
            let (status, r) = request(a, "POST", path, body);
            assert_eq!(status, 400);
            assert!(error_of(&r).contains("must be a JSON object"), "{r}");
        }
    }

    for body in [json!({ "text": "  \n" }), json!({ "html": "" })] {
        let (status, r) = post(a, "/v1/analyze", &body);
        assert_eq!(status, 400);
        assert!(error_of(&r).contains("is empty"), "{r}");
    }
    for body in [json!({}), json!({ "text": "a", "html": "<p>a</p>" })] {
        let (status, r) = post(a, "/v1/analyze", &body);
        assert_eq!(status, 400);
        assert!(error_of(&r).contains("exactly one"), "{r}");
    }
    let (status, r) = post(a, "/v1/analyze", &json!({ "txt": "typo" }));
    assert_eq!(status, 400);
    assert!(error_of(&r).contains("txt"), "{r}");
    let (status, r) = post(
        a,
        "/v1/analyze",
        &json!({ "html": "<html><body></body></html>" }),
    );
    assert_eq!(status, 400);
    assert!(error_of(&r).contains("no main article text"), "{r}");

    // A NUL is no article character: refused as a text file with one is refused as binary.
    for (path, body) in [
        ("/v1/analyze", json!({ "text": "NUL \u{0} here." })),
        (
            "/v1/classify",
            json!({ "text": "NUL \u{0} here.", "spans": [{ "start": 0, "end": 3 }] }),
        ),
    ] {
        let (status, r) = post(a, path, &body);
        assert_eq!(status, 400, "{path}: {r}");
        assert!(
            error_of(&r).contains("NUL character (U+0000) at code point 4"),
            "{r}"
        );
    }

    let (status, r) = post(a, "/v1/classify", &json!({ "text": "abc" }));
    assert_eq!(status, 400);
    assert!(error_of(&r).contains("spans"), "{r}");
    // "é🚨x" is 3 code points (and 7 bytes): 1..3 is fine, 2..4 is not.
    let text = "é🚨x";
    let (status, r) = post(
        a,
        "/v1/classify",
        &json!({ "text": text, "spans": [{ "start": 1, "end": 3 }, { "start": 2, "end": 4 }] }),
    );
    assert_eq!(status, 400);
    assert!(error_of(&r).contains("span 1 (2..4)"), "{r}");
    let (status, r) = post(
        a,
        "/v1/classify",
        &json!({ "text": text, "spans": [{ "start": 2, "end": 2 }] }),
    );
    assert_eq!(status, 400);
    assert!(error_of(&r).contains("span 0"), "{r}");
    let (status, r) = post(
        a,
        "/v1/classify",
        &json!({ "text": text, "spans": [{ "start": -1, "end": 2 }] }),
    );
    assert_eq!(status, 400, "{r}");
}

#[test]
fn unknown_routes_and_methods_answer_json() {
    let s = server();
    let (status, r) = get(s.addr, "/v1/nope");
    assert_eq!(status, 404);
    assert!(error_of(&r).contains("/v1/nope"));
    let (status, r) = get(s.addr, "/v1/analyze");
    assert_eq!(status, 405);
    assert!(error_of(&r).contains("GET"));
}

#[test]
fn oversized_body_gets_413() {
    let s = start(Config {
        max_body: 1000,
        ..Config::default()
    });
    let (status, r) = post(s.addr, "/v1/analyze", &json!({ "text": "a".repeat(2000) }));
    assert_eq!(status, 413);
    assert!(error_of(&r).contains("1000 bytes"), "{r}");
    // Just under the limit is fine.
    let (status, _) = post(s.addr, "/v1/analyze", &json!({ "text": "a ".repeat(400) }));
    assert_eq!(status, 200);
}

/// `/v1/export` of `report` as `format`, with the whole response.
fn export(addr: SocketAddr, report: &Value, format: &str) -> Raw {
    let body = json!({ "report": report, "format": format }).to_string();
    raw(
        addr,
        "POST",
        "/v1/export",
        &["Content-Type: application/json"],
        body.as_bytes(),
    )
}
