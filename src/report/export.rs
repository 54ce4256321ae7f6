//! CSV and XLSX exports: one row per response, one column per item code, plus a summary sheet.
//!
//! The CSV is for scripts: its header and its codes (`partial`, `information;wait`, `5`, times
//! as `2026-03-01 08:15:00`) stay as they are. The XLSX is for people: the same columns, but the
//! status, the rapid-repeat flag, follow-up reasons and choice answers in words (from `i18n/`
//! and the questionnaire's own option texts), "not used" in words rather than a 0 that Excel
//! would average, and real date-time cells. Both read from any [`ResponseSource`].
//!
//! Files are written under a temporary name next to the destination and renamed at the end,
//! so a failed export (full or removed drive) never leaves a half-written file under the final
//! name.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use std::collections::HashMap;
use std::ops::ControlFlow;

use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook, Worksheet, XlsxError};

use super::model::{Level, Model};
use super::{Report, ResponseSource};
use crate::i18n::{tr, tr_args};
use crate::store::{self, Filter, StoredResponse};
use crate::survey::{Answer, Channel, ItemKind, Locale, Questionnaire, Status, follow_up_code_of};

/// Export file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values, UTF-8 with a byte-order mark so Excel shows Vietnamese correctly.
    Csv,
    /// An Excel workbook with a responses sheet and a summary sheet.
    Xlsx,
}

/// Why an export failed; `E` is the source's error (the kiosk store's by default).
#[derive(Debug, thiserror::Error)]
pub enum ExportError<E = store::Error> {
    /// Reading the source failed.
    #[error(transparent)]
    Source(E),
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
    /// A facility-local date and time (a real date-time cell in XLSX, `2026-03-01 08:15:00`
    /// in CSV).
    DateTime(chrono::NaiveDateTime),
    /// Nothing.
    Empty,
}

const FIXED: [crate::i18n::Id; 15] = [
    id!("export-col-id"),
    id!("export-col-seq"),
    id!("export-col-kiosk"),
    id!("export-col-department"),
    id!("export-col-questionnaire"),
    id!("export-col-version"),
    id!("export-col-locale"),
    id!("export-col-status"),
    id!("export-col-rapid-repeat"),
    id!("export-col-started"),
    id!("export-col-submitted"),
    id!("export-col-comment"),
    // Added after the comment, so every column before keeps its place in scripts that read
    // by position.
    id!("export-col-channel"),
    id!("export-col-point"),
    // A phone's second answer for the facility within a week: kept, and not counted.
    id!("export-col-repeat-device"),
];

/// The header row: fixed columns in `locale`, then the answer columns.
pub fn header(columns: &[Column], locale: Locale) -> Vec<String> {
    let mut h: Vec<String> = FIXED[..11].iter().map(|id| tr(locale, *id)).collect();
    h.extend(columns.iter().map(Column::header));
    h.extend(FIXED[11..].iter().map(|id| tr(locale, *id)));
    h
}

/// The XLSX's header, for people: the fixed columns as in [`header`], each answer column by its
/// question (`A2. Các sơ đồ, biển báo…`; `Giới tính` for an item without a question number),
/// its reasons and its "other" words said as such.
pub fn header_words(columns: &[Column], questionnaires: &[Questionnaire], locale: Locale) -> Vec<String> {
    let text = |code: &str| {
        let words = questionnaires
            .iter()
            .find_map(|q| q.item(code))
            .map(|i| i.text.get(locale).to_string())
            .unwrap_or_default();
        let words: String = if words.chars().count() > 60 {
            words.chars().take(59).chain(['…']).collect()
        } else {
            words
        };
        let numbered = code.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && code.chars().skip(1).all(|c| c.is_ascii_digit())
            && code.len() > 1;
        match (numbered, words.is_empty()) {
            (_, true) => code.to_string(),
            (true, false) => format!("{code}. {words}"),
            (false, false) => words,
        }
    };
    let mut h: Vec<String> = FIXED[..11].iter().map(|id| tr(locale, *id)).collect();
    h.extend(columns.iter().map(|c| match c {
        Column::Item(code) => text(code),
        Column::Reasons(code) => {
            crate::i18n::tr_args(locale, id!("export-col-reasons"), &[("code", code.clone().into())])
        }
        Column::Other(code) => crate::i18n::tr_args(locale, id!("export-col-other"), &[("code", code.clone().into())]),
    }));
    h.extend(FIXED[11..].iter().map(|id| tr(locale, *id)));
    h
}

fn local_time(t: &chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> chrono::NaiveDateTime {
    t.with_timezone(&tz).naive_local()
}

/// A date and time as the CSV has always written it: `2026-03-01 08:15:00`.
fn time_text(t: &chrono::NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    // Formatted by hand: chrono's strftime parser was a tenth of a million-row export.
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
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

/// The cells of one response, matching [`header`], with codes (the CSV's cells).
pub fn cells(s: &StoredResponse, columns: &[Column], tz: chrono_tz::Tz) -> Vec<Cell> {
    cells_with(s, columns, tz, None)
}

/// Per answer code (`G2`, `A1.why`), option code → its text.
type OptionTexts = HashMap<String, HashMap<String, String>>;

/// The words the XLSX shows instead of codes, in one language: built once per export from the
/// questionnaires, looked up per cell.
pub struct Labels {
    complete: String,
    partial: String,
    yes: String,
    no: String,
    not_used: String,
    /// Each channel's name, in [`Channel::ALL`]'s order.
    channels: Vec<(Channel, String)>,
    /// Per questionnaire id and version, per answer code (`G2`, `A1.why`), option code → text.
    options: Vec<((String, u32), OptionTexts)>,
}

impl Labels {
    /// The labels of `questionnaires` in `locale`.
    pub fn new(questionnaires: &[Questionnaire], locale: Locale) -> Labels {
        let options = questionnaires
            .iter()
            .map(|q| {
                let mut by_code = OptionTexts::new();
                for item in q.items() {
                    let list = match &item.kind {
                        ItemKind::Choice { options } => Some((item.code.clone(), options)),
                        ItemKind::Scale5 { follow_up: Some(f), .. } => {
                            Some((follow_up_code_of(&item.code), &f.reasons))
                        }
                        _ => None,
                    };
                    if let Some((code, options)) = list {
                        by_code.insert(
                            code,
                            options
                                .iter()
                                .map(|o| (o.code.clone(), o.text.get(locale).to_string()))
                                .collect(),
                        );
                    }
                }
                ((q.id.clone(), q.version), by_code)
            })
            .collect();
        Labels {
            complete: tr(locale, id!("export-status-complete")),
            partial: tr(locale, id!("export-status-partial")),
            yes: tr(locale, id!("export-yes")),
            no: tr(locale, id!("export-no")),
            not_used: tr(locale, id!("scale-not-used")),
            channels: Channel::ALL
                .into_iter()
                .map(|c| (c, crate::report::text::channel_name(locale, c)))
                .collect(),
            options,
        }
    }

    fn options_of(&self, id: &str, version: u32) -> Option<&OptionTexts> {
        self.options
            .iter()
            .find(|((i, v), _)| i == id && *v == version)
            .map(|(_, o)| o)
    }
}

/// The cells of one response, matching [`header`], in words where `labels` are given (the
/// XLSX's cells): an option or reason code the questionnaire does not list stays a code.
pub fn cells_with(s: &StoredResponse, columns: &[Column], tz: chrono_tz::Tz, labels: Option<&Labels>) -> Vec<Cell> {
    let r = &s.response;
    let text = |t: &str| Cell::Text(t.to_string());
    let options = labels.and_then(|l| l.options_of(&r.questionnaire_id, r.questionnaire_version));
    let word = |code: &str, option: &str| -> Option<String> { options?.get(code)?.get(option).cloned() };
    let reasons = |code: &str, rs: &[String]| -> Cell {
        match labels {
            None => Cell::Text(rs.join(";")),
            Some(_) => Cell::Text(
                rs.iter()
                    .map(|c| word(code, c).unwrap_or_else(|| c.clone()))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        }
    };
    let started = local_time(&r.started_at, tz);
    let submitted = local_time(&r.submitted_at, tz);
    let mut out = vec![
        Cell::Text(r.id.to_string()),
        Cell::Number(s.seq as f64),
        text(&s.kiosk_id),
        r.department.as_deref().map_or(Cell::Empty, text),
        text(&r.questionnaire_id),
        Cell::Number(f64::from(r.questionnaire_version)),
        text(r.locale.tag()),
        match (labels, r.status) {
            (None, status) => text(status.as_str()),
            (Some(l), Status::Complete) => text(&l.complete),
            (Some(l), Status::Partial) => text(&l.partial),
        },
        match labels {
            None => Cell::Number(if r.rapid_repeat { 1.0 } else { 0.0 }),
            Some(l) => text(if r.rapid_repeat { &l.yes } else { &l.no }),
        },
        match labels {
            None => Cell::Text(time_text(&started)),
            Some(_) => Cell::DateTime(started),
        },
        match labels {
            None => Cell::Text(time_text(&submitted)),
            Some(_) => Cell::DateTime(submitted),
        },
    ];
    out.reserve(columns.len() + 3);
    for c in columns {
        out.push(match c {
            Column::Item(code) => match r.answers.get(code) {
                Some(Answer::Scale(v)) => match labels {
                    // 0 is "not used": in words, so a spreadsheet's average leaves it out.
                    Some(l) if *v == 0 => text(&l.not_used),
                    _ => Cell::Number(f64::from(*v)),
                },
                Some(Answer::Percent(v)) => Cell::Number(f64::from(*v)),
                Some(Answer::Choice { option, .. }) => match word(code, option) {
                    Some(w) => Cell::Text(w),
                    None => match option.parse::<f64>() {
                        Ok(n) => Cell::Number(n),
                        Err(_) => text(option),
                    },
                },
                Some(Answer::Text(t)) => text(t),
                Some(Answer::Reasons(rs)) => reasons(code, rs),
                None => Cell::Empty,
            },
            Column::Reasons(code) => {
                let why = follow_up_code_of(code);
                match r.answers.get(&why) {
                    Some(Answer::Reasons(rs)) => reasons(&why, rs),
                    _ => Cell::Empty,
                }
            }
            Column::Other(code) => match r.answers.get(code) {
                Some(Answer::Choice { other: Some(t), .. }) => text(t),
                _ => Cell::Empty,
            },
        });
    }
    out.push(r.comment().map_or(Cell::Empty, Cell::Text));
    // A response from before channels came from a kiosk, at no recorded point.
    let channel = r.channel.unwrap_or_default();
    out.push(
        match labels.and_then(|l| l.channels.iter().find(|(c, _)| *c == channel)) {
            Some((_, name)) => text(name),
            None => text(channel.as_str()),
        },
    );
    out.push(r.point.as_deref().map_or(Cell::Empty, text));
    out.push(match labels {
        None => Cell::Number(if r.repeat_device { 1.0 } else { 0.0 }),
        Some(l) => text(if r.repeat_device { &l.yes } else { &l.no }),
    });
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

fn finish<E>(tmp: &Path, path: &Path) -> Result<(), ExportError<E>> {
    std::fs::rename(tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(tmp);
        ExportError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// Everything an export needs besides the source; `F` is the source's filter.
pub struct Request<'a, F = Filter> {
    /// Which responses.
    pub filter: &'a F,
    /// Language of headers, labels and the summary sheet.
    pub locale: Locale,
    /// Destination file.
    pub out: &'a Path,
    /// The summary for the second XLSX sheet.
    pub report: &'a Report,
}

/// Writes the export and returns the number of responses written. `progress(done, total)` is
/// called every few thousand rows.
pub fn export<S: ResponseSource + ?Sized>(
    source: &S,
    format: Format,
    req: &Request<S::Filter>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, ExportError<S::Error>> {
    // Columns only for the forms the selected responses were given on (a centre's catalogue
    // holds every form; a facility using one would otherwise get a hundred empty columns).
    let used: std::collections::BTreeSet<String> = source
        .tallies(req.filter)
        .map_err(ExportError::Source)?
        .into_iter()
        .map(|g| g.questionnaire_id)
        .collect();
    let questionnaires: Vec<Questionnaire> = source
        .questionnaires()
        .map_err(ExportError::Source)?
        .into_iter()
        .filter(|q| used.contains(&q.id))
        .collect();
    let columns = answer_columns(&questionnaires);
    let total = source.count(req.filter).map_err(ExportError::Source)?;
    let tmp = temp_path(req.out);
    let result = match format {
        Format::Csv => write_csv(source, req, &columns, &tmp, total, progress),
        Format::Xlsx => write_xlsx(source, req, &questionnaires, &columns, &tmp, total, progress),
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
fn pipeline<S, F>(
    source: &S,
    filter: &S::Filter,
    total: u64,
    progress: &mut dyn FnMut(u64, u64),
    mut sink: F,
) -> Result<u64, ExportError<S::Error>>
where
    S: ResponseSource + ?Sized,
    F: FnMut(StoredResponse) -> Result<(), ExportError<S::Error>>,
{
    let mut n = 0u64;
    let mut failure = None;
    let read = source.for_each_response(filter, &mut |s| {
        if let Err(e) = sink(s) {
            failure = Some(e);
            return ControlFlow::Break(());
        }
        n += 1;
        if n.is_multiple_of(PROGRESS_EVERY) {
            progress(n, total);
        }
        ControlFlow::Continue(())
    });
    if let Some(e) = failure {
        return Err(e);
    }
    read.map_err(ExportError::Source)?;
    Ok(n)
}

fn write_csv<S: ResponseSource + ?Sized>(
    source: &S,
    req: &Request<S::Filter>,
    columns: &[Column],
    tmp: &Path,
    total: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, ExportError<S::Error>> {
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
    let tz = source.timezone();
    let mut record: Vec<String> = Vec::new();
    let n = pipeline(source, req.filter, total, progress, |s| {
        record.clear();
        record.extend(cells(&s, columns, tz).into_iter().map(|c| match c {
            Cell::Number(v) => number_text(v),
            Cell::Text(t) => crate::text::csv_cell(&t).into_owned(),
            Cell::DateTime(t) => time_text(&t),
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

/// An Excel date-time from a facility-local one.
fn excel_time(t: &chrono::NaiveDateTime) -> Result<ExcelDateTime, XlsxError> {
    use chrono::{Datelike, Timelike};
    let year = u16::try_from(t.year()).map_err(|_| XlsxError::DateTimeRangeError(t.to_string()))?;
    ExcelDateTime::from_ymd(year, t.month() as u8, t.day() as u8)?.and_hms(
        t.hour() as u16,
        t.minute() as u8,
        t.second(),
    )
}

fn write_xlsx<S: ResponseSource + ?Sized>(
    source: &S,
    req: &Request<S::Filter>,
    questionnaires: &[Questionnaire],
    columns: &[Column],
    tmp: &Path,
    total: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, ExportError<S::Error>> {
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
    let when = CellFormat::new().set_num_format("dd/mm/yyyy hh:mm:ss");
    let labels = Labels::new(questionnaires, locale);
    let mut workbook = Workbook::new();
    if let Some(dir) = req.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Keep the worksheet's temporary data on the destination's disk, not a small /tmp.
        workbook.set_tempdir(dir).map_err(xerr)?;
    }
    let tz = source.timezone();
    let n = {
        let sheet = workbook.add_worksheet_with_constant_memory().map_err(xerr)?;
        sheet
            .set_name(tr(locale, id!("export-sheet-responses")))
            .map_err(xerr)?;
        for c in [9, 10] {
            // The two date-time columns, wide enough for `dd/mm/yyyy hh:mm:ss`.
            sheet.set_column_width(c, 19).map_err(xerr)?;
        }
        for (c, h) in header_words(columns, questionnaires, locale).iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold).map_err(xerr)?;
        }
        let mut row = 0u32;
        pipeline(source, req.filter, total, progress, |s| {
            row += 1;
            for (c, cell) in cells_with(&s, columns, tz, Some(&labels)).into_iter().enumerate() {
                match cell {
                    Cell::Number(v) => sheet.write_number(row, c as u16, v).map(|_| ()),
                    Cell::Text(t) => sheet.write_string(row, c as u16, t).map(|_| ()),
                    Cell::DateTime(t) => excel_time(&t)
                        .and_then(|t| sheet.write_datetime_with_format(row, c as u16, &t, &when))
                        .map(|_| ()),
                    Cell::Empty => Ok(()),
                }
                .map_err(xerr)?;
            }
            Ok(())
        })?
    };
    let summary = workbook.add_worksheet();
    let model = Model::new(req.report, questionnaires, locale);
    write_summary(summary, &model, req.report, &bold).map_err(xerr)?;
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

/// Percentages and means as the sheet holds them: numbers rounded to two decimals.
fn num(v: Option<f64>) -> Cell {
    v.map_or(Cell::Empty, |v| Cell::Number((v * 100.0).round() / 100.0))
}

fn put(sheet: &mut Worksheet, r: u32, c: u16, cell: Cell, date: &CellFormat) -> Result<(), XlsxError> {
    match cell {
        Cell::Number(v) => sheet.write_number(r, c, v).map(|_| ()),
        Cell::Text(t) => sheet.write_string(r, c, t).map(|_| ()),
        Cell::DateTime(t) => sheet
            .write_datetime_with_format(r, c, &excel_time(&t)?, date)
            .map(|_| ()),
        Cell::Empty => Ok(()),
    }
}

/// The summary sheet: the heading and headline figures as label–value pairs, then the model's
/// table, one row per model row.
fn write_summary(sheet: &mut Worksheet, model: &Model, report: &Report, bold: &CellFormat) -> Result<(), XlsxError> {
    let locale = model.locale;
    let s = &report.summary;
    let total = model.total();
    let date = CellFormat::new().set_num_format("dd/mm/yyyy");
    sheet.set_name(tr(locale, id!("export-sheet-summary")))?;
    sheet.set_column_width(0, 60)?;
    sheet.set_column_width(1, 14)?;
    let day =
        |d: Option<chrono::NaiveDate>| d.map_or(Cell::Empty, |d| Cell::DateTime(d.and_time(chrono::NaiveTime::MIN)));
    let rows: Vec<(crate::i18n::Id, Cell)> = vec![
        (id!("export-sum-facility"), Cell::Text(model.facility.clone())),
        (
            id!("export-sum-period"),
            Cell::Text(super::text::period_words(locale, &model.period, model.from, model.to)),
        ),
        (id!("export-sum-from"), day(model.from)),
        (id!("export-sum-to"), day(model.to)),
        (id!("export-sum-responses"), Cell::Number(model.counts.counted as f64)),
        (
            id!("export-sum-partial"),
            Cell::Number(model.counts.counted_partial as f64),
        ),
        (
            id!("export-sum-rapid"),
            Cell::Number(model.counts.excluded_rapid_repeats as f64),
        ),
        (id!("export-sum-answers"), Cell::Number(total.figures.n as f64)),
        (id!("export-sum-satisfied"), num(total.figures.rate_pct)),
        (id!("export-sum-ci-low"), num(total.figures.ci_low_pct)),
        (id!("export-sum-ci-high"), num(total.figures.ci_high_pct)),
        (id!("export-sum-mean"), num(total.figures.mean_score)),
        (id!("export-sum-comprehensive"), num(model.comprehensive.value)),
        (id!("export-sum-expectation"), num(model.expectation.value)),
        (id!("export-sum-return"), num(model.return_rate.value)),
        (id!("export-sum-target"), Cell::Number(s.target_pct)),
        (
            id!("export-sum-verdict"),
            Cell::Text(super::text::verdict_words(locale, total.judgement())),
        ),
    ];
    let mut r = 0u32;
    for (id, cell) in rows {
        sheet.write_string(r, 0, tr(locale, id))?;
        put(sheet, r, 1, cell, &date)?;
        r += 1;
    }
    r += 1;
    let mut headings: Vec<String> = [
        id!("export-sum-part"),
        id!("export-sum-n"),
        id!("export-sum-satisfied-short"),
        id!("export-sum-ci-low-short"),
        id!("export-sum-ci-high-short"),
        id!("export-sum-mean-short"),
        id!("export-sum-verdict-short"),
    ]
    .iter()
    .map(|id| tr(locale, *id))
    .collect();
    headings.extend((1..=5).map(|score: u32| tr_args(locale, id!("export-sum-share"), &[("score", score.into())])));
    for (c, h) in headings.iter().enumerate() {
        sheet.write_string_with_format(r, c as u16, h, bold)?;
    }
    r += 1;
    for row in &model.rows {
        let code = row.code.as_deref().unwrap_or("");
        let label = match row.level {
            Level::Total => row.label.clone(),
            Level::Section => format!("{code}. {}", row.label),
            Level::Item => format!("{code} {}", row.label),
        };
        if row.level == Level::Item {
            sheet.write_string(r, 0, label)?;
        } else {
            sheet.write_string_with_format(r, 0, label, bold)?;
        }
        let f = &row.figures;
        let mut cells = vec![
            Cell::Number(f.n as f64),
            num(f.rate_pct),
            num(f.ci_low_pct),
            num(f.ci_high_pct),
            num(f.mean_score),
            Cell::Text(super::text::verdict_short(locale, row.judgement())),
        ];
        if let Some(shares) = f.score_shares_pct {
            cells.extend(shares.iter().map(|v| num(Some(*v))));
        }
        for (c, cell) in cells.into_iter().enumerate() {
            put(sheet, r, c as u16 + 1, cell, &date)?;
        }
        r += 1;
    }
    Ok(())
}
