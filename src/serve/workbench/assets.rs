//! The page, embedded: built by `npm run build` in `web/` into `dist/` beside this file and
//! committed, so that building charter needs only the Rust toolchain.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The built files: name, content type, bytes.
const FILES: [(&str, &str, &[u8]); 2] = [
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("dist/assets/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("dist/assets/app.css"),
    ),
];

const INDEX: &[u8] = include_bytes!("dist/index.html");

/// What the page may load: itself only (no network beyond the service).
/// Not to be framed by another site.
const POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn headers(response: &mut Response, kind: &'static str) {
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
}

/// `GET /`: the page.
pub async fn index() -> Response {
    let mut response = INDEX.into_response();
    headers(&mut response, "text/html; charset=utf-8");
    response
}

/// `GET /assets/{file}`: its script and style.
pub async fn asset(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, kind, bytes)) => {
            let mut response = bytes.into_response();
            headers(&mut response, kind);
            response
        }
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}
