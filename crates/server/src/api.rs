//! The routes, their request and response types, and the OpenAPI document derived from them.

use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode, Uri};
use axum::middleware::{from_fn, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use unspin::input::Given;
use unspin::{
    assign_techniques, Article, Cancel, CharSpan, DetectError, Document, Report, Technique,
};
use utoipa::{OpenApi, ToSchema};

/// Most spans `/v1/export` renders and `/v1/classify` classifies in one request. Real articles
/// have tens of spans (the busiest PTC article, 221), while each span costs model work and, in a
/// classify reply, a copy of its text: without a cap a body within the size limit could ask for
/// a hundred thousand of them.
const MAX_SPANS: usize = 2_000;
/// Most code points `/v1/classify` returns as span text, summed over the spans: the reply
/// repeats each span's text, so 2,000 spans over a 5 MiB text could otherwise make it gigabytes;
/// 4 Mi is a whole-article span of the largest article the body limit admits, and bounds a
/// reply to tens of megabytes.
const MAX_CLASSIFY_SPAN_CHARS: usize = 4 << 20;
/// Most claims, quotes and finding places `/v1/export` renders.
const MAX_EXPORT_ITEMS: usize = 20_000;

/// The id a report gets when the request names none.
const DEFAULT_ID: &str = "article";

/// `POST /v1/analyze`: one article, as plain text or as an HTML page (give exactly one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalyzeRequest {
    /// The report's id (default `"article"`).
    pub id: Option<String>,
    /// Plain text, analysed as is; offsets are code points into it.
    pub text: Option<String>,
    /// An HTML page: its main text is extracted as `unspin analyze --input html` does, and the
    /// report carries that text (offsets point into it) and the page title.
    pub html: Option<String>,
    /// An http(s) URL to fetch and analyse (a web page becomes its main text, as `html` does).
    /// Refused unless the server was started with `--fetch`; loopback, private, link-local
    /// and metadata addresses are refused unless its operator also allowed them.
    pub url: Option<String>,
    /// Run the fact-checking aids (claims, quotes, contradictions); default true.
    pub aids: Option<bool>,
    /// Which of the server's models to run (`/healthz` lists them); default the first.
    pub model: Option<String>,
}

/// `POST /v1/export`: a report (as `/v1/analyze` returned it, with its text) turned into a
/// file to send on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    pub report: Report,
    pub format: ExportFormat,
}

/// What `POST /v1/export` makes.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// A standalone annotated page (`unspin analyze --format html`).
    Html,
    /// One row per span, claim, quote and inconsistency place (`unspin analyze --format csv`).
    Csv,
}

/// A span to classify: code-point offsets into the request's text, end exclusive.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassifySpan {
    pub start: usize,
    pub end: usize,
}

/// `POST /v1/classify`: a text and spans in it (the TC task).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassifyRequest {
    pub text: String,
    pub spans: Vec<ClassifySpan>,
    /// Which of the server's models to run (`/healthz` lists them); default the first.
    pub model: Option<String>,
}

/// One classified span.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassifiedSpan {
    pub start: usize,
    pub end: usize,
    /// The code points `start..end` of the text.
    pub text: String,
    /// The predicted technique. A span listed `k` times gets the `k` best techniques, one per
    /// listing, as PTC lists a span once per technique it carries.
    pub technique: Technique,
    /// Probability of each technique, keyed by PTC name.
    pub probabilities: BTreeMap<String, f32>,
}

/// `POST /v1/classify` answer: one entry per requested span, in request order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassifyResponse {
    pub detector: String,
    pub spans: Vec<ClassifiedSpan>,
}

/// One of the 14 techniques, for legends and explanations.
#[derive(Debug, Serialize, ToSchema)]
pub struct TechniqueInfo {
    /// The PTC name, as used in reports.
    pub name: &'static str,
    pub short_name: &'static str,
    pub definition: &'static str,
    /// A CSS hex colour, distinct per technique, for highlighting.
    pub color: &'static str,
}

/// `GET /healthz` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `"ok"` when the server answers.
    pub status: &'static str,
    /// The name of the default detector.
    pub detector: String,
    /// Every model a request can name in `"model"`, the default first.
    pub models: Vec<String>,
    /// The unspin version.
    pub version: &'static str,
    /// Whether `/v1/analyze` accepts `{"url": …}`.
    pub fetch: bool,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "unspin",
        description = "Find propaganda techniques in news articles, with exact code-point offsets."
    ),
    paths(analyze, export, classify, techniques, healthz)
)]
struct ApiDoc;

/// The OpenAPI document of this API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

pub(crate) fn routes(state: Arc<AppState>) -> Router {
    // Serialised once: the document is fixed for the life of the process.
    let doc = serde_json::to_string(&openapi()).unwrap_or_else(|_| "{}".into());
    Router::new()
        .route("/", get(crate::page::index))
        .route(
            "/v1/analyze",
            post(analyze).route_layer(from_fn(require_json)),
        )
        .route(
            "/v1/export",
            post(export).route_layer(from_fn(require_json)),
        )
        .route(
            "/v1/classify",
            post(classify).route_layer(from_fn(require_json)),
        )
        .route("/v1/techniques", get(techniques))
        .route("/healthz", get(healthz))
        .route(
            "/openapi.json",
            get(move || async move {
                ([("content-type", "application/json")], doc.clone()).into_response()
            }),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no such endpoint: {method} {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} does not accept {method}", uri.path()),
    )
}

/// Analyse one article.
#[utoipa::path(
    post,
    path = "/v1/analyze",
    request_body = AnalyzeRequest,
    responses(
        (status = 200, description = "The report, as `unspin analyze --format json` prints it", body = Report),
        (status = 400, description = "Malformed request, empty text, or an HTML page without article text", body = ErrorBody),
        (status = 413, description = "Body over the size limit", body = ErrorBody),
        (status = 415, description = "Content-Type is not application/json", body = ErrorBody),
        (status = 500, description = "The model failed on this text; the message names it", body = ErrorBody),
        (status = 503, description = "All analysis slots busy; retry later", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before retrying"))),
        (status = 504, description = "Over the time limit", body = ErrorBody),
    )
)]
async fn analyze(
    State(state): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: AnalyzeRequest = parse(body, state.max_body)?;
    // A fetched page without an id is named after its URL, as `unspin analyze URL` names it.
    let named = req.id.is_some();
    let id = req.id.unwrap_or_else(|| DEFAULT_ID.to_string());
    let aids = req.aids.unwrap_or(true);
    // Checked before taking a slot: a bad name is the client's mistake, however busy we are.
    state.analyzer(req.model.as_deref())?;
    let model = req.model;
    let input = request_input(req.text, req.html, req.url, state.fetch.is_some())?;
    let mut report: Report = run_blocking(&state, move |state, cancel| {
        let mut fetched_from = None;
        let (article, text) = match input {
            // Kept for the report, which carries its text so it can be saved and read back.
            Given::Text(text) => (Article::new(id, text.clone()), Some(text)),
            // Extraction parses the whole page: CPU work, so it belongs on the blocking pool.
            Given::Html(html) => (
                unspin::article_from_html(id, &html)
                    .map_err(|e| ApiError::bad_request(format!("\"html\": {e}")))?,
                None,
            ),
            Given::Url(url) => {
                let (article, url) = fetch_article(state, &url, named.then_some(id))?;
                fetched_from = Some(url);
                // Plain text fetched is sent back like pasted text; pages carry theirs.
                let text = (!article.extracted).then(|| article.text().to_string());
                (article, text)
            }
        };
        let mut report = state
            .analyzer(model.as_deref())?
            .analyze_until(article, aids, cancel)
            .map_err(detect_error)?;
        // The client sees notes in the report; the operator sees them here.
        for note in &report.notes {
            eprintln!("unspin: note: article {}: {note}", report.id);
        }
        if report.text.is_none() {
            report.text = text;
        }
        report.url = fetched_from;
        Ok(report)
    })
    .await?;
    report.created = Some(unspin::export::now());
    Ok(Json(report).into_response())
}

/// Turn a report into a file: annotated HTML or CSV.
#[utoipa::path(
    post,
    path = "/v1/export",
    request_body = ExportRequest,
    responses(
        (status = 200, description = "The file, with a Content-Disposition that names it", content_type = "text/html"),
        (status = 400, description = "Malformed request, a report with too many spans or a span, claim, quote or finding place outside its text, or an HTML export of a report without its text", body = ErrorBody),
        (status = 413, description = "Body over the size limit", body = ErrorBody),
        (status = 415, description = "Content-Type is not application/json", body = ErrorBody),
    )
)]
async fn export(
    State(state): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: ExportRequest = parse(body, state.max_body)?;
    let r = &req.report;
    // Real reports list tens of spans; a report made up to be expensive is refused instead of
    // rendered (the body limit alone would admit tens of thousands of nested spans).
    let items =
        r.claims.len() + r.quotes.len() + r.findings.iter().map(|f| f.places.len()).sum::<usize>();
    if r.spans.len() > MAX_SPANS || items > MAX_EXPORT_ITEMS {
        return Err(ApiError::bad_request(format!(
            "\"report\" is too large to export: at most {MAX_SPANS} spans and {MAX_EXPORT_ITEMS} claims, quotes and finding places"
        )));
    }
    // The renderers would list a span outside the text with offsets nothing points at.
    // The CSV carries `length`; one that disagrees with the text would mislead its reader.
    if let Some(chars) = r.text.as_deref().map(|t| t.chars().count()) {
        if chars != r.length {
            return Err(ApiError::bad_request(format!(
                "\"report\": \"length\" is {} but \"text\" has {chars} characters",
                r.length
            )));
        }
    }
    let len = r.length;
    check_spans(r.spans.iter().map(|s| (s.start(), s.end())), len)
        .and_then(|()| check_aids(r, len))
        .map_err(|e| ApiError::bad_request(format!("\"report\": {e}")))?;
    // Rendering is linear in the text and never fails; the body limit bounds it, so it runs
    // here rather than taking an analysis slot.
    let (bytes, mime, ext) = match req.format {
        ExportFormat::Csv => {
            let mut out = Vec::new();
            unspin::export::write_csv(&mut out, &[r])
                .map_err(|e| ApiError::bad_request(format!("cannot write CSV: {e}")))?;
            (out, "text/csv; charset=utf-8", "csv")
        }
        ExportFormat::Html => {
            let text = r.text.as_deref().ok_or_else(|| {
                ApiError::bad_request(
                    "\"report\" has no \"text\": an HTML export needs the article text",
                )
            })?;
            let meta = unspin::export::ExportMeta {
                created: r.created.clone(),
                ..Default::default()
            };
            let mut out = String::new();
            unspin::export::write_html(&mut out, &[(text, r)], &meta);
            (out.into_bytes(), "text/html; charset=utf-8", "html")
        }
    };
    let name = file_stem(&r.id);
    let disposition = format!("attachment; filename=\"{name}.unspin.{ext}\"");
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// A report id made safe for a download's file name: letters, digits, `-`, `_` and `.` kept,
/// anything else (quotes, slashes, control characters) turned into `_`, at most 80 long.
fn file_stem(id: &str) -> String {
    let s: String = id
        .chars()
        .take(80)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_start_matches('.');
    if s.is_empty() {
        "article".to_string()
    } else {
        s.to_string()
    }
}

/// A refused URL is the client's mistake (400, or 403 for an internal address); a remote that
/// fails or sends too much is a bad gateway (502); a fetched body that is no article is 400.
fn fetch_error(e: unspin::fetch::FetchError) -> ApiError {
    use unspin::fetch::FetchError as F;
    let status = match &e {
        F::Internal { .. } => StatusCode::FORBIDDEN,
        F::BadUrl { .. } | F::Input(_) | F::Html { .. } => StatusCode::BAD_REQUEST,
        F::Status { .. } | F::TooManyRedirects { .. } | F::TooLarge { .. } | F::Network { .. } => {
            StatusCode::BAD_GATEWAY
        }
    };
    ApiError::new(status, format!("\"url\": {e}"))
}

/// Fetches the article at `url` for `/v1/analyze`; it is named `id` when the request named it,
/// else after its final URL, as `unspin analyze URL` names it. Returns the final URL too.
fn fetch_article(
    state: &AppState,
    url: &str,
    id: Option<String>,
) -> Result<(Article, String), ApiError> {
    let Some(opts) = state.fetch.as_ref() else {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "fetching is off"));
    };
    let fetched = unspin::fetch::fetch(url, opts).map_err(fetch_error)?;
    let mut article = unspin::fetch::article_from_fetched(&fetched).map_err(fetch_error)?;
    article.id = id.unwrap_or_else(|| unspin::fetch::id_from_url(&fetched.url));
    if unspin::input::is_blank(article.text()) {
        return Err(ApiError::bad_request(format!(
            "{}: the article is empty",
            fetched.url
        )));
    }
    Ok((article, fetched.url))
}

/// The one input of an analyze request: exactly one of its three fields, not blank, and a URL
/// only where this server fetches.
fn request_input(
    text: Option<String>,
    html: Option<String>,
    url: Option<String>,
    fetching: bool,
) -> Result<Given, ApiError> {
    let input = Given::exactly_one(text, html, url)
        .map_err(|_| ApiError::bad_request("give exactly one of \"text\", \"html\" and \"url\""))?;
    if matches!(input, Given::Url(_)) && !fetching {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this server does not fetch URLs (its operator can allow it with `unspin serve --fetch`); send the page as \"html\" instead",
        ));
    }
    if unspin::input::is_blank(input.as_str()) {
        return Err(ApiError::bad_request(format!(
            "\"{}\" is empty",
            input.field()
        )));
    }
    if let Given::Text(text) = &input {
        check_no_nul(text)?;
    }
    Ok(input)
}

/// Refuses a `"text"` holding a NUL (`\u0000`), as a text file with one is refused as binary and
/// a JSONL record's text is: no article has one.
fn check_no_nul(text: &str) -> Result<(), ApiError> {
    match unspin::input::nul_in_text(text) {
        Some(why) => Err(ApiError::bad_request(why)),
        None => Ok(()),
    }
}

/// Classify given spans of a text into techniques (the TC task).
#[utoipa::path(
    post,
    path = "/v1/classify",
    request_body = ClassifyRequest,
    responses(
        (status = 200, description = "One entry per span, in request order", body = ClassifyResponse),
        (status = 400, description = "Malformed request, empty text, a span outside the text, or too many spans", body = ErrorBody),
        (status = 413, description = "Body over the size limit", body = ErrorBody),
        (status = 415, description = "Content-Type is not application/json", body = ErrorBody),
        (status = 500, description = "The model failed on this text; the message names it", body = ErrorBody),
        (status = 503, description = "All analysis slots busy; retry later", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before retrying"))),
        (status = 504, description = "Over the time limit", body = ErrorBody),
    )
)]
async fn classify(
    State(state): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: ClassifyRequest = parse(body, state.max_body)?;
    if unspin::input::is_blank(&req.text) {
        return Err(ApiError::bad_request("\"text\" is empty"));
    }
    check_no_nul(&req.text)?;
    // Checked before taking a slot: a bad span or model is the client's mistake, however busy
    // we are.
    state.analyzer(req.model.as_deref())?;
    let model = req.model.clone();
    if req.spans.len() > MAX_SPANS {
        return Err(ApiError::bad_request(format!(
            "too many spans: {} given, at most {MAX_SPANS} per request",
            req.spans.len()
        )));
    }
    let len = req.text.chars().count();
    check_spans(req.spans.iter().map(|s| (s.start, s.end)), len).map_err(ApiError::bad_request)?;
    let covered: usize = req.spans.iter().map(|s| s.end - s.start).sum();
    if covered > MAX_CLASSIFY_SPAN_CHARS {
        return Err(ApiError::bad_request(format!(
            "the spans cover {covered} code points in all, more than the {MAX_CLASSIFY_SPAN_CHARS} \
             one reply may repeat"
        )));
    }
    let spans: Vec<CharSpan> = req
        .spans
        .iter()
        .map(|s| CharSpan::new(s.start, s.end))
        .collect();
    let response = run_blocking(&state, move |state, cancel| {
        let detector = state.analyzer(model.as_deref())?.detector();
        let doc = Document::new(Article::new(DEFAULT_ID, req.text));
        let scores = detector
            .classify(&doc, &spans, cancel)
            .map_err(detect_error)?;
        let picked = assign_techniques(&spans, &scores);
        // Copying every span's text is the costly part of the reply: a request that timed out
        // stops here too rather than building an answer nobody reads.
        let spans = spans
            .iter()
            .zip(scores.iter().zip(picked))
            .map(|(span, (scores, technique))| {
                cancel.check()?;
                Ok(ClassifiedSpan {
                    start: span.start,
                    end: span.end,
                    text: doc.article.slice(*span).unwrap_or_default().to_string(),
                    technique,
                    probabilities: Technique::ALL
                        .iter()
                        .map(|t| (t.name().to_string(), scores[t.index()]))
                        .collect(),
                })
            })
            .collect::<Result<_, unspin::Cancelled>>()
            .map_err(|e| detect_error(e.into()))?;
        Ok(ClassifyResponse {
            detector: detector.name().to_string(),
            spans,
        })
    })
    .await?;
    Ok(Json(response).into_response())
}

/// Checks `(start, end)` code-point spans against a text of `len` code points: each must be a
/// non-empty range inside it. The message names the first bad span by its index.
fn check_spans(spans: impl Iterator<Item = (usize, usize)>, len: usize) -> Result<(), String> {
    for (i, (start, end)) in spans.enumerate() {
        check_range(|| format!("span {i}"), start, end, len, false)?;
    }
    Ok(())
}

/// Checks every offset of a report's claims, quotes and findings against a text of `len` code
/// points; the message names the first bad one by where it is in the report
/// (`quotes[2].cue`). An empty place is let through: analysis gives one, rather than failing,
/// where a place could not be made.
fn check_aids(r: &Report, len: usize) -> Result<(), String> {
    for (i, c) in r.claims.iter().enumerate() {
        check_range(|| format!("claims[{i}]"), c.start(), c.end(), len, true)?;
    }
    for (i, q) in r.quotes.iter().enumerate() {
        let places = [
            ("content", Some(&q.content)),
            ("cue", q.cue.as_ref()),
            ("source", q.source.as_ref()),
            ("speaker_place", q.speaker_place.as_ref()),
        ];
        for (field, p) in places {
            if let Some(p) = p {
                let what = || format!("quotes[{i}].{field}");
                check_range(what, p.start(), p.end(), len, true)?;
            }
        }
    }
    for (i, f) in r.findings.iter().enumerate() {
        for (j, p) in f.places.iter().enumerate() {
            let what = || format!("findings[{i}].places[{j}]");
            check_range(what, p.start(), p.end(), len, true)?;
        }
    }
    Ok(())
}

/// One `start..end` against a text of `len` code points; `what` names it in the message, and
/// is only built for a bad one.
fn check_range(
    what: impl FnOnce() -> String,
    start: usize,
    end: usize,
    len: usize,
    empty_ok: bool,
) -> Result<(), String> {
    if start > end || (start == end && !empty_ok) || end > len {
        let range = if empty_ok { "range" } else { "non-empty range" };
        return Err(format!(
            "{} ({start}..{end}) is not a {range} inside the text, which has {len} code points",
            what()
        ));
    }
    Ok(())
}

/// The 14 techniques, in class order.
#[utoipa::path(
    get,
    path = "/v1/techniques",
    responses((status = 200, description = "The 14 PTC techniques", body = [TechniqueInfo]))
)]
async fn techniques() -> Json<Vec<TechniqueInfo>> {
    Json(
        Technique::ALL
            .iter()
            .map(|t| TechniqueInfo {
                name: t.name(),
                short_name: t.short_name(),
                definition: t.definition(),
                color: t.color(),
            })
            .collect(),
    )
}

/// Liveness check.
#[utoipa::path(
    get,
    path = "/healthz",
    responses((status = 200, description = "The server is up", body = Health))
)]
async fn healthz(State(state): State<Arc<AppState>>) -> Json<Health> {
    Json(Health {
        status: "ok",
        detector: state.analyzers[0].detector().name().to_string(),
        models: state.model_names(),
        version: env!("CARGO_PKG_VERSION"),
        fetch: state.fetch.is_some(),
    })
}

/// Answers 415 to a body that does not say it is JSON, before reading it. A request with any
/// other type (`text/plain`, a form) is one a browser sends from any web page without asking
/// the server first (a CORS "simple" request); requiring `application/json` makes every
/// cross-origin call need a preflight, which only `--allow-origin` origins pass, so a page the
/// user happens to visit cannot make their local server work.
async fn require_json(req: Request, next: Next) -> Response {
    let given = req.headers().get(header::CONTENT_TYPE);
    if given.is_some_and(is_json) {
        return next.run(req).await;
    }
    let given = match given {
        Some(v) => format!("Content-Type {:?}", String::from_utf8_lossy(v.as_bytes())),
        None => "no Content-Type".to_string(),
    };
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        format!(
            "the request body must be JSON sent with Content-Type: application/json (got {given})"
        ),
    )
    .into_response()
}

/// `application/json`, with or without parameters such as `charset=utf-8`.
fn is_json(value: &header::HeaderValue) -> bool {
    value
        .to_str()
        .ok()
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| {
            m.type_() == mime::APPLICATION && m.subtype() == mime::JSON && m.suffix().is_none()
        })
}

/// Reads a JSON request body, turning every way it can be wrong into a 400 (or 413) that
/// says what to fix. Parsed by hand rather than with axum's `Json` so that invalid UTF-8 gets
/// our message (the content type is checked before, by [`require_json`]).
fn parse<T: DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
    max_body: usize,
) -> Result<T, ApiError> {
    let bytes = body.map_err(|rejection| {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                status,
                format!("request body is larger than the server's limit of {max_body} bytes"),
            )
        } else {
            ApiError::new(status, rejection.body_text())
        }
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        ApiError::bad_request(format!(
            "request body is not valid UTF-8 (first bad byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    // Every request is an object; serde would otherwise judge an array or a bare value
    // against the object's first field ("invalid type: integer 1, expected a string").
    if !text.trim_start().starts_with('{') && !text.trim().is_empty() {
        return Err(ApiError::bad_request(
            "invalid JSON request: the body must be a JSON object, such as {\"text\": \"...\"}",
        ));
    }
    serde_json::from_str(text)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON request: {e}")))
}

/// Sets its flag when dropped: when the request's future is, at its time limit or when the
/// client goes away.
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// The answer for a detector that gave none. Work stopped by its [`Cancel`] is only cancelled
/// when the timeout middleware has already answered 504, so no client reads that one; a model
/// that failed on this text is the server's fault, and says which model and why.
fn detect_error(e: DetectError) -> ApiError {
    match e {
        DetectError::Cancelled(_) => {
            ApiError::new(StatusCode::GATEWAY_TIMEOUT, "the analysis was cancelled")
        }
        e @ DetectError::Failed { .. } => {
            eprintln!("unspin: {e}");
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
        }
    }
}

/// Runs CPU-bound work on tokio's blocking pool so the async workers stay free for I/O, once
/// an analysis slot is free. Waiting is allowed only while the queue has room: otherwise 503 at
/// once.
///
/// `work` gets a [`Cancel`] flag that is set when this future is dropped, which is what the
/// timeout middleware does at the time limit: the analysis checks it between steps and stops,
/// so a timed-out request frees its slot within a fraction of a second instead of running on
/// for a client that already has its 504.
async fn run_blocking<T: Send + 'static>(
    state: &Arc<AppState>,
    work: impl FnOnce(&AppState, &Cancel) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let busy = ApiError::busy;
    let admitted = state
        .admission
        .clone()
        .try_acquire_owned()
        .map_err(|_| busy())?;
    // The semaphore is never closed, so this only waits; the request timeout bounds the wait.
    let permit = state
        .slots
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| busy())?;
    let state = Arc::clone(state);
    let cancel = Cancel::new();
    let _on_drop = CancelOnDrop(cancel.clone());
    tokio::task::spawn_blocking(move || {
        let _permits = (admitted, permit);
        work(&state, &cancel)
    })
    .await
    .map_err(|_| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error: the analysis failed unexpectedly",
        )
    })?
}
