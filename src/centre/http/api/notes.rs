//! The kiosks' feedback box on the API: `POST /api/v1/feedback` turns the notes patients left
//! at a kiosk into items of its facility's feedback box (idempotent by id), and
//! `GET /api/v1/feedback/{code}` tells the kiosk where an item is, as the public follow-up page
//! does.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;

use super::super::web::feedback::{Fields, with_deadlines};
use super::guard::{ApiError, Json, KioskAuth, Slot};
use crate::centre::Centre;
use crate::centre::store::{Error, KioskInfo};
use crate::feedback::note::{FollowUp, MAX_NOTES, NoteBatch, NoteRejected, NoteResult, StoredNote};
use crate::feedback::{Channel, Item, Kind, ReceiptCode};
use crate::survey::Locale;

#[utoipa::path(
    post,
    path = "/api/v1/feedback",
    summary = "What patients left in a kiosk's feedback box (idempotent by id); each note becomes an item of the kiosk's facility",
    security(("bearer" = [])),
    request_body = NoteBatch,
    responses(
        (status = 200, description = "which notes the centre now holds", body = NoteResult),
        (status = 400, description = "malformed", body = crate::sync::ErrorBody),
        (status = 401, description = "missing, unknown or revoked token", body = crate::sync::ErrorBody),
        (status = 403, description = "kiosk_id is not the kiosk this token belongs to", body = crate::sync::ErrorBody),
        (status = 413, description = "over 100 notes", body = crate::sync::ErrorBody),
        (status = 415, description = "not Content-Type: application/json", body = crate::sync::ErrorBody),
        (status = 429, description = "this kiosk already has 2 requests in flight; retry after Retry-After seconds", body = crate::sync::ErrorBody),
        (status = 503, description = "busy; retry after Retry-After seconds", body = crate::sync::ErrorBody),
    )
)]
pub async fn send(
    State(centre): State<Centre>,
    KioskAuth(kiosk): KioskAuth,
    _slot: Slot,
    Json(batch): Json<NoteBatch>,
) -> Result<axum::Json<NoteResult>, ApiError> {
    if batch.notes.len() > MAX_NOTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("{} notes in one request; at most {MAX_NOTES}", batch.notes.len()),
        ));
    }
    if let Some(bound) = &kiosk.kiosk_id
        && *bound != batch.kiosk_id
    {
        return Err(super::guard::other_kiosk(bound, &batch.kiosk_id));
    }
    let kiosk_id = batch.kiosk_id.clone();
    let result = tokio::task::spawn_blocking(move || {
        let mut result = NoteResult::default();
        for note in &batch.notes {
            let id = note.note.id;
            match take(&centre, &kiosk, &batch.kiosk_id, note) {
                Ok(true) => result.accepted.push(id),
                Ok(false) => result.duplicates.push(id),
                Err(Refusal::Note(error)) => result.rejected.push(NoteRejected { id, error }),
                Err(Refusal::Store(e)) => return Err(ApiError::from(e)),
            }
        }
        Ok(result)
    })
    .await
    .map_err(ApiError::internal)??;
    tracing::info!(
        kiosk = ?kiosk_id,
        accepted = result.accepted.len(),
        duplicates = result.duplicates.len(),
        rejected = result.rejected.len(),
        "feedback notes"
    );
    for r in &result.rejected {
        tracing::warn!(kiosk = ?kiosk_id, id = %r.id, error = ?r.error, "feedback note rejected");
    }
    Ok(axum::Json(result))
}

enum Refusal {
    Note(String),
    Store(Error),
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        Refusal::Store(e)
    }
}

/// Stores one note as an item: `Ok(true)` when new, `Ok(false)` when it was held already.
fn take(centre: &Centre, kiosk: &KioskInfo, kiosk_id: &str, stored: &StoredNote) -> Result<bool, Refusal> {
    let note = &stored.note;
    if stored.kiosk_id != kiosk_id {
        return Err(Refusal::Note(format!(
            "kiosk_id {:?} is not the batch's {kiosk_id:?}",
            stored.kiosk_id
        )));
    }
    if !stored.hash_holds() {
        return Err(Refusal::Note("hash does not match the note's content".into()));
    }
    if let Some(held) = centre.feedback.item_log(note.id)? {
        let same = held.first().is_some_and(|e| match &e.action {
            crate::feedback::Action::Received(s) => s.code == note.code,
            _ => false,
        });
        return if same {
            Ok(false)
        } else {
            Err(Refusal::Note("another item has this id".into()))
        };
    }
    let fields = Fields {
        kind: note.kind.as_str().to_string(),
        department: note.department.clone().unwrap_or_default(),
        text: note.text.clone(),
        identity: String::new(),
        phone: note.contact.phone.clone().unwrap_or_default(),
        email: note.contact.email.clone().unwrap_or_default(),
        // A kiosk sends a contact only after the patient agreed to be contacted.
        consent: (!note.contact.is_empty()).then(|| "yes".to_string()),
    };
    // A kiosk clock ahead of the centre's cannot date an item in the future.
    let received_at = note.written_at.min(Utc::now());
    let mut submission = fields
        .submission(Locale::En, &Kind::SENDER, &kiosk.facility, Channel::Kiosk, received_at)
        .map_err(Refusal::Note)?;
    submission.id = note.id;
    submission.code = note.code.clone();
    let item = Item::received(with_deadlines(centre, submission), &format!("kiosk {}", kiosk.name))
        .map_err(|e| Refusal::Note(e.to_string()))?;
    match centre.feedback.add_item(&item, None) {
        Ok(crate::centre::feedback::Added::New) => Ok(true),
        Ok(crate::centre::feedback::Added::Duplicate) => Ok(false),
        // The one case left: another item already has this receipt code (about one chance in
        // 10¹¹ per pair). The patient holds the code, so it cannot be changed here.
        Err(Error::Conflict(_)) => Err(Refusal::Note("another item has this receipt code".into())),
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/feedback/{code}",
    summary = "Where the item with this receipt code is, and its published answer (what the public follow-up page shows)",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "the receipt code, with or without its dash")),
    responses(
        (status = 200, description = "the item's state", body = FollowUp),
        (status = 400, description = "not a receipt code", body = crate::sync::ErrorBody),
        (status = 401, description = "missing, unknown or revoked token", body = crate::sync::ErrorBody),
        (status = 404, description = "no item has this code", body = crate::sync::ErrorBody),
    )
)]
pub async fn follow(
    State(centre): State<Centre>,
    KioskAuth(_): KioskAuth,
    Path(code): Path<String>,
) -> Result<axum::Json<FollowUp>, ApiError> {
    let code = ReceiptCode::parse(&code).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "code: not a receipt code (8 letters and digits)",
        )
    })?;
    let c = centre.clone();
    let item = tokio::task::spawn_blocking(move || {
        let Some(id) = c.feedback.item_by_code(&code)? else {
            return Ok(None);
        };
        crate::centre::feedback::load(c.feedback.as_ref(), id)
    })
    .await
    .map_err(ApiError::internal)??;
    let item = item.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "no item has this receipt code"))?;
    Ok(axum::Json(FollowUp {
        received_on: item.received_on(centre.web.tz),
        code: item.submission.code.clone(),
        state: item.state,
        answer: item.published.map(|(text, _)| text),
    }))
}
