//! The centre's HTTP face: the JSON API for kiosks and scripts ([`api`]) and the web pages for
//! people ([`web`]), on one router.

pub mod api;
pub mod web;

use axum::Router;

use super::Centre;

/// Every route: the API (a batch or audit waits up to `queue_wait` for a slot) and the pages.
pub fn app_with(centre: Centre, queue_wait: std::time::Duration) -> Router {
    api::app_with(centre.clone(), queue_wait).merge(web::routes(centre))
}

/// [`app_with`] with the default [`api::QUEUE_WAIT`].
pub fn app(centre: Centre) -> Router {
    app_with(centre, api::QUEUE_WAIT)
}
