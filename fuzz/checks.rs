//! What each fuzz target checks, in one place: `fuzz/fuzz_targets/*.rs` call these on the
//! fuzzer's inputs, and `crates/cli/tests/fuzz_corpora.rs` replays every committed corpus and
//! crash file through them on stable Rust, so `cargo test` catches a regression without
//! nightly or cargo-fuzz.
//!
//! The one promise checked everywhere: bad input is an `Err`, never a panic, an abort or a
//! hang. Where a function has a cheap property beyond that (a round trip, a bound on offsets),
//! it is checked too.

use std::path::Path;
use std::sync::OnceLock;

use unspin::eval::labels::{parse_labels, write_labels, LabelFormat};
use unspin::input::{article_from_bytes, InputFormat};
use unspin::Document;

/// HTML extraction: a page's bytes decoded by its charset, then parsed and extracted.
pub fn html_extract(data: &[u8]) {
    let html = unspin_html::decode_html(data);
    if let Ok(page) = unspin_html::extract(&html) {
        assert!(!page.text.trim().is_empty(), "extracted an empty main text");
    }
}

/// Text input decoding: the checks every input goes through (UTF-16, binary, invalid UTF-8,
/// HTML sniffing), then the document every detector reads, whose offsets must stay inside the
/// text.
pub fn text_input(data: &[u8]) {
    for (name, format) in [("a.txt", InputFormat::Auto), ("a.html", InputFormat::Auto)] {
        if let Ok(article) = article_from_bytes(data.to_vec(), "a".into(), Path::new(name), format)
        {
            let length = article.text().chars().count();
            let doc = Document::new(article);
            for token in &doc.tokens {
                assert!(token.span.start < token.span.end && token.span.end <= length);
                assert!(!token.text(doc.article.text()).is_empty());
            }
            for sentence in &doc.sentences {
                assert!(sentence.span.start <= sentence.span.end && sentence.span.end <= length);
                assert!(sentence.tokens.end <= doc.tokens.len());
            }
        }
    }
}

/// PTC label files, in each format: an accepted file writes back and parses to the same labels.
pub fn ptc_labels(data: &[u8]) {
    for format in [LabelFormat::Si, LabelFormat::Tc, LabelFormat::TcTemplate] {
        let Ok(labels) = parse_labels(data, Path::new("fuzz.labels"), format) else {
            continue;
        };
        for label in &labels {
            assert!(label.span.start <= label.span.end, "{label:?}");
        }
        let mut written = Vec::new();
        write_labels(&mut written, &labels, format).expect("write to memory");
        let again = parse_labels(&written[..], Path::new("again.labels"), format)
            .expect("labels we wrote parse back");
        let strip = |ls: &[unspin::eval::labels::Label]| {
            ls.iter()
                .map(|l| (l.article.clone(), l.technique, l.span))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&labels), strip(&again));
    }
}

/// A JSONL corpus line, as `unspin batch` reads it, made into an article.
pub fn jsonl_record(data: &[u8]) {
    if let Ok(record) = unspin_corpus::source::InputRecord::from_json_line(data) {
        if let Ok((article, _meta)) = record.into_article() {
            assert!(!unspin::input::is_blank(article.text()));
        }
    }
}

/// The model files unspin reads: the classical model's container (an accepted one writes back
/// to bytes that load again), transformer heads and LoRA adapters (safetensors).
pub fn model_file(data: &[u8]) {
    use unspin::classical::ClassicalModel;
    if let Ok(model) = ClassicalModel::from_bytes(data, "fuzz.model") {
        ClassicalModel::from_bytes(&model.to_bytes(), "again.model").expect("round trip");
    }
    let _ = unspin::transformer::Heads::from_bytes(data, "fuzz.safetensors");
    let _ = unspin::transformer::lora::Adapter::from_bytes(data, "fuzz.safetensors");
}

/// The server's request handling, end to end through the router (no socket): any body sent as
/// JSON to the analysis endpoints gets a 2xx or a 4xx with an `{"error"}` body, never a 500.
pub fn server_request(data: &[u8]) {
    use axum::body::Body;
    use axum::http::{header, Request};
    use tower::ServiceExt;

    static ROUTER: OnceLock<(tokio::runtime::Runtime, axum::Router)> = OnceLock::new();
    let (rt, router) = ROUTER.get_or_init(|| {
        let analyzer = unspin::Analyzer::new(unspin::load_detector(None).unwrap(), true).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let router = unspin_server::router(analyzer, &unspin_server::Config::default());
        (rt, router)
    });
    for path in ["/v1/analyze", "/v1/classify"] {
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(data.to_vec()))
            .unwrap();
        let response = rt.block_on(router.clone().oneshot(request)).unwrap();
        let status = response.status();
        assert!(
            status.is_success() || status.is_client_error(),
            "{path}: status {status}"
        );
        let body = rt
            .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).expect("a JSON answer");
        if !status.is_success() {
            assert!(
                json["error"].is_string(),
                "{path}: {status} without an error message"
            );
        }
    }
}
