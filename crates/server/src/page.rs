//! The analysis page at `/`: a single self-contained HTML file (CSS and JS inline, no external
//! resources) compiled into the binary, so `unspin serve` needs no asset directory and the
//! page works offline. It uses only the public JSON API, like any other client.

use axum::http::header;
use axum::response::IntoResponse;

/// The page, embedded at build time.
pub(crate) const INDEX_HTML: &str = include_str!("../assets/index.html");

/// `GET /`: the analysis page.
pub(crate) async fn index() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // Small, and replaced with every release: revalidating is cheaper than a stale page
            // talking to a newer API.
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        INDEX_HTML,
    )
}
