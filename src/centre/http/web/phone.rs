//! The phone form (DESIGN §12): a patient scans the kiosk's rotating code and answers the same
//! questionnaire on their own phone, one section per screen.
//!
//! - `GET /p/<kiosk>/<form>/<code>` checks the code and shows a start button; nothing is
//!   recorded on a GET (mail clients and link previewers open links).
//! - `POST` of that button redeems the code, once, into a 30-minute answer session (a cookie
//!   holding the session's token; the database holds its hash and the answers so far).
//! - `GET /phone` shows the session's current screen; `POST /phone` keeps a screen's answers
//!   and moves on (or back). Answers travel only in POST bodies. The last screen stores the
//!   response through the centre's own chain; a session abandoned after at least one screen is
//!   stored as `partial` when it runs out.
//!
//! Plain HTML forms: it works with JavaScript off, and the page sends none.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};

use super::auth::cookie_header;
use super::feedback::public::{device_of, give_device};
use super::guard::FormCookie;
use super::{PageError, PublicForm, blocking, cookie, html, locale_of};
use crate::centre::Centre;
use crate::centre::ingest::Appended;
use crate::centre::phone::{self as sessions, NewSession, Session};
use crate::i18n::{Id, tr, tr_args};
use crate::phone::{ACCEPT_SECS, CodeError, WINDOW_SECS};
use crate::survey::{Answer, Channel, Item, ItemKind, Locale, Questionnaire, ResponseId, Status};

/// The cookie holding an answer session's token.
pub const SESSION_COOKIE: &str = "hl_phone";
/// The phone form's CSRF cookie.
pub const FORM_COOKIE: &str = "hl_pform";

/// The phone form's token comes in [`FORM_COOKIE`].
pub struct PhoneToken;
impl FormCookie for PhoneToken {
    const NAME: &'static str = FORM_COOKIE;
}

/// The fields of a posted screen, in order (a reason list repeats its name).
type Fields = PublicForm<Vec<(String, String)>, PhoneToken>;

/// A page of the phone form: small, its own stylesheet, no script.
fn frame(locale: Locale, title: &str, back_to: &str, content: Markup) -> Markup {
    let (other, label) = match locale {
        Locale::Vi => (Locale::En, "English"),
        Locale::En => (Locale::Vi, "Tiếng Việt"),
    };
    html! {
        (DOCTYPE)
        html lang=(locale.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) }
                link rel="stylesheet" href="/assets/phone.css";
            }
            body {
                header {
                    a.lang href={ "/lang/" (other.tag()) "?next=" (back_to) } lang=(other.tag()) { (label) }
                }
                main { (content) }
            }
        }
    }
}

fn page(status: StatusCode, markup: Markup) -> Response {
    (status, html(markup)).into_response()
}

/// A page that says what went wrong and what to do, in words a patient understands.
fn notice(locale: Locale, status: StatusCode, title_id: Id, detail_id: Id, back_to: &str) -> Response {
    let title = tr(locale, title_id);
    let body = html! {
        h1 { (title) }
        p { (tr(locale, detail_id)) }
    };
    page(status, frame(locale, &title, back_to, body))
}

/// The form's CSRF token: the cookie's, or a fresh one to set.
fn form_token(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, FORM_COOKIE).filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())) {
        Some(t) => (t.to_string(), false),
        None => (crate::centre::new_token(), true),
    }
}

fn with_form_cookie(centre: &Centre, mut response: Response, token: &str, fresh: bool) -> Response {
    if fresh {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookie_header(centre, FORM_COOKIE, token, 3600));
    }
    response
}

/// What a patient scanned or typed: where the session they open comes from.
#[derive(Debug, Clone)]
enum Source {
    /// A kiosk's rotating code for one form.
    Kiosk { kiosk: String, form: String, code: String },
    /// A printed single-use ticket, its code as in the link.
    Ticket(String),
    /// A poster's standing code.
    Poster(String),
}

impl Source {
    /// The address its start screen has.
    fn path(&self) -> String {
        match self {
            Source::Kiosk { kiosk, form, code } => format!("/p/{kiosk}/{form}/{code}"),
            Source::Ticket(code) => format!("/t/{code}"),
            Source::Poster(code) => format!("/q/{code}"),
        }
    }

    /// The channel its answers come in.
    fn channel(&self) -> Channel {
        match self {
            Source::Kiosk { .. } => Channel::Phone,
            Source::Ticket(_) => Channel::Ticket,
            Source::Poster(_) => Channel::Poster,
        }
    }

    /// What it tells the patient to do when it opens nothing.
    fn what_to_do(&self) -> Id {
        match self {
            Source::Kiosk { .. } => id!("phone-scan-again"),
            Source::Ticket(_) => id!("phone-ticket-ask"),
            Source::Poster(_) => id!("phone-poster-ask"),
        }
    }

    /// How many times it opens a session, on the start screen.
    fn uses(&self) -> Id {
        match self {
            Source::Kiosk { .. } => id!("phone-once-kiosk"),
            Source::Ticket(_) => id!("phone-once-ticket"),
            Source::Poster(_) => id!("phone-poster-note"),
        }
    }
}

/// Why a code opens no session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// Not a code this centre gave.
    Invalid,
    /// Past its time.
    Expired,
    /// Already redeemed (a kiosk's code, a ticket).
    Used,
    /// A poster replaced by a new one.
    Retired,
}

impl From<CodeError> for Refusal {
    fn from(e: CodeError) -> Refusal {
        match e {
            CodeError::Invalid => Refusal::Invalid,
            CodeError::Expired => Refusal::Expired,
        }
    }
}

/// What a code opens: the facility and point, the questionnaire, and the single-use key to
/// redeem (with how long to keep it), if it is single-use.
struct Opening {
    facility: String,
    point: String,
    questionnaire: Questionnaire,
    redemption: Option<(String, chrono::DateTime<chrono::Utc>)>,
}

/// Checks a code at the centre's clock (no write): what it opens, or why not.
fn check_source(centre: &Centre, source: &Source) -> Result<Result<Opening, Refusal>, PageError> {
    let now = centre.now();
    match source {
        Source::Kiosk { kiosk, form, code } => {
            let Ok(questionnaire) = centre.catalog.latest(form) else {
                return Ok(Err(Refusal::Invalid));
            };
            let Some(key) = centre.phone.kiosk_key(kiosk)? else {
                return Ok(Err(Refusal::Invalid));
            };
            if key.revoked {
                return Ok(Err(Refusal::Invalid));
            }
            if let Err(e) = crate::phone::check(&crate::phone::key_of(&key.token_hash), kiosk, form, code, now) {
                return Ok(Err(e.into()));
            }
            Ok(Ok(Opening {
                facility: key.facility,
                point: key.point.unwrap_or(key.name),
                questionnaire: questionnaire.clone(),
                // Kept as redeemed for as long as the code could be presented.
                redemption: Some((
                    format!("{kiosk}/{form}/{code}"),
                    now + chrono::Duration::seconds(2 * ACCEPT_SECS + WINDOW_SECS),
                )),
            }))
        }
        Source::Ticket(code) | Source::Poster(code) => {
            let Some(code) = crate::phone::paper_normal(code) else {
                return Ok(Err(Refusal::Invalid));
            };
            let hash = sessions::printed_hash(&code);
            let Some(printed) = centre.phone.printed(&hash)? else {
                return Ok(Err(Refusal::Invalid));
            };
            if printed.channel != source.channel() {
                return Ok(Err(Refusal::Invalid));
            }
            let Ok(questionnaire) = centre.catalog.latest(&printed.questionnaire_id) else {
                return Ok(Err(Refusal::Invalid));
            };
            if printed.retired {
                return Ok(Err(Refusal::Retired));
            }
            // A ticket is single-use whatever else its row says; a poster never is.
            let redemption = match (printed.channel, printed.valid_until) {
                (Channel::Ticket, Some(until)) if until > now && !printed.used => {
                    Some((sessions::ticket_redemption(&hash), until))
                }
                (Channel::Ticket, Some(until)) if until > now => return Ok(Err(Refusal::Used)),
                (Channel::Ticket, _) => return Ok(Err(Refusal::Expired)),
                _ => None,
            };
            Ok(Ok(Opening {
                facility: printed.facility,
                point: printed.point,
                questionnaire: questionnaire.clone(),
                redemption,
            }))
        }
    }
}

fn refused(locale: Locale, source: &Source, why: Refusal) -> Response {
    let (status, title) = match (why, source) {
        (Refusal::Invalid, Source::Ticket(_)) => (StatusCode::NOT_FOUND, id!("phone-ticket-unknown")),
        (Refusal::Invalid, _) => (StatusCode::NOT_FOUND, id!("phone-invalid")),
        (Refusal::Expired, _) => (StatusCode::GONE, id!("phone-expired")),
        (Refusal::Used, Source::Ticket(_)) => (StatusCode::CONFLICT, id!("phone-ticket-used")),
        (Refusal::Used, _) => (StatusCode::CONFLICT, id!("phone-used")),
        (Refusal::Retired, _) => (StatusCode::GONE, id!("phone-poster-retired")),
    };
    let title = tr(locale, title);
    let body = html! {
        h1 { (title) }
        p { (tr(locale, source.what_to_do())) }
        @if matches!(source, Source::Ticket(_)) && why == Refusal::Invalid {
            (ticket_entry(locale, None))
        }
    };
    page(status, frame(locale, &title, &source.path(), body))
}

/// The start screen of a code: what it opens and a start button. Records nothing.
async fn start(centre: Centre, headers: HeaderMap, source: Source) -> Result<Response, PageError> {
    let locale = locale_of(&headers);
    let here = source.path();
    let c = centre.clone();
    let s = source.clone();
    let opening = match blocking(move || check_source(&c, &s)).await? {
        Ok(o) => o,
        Err(why) => return Ok(refused(locale, &source, why)),
    };
    let (token, fresh) = form_token(&headers);
    let q = &opening.questionnaire;
    let title = q.title.get(locale).to_string();
    let body = html! {
        p.facility { (opening.facility) }
        h1 { (title) }
        @if let Some(intro) = &q.intro { p { (intro.get(locale)) } }
        p.note { (tr(locale, id!("phone-privacy"))) " " (tr(locale, source.uses())) }
        form method="post" action=(here) {
            input type="hidden" name="csrf" value=(token);
            button.primary type="submit" { (tr(locale, id!("phone-start"))) }
        }
    };
    let mut response = with_form_cookie(
        &centre,
        page(StatusCode::OK, frame(locale, &title, &here, body)),
        &token,
        fresh,
    );
    give_device(&centre, &headers, &mut response);
    Ok(response)
}

/// The start button: opens an answer session from the code (redeeming it, once, if it is
/// single-use) and goes to its first screen.
async fn redeem(centre: Centre, headers: HeaderMap, source: Source) -> Result<Response, PageError> {
    let locale = locale_of(&headers);
    let device = device_of(&headers).map(str::to_string);
    let c = centre.clone();
    let token = crate::centre::new_token();
    let token_hash = crate::centre::token_hash(&token);
    let s = source.clone();
    let outcome = blocking(move || {
        let opening = match check_source(&c, &s)? {
            Ok(o) => o,
            // A second tap on the start button (or the form sent again) from the phone whose
            // session this code opened goes on with that session, instead of "already used".
            Err(Refusal::Used) if continues(&c, &headers, &s)? => return Ok(Ok(None)),
            Err(why) => return Ok(Err(why)),
        };
        let now = c.now();
        let channel = s.channel();
        let chain = c.store.chain(&opening.facility, channel, &opening.point)?;
        let device = device
            .map(|d| sessions::device_of(c.phone.as_ref(), &d, now))
            .transpose()?;
        let session = NewSession {
            token_hash,
            chain: chain.id,
            channel,
            point: opening.point,
            facility: opening.facility,
            questionnaire_id: opening.questionnaire.id.clone(),
            questionnaire_version: opening.questionnaire.version,
            response_id: ResponseId::new(),
            device,
            started_at: now,
        };
        let redemption = opening.redemption.as_ref().map(|(key, until)| (key.as_str(), *until));
        if c.phone.open_session(redemption, &session)? {
            tracing::info!(facility = ?session.facility, point = ?session.point, channel = channel.as_str(), "phone answer session opened");
            Ok(Ok(Some(())))
        } else if continues(&c, &headers, &s)? {
            Ok(Ok(None))
        } else {
            Ok(Err(Refusal::Used))
        }
    })
    .await?;
    Ok(match outcome {
        Ok(None) => Redirect::to("/phone").into_response(),
        Ok(Some(())) => {
            let mut response = Redirect::to("/phone").into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                cookie_header(&centre, SESSION_COOKIE, &token, sessions::SESSION_MINUTES * 60),
            );
            response
        }
        Err(why) => refused(locale, &source, why),
    })
}

/// Whether the request carries an open answer session of `source`'s channel, started within
/// the last few minutes: the phone that redeemed the code tapping again.
fn continues(centre: &Centre, headers: &HeaderMap, source: &Source) -> Result<bool, PageError> {
    let now = centre.now();
    Ok(session_of(centre, headers)?.is_some_and(|s| {
        s.open_at(now)
            && s.opened.channel == source.channel()
            && now - s.opened.started_at < chrono::Duration::minutes(5)
    }))
}

/// `GET /p/<kiosk>/<form>/<code>`: a kiosk's code's start screen.
pub async fn kiosk_start(
    State(centre): State<Centre>,
    headers: HeaderMap,
    Path((kiosk, form, code)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    start(centre, headers, Source::Kiosk { kiosk, form, code }).await
}

/// `POST /p/<kiosk>/<form>/<code>`: redeems a kiosk's code, once.
pub async fn kiosk_redeem(
    State(centre): State<Centre>,
    headers: HeaderMap,
    Path((kiosk, form, code)): Path<(String, String, String)>,
    _posted: Fields,
) -> Result<Response, PageError> {
    redeem(centre, headers, Source::Kiosk { kiosk, form, code }).await
}

/// `GET /t/<code>`: a ticket's start screen.
pub async fn ticket_start(
    State(centre): State<Centre>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    start(centre, headers, Source::Ticket(code)).await
}

/// `POST /t/<code>`: redeems a ticket, once.
pub async fn ticket_redeem(
    State(centre): State<Centre>,
    headers: HeaderMap,
    Path(code): Path<String>,
    _posted: Fields,
) -> Result<Response, PageError> {
    redeem(centre, headers, Source::Ticket(code)).await
}

/// `GET /q/<code>`: a poster's start screen.
pub async fn poster_start(
    State(centre): State<Centre>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    start(centre, headers, Source::Poster(code)).await
}

/// `POST /q/<code>`: opens a session from a poster (no redemption: a poster stands).
pub async fn poster_redeem(
    State(centre): State<Centre>,
    headers: HeaderMap,
    Path(code): Path<String>,
    _posted: Fields,
) -> Result<Response, PageError> {
    redeem(centre, headers, Source::Poster(code)).await
}

/// The box a ticket's code is typed into (a patient whose phone does not scan).
fn ticket_entry(locale: Locale, typed: Option<&str>) -> Markup {
    html! {
        form.entry method="get" action="/t" {
            label for="code" { (tr(locale, id!("phone-ticket-type"))) }
            input #code name="code" required maxlength="20" autocomplete="off" autocapitalize="characters"
                spellcheck="false" placeholder="ABCD-EFGH" value=(typed.unwrap_or_default());
            button.primary type="submit" { (tr(locale, id!("phone-ticket-go"))) }
        }
    }
}

/// `GET /t` query.
#[derive(Debug, serde::Deserialize)]
pub struct TicketQuery {
    #[serde(default)]
    code: Option<String>,
}

/// `GET /t`, `GET /t?code=…`: the page a ticket's code is typed on; a code that reads as one
/// goes on to its start screen (nothing is recorded on the way).
pub async fn ticket_typed(headers: HeaderMap, Query(q): Query<TicketQuery>) -> Response {
    let locale = locale_of(&headers);
    let typed: Option<String> = q.code.as_deref().map(|c| c.chars().take(20).collect());
    if let Some(code) = typed.as_deref().and_then(crate::phone::paper_normal) {
        return Redirect::to(&format!("/t/{code}")).into_response();
    }
    let title = tr(locale, id!("phone-ticket-title"));
    let wrong = typed.as_deref().is_some_and(|t| !t.trim().is_empty());
    let body = html! {
        h1 { (title) }
        @if wrong {
            div.alert role="alert" { p { (tr(locale, id!("phone-ticket-misread"))) } }
        }
        (ticket_entry(locale, typed.as_deref()))
    };
    let status = if wrong { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    page(status, frame(locale, &title, "/t", body))
}

/// The session the request's cookie opens, if any.
fn session_of(centre: &Centre, headers: &HeaderMap) -> Result<Option<Session>, PageError> {
    let Some(token) =
        cookie(headers, SESSION_COOKIE).filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
    else {
        return Ok(None);
    };
    Ok(centre.phone.phone_session(&crate::centre::token_hash(token))?)
}

/// The screens of a questionnaire: its demographic questions (if any), then each section.
fn screens(q: &Questionnaire) -> Vec<(Option<&str>, &[Item])> {
    let mut out: Vec<(Option<&str>, &[Item])> = Vec::new();
    if !q.demographics.is_empty() {
        out.push((None, &q.demographics));
    }
    for s in &q.sections {
        out.push((Some(s.code.as_str()), &s.items));
    }
    out
}

fn questionnaire_of<'a>(centre: &'a Centre, s: &Session) -> Result<&'a Questionnaire, PageError> {
    centre
        .catalog
        .get(&s.opened.questionnaire_id, s.opened.questionnaire_version)
        .ok_or(PageError::NotFound)
}

/// `GET /phone`: the session's current screen (or its end).
pub async fn screen(State(centre): State<Centre>, headers: HeaderMap) -> Result<Response, PageError> {
    let locale = locale_of(&headers);
    let (token, fresh) = form_token(&headers);
    let c = centre.clone();
    let csrf = token.clone();
    let response = blocking(move || {
        Ok(match session_of(&c, &headers)? {
            None => gone(locale),
            Some(s) if s.stored_at.is_some() && s.complete => thanks(&c, locale, &s.opened.facility),
            Some(s) if !s.open_at(c.now()) => gone(locale),
            Some(s) => {
                let q = questionnaire_of(&c, &s)?;
                // Every screen sent but not stored (the centre stopped in between): the last
                // screen again, whose button stores it.
                let at = (s.section as usize).min(screens(q).len() - 1);
                form_screen(locale, q, at, &s.answers, &csrf, None, None)
            }
        })
    })
    .await?;
    Ok(with_form_cookie(&centre, response, &token, fresh))
}

fn gone(locale: Locale) -> Response {
    notice(
        locale,
        StatusCode::GONE,
        id!("phone-session-over"),
        id!("phone-start-again"),
        "/phone",
    )
}

/// The end: thanks, and the way to the feedback box for what needs an answer (blocking: it
/// reads the store).
fn thanks(centre: &Centre, locale: Locale, facility: &str) -> Response {
    let slug = centre
        .store
        .facility_by_slug(&crate::text::slug(facility))
        .ok()
        .flatten()
        .map(|_| crate::text::slug(facility));
    let title = tr(locale, id!("phone-thanks"));
    let body = html! {
        h1 { (title) }
        p { (tr(locale, id!("phone-thanks-detail"))) }
        @if let Some(slug) = slug {
            p { a.button href={ "/gop-y/" (slug) } { (tr(locale, id!("phone-feedback-link"))) } }
        }
    };
    page(StatusCode::OK, frame(locale, &title, "/phone", body))
}

/// Which step of a screen a form posts: its questions, or the follow-up reasons of its low
/// ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Questions,
    Reasons,
}

/// One screen: its questions (with what was answered) or the reasons of its low ratings.
fn form_screen(
    locale: Locale,
    q: &Questionnaire,
    at: usize,
    answers: &BTreeMap<String, Answer>,
    csrf: &str,
    problems: Option<&[String]>,
    reasons_for: Option<&[&Item]>,
) -> Response {
    let all = screens(q);
    let (section, items) = all[at];
    let heading = match section.and_then(|code| q.sections.iter().find(|s| s.code == code)) {
        Some(s) => s.title.get(locale).to_string(),
        None => tr(locale, id!("phone-about-you")),
    };
    let progress = tr_args(
        locale,
        id!("phone-progress"),
        &[("at", (at + 1).into()), ("of", all.len().into())],
    );
    let status = if problems.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let last = at + 1 == all.len();
    let body = html! {
        p.progress {
            label for="progress" { (progress) }
            progress #progress value=(at + 1) max=(all.len()) {}
        }
        h1 { (heading) }
        @if let Some(problems) = problems {
            div.alert role="alert" {
                p { (tr(locale, id!("phone-missing"))) }
                ul { @for p in problems { li { (p) } } }
            }
        }
        form method="post" action="/phone" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="screen" value=(at);
            @match reasons_for {
                Some(low) => {
                    input type="hidden" name="step" value="reasons";
                    @for item in low { (reasons(locale, item, answers)) }
                }
                None => {
                    @for item in items { (question(locale, item, answers)) }
                }
            }
            div.actions {
                @if at > 0 || reasons_for.is_some() {
                    button.back type="submit" name="go" value="back" formnovalidate { (tr(locale, id!("phone-back"))) }
                }
                button.primary type="submit" name="go" value="next" {
                    @if last && (reasons_for.is_some() || !needs_reasons(items, answers)) {
                        (tr(locale, id!("phone-send")))
                    } @else {
                        (tr(locale, id!("phone-next")))
                    }
                }
            }
        }
    };
    page(status, frame(locale, &heading, "/phone", body))
}

/// Whether a screen's answers open follow-up reasons (guessed before they are sent: the
/// button says "next" unless this is surely the end).
fn needs_reasons(items: &[Item], answers: &BTreeMap<String, Answer>) -> bool {
    low_rated(items, answers).next().is_some()
}

/// The items of `items` whose answer opens their follow-up reasons.
fn low_rated<'a>(items: &'a [Item], answers: &'a BTreeMap<String, Answer>) -> impl Iterator<Item = &'a Item> + 'a {
    items
        .iter()
        .filter(move |item| match (item.follow_up(), answers.get(&item.code)) {
            (Some(f), Some(Answer::Scale(v))) => f.applies_to(*v),
            _ => false,
        })
}

fn question(locale: Locale, item: &Item, answers: &BTreeMap<String, Answer>) -> Markup {
    let given = answers.get(&item.code);
    let required = !item.optional;
    html! {
        fieldset.q {
            legend { (item.text.get(locale)) }
            @if let Some(help) = &item.help { p.help { (help.get(locale)) } }
            @match &item.kind {
                ItemKind::Scale5 { not_used, .. } => {
                    div.faces {
                        @for v in 1..=5u8 {
                            label.face {
                                input type="radio" name=(item.code) value=(v) required[required]
                                    checked[given == Some(&Answer::Scale(v))];
                                img src={ "/assets/face-" (v) ".svg" } alt="" width="48" height="48";
                                span { (tr(locale, scale_label(v))) }
                            }
                        }
                    }
                    @if *not_used {
                        label.not-used {
                            input type="radio" name=(item.code) value="0" checked[given == Some(&Answer::Scale(0))];
                            span { (tr(locale, id!("scale-not-used"))) }
                        }
                    }
                }
                ItemKind::Percent { max, .. } => {
                    @let value = match given { Some(Answer::Percent(p)) => p.to_string(), _ => String::new() };
                    label.percent {
                        input type="number" name=(item.code) min="0" max=(max) step="1" inputmode="numeric"
                            required[required] value=(value);
                        span { "%" }
                    }
                }
                ItemKind::Choice { options } => {
                    div.choices {
                        @for o in options {
                            @let picked = matches!(given, Some(Answer::Choice { option, .. }) if *option == o.code);
                            label.choice {
                                input type="radio" name=(item.code) value=(o.code) required[required] checked[picked];
                                span { (o.text.get(locale)) }
                            }
                            @if o.other {
                                @let other = match given { Some(Answer::Choice { option, other: Some(t) }) if *option == o.code => t.clone(), _ => String::new() };
                                input.other type="text" name={ (item.code) ".other" } maxlength="200" value=(other)
                                    aria-label=(o.text.get(locale));
                            }
                        }
                    }
                }
                ItemKind::Text { max_len } => {
                    @let text = match given { Some(Answer::Text(t)) => t.clone(), _ => String::new() };
                    textarea name=(item.code) maxlength=(max_len) rows="4" aria-label=(item.text.get(locale)) { (text) }
                }
            }
        }
    }
}

fn reasons(locale: Locale, item: &Item, answers: &BTreeMap<String, Answer>) -> Markup {
    let Some(f) = item.follow_up() else { return html! {} };
    let code = item.follow_up_code();
    let picked: Vec<&str> = match answers.get(&code) {
        Some(Answer::Reasons(r)) => r.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    html! {
        fieldset.q {
            legend { (item.text.get(locale)) }
            p.help { (f.prompt.get(locale)) }
            div.choices {
                @for r in &f.reasons {
                    label.choice {
                        input type="checkbox" name=(code) value=(r.code) checked[picked.contains(&r.code.as_str())];
                        span { (r.text.get(locale)) }
                    }
                }
            }
        }
    }
}

fn scale_label(v: u8) -> Id {
    match v {
        1 => id!("scale-1"),
        2 => id!("scale-2"),
        3 => id!("scale-3"),
        4 => id!("scale-4"),
        _ => id!("scale-5"),
    }
}

/// Reads a screen's answers from its fields: the answers, and the questions left unanswered
/// (or answered out of range), by their text.
fn read_screen(locale: Locale, items: &[Item], fields: &[(String, String)]) -> (BTreeMap<String, Answer>, Vec<String>) {
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let mut answers = BTreeMap::new();
    let mut problems = Vec::new();
    for item in items {
        let given = value(&item.code);
        let answer = given.and_then(|v| match &item.kind {
            ItemKind::Scale5 { not_used, .. } => v
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=5).contains(n) || (*n == 0 && *not_used))
                .map(Answer::Scale),
            ItemKind::Percent { max, .. } => v.parse::<u16>().ok().filter(|n| n <= max).map(Answer::Percent),
            ItemKind::Choice { options } => options.iter().find(|o| o.code == v).map(|o| Answer::Choice {
                option: o.code.clone(),
                other: o
                    .other
                    .then(|| value(&format!("{}.other", item.code)))
                    .flatten()
                    .map(|t| t.chars().take(200).collect()),
            }),
            ItemKind::Text { max_len } => Some(Answer::Text(v.chars().take(*max_len).collect())),
        });
        match answer {
            Some(a) => {
                answers.insert(item.code.clone(), a);
            }
            None if given.is_some() || !item.optional => problems.push(item.text.get(locale).to_string()),
            None => {}
        }
    }
    (answers, problems)
}

/// Reads the follow-up reasons posted for `low`.
fn read_reasons(low: &[&Item], fields: &[(String, String)]) -> BTreeMap<String, Answer> {
    let mut out = BTreeMap::new();
    for item in low {
        let Some(f) = item.follow_up() else { continue };
        let code = item.follow_up_code();
        let picked: Vec<String> = f
            .reasons
            .iter()
            .filter(|r| fields.iter().any(|(k, v)| *k == code && *v == r.code))
            .map(|r| r.code.clone())
            .collect();
        if !picked.is_empty() {
            out.insert(code, Answer::Reasons(picked));
        }
    }
    out
}

/// `POST /phone`: keeps a screen's answers and shows the next screen, its follow-up reasons,
/// the screen before, or — after the last — stores the response and thanks the patient.
pub async fn answer(State(centre): State<Centre>, headers: HeaderMap, posted: Fields) -> Result<Response, PageError> {
    let locale = locale_of(&headers);
    let csrf = posted.csrf.clone();
    let fields = posted.form;
    let device = device_of(&headers).map(str::to_string);
    let c = centre.clone();
    blocking(move || {
        let Some(mut s) = session_of(&c, &headers)? else {
            return Ok(gone(locale));
        };
        if s.stored_at.is_some() && s.complete {
            return Ok(thanks(&c, locale, &s.opened.facility));
        }
        let now = c.now();
        if !s.open_at(now) {
            return Ok(gone(locale));
        }
        let q = questionnaire_of(&c, &s)?;
        let all = screens(q);
        let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        // The screen the form was on: a stale tab (another screen sent since) is shown the
        // session's current screen instead of overwriting answers.
        let at = s.section as usize;
        if at >= all.len() {
            // Every screen was sent before, and the centre stopped before storing: store now.
            return finish(&c, &s, locale, device.as_deref(), now);
        }
        if field("screen").and_then(|v| v.parse::<usize>().ok()) != Some(at) {
            return Ok(form_screen(
                locale,
                q,
                at.min(all.len() - 1),
                &s.answers,
                &csrf,
                None,
                None,
            ));
        }
        let items = all[at].1;
        let step = if field("step") == Some("reasons") {
            Step::Reasons
        } else {
            Step::Questions
        };
        if field("go") == Some("back") {
            return Ok(match step {
                Step::Reasons => form_screen(locale, q, at, &s.answers, &csrf, None, None),
                Step::Questions => {
                    let back = at.saturating_sub(1);
                    c.phone
                        .save_answers(&s.opened.token_hash, back as u32, &s.answers, now)?;
                    form_screen(locale, q, back, &s.answers, &csrf, None, None)
                }
            });
        }
        match step {
            Step::Questions => {
                let (given, problems) = read_screen(locale, items, &fields);
                // This screen's earlier answers (and reasons) are replaced by what was sent.
                for item in items {
                    s.answers.remove(&item.code);
                    s.answers.remove(&item.follow_up_code());
                }
                s.answers.extend(given);
                if !problems.is_empty() {
                    return Ok(form_screen(locale, q, at, &s.answers, &csrf, Some(&problems), None));
                }
                let low: Vec<&Item> = low_rated(items, &s.answers).collect();
                if !low.is_empty() {
                    c.phone.save_answers(&s.opened.token_hash, at as u32, &s.answers, now)?;
                    return Ok(form_screen(locale, q, at, &s.answers, &csrf, None, Some(&low)));
                }
            }
            Step::Reasons => {
                let low: Vec<&Item> = low_rated(items, &s.answers).collect();
                s.answers.extend(read_reasons(&low, &fields));
            }
        }
        let next = at + 1;
        c.phone
            .save_answers(&s.opened.token_hash, next as u32, &s.answers, now)?;
        if next < all.len() {
            return Ok(form_screen(locale, q, next, &s.answers, &csrf, None, None));
        }
        s.section = next as u32;
        finish(&c, &s, locale, device.as_deref(), now)
    })
    .await
}

/// Stores a session whose every screen was sent as its complete response, and thanks the
/// patient (blocking). Also where a session lands whose last screen was kept but not stored
/// (the centre stopped in between): it is stored on the next request instead of showing the
/// last screen for ever.
fn finish(
    c: &Centre,
    s: &Session,
    locale: Locale,
    device: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Response, PageError> {
    let ctx = sessions::Ctx {
        store: c.store.as_ref(),
        phone: c.phone.as_ref(),
        catalog: &c.catalog,
        tz: c.web.tz,
    };
    match sessions::store_session(ctx, s, Status::Complete, locale, device, now)? {
        Appended::Stored(_) | Appended::Held => {
            tracing::info!(facility = ?s.opened.facility, point = ?s.opened.point, "phone response stored");
            Ok(thanks(c, locale, &s.opened.facility))
        }
        Appended::Refused(why) => {
            tracing::warn!(%why, "a phone response was refused");
            Err(PageError::BadRequest(tr(locale, id!("phone-refused"))))
        }
    }
}

/// `GET /assets/phone.css`.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../../../assets/web/phone.css"),
    )
}

/// `GET /assets/face-<n>.svg`: the kiosk's faces.
pub async fn face(Path(name): Path<String>) -> Result<Response, PageError> {
    let svg = match name.as_str() {
        "face-1.svg" => include_str!("../../../../assets/faces/face-1.svg"),
        "face-2.svg" => include_str!("../../../../assets/faces/face-2.svg"),
        "face-3.svg" => include_str!("../../../../assets/faces/face-3.svg"),
        "face-4.svg" => include_str!("../../../../assets/faces/face-4.svg"),
        "face-5.svg" => include_str!("../../../../assets/faces/face-5.svg"),
        _ => return Err(PageError::NotFound),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        svg,
    )
        .into_response())
}
