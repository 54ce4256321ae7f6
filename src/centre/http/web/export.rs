//! `/facility/<slug>/export.csv` and `.xlsx`: the responses behind the facility page's view
//! (the same `period`, `from`/`to` and `department` query), written by the same exporter as
//! the kiosk's `hailong export` ([`crate::centre::export`]). Access is the page's: another
//! facility is refused, and a department account gets its own department only.
//! `/overview/export.csv` and `.xlsx`: every facility's, for the accounts that see every
//! facility (the province, admins).
//!
//! The file is written to a temporary directory first (an export is read page by page, never
//! held in memory), then sent from disk in chunks; its directory is gone as soon as it is open.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::periods::PeriodQuery;
use super::{FacilityReader, PageError, Viewer, blocking};
use crate::centre::accounts::Role;
use crate::centre::export::{self, Filter};
use crate::centre::{Centre, Scope};
use crate::i18n::tr_args;
use crate::report::export::{ExportError, Format};

/// `GET /facility/<slug>/export.csv`.
pub async fn csv(centre: State<Centre>, r: FacilityReader, q: Query<PeriodQuery>) -> Result<Response, PageError> {
    download(centre, r.viewer, Some(r.facility), q, Format::Csv).await
}

/// `GET /facility/<slug>/export.xlsx`.
pub async fn xlsx(centre: State<Centre>, r: FacilityReader, q: Query<PeriodQuery>) -> Result<Response, PageError> {
    download(centre, r.viewer, Some(r.facility), q, Format::Xlsx).await
}

/// `GET /overview/export.csv`: every facility's responses in the period.
pub async fn all_csv(centre: State<Centre>, viewer: Viewer, q: Query<PeriodQuery>) -> Result<Response, PageError> {
    download(centre, viewer, None, q, Format::Csv).await
}

/// `GET /overview/export.xlsx`.
pub async fn all_xlsx(centre: State<Centre>, viewer: Viewer, q: Query<PeriodQuery>) -> Result<Response, PageError> {
    download(centre, viewer, None, q, Format::Xlsx).await
}

/// The department an export covers: a department account's own (asking for another is
/// refused), else the one asked for, if any.
fn department_of(viewer: &Viewer, asked: Option<&str>) -> Result<Option<String>, PageError> {
    let asked = asked.map(str::trim).filter(|d| !d.is_empty());
    if let Some(d) = asked {
        crate::centre::store::check_name("department", d).map_err(PageError::BadRequest)?;
    }
    if viewer.user.role == Role::Department {
        let own = viewer.user.department.clone();
        if asked.is_some_and(|d| Some(d) != own.as_deref()) {
            return Err(PageError::Forbidden);
        }
        return Ok(own);
    }
    Ok(asked.map(str::to_string))
}

/// How many bytes each piece of the body holds.
const CHUNK: usize = 64 * 1024;

async fn download(
    State(centre): State<Centre>,
    viewer: Viewer,
    facility: Option<String>,
    Query(q): Query<PeriodQuery>,
    format: Format,
) -> Result<Response, PageError> {
    let locale = viewer.locale;
    let period = q.resolve(locale, centre.today(), centre.calendar)?;
    let department = department_of(&viewer, q.department.as_deref())?;
    let strata = q.strata(locale)?;
    let user = viewer.user.clone();
    let c = centre.clone();
    let p = period.clone();
    // One facility, as its page allows; or every facility, for those who see them all.
    match &facility {
        Some(f) => viewer.may_read(f, department.as_deref())?,
        None if user.sees_every_facility() => {}
        None => return Err(PageError::Forbidden),
    }
    let written = blocking(move || {
        let filter = Filter {
            scope: strata.narrow(Scope {
                facility: facility.clone(),
                department,
                from: p.from,
                to: p.to,
                ..Scope::default()
            }),
            questionnaire: None,
        };
        let dir = tempfile::tempdir().map_err(PageError::internal)?;
        let ext = match format {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        };
        let path = dir.path().join(format!("export.{ext}"));
        export::write(&c, &filter, &p, format, locale, &path, &mut |_, _| {}).map_err(|e| match e {
            ExportError::TooManyRows(n) => PageError::BadRequest(tr_args(
                locale,
                id!("web-export-too-many-rows"),
                &[("count", super::fmt::count(locale, n).into())],
            )),
            ExportError::Source(e) => PageError::from(e),
            e => PageError::internal(e),
        })?;
        // Opened, then the directory goes: the open file stays readable until it is sent.
        let file = std::fs::File::open(&path).map_err(PageError::internal)?;
        let len = file.metadata().map_err(PageError::internal)?.len();
        drop(dir);
        Ok((facility, file, len))
    })
    .await;
    let (facility, file, len) = written?;
    let (content_type, ext) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let name = format!(
        "attachment; filename=\"hai-long-{}-{}.{ext}\"",
        facility
            .as_deref()
            .map_or_else(|| "tat-ca".to_string(), crate::text::slug),
        crate::text::slug(&period.label)
    );
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&name).unwrap_or(HeaderValue::from_static("attachment")),
            ),
            (header::CONTENT_LENGTH, HeaderValue::from(len)),
        ],
        Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
            tokio::fs::File::from_std(file),
            CHUNK,
        )),
    )
        .into_response())
}
