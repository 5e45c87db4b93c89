//! The unspin HTTP API: the library behind `unspin serve`.
//!
//! Endpoints (all JSON but the page; the analysis ones are versioned under `/v1` so the wire
//! format can change later without breaking clients):
//!
//! * `POST /v1/analyze`: one article (`text` or `html`) in, the same [`Report`](unspin::Report) that
//!   `unspin analyze --format json` prints for it out;
//! * `POST /v1/classify`: a text and spans in, a technique and per-technique probabilities
//!   for each span out (the TC task);
//! * `GET /v1/techniques`: names, short names, definitions and colours of the 14 techniques;
//! * `GET /healthz`: liveness, the detector's name and the version;
//! * `GET /openapi.json`: the OpenAPI document, derived from the types below by `utoipa`, so it
//!   cannot drift from what the handlers really accept and return;
//! * `GET /`: the analysis page (HTML, embedded in the binary), a browser client of the above.
//!
//! Every failure answers `{"error": "..."}` with a status that says whose fault it was: 400 for
//! a bad request, 404/405 for a wrong route, 413 past the body limit, 415 for a body not sent
//! as `application/json`, 503 (with `Retry-After`) when all analysis slots are busy, 504 past
//! the time limit, 500 only for bugs.
//!
//! Browsers: the page at `/` calls the API from the server's own origin. Other origins get no
//! CORS headers unless the operator lists them ([`Config::allowed_origins`]); their preflight
//! requests are refused with 403.
//!
//! This crate knows nothing about command lines; the CLI parses flags into a [`Config`] and
//! calls [`run`].

mod api;
mod error;
mod page;

pub use api::{
    AnalyzeRequest, ClassifiedSpan, ClassifyRequest, ClassifyResponse, ClassifySpan, Health,
    TechniqueInfo,
};
pub use error::ErrorBody;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use unspin::Analyzer;

/// Default for [`Config::max_body`]: 5 MiB. News pages, even as full HTML, are far below it,
/// and it bounds the memory one request can make the server hold.
pub const DEFAULT_MAX_BODY: usize = 5 << 20;

/// Default for [`Config::timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Default for [`Config::max_concurrent`]: twice the cores. Analysis is CPU-bound, so more
/// would only queue on the blocking pool and grow latency; twice lets one request's I/O and
/// JSON work overlap another's analysis.
pub fn default_max_concurrent() -> usize {
    2 * std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Limits of a server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest accepted request body in bytes; larger ones get 413 without being read whole.
    pub max_body: usize,
    /// Longest a request may take, reading its body included; past it the client gets 504.
    pub timeout: Duration,
    /// How many analyses (`/v1/analyze`, `/v1/classify`) may run at once.
    pub max_concurrent: usize,
    /// How many more may wait for a running one to finish. A request past running + waiting
    /// gets 503 at once: a short queue absorbs bursts from a few busy clients, while an
    /// overloaded server still sheds load instead of piling up work whose clients have long
    /// given up (a waiting request also counts against `timeout`).
    pub max_queued: usize,
    /// Origins (`https://example.org`, see [`parse_origin`]) whose web pages may call the API:
    /// their preflight requests are answered and responses carry
    /// `Access-Control-Allow-Origin`. Empty (the default): no CORS at all, so browsers let only
    /// the server's own page read its answers.
    pub allowed_origins: Vec<String>,
    /// `{"url": …}` in `/v1/analyze`: `None` (the default) refuses it; `Some` fetches within
    /// these limits. Unless [`FetchOptions::allow_internal`] is set, loopback, private,
    /// link-local and metadata addresses are refused, checked after DNS resolution and on
    /// every redirect (see `unspin::fetch`).
    ///
    /// [`FetchOptions::allow_internal`]: unspin::fetch::FetchOptions::allow_internal
    pub fetch: Option<unspin::fetch::FetchOptions>,
}

/// Default for [`Config::max_queued`].
pub const DEFAULT_MAX_QUEUED: usize = 64;

impl Default for Config {
    fn default() -> Self {
        Config {
            max_body: DEFAULT_MAX_BODY,
            timeout: DEFAULT_TIMEOUT,
            max_concurrent: default_max_concurrent(),
            max_queued: DEFAULT_MAX_QUEUED,
            allowed_origins: Vec::new(),
            fetch: None,
        }
    }
}

/// Why a string is not an origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidOrigin(String);

impl std::fmt::Display for InvalidOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} is not an origin: give a scheme, a host and an optional port, such as \
             https://example.org or http://localhost:3000 (no path)",
            self.0
        )
    }
}

impl std::error::Error for InvalidOrigin {}

/// Checks an origin and writes it as browsers send it in the `Origin` header (lower case, no
/// trailing slash), which is what it is compared with.
pub fn parse_origin(s: &str) -> Result<String, InvalidOrigin> {
    let invalid = || InvalidOrigin(s.to_string());
    let uri: axum::http::Uri = s.parse().map_err(|_| invalid())?;
    let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
        return Err(invalid());
    };
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() || authority.as_str().contains('@')
    {
        return Err(invalid());
    }
    let scheme = scheme.to_ascii_lowercase();
    let host = authority.host().to_ascii_lowercase();
    // Browsers leave the scheme's default port out of the Origin they send.
    let origin = match (scheme.as_str(), authority.port_u16()) {
        ("http", Some(80)) | ("https", Some(443)) | (_, None) => format!("{scheme}://{host}"),
        (_, Some(port)) => format!("{scheme}://{host}:{port}"),
    };
    HeaderValue::from_str(&origin).map_err(|_| invalid())?;
    Ok(origin)
}

/// What every handler shares: the models, loaded once at startup, and the analysis slots.
pub(crate) struct AppState {
    /// The models requests can choose from (`"model"`); the first is the default. Names are
    /// the detectors' own, all different.
    pub(crate) analyzers: Vec<Analyzer>,
    /// One permit per analysis slot. A permit moves into the blocking task, so a request that
    /// timed out keeps its slot until its analysis really ends: the cap counts CPU work, not
    /// open connections.
    pub(crate) slots: Arc<Semaphore>,
    /// One permit per analysis running or waiting for a slot; none left means 503.
    pub(crate) admission: Arc<Semaphore>,
    pub(crate) max_body: usize,
    pub(crate) timeout: Duration,
    pub(crate) allowed_origins: Vec<HeaderValue>,
    pub(crate) fetch: Option<unspin::fetch::FetchOptions>,
}

impl AppState {
    pub(crate) fn new(analyzers: Vec<Analyzer>, config: &Config) -> Self {
        AppState {
            analyzers,
            slots: Arc::new(Semaphore::new(config.max_concurrent.max(1))),
            admission: Arc::new(Semaphore::new(
                config
                    .max_concurrent
                    .max(1)
                    .saturating_add(config.max_queued)
                    .min(Semaphore::MAX_PERMITS),
            )),
            max_body: config.max_body,
            timeout: config.timeout,
            // Spelled as browsers send them; one that is not an origin could never match.
            allowed_origins: config
                .allowed_origins
                .iter()
                .filter_map(|o| parse_origin(o).ok())
                .filter_map(|o| HeaderValue::from_str(&o).ok())
                .collect(),
            fetch: config.fetch.clone(),
        }
    }

    /// The analyzer a request names, or the default.
    pub(crate) fn analyzer(&self, model: Option<&str>) -> Result<&Analyzer, error::ApiError> {
        let Some(name) = model else {
            return Ok(&self.analyzers[0]);
        };
        self.analyzers
            .iter()
            .find(|a| a.detector().name() == name)
            .ok_or_else(|| {
                error::ApiError::bad_request(format!(
                    "unknown model \"{name}\": this server has {}",
                    self.model_names().join(", ")
                ))
            })
    }

    /// The models' names, the default first.
    pub(crate) fn model_names(&self) -> Vec<String> {
        self.analyzers
            .iter()
            .map(|a| a.detector().name().to_string())
            .collect()
    }
}

/// The API as an axum [`Router`], for embedding in another server or serving with [`serve`].
/// The analyzer should have its aids on; requests can still turn them off one by one.
pub fn router(analyzer: Analyzer, config: &Config) -> Router {
    router_with(vec![analyzer], config)
}

/// [`router`] with several models to choose from by name (`"model"` in a request; the page
/// offers them): the first is the default. Later models named like an earlier one are
/// dropped, since no request could reach them; with none, there is nothing to serve.
///
/// # Panics
///
/// When `analyzers` is empty: a server must have a model.
pub fn router_with(mut analyzers: Vec<Analyzer>, config: &Config) -> Router {
    assert!(!analyzers.is_empty(), "a server needs at least one model");
    let mut seen = std::collections::HashSet::new();
    analyzers.retain(|a| seen.insert(a.detector().name().to_string()));
    app(Arc::new(AppState::new(analyzers, config)))
}

pub(crate) fn app(state: Arc<AppState>) -> Router {
    let max_body = state.max_body;
    let timeout = state.timeout;
    let origins = state.allowed_origins.clone();
    let router = api::routes(state)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn(move |req, next| {
            error::with_timeout(timeout, req, next)
        }));
    if origins.is_empty() {
        return router;
    }
    // Outermost, so that every answer to an allowed origin carries the header, errors included:
    // its page can then read why a request failed.
    let cors = tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::AllowOrigin::list(origins.iter().cloned()))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600));
    let origins = Arc::new(origins);
    router
        .layer(cors)
        .layer(axum::middleware::from_fn(move |req, next| {
            refuse_foreign_preflight(Arc::clone(&origins), req, next)
        }))
}

/// Refuses a preflight request from an origin not listed: tower-http's CORS layer would answer
/// it 200 (without allowing the origin), and a plain 403 says more clearly what happened.
async fn refuse_foreign_preflight(
    origins: Arc<Vec<HeaderValue>>,
    req: Request,
    next: Next,
) -> Response {
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let origin = req.headers().get(header::ORIGIN);
    if preflight && !origin.is_some_and(|o| origins.contains(o)) {
        let origin = origin.map_or_else(
            || "no origin".to_string(),
            |o| String::from_utf8_lossy(o.as_bytes()).into_owned(),
        );
        return error::ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "cross-origin requests from {origin} are not allowed \
                 (the server's operator can allow an origin with --allow-origin)"
            ),
        )
        .into_response();
    }
    next.run(req).await
}

/// Serves `router` on `listener` until `shutdown` completes; requests in flight then finish
/// before this returns (graceful shutdown), for at most `timeout` and a second more.
///
/// A client gets `timeout` to send a request's headers, as it gets `timeout` for the whole
/// answer: one that sends half a header and waits would otherwise hold its connection forever,
/// and, since graceful shutdown waits for every connection, keep the server from stopping
/// on SIGTERM. That is why this is hyper's connection builder with a timer and not
/// `axum::serve`, which sets none.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(timeout);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: the clients already connected still
                // need answers, so wait a moment instead of failing (as axum::serve does).
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(router.clone());
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A client that hangs up or times out ends its connection; nothing to report.
            let _ = conn.await;
        });
    }
    drop(listener);
    // Every request is answered or cut at `timeout` by the middleware, so a connection still
    // open after that is a stalled client: stop waiting for it.
    let _ = tokio::time::timeout(timeout + Duration::from_secs(1), graceful.shutdown()).await;
    Ok(())
}

/// Binds `addr`, reports the bound address to `on_listen` (useful with port 0) and serves the
/// API until Ctrl-C or SIGTERM, on a tokio runtime of its own.
pub fn run(
    addr: SocketAddr,
    analyzers: Vec<Analyzer>,
    config: Config,
    on_listen: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))?;
        on_listen(listener.local_addr()?);
        serve(
            listener,
            router_with(analyzers, &config),
            config.timeout,
            shutdown_signal(),
        )
        .await
    });
    // Every request has been answered by now; an analysis abandoned by a timed-out request may
    // still run on the blocking pool, and its result has no one to go to, so do not wait long.
    runtime.shutdown_timeout(Duration::from_millis(100));
    served
}

/// Completes on Ctrl-C, or on SIGTERM (what `docker stop` and systemd send) on Unix.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        // If no handler can be installed, only the other signal (or a kill) stops the server.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

#[cfg(test)]
mod tests;
