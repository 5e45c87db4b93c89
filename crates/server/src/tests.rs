//! API tests against real servers on loopback ports, spoken to over plain TCP: a few lines of
//! HTTP/1.1 are all a client needs here, and raw bytes let the tests send what no well-behaved
//! client would (invalid UTF-8, oversized bodies).

use super::*;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::OnceLock;
use unspin::{Article, Technique};

/// One runtime for every test server; it lives as long as the test process.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("test runtime")
    })
}

/// A server on 127.0.0.1 with its own limits; the state is kept so tests can occupy slots.
struct TestServer {
    addr: SocketAddr,
    state: Arc<AppState>,
}

fn start(config: Config) -> TestServer {
    // Loading the models is the slow part; each test server gets its own (cheap after the
    // first, as the embedded models are decoded from memory).
    let analyzer = Analyzer::new(unspin::load_detector(None).expect("embedded model"), true)
        .expect("claim model");
    start_with(analyzer, config)
}

/// A server on 127.0.0.1 running `analyzer`.
fn start_with(analyzer: Analyzer, config: Config) -> TestServer {
    start_models(vec![analyzer], config)
}

/// A server on 127.0.0.1 offering `analyzers`, the first the default.
fn start_models(analyzers: Vec<Analyzer>, config: Config) -> TestServer {
    let state = Arc::new(AppState::new(analyzers, &config));
    let router = app(Arc::clone(&state));
    let addr = runtime().block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve(listener, router, std::future::pending()));
        addr
    });
    TestServer { addr, state }
}

fn server() -> TestServer {
    start(Config::default())
}

/// Sends one request and returns the status and the body parsed as JSON.
fn request(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8(response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    let value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}"));
    (status, value)
}

/// An answer as raw parts: status, head (lower-cased, for header checks) and body.
struct Raw {
    status: u16,
    head: String,
    body: String,
}

impl Raw {
    /// The value of header `name` (lower case), if present.
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            (n.trim() == name).then(|| v.trim())
        })
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }
}

/// Sends a request with exactly the given extra header lines.
fn raw(addr: SocketAddr, method: &str, path: &str, headers: &[&str], body: &[u8]) -> Raw {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for h in headers {
        head += h;
        head += "\r\n";
    }
    head += &format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8(response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    Raw {
        status: head.split(' ').nth(1).unwrap().parse().unwrap(),
        head: head.to_ascii_lowercase(),
        body: body.to_string(),
    }
}

fn post(addr: SocketAddr, path: &str, body: &Value) -> (u16, Value) {
    request(addr, "POST", path, body.to_string().as_bytes())
}

fn get(addr: SocketAddr, path: &str) -> (u16, Value) {
    request(addr, "GET", path, b"")
}

/// The code points `start..end` of `text`.
fn slice(text: &str, start: u64, end: u64) -> String {
    text.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

fn error_of(v: &Value) -> &str {
    v["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error: {v}"))
}

const ARTICLE: &str = "🚨 The corrupt traitors in Brüssel will destroy our great nation! \
    Every patriot knows it. \"They are liars and criminals,\" said Senator Smith. \
    Unemployment rose to 12% from 5%, officials said.";

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
    let body = json!({ "report": report, "format": "html" }).to_string();
    let html = raw(
        s.addr,
        "POST",
        "/v1/export",
        &["Content-Type: application/json"],
        body.as_bytes(),
    );
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

    let body = json!({ "report": report, "format": "csv" }).to_string();
    let csv = raw(
        s.addr,
        "POST",
        "/v1/export",
        &["Content-Type: application/json"],
        body.as_bytes(),
    );
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

/// Takes the permits a running analysis holds (its admission and its slot).
fn hold_a_running_analysis(
    s: &TestServer,
) -> (
    tokio::sync::OwnedSemaphorePermit,
    tokio::sync::OwnedSemaphorePermit,
) {
    (
        Arc::clone(&s.state.admission).try_acquire_owned().unwrap(),
        Arc::clone(&s.state.slots).try_acquire_owned().unwrap(),
    )
}

#[test]
fn past_the_concurrency_cap_gets_503() {
    let s = start(Config {
        max_concurrent: 1,
        max_queued: 0,
        ..Config::default()
    });
    // Occupy the only slot as a running analysis would: deterministic, no timing involved.
    let held = hold_a_running_analysis(&s);
    let busy = raw(
        s.addr,
        "POST",
        "/v1/analyze",
        &["Content-Type: application/json"],
        json!({ "text": ARTICLE }).to_string().as_bytes(),
    );
    assert_eq!(busy.status, 503);
    assert!(error_of(&busy.json()).contains("busy"), "{}", busy.body);
    // Tells clients when to come back instead of leaving them to retry in a tight loop.
    assert_eq!(busy.header("retry-after"), Some("1"), "{}", busy.head);
    let (status, _) = post(
        s.addr,
        "/v1/classify",
        &json!({ "text": ARTICLE, "spans": [{ "start": 0, "end": 3 }] }),
    );
    assert_eq!(status, 503);
    // Cheap endpoints stay available while analyses are saturated.
    assert_eq!(get(s.addr, "/healthz").0, 200);
    drop(held);
    assert_eq!(
        post(s.addr, "/v1/analyze", &json!({ "text": ARTICLE })).0,
        200
    );
}

#[test]
fn a_request_waits_in_the_queue_for_a_slot_and_past_the_queue_gets_503() {
    let s = start(Config {
        max_concurrent: 1,
        max_queued: 1,
        ..Config::default()
    });
    let held = hold_a_running_analysis(&s);
    let addr = s.addr;
    let waiting =
        std::thread::spawn(move || post(addr, "/v1/analyze", &json!({ "text": ARTICLE })).0);
    // Wait until the request has been admitted and is waiting for the slot.
    while s.state.admission.available_permits() > 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    // One running (held by the test) and one waiting: the queue is full.
    let (status, r) = post(s.addr, "/v1/analyze", &json!({ "text": ARTICLE }));
    assert_eq!(status, 503, "{r}");
    drop(held);
    assert_eq!(waiting.join().unwrap(), 200);
}

#[test]
fn past_the_time_limit_gets_504() {
    let s = start(Config {
        timeout: Duration::from_millis(1),
        ..Config::default()
    });
    // Analysing 50k code points takes far longer than a millisecond.
    let text = ARTICLE.repeat(250);
    let (status, r) = post(s.addr, "/v1/analyze", &json!({ "text": text }));
    assert_eq!(status, 504);
    assert!(error_of(&r).contains("limit"), "{r}");
}

/// A detector that works until it is cancelled (or a minute has passed), in short steps like the
/// transformer's batches of windows; it counts the runs that saw the flag.
struct UntilCancelled(Arc<std::sync::atomic::AtomicUsize>);

impl unspin::Detector for UntilCancelled {
    fn name(&self) -> &str {
        "until-cancelled"
    }

    fn detect(
        &self,
        _: &unspin::Document,
        cancel: &unspin::Cancel,
    ) -> Result<unspin::Detection, unspin::DetectError> {
        for _ in 0..6000 {
            if let Err(c) = cancel.check() {
                self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                return Err(c.into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(unspin::Detection::default())
    }

    fn classify(
        &self,
        _: &unspin::Document,
        spans: &[unspin::CharSpan],
        _: &unspin::Cancel,
    ) -> Result<Vec<unspin::TechniqueScores>, unspin::DetectError> {
        Ok(vec![unspin::UNIFORM_SCORES; spans.len()])
    }
}

/// A detector that fails on articles whose text starts with "fail" and otherwise answers with
/// a note, as an ensemble does when one of its models failed.
struct Flaky;

impl unspin::Detector for Flaky {
    fn name(&self) -> &str {
        "flaky"
    }

    fn detect(
        &self,
        doc: &unspin::Document,
        _: &unspin::Cancel,
    ) -> Result<unspin::Detection, unspin::DetectError> {
        if doc.text().starts_with("fail") {
            return Err(unspin::DetectError::failed("flaky", doc, "the model broke"));
        }
        Ok(unspin::Detection {
            notes: vec!["half the model was missing".to_string()],
            ..unspin::Detection::default()
        })
    }

    fn classify(
        &self,
        doc: &unspin::Document,
        _: &[unspin::CharSpan],
        _: &unspin::Cancel,
    ) -> Result<Vec<unspin::TechniqueScores>, unspin::DetectError> {
        Err(unspin::DetectError::failed("flaky", doc, "the model broke"))
    }
}

#[test]
fn a_failing_model_gets_500_naming_it_and_notes_reach_the_report() {
    let s = start_with(
        Analyzer::new(Box::new(Flaky), false).unwrap(),
        Config::default(),
    );
    let (status, r) = post(s.addr, "/v1/analyze", &json!({ "text": "fail now" }));
    assert_eq!(status, 500, "{r}");
    assert!(error_of(&r).contains("flaky detector"), "{r}");
    assert!(error_of(&r).contains("the model broke"), "{r}");
    let (status, r) = post(s.addr, "/v1/analyze", &json!({ "text": "all is well" }));
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["notes"], json!(["half the model was missing"]));
    let (status, r) = post(
        s.addr,
        "/v1/classify",
        &json!({ "text": "all is well", "spans": [{ "start": 0, "end": 3 }] }),
    );
    assert_eq!(status, 500, "{r}");
}

#[test]
fn requests_choose_among_the_servers_models() {
    let classical = Analyzer::new(unspin::load_detector(None).unwrap(), true).unwrap();
    let s = start_models(
        vec![classical, Analyzer::new(Box::new(Flaky), false).unwrap()],
        Config::default(),
    );
    let (status, h) = get(s.addr, "/healthz");
    assert_eq!(status, 200);
    assert_eq!(h["models"], json!(["classical", "flaky"]));
    assert_eq!(h["detector"], "classical");
    // The default, then each by name.
    let (_, r) = post(s.addr, "/v1/analyze", &json!({ "text": ARTICLE }));
    assert_eq!(r["detector"], "classical");
    let (status, r) = post(
        s.addr,
        "/v1/analyze",
        &json!({ "text": "all is well", "model": "flaky" }),
    );
    assert_eq!((status, &r["detector"]), (200, &json!("flaky")), "{r}");
    let (status, r) = post(
        s.addr,
        "/v1/classify",
        &json!({ "text": ARTICLE, "spans": [{ "start": 0, "end": 5 }], "model": "classical" }),
    );
    assert_eq!((status, &r["detector"]), (200, &json!("classical")), "{r}");
    // A name the server does not have is the client's mistake, and the answer lists them.
    for (path, body) in [
        (
            "/v1/analyze",
            json!({ "text": ARTICLE, "model": "ensemble" }),
        ),
        (
            "/v1/classify",
            json!({ "text": ARTICLE, "spans": [], "model": "ensemble" }),
        ),
    ] {
        let (status, r) = post(s.addr, path, &body);
        assert_eq!(status, 400, "{path}: {r}");
        assert!(error_of(&r).contains("classical, flaky"), "{r}");
    }
}

#[test]
fn a_client_that_hangs_up_cancels_its_analysis() {
    let stopped = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let detector = Box::new(UntilCancelled(Arc::clone(&stopped)));
    let TestServer { addr, state } = start_with(
        Analyzer::new(detector, false).unwrap(),
        Config {
            max_concurrent: 1,
            ..Config::default()
        },
    );
    let body = serde_json::to_vec(&json!({ "text": ARTICLE })).unwrap();
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /v1/analyze HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(&body).unwrap();
    // Once the analysis holds the slot, the page's Cancel button: the connection closes.
    let asked = std::time::Instant::now();
    while state.slots.available_permits() == 1 {
        assert!(asked.elapsed() < Duration::from_secs(5), "never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(stream);
    while stopped.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(
            asked.elapsed() < Duration::from_secs(10),
            "the analysis ran on after its client left"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    while state.slots.available_permits() == 0 {
        assert!(asked.elapsed() < Duration::from_secs(10), "slot still held");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_timed_out_analysis_is_cancelled_and_frees_its_slot() {
    let stopped = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let detector = Box::new(UntilCancelled(Arc::clone(&stopped)));
    let config = Config {
        timeout: Duration::from_millis(300),
        max_concurrent: 1,
        max_queued: 0,
        ..Config::default()
    };
    let TestServer { addr, state } = start_with(Analyzer::new(detector, false).unwrap(), config);
    for round in 0..3 {
        let asked = std::time::Instant::now();
        let (status, r) = post(addr, "/v1/analyze", &json!({ "text": ARTICLE }));
        assert_eq!(status, 504, "{r}");
        // Without cancellation the slot stays taken for the detector's whole minute, and the
        // next round gets 503 instead of 504.
        while state.slots.available_permits() == 0 {
            assert!(asked.elapsed() < Duration::from_secs(2), "slot still held");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(asked.elapsed() < Duration::from_secs(2));
        assert_eq!(stopped.load(std::sync::atomic::Ordering::SeqCst), round + 1);
    }
}

#[test]
fn graceful_shutdown_stops_the_server() {
    let analyzer = Analyzer::new(unspin::load_detector(None).unwrap(), false).unwrap();
    let router = router(analyzer, &Config::default());
    runtime().block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, router, async {
            let _ = rx.await;
        }));
        tx.send(()).unwrap();
        let done = tokio::time::timeout(Duration::from_secs(5), server).await;
        assert!(matches!(done, Ok(Ok(Ok(())))), "{done:?}");
    });
}

#[test]
fn the_root_serves_the_analysis_page() {
    let s = server();
    let mut stream = TcpStream::connect(s.addr).unwrap();
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        s.addr
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(body.starts_with("<!doctype html>"));
    // The markers the browser end-to-end test relies on.
    for marker in [
        r#"data-testid="input""#,
        r#"data-testid="file""#,
        r#"data-testid="analyze""#,
        r#"data-testid="article""#,
        r#"data-testid="legend""#,
        r#"data-testid="confidence""#,
        r#"data-testid="chart""#,
        r#"data-testid="scores""#,
        r#"data-testid="download""#,
        r#"data-testid="aids""#,
        r#"role="tooltip""#,
        r#"role="alert""#,
    ] {
        assert!(body.contains(marker), "page lacks {marker}");
    }
    // Self-contained: nothing is loaded from another origin (the page's text may mention
    // "https://" in the URL field's hint; e2e/page.test.mjs watches the real requests).
    for load in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "fetch(\"http",
        "import(\"http",
    ] {
        assert!(!body.contains(load), "page loads {load}…");
    }
}

#[test]
fn json_endpoints_require_a_json_content_type() {
    let s = server();
    let body = json!({ "text": ARTICLE }).to_string();
    // What a web page can send cross-origin without a preflight, and what `curl -d` sends.
    for content_type in [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/jsonx"),
        Some("application/json-patch+json"),
        None,
    ] {
        for path in ["/v1/analyze", "/v1/classify"] {
            let header = content_type.map(|t| format!("Content-Type: {t}"));
            let headers: Vec<&str> = header.iter().map(String::as_str).collect();
            let r = raw(s.addr, "POST", path, &headers, body.as_bytes());
            assert_eq!(r.status, 415, "{content_type:?} {path}: {}", r.body);
            assert_eq!(r.header("content-type"), Some("application/json"));
            assert!(
                error_of(&r.json()).contains("application/json"),
                "{}",
                r.body
            );
        }
    }
    // Parameters such as the charset are fine, and the type is case-insensitive.
    for content_type in ["application/json; charset=utf-8", "Application/JSON"] {
        let r = raw(
            s.addr,
            "POST",
            "/v1/analyze",
            &[&format!("Content-Type: {content_type}")],
            body.as_bytes(),
        );
        assert_eq!(r.status, 200, "{content_type}: {}", r.body);
    }
    // A wrong method is still 405, whatever the type.
    let r = raw(
        s.addr,
        "GET",
        "/v1/analyze",
        &["Content-Type: text/plain"],
        b"",
    );
    assert_eq!(r.status, 405);
}

#[test]
fn no_cors_headers_by_default() {
    let s = server();
    let preflight = raw(
        s.addr,
        "OPTIONS",
        "/v1/analyze",
        &[
            "Origin: https://app.example",
            "Access-Control-Request-Method: POST",
            "Access-Control-Request-Headers: content-type",
        ],
        b"",
    );
    assert_ne!(preflight.status / 100, 2, "{}", preflight.head);
    assert!(
        !preflight.head.contains("access-control-"),
        "{}",
        preflight.head
    );
    let r = raw(
        s.addr,
        "POST",
        "/v1/analyze",
        &[
            "Origin: https://app.example",
            "Content-Type: application/json",
        ],
        json!({ "text": ARTICLE }).to_string().as_bytes(),
    );
    assert_eq!(r.status, 200);
    assert!(!r.head.contains("access-control-"), "{}", r.head);
}

#[test]
fn cors_answers_only_the_allowed_origins() {
    let s = start(Config {
        allowed_origins: vec!["https://App.Example:443/".into()],
        ..Config::default()
    });
    let preflight = |origin: &str| {
        raw(
            s.addr,
            "OPTIONS",
            "/v1/analyze",
            &[
                &format!("Origin: {origin}"),
                "Access-Control-Request-Method: POST",
                "Access-Control-Request-Headers: content-type",
            ],
            b"",
        )
    };
    let ok = preflight("https://app.example");
    assert_eq!(ok.status, 200, "{}", ok.head);
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    assert!(ok
        .header("access-control-allow-methods")
        .is_some_and(|m| m.contains("post")));
    assert!(ok
        .header("access-control-allow-headers")
        .is_some_and(|h| h.contains("content-type")));

    for denied in ["https://evil.example", "http://app.example", "null"] {
        let r = preflight(denied);
        assert_eq!(r.status, 403, "{denied}: {}", r.head);
        assert!(
            r.header("access-control-allow-origin").is_none(),
            "{}",
            r.head
        );
        assert!(error_of(&r.json()).contains("--allow-origin"), "{}", r.body);
    }

    let post_from = |origin: &str| {
        raw(
            s.addr,
            "POST",
            "/v1/analyze",
            &[
                &format!("Origin: {origin}"),
                "Content-Type: application/json",
            ],
            json!({ "text": ARTICLE }).to_string().as_bytes(),
        )
    };
    let r = post_from("https://app.example");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    let r = post_from("https://evil.example");
    assert!(
        r.header("access-control-allow-origin").is_none(),
        "{}",
        r.head
    );
    // Errors reach an allowed page too, so it can show why.
    let r = raw(
        s.addr,
        "POST",
        "/v1/analyze",
        &["Origin: https://app.example", "Content-Type: text/plain"],
        b"{}",
    );
    assert_eq!(r.status, 415);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    // The page served by the server itself sends its own origin, never preflights, and works.
    let own = format!("http://{}", s.addr);
    let r = post_from(&own);
    assert_eq!(r.status, 200);
}

#[test]
fn origins_are_checked_and_written_as_browsers_send_them() {
    assert_eq!(
        parse_origin("https://Example.ORG").unwrap(),
        "https://example.org"
    );
    assert_eq!(
        parse_origin("https://example.org/").unwrap(),
        "https://example.org"
    );
    assert_eq!(
        parse_origin("http://localhost:3000").unwrap(),
        "http://localhost:3000"
    );
    assert_eq!(
        parse_origin("http://example.org:80").unwrap(),
        "http://example.org"
    );
    for bad in [
        "example.org",
        "https://example.org/app",
        "https://example.org?x=1",
        "https://user@example.org",
        "*",
        "",
    ] {
        let e = parse_origin(bad).unwrap_err();
        assert!(e.to_string().contains("not an origin"), "{bad}: {e}");
    }
}
