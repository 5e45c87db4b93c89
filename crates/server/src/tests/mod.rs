//! API tests against real servers on loopback ports, spoken to over plain TCP: a few lines of
//! HTTP/1.1 are all a client needs here, and raw bytes let the tests send what no well-behaved
//! client would (invalid UTF-8, oversized bodies).
//!
//! By area: [`api`] the endpoints and their answers, [`limits`] admission, time limits,
//! cancellation and models, [`http`] the page, content types and CORS.

mod api;
mod http;
mod limits;

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
        tokio::spawn(serve(
            listener,
            router,
            config.timeout,
            std::future::pending(),
        ));
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
