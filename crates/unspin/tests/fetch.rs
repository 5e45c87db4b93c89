//! `unspin::fetch` against local test servers only (127.0.0.1 and 127.0.0.2; no outside
//! network): redirects, limits, charsets, and the address check on the first request and on
//! every redirect, by name as well as by literal address.

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, TcpListener};
use std::thread;
use std::time::Duration;
use unspin::fetch::{fetch, fetch_article, FetchError, FetchOptions};

const PAGE: &str = "<!DOCTYPE html><html><head><title>Harbour vote</title></head><body>\
    <nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav><article><h1>Harbour vote</h1>\
    <p>The council voted on Monday to ban cruise ships from the old harbour after a long and \
    heated debate that ran late into the evening, with dozens of residents in the hall.</p>\
    <p>Supporters said the town would finally breathe again; opponents called the decision \
    economic suicide and promised to fight it in court before the summer season begins.</p>\
    </article><footer>All rights reserved</footer></body></html>";

/// An answer: status line, headers, body.
type Answer = (String, Vec<(String, String)>, Vec<u8>);

/// A tiny HTTP/1.1 server on `ip`, answering each path from `route`; returns its port.
fn serve(ip: &str, route: fn(&str, u16) -> Answer) -> u16 {
    let listener = TcpListener::bind((ip, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                let (status, headers, body) = route(&path, port);
                let mut head = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
                for (k, v) in headers {
                    head += &format!("{k}: {v}\r\n");
                }
                head += &format!("Content-Length: {}\r\n\r\n", body.len());
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            });
        }
    });
    port
}

fn ok(ct: &str, body: &[u8]) -> Answer {
    (
        "200 OK".into(),
        vec![("Content-Type".into(), ct.into())],
        body.to_vec(),
    )
}

fn redirect(to: String) -> Answer {
    (
        "302 Found".into(),
        vec![("Location".into(), to)],
        Vec::new(),
    )
}

/// The port of the 127.0.0.2 server, for routes on 127.0.0.1 that redirect there (and back).
static OTHER: std::sync::OnceLock<u16> = std::sync::OnceLock::new();
static MAIN: std::sync::OnceLock<u16> = std::sync::OnceLock::new();

fn route(path: &str, port: u16) -> Answer {
    match path {
        "/page.html" => ok("text/html", PAGE.as_bytes()),
        "/latin1.txt" => ok(
            "text/plain; charset=ISO-8859-1",
            b"Caf\xe9 owners said prices rose by 12% this year.",
        ),
        "/big" => ok("text/plain", &vec![b'a'; 5000]),
        "/hop" => redirect(format!("http://127.0.0.1:{port}/page.html")),
        "/loop" => redirect(format!("http://127.0.0.1:{port}/loop")),
        "/to-other" => redirect(format!(
            "http://127.0.0.2:{}/page.html",
            OTHER.get().unwrap()
        )),
        "/to-localhost" => redirect(format!(
            "http://localhost:{}/page.html",
            MAIN.get().unwrap()
        )),
        "/binary" => ok("application/octet-stream", b"\x00\x01\x02binary"),
        _ => ("404 Not Found".into(), Vec::new(), b"nope".to_vec()),
    }
}

fn servers() -> (u16, u16) {
    static PORTS: std::sync::OnceLock<(u16, u16)> = std::sync::OnceLock::new();
    *PORTS.get_or_init(|| {
        let main = serve("127.0.0.1", route);
        let other = serve("127.0.0.2", route);
        OTHER.set(other).unwrap();
        MAIN.set(main).unwrap();
        (main, other)
    })
}

fn open() -> FetchOptions {
    FetchOptions {
        allow_internal: true,
        timeout: Duration::from_secs(10),
        ..FetchOptions::default()
    }
}

/// Refuses 127.0.0.1 only, so that 127.0.0.2 stands in for a public address.
fn deny_one(ip: IpAddr) -> Option<&'static str> {
    (ip == IpAddr::from([127, 0, 0, 1])).then_some("the test's forbidden address")
}

fn guarded() -> FetchOptions {
    FetchOptions {
        allow_internal: false,
        deny: deny_one,
        ..open()
    }
}

#[test]
fn a_page_becomes_its_main_text_named_after_the_url() {
    let (main, _) = servers();
    let a = fetch_article(&format!("http://127.0.0.1:{main}/page.html"), &open()).unwrap();
    assert_eq!(a.id, "page");
    assert!(a.extracted);
    assert_eq!(a.title.as_deref(), Some("Harbour vote"));
    assert!(a.text().contains("economic suicide"));
    assert!(!a.text().contains("All rights reserved"));
}

#[test]
fn redirects_are_followed_up_to_the_limit() {
    let (main, _) = servers();
    let f = fetch(&format!("http://127.0.0.1:{main}/hop"), &open()).unwrap();
    assert!(f.url.ends_with("/page.html"), "{}", f.url);
    let e = fetch(&format!("http://127.0.0.1:{main}/loop"), &open()).unwrap_err();
    assert!(
        matches!(e, FetchError::TooManyRedirects { limit: 5, .. }),
        "{e}"
    );
}

#[test]
fn limits_status_and_content() {
    let (main, _) = servers();
    let small = FetchOptions {
        max_bytes: 1000,
        ..open()
    };
    let e = fetch(&format!("http://127.0.0.1:{main}/big"), &small).unwrap_err();
    assert!(matches!(e, FetchError::TooLarge { limit: 1000, .. }), "{e}");
    let e = fetch(&format!("http://127.0.0.1:{main}/missing"), &open()).unwrap_err();
    assert!(matches!(e, FetchError::Status { status: 404, .. }), "{e}");
    let e = fetch_article(&format!("http://127.0.0.1:{main}/binary"), &open()).unwrap_err();
    assert!(e.to_string().contains("binary"), "{e}");
    let a = fetch_article(&format!("http://127.0.0.1:{main}/latin1.txt"), &open()).unwrap();
    assert_eq!(a.text(), "Café owners said prices rose by 12% this year.");
}

#[test]
fn internal_addresses_are_refused_by_literal_by_name_and_on_redirect() {
    let (main, other) = servers();
    // The allowed host serves.
    fetch(&format!("http://127.0.0.2:{other}/page.html"), &guarded()).unwrap();
    // A literal forbidden address, before any connection.
    let e = fetch(&format!("http://127.0.0.1:{main}/page.html"), &guarded()).unwrap_err();
    assert!(matches!(e, FetchError::Internal { .. }), "{e}");
    // A name that resolves to it: refused after DNS resolution.
    let e = fetch(&format!("http://localhost:{main}/page.html"), &guarded()).unwrap_err();
    assert!(matches!(e, FetchError::Internal { .. }), "{e}");
    // Redirects from the allowed host to the forbidden one, by address and by name.
    let e = fetch(&format!("http://127.0.0.2:{other}/hop"), &guarded()).unwrap_err();
    assert!(e.is_refusal(), "{e}");
    let e = fetch(
        &format!("http://127.0.0.2:{other}/to-localhost"),
        &guarded(),
    )
    .unwrap_err();
    assert!(matches!(e, FetchError::Internal { .. }), "{e}");
    // And with the real rule every loopback address is refused.
    let e = fetch(
        &format!("http://127.0.0.2:{other}/page.html"),
        &FetchOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("loopback"), "{e}");
    // Unguarded, the same redirects are simply followed.
    let f = fetch(&format!("http://127.0.0.1:{main}/to-other"), &open()).unwrap();
    assert!(f.url.starts_with("http://127.0.0.2:"));
}
