//! The analysis page, JSON content types and CORS.

use super::*;

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

/// The allowed origin is written as an operator might type it (upper case, the default port,
/// a trailing slash), so that these tests also show browsers' spelling of it matching.
fn allowing_app_example() -> TestServer {
    start(Config {
        allowed_origins: vec!["https://App.Example:443/".into()],
        ..Config::default()
    })
}

fn preflight_from(addr: SocketAddr, origin: &str) -> Raw {
    raw(
        addr,
        "OPTIONS",
        "/v1/analyze",
        &[
            &format!("Origin: {origin}"),
            "Access-Control-Request-Method: POST",
            "Access-Control-Request-Headers: content-type",
        ],
        b"",
    )
}

fn post_from(addr: SocketAddr, origin: &str) -> Raw {
    raw(
        addr,
        "POST",
        "/v1/analyze",
        &[
            &format!("Origin: {origin}"),
            "Content-Type: application/json",
        ],
        json!({ "text": ARTICLE }).to_string().as_bytes(),
    )
}

#[test]
fn cors_preflights_pass_only_for_the_allowed_origins() {
    let s = allowing_app_example();
    let ok = preflight_from(s.addr, "https://app.example");
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
        let r = preflight_from(s.addr, denied);
        assert_eq!(r.status, 403, "{denied}: {}", r.head);
        assert!(
            r.header("access-control-allow-origin").is_none(),
            "{}",
            r.head
        );
        assert!(error_of(&r.json()).contains("--allow-origin"), "{}", r.body);
    }
}

#[test]
fn cors_answers_only_the_allowed_origins() {
    let s = allowing_app_example();
    let r = post_from(s.addr, "https://app.example");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    let r = post_from(s.addr, "https://evil.example");
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
    let r = post_from(s.addr, &own);
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
