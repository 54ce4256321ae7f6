//! The centre's HTTP face: the JSON API for kiosks and scripts ([`api`]) and the web pages for
//! people ([`web`]), on one router.

pub mod api;
pub mod limits;
pub mod web;

use axum::Router;

use super::Centre;

/// Every route: the API (a batch or audit waits up to `queue_wait` for a slot) and the pages,
/// their answers gzip-compressed for clients that accept it (see [`compression`]).
pub fn app_with(centre: Centre, queue_wait: std::time::Duration) -> Router {
    api::app_with(centre.clone(), queue_wait)
        .merge(web::routes(centre))
        .layer(compression())
}

/// Gzip for answers of 32 bytes or more to clients that send `Accept-Encoding: gzip`: pages,
/// JSON, CSV and SVG. Not for the `.xlsx` and `.docx` downloads, which are zip files already
/// (nor images, as tower-http's default). Brotli is left out: gzip brings the public page
/// under its 30 kB, and every browser and HTTP client speaks it.
pub fn compression() -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
    tower_http::compression::CompressionLayer::new()
        .gzip(true)
        .compress_when(DefaultPredicate::new().and(NotForContentType::const_new(
            "application/vnd.openxmlformats-officedocument",
        )))
}

/// [`app_with`] with the default [`api::QUEUE_WAIT`].
pub fn app(centre: Centre) -> Router {
    app_with(centre, api::QUEUE_WAIT)
}
