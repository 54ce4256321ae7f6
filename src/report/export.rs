//! CSV and XLSX exports: one row per response, one column per item code, plus a summary sheet.
//!
//! Files are written under a temporary name next to the destination and renamed at the end,
//! so a failed export (full or removed drive) never leaves a half-written file under the final
//! name.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format as CellFormat, Workbook, Worksheet, XlsxError};

use super::Report;
use crate::i18n::tr;
use crate::store::{self, Filter, Store, StoredResponse};
use crate::survey::{Answer, ItemKind, Locale, Questionnaire, follow_up_code_of};

/// Export file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values, UTF-8 with a byte-order mark so Excel shows Vietnamese correctly.
    Csv,
    /// An Excel workbook with a responses sheet and a summary sheet.
    Xlsx,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// Writing the file failed (disk full, drive removed, read-only…).
    #[error("{path}: cannot write: {source}")]
    Write {
        /// The destination.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The XLSX writer failed.
    #[error("{path}: cannot write the workbook: {source}")]
    Xlsx {
        /// The destination.
        path: PathBuf,
        /// The writer's error.
        source: XlsxError,
    },
    /// More rows than one Excel sheet holds.
    #[error("{0} responses do not fit in one Excel sheet (1,048,575 rows); export a shorter period or use CSV")]
    TooManyRows(u64),
}

/// What one answer column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// The answer of an item (scale value, percent, option code).
    Item(String),
    /// The follow-up reasons of a scale item, `;`-separated.
    Reasons(String),
    /// The free text of a choice item's "other" option.
    Other(String),
}

impl Column {
    /// Its header: the item code, `A1.why` or `G2.other`.
    pub fn header(&self) -> String {
        match self {
            Column::Item(code) => code.clone(),
            Column::Reasons(code) => follow_up_code_of(code),
            Column::Other(code) => format!("{code}.other"),
        }
    }
}

/// The answer columns for responses to these questionnaires, in questionnaire order, each code
/// once. Text items are not columns: their words go to the `comment` column.
pub fn answer_columns(questionnaires: &[Questionnaire]) -> Vec<Column> {
    let mut columns: Vec<Column> = Vec::new();
    for q in questionnaires {
        for item in q.items() {
            let mut push = |c: Column| {
                if !columns.contains(&c) {
                    columns.push(c);
                }
            };
            match &item.kind {
                ItemKind::Text { .. } => {}
                ItemKind::Scale5 { follow_up, .. } => {
                    push(Column::Item(item.code.clone()));
                    if follow_up.is_some() {
                        push(Column::Reasons(item.code.clone()));
                    }
                }
                ItemKind::Percent { .. } => push(Column::Item(item.code.clone())),
                ItemKind::Choice { options } => {
                    push(Column::Item(item.code.clone()));
                    if options.iter().any(|o| o.other) {
                        push(Column::Other(item.code.clone()));
                    }
                }
            }
        }
    }
    columns
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A number.
    Number(f64),
    /// Text.
    Text(String),
    /// Nothing.
    Empty,
}

const FIXED: [&str; 12] = [
    "export-col-id",
    "export-col-seq",
    "export-col-kiosk",
    "export-col-department",
    "export-col-questionnaire",
    "export-col-version",
    "export-col-locale",
    "export-col-status",
    "export-col-rapid-repeat",
    "export-col-started",
    "export-col-submitted",
    "export-col-comment",
];

/// The header row: fixed columns in `locale`, then the answer columns.
pub fn header(columns: &[Column], locale: Locale) -> Vec<String> {
    let mut h: Vec<String> = FIXED[..11].iter().map(|id| tr(locale, id)).collect();
    h.extend(columns.iter().map(Column::header));
    h.push(tr(locale, FIXED[11]));
    h
}

fn local_time(t: &chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> String {
    use chrono::{Datelike, Timelike};
    // Formatted by hand: chrono's strftime parser was a tenth of a million-row export.
    let l = t.with_timezone(&tz);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        l.year(),
        l.month(),
        l.day(),
        l.hour(),
        l.minute(),
        l.second()
    )
}

/// A number as text: integers without a decimal point.
fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        (v as i64).to_string()
    } else {
        v.to_string()
    }
}

/// The cells of one response, matching [`header`].
pub fn cells(s: &StoredResponse, columns: &[Column], tz: chrono_tz::Tz) -> Vec<Cell> {
    let r = &s.response;
    let text = |t: &str| Cell::Text(t.to_string());
    let mut out = vec![
        Cell::Text(r.id.to_string()),
        Cell::Number(s.seq as f64),
        text(&s.kiosk_id),
        r.department.as_deref().map_or(Cell::Empty, text),
        text(&r.questionnaire_id),
        Cell::Number(f64::from(r.questionnaire_version)),
        text(r.locale.tag()),
        text(r.status.as_str()),
        Cell::Number(if r.rapid_repeat { 1.0 } else { 0.0 }),
        Cell::Text(local_time(&r.started_at, tz)),
        Cell::Text(local_time(&r.submitted_at, tz)),
    ];
    out.reserve(columns.len() + 1);
    for c in columns {
        out.push(match c {
            Column::Item(code) => match r.answers.get(code) {
                Some(Answer::Scale(v)) => Cell::Number(f64::from(*v)),
                Some(Answer::Percent(v)) => Cell::Number(f64::from(*v)),
                Some(Answer::Choice { option, .. }) => match option.parse::<f64>() {
                    Ok(n) => Cell::Number(n),
                    Err(_) => text(option),
                },
                Some(Answer::Text(t)) => text(t),
                Some(Answer::Reasons(rs)) => Cell::Text(rs.join(";")),
                None => Cell::Empty,
            },
            Column::Reasons(code) => match r.answers.get(&follow_up_code_of(code)) {
                Some(Answer::Reasons(rs)) => Cell::Text(rs.join(";")),
                _ => Cell::Empty,
            },
            Column::Other(code) => match r.answers.get(code) {
                Some(Answer::Choice { other: Some(t), .. }) => text(t),
                _ => Cell::Empty,
            },
        });
    }
    out.push(r.comment().map_or(Cell::Empty, Cell::Text));
    out
}

/// A temporary name beside `path`, so the final rename stays on one file system.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.part", std::process::id()))
}

fn finish(tmp: &Path, path: &Path) -> Result<(), ExportError> {
    std::fs::rename(tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(tmp);
        ExportError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// Everything an export needs besides the store.
pub struct Request<'a> {
    /// Which responses.
    pub filter: &'a Filter,
    /// Language of headers and the summary sheet.
    pub locale: Locale,
    /// Destination file.
    pub out: &'a Path,
    /// The summary for the second XLSX sheet.
    pub report: &'a Report,
}

/// Writes the export and returns the number of responses written. `progress(done, total)` is
/// called every few thousand rows.
pub fn export(
    store: &Store,
    format: Format,
    req: &Request,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, ExportError> {
    let questionnaires = store.questionnaires()?;
    let columns = answer_columns(&questionnaires);
    let total = store.count(req.filter)?;
    let tmp = temp_path(req.out);
    let result = match format {
        Format::Csv => write_csv(store, req, &columns, &tmp, total, progress),
        Format::Xlsx => write_xlsx(store, req, &questionnaires, &columns, &tmp, total, progress),
    };
    match result {
        Ok(n) => {
            finish(&tmp, req.out)?;
            Ok(n)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

const PROGRESS_EVERY: u64 = 4096;

/// Hands every response within `filter` to `sink`, in order, reporting progress. A failing sink
/// (disk full, drive removed) stops the reading and its error is the one returned. (Reading on
/// one thread and writing on another was measured slower: the allocations crossing threads
/// cost more than the overlap gained.)
fn pipeline<F>(
    store: &Store,
    filter: &Filter,
    total: u64,
    progress: &mut dyn FnMut(u64, u64),
    mut sink: F,
) -> Result<u64, ExportError>
where
    F: FnMut(StoredResponse) -> Result<(), ExportError>,
{
    let mut n = 0u64;
    let mut failure = None;
    let read = store.for_each_response(filter, |s| {
        let seq = s.seq;
        if let Err(e) = sink(s) {
            failure = Some(e);
            return Err(store::Error::BadRow {
                seq,
                detail: "write failed".into(),
            });
        }
        n += 1;
        if n.is_multiple_of(PROGRESS_EVERY) {
            progress(n, total);
        }
        Ok(())
    });
    if let Some(e) = failure {
        return Err(e);
    }
    read?;
    Ok(n)
}

fn write_csv(
    store: &Store,
    req: &Request,
    columns: &[Column],
    tmp: &Path,
    total: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, ExportError> {
    let io = |source: std::io::Error| ExportError::Write {
        path: req.out.to_path_buf(),
        source,
    };
    let csv_err = |e: csv::Error| io(e.into());
    let file = std::fs::File::create(tmp).map_err(io)?;
    let mut buffered = BufWriter::with_capacity(1 << 20, file);
    buffered.write_all("\u{feff}".as_bytes()).map_err(io)?;
    let mut w = csv::Writer::from_writer(buffered);
    w.write_record(header(columns, req.locale)).map_err(csv_err)?;
    let tz = store.timezone();
    let mut record: Vec<String> = Vec::new();
    let n = pipeline(store, req.filter, total, progress, |s| {
        record.clear();
        record.extend(cells(&s, columns, tz).into_iter().map(|c| match c {
            Cell::Number(v) => number_text(v),
            Cell::Text(t) => t,
            Cell::Empty => String::new(),
        }));
        w.write_record(&record).map_err(csv_err)
    })?;
    let file = w
        .into_inner()
        .map_err(|e| io(e.into_error()))?
        .into_inner()
        .map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    progress(n, total);
    Ok(n)
}

fn write_xlsx(
    store: &Store,
    req: &Request,
    questionnaires: &[Questionnaire],
    columns: &[Column],
    tmp: &Path,
    total: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, ExportError> {
    const MAX_ROWS: u64 = 1_048_575;
    if total > MAX_ROWS {
        return Err(ExportError::TooManyRows(total));
    }
    let xerr = |source: XlsxError| ExportError::Xlsx {
        path: req.out.to_path_buf(),
        source,
    };
    let locale = req.locale;
    let bold = CellFormat::new().set_bold();
    let mut workbook = Workbook::new();
    if let Some(dir) = req.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Keep the worksheet's temporary data on the destination's disk, not a small /tmp.
        workbook.set_tempdir(dir).map_err(xerr)?;
    }
    let tz = store.timezone();
    let n = {
        let sheet = workbook.add_worksheet_with_constant_memory().map_err(xerr)?;
        sheet.set_name(tr(locale, "export-sheet-responses")).map_err(xerr)?;
        for (c, h) in header(columns, locale).iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold).map_err(xerr)?;
        }
        let mut row = 0u32;
        pipeline(store, req.filter, total, progress, |s| {
            row += 1;
            for (c, cell) in cells(&s, columns, tz).into_iter().enumerate() {
                match cell {
                    Cell::Number(v) => sheet.write_number(row, c as u16, v).map(|_| ()),
                    Cell::Text(t) => sheet.write_string(row, c as u16, t).map(|_| ()),
                    Cell::Empty => Ok(()),
                }
                .map_err(xerr)?;
            }
            Ok(())
        })?
    };
    let summary = workbook.add_worksheet();
    write_summary(summary, req.report, questionnaires, locale, &bold).map_err(xerr)?;
    workbook.save(tmp).map_err(|e| match e {
        XlsxError::IoError(source) => ExportError::Write {
            path: req.out.to_path_buf(),
            source,
        },
        other => xerr(other),
    })?;
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|source| ExportError::Write {
            path: req.out.to_path_buf(),
            source,
        })?;
    progress(n, total);
    Ok(n)
}

fn write_summary(
    sheet: &mut Worksheet,
    report: &Report,
    questionnaires: &[Questionnaire],
    locale: Locale,
    bold: &CellFormat,
) -> Result<(), XlsxError> {
    let s = &report.summary;
    sheet.set_name(tr(locale, "export-sheet-summary"))?;
    sheet.set_column_width(0, 60)?;
    sheet.set_column_width(1, 14)?;
    let num = |v: Option<f64>| v.map(|v| (v * 100.0).round() / 100.0);
    let rows: Vec<(&str, Cell)> = vec![
        ("export-sum-facility", Cell::Text(report.facility.clone())),
        ("export-sum-period", Cell::Text(report.period.clone())),
        (
            "export-sum-from",
            report.from.map_or(Cell::Empty, |d| Cell::Text(d.to_string())),
        ),
        (
            "export-sum-to",
            report.to.map_or(Cell::Empty, |d| Cell::Text(d.to_string())),
        ),
        ("export-sum-responses", Cell::Number(s.responses as f64)),
        ("export-sum-partial", Cell::Number(s.partial_responses as f64)),
        ("export-sum-rapid", Cell::Number(s.rapid_repeat_responses as f64)),
        ("export-sum-answers", Cell::Number(s.answers as f64)),
        (
            "export-sum-satisfied",
            num(s.satisfied_pct).map_or(Cell::Empty, Cell::Number),
        ),
        ("export-sum-ci-low", num(s.ci_low_pct).map_or(Cell::Empty, Cell::Number)),
        (
            "export-sum-ci-high",
            num(s.ci_high_pct).map_or(Cell::Empty, Cell::Number),
        ),
        ("export-sum-mean", num(s.mean_score).map_or(Cell::Empty, Cell::Number)),
        (
            "export-sum-comprehensive",
            num(s.comprehensive_pct).map_or(Cell::Empty, Cell::Number),
        ),
        (
            "export-sum-expectation",
            num(s.expectation_mean).map_or(Cell::Empty, Cell::Number),
        ),
        ("export-sum-return", num(s.return_pct).map_or(Cell::Empty, Cell::Number)),
        ("export-sum-target", Cell::Number(s.target_pct)),
        (
            "export-sum-meets-target",
            Cell::Text(tr(locale, if s.meets_target { "export-yes" } else { "export-no" })),
        ),
    ];
    let mut r = 0u32;
    for (id, cell) in rows {
        sheet.write_string(r, 0, tr(locale, id))?;
        match cell {
            Cell::Number(v) => {
                sheet.write_number(r, 1, v)?;
            }
            Cell::Text(t) => {
                sheet.write_string(r, 1, t)?;
            }
            Cell::Empty => {}
        }
        r += 1;
    }
    r += 1;
    for (c, id) in [
        "export-sum-part",
        "export-sum-n",
        "export-sum-satisfied-short",
        "export-sum-mean-short",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(r, c as u16, tr(locale, id), bold)?;
    }
    r += 1;
    let mut seen = std::collections::HashSet::new();
    for q in questionnaires {
        for section in &q.sections {
            let Some(f) = s.sections.get(&section.code) else {
                continue;
            };
            if !seen.insert(section.code.clone()) {
                continue;
            }
            let mut line =
                |label: String, f: &crate::survey::Figures, format: Option<&CellFormat>| -> Result<(), XlsxError> {
                    match format {
                        Some(fmt) => sheet.write_string_with_format(r, 0, label, fmt)?,
                        None => sheet.write_string(r, 0, label)?,
                    };
                    sheet.write_number(r, 1, f.answers as f64)?;
                    if let Some(v) = num(f.satisfied_pct) {
                        sheet.write_number(r, 2, v)?;
                    }
                    if let Some(v) = num(f.mean_score) {
                        sheet.write_number(r, 3, v)?;
                    }
                    r += 1;
                    Ok(())
                };
            line(
                format!("{}. {}", section.code, section.title.get(locale)),
                f,
                Some(bold),
            )?;
            for item in &section.items {
                if let Some(fig) = s
                    .items
                    .get(&item.code)
                    .filter(|_| seen.insert(format!("item:{}", item.code)))
                {
                    line(format!("{} {}", item.code, item.text.get(locale)), &fig.figures, None)?;
                }
            }
        }
    }
    Ok(())
}
