//! Printed codes for patients' phones (DESIGN §12), as A4 pages to print from a browser:
//! a sheet of single-use tickets (twelve to a page, cut along the dashes) for the queue-ticket
//! desk or the discharge papers, and a poster with a point's standing code.
//!
//! Each ticket carries its QR code and the same code typed (`ABCD-EFGH`) for a phone that does
//! not scan, with the address to type it at.

use chrono::NaiveDate;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::i18n::{tr, tr_args};
use crate::survey::Locale;

/// Tickets on one A4 page (three across, four down).
pub const TICKETS_PER_PAGE: usize = 12;

const STYLE: &str = "\
@page { size: A4; margin: 10mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: 'Liberation Sans', Arial, sans-serif; color: #000; }
.page { display: grid; grid-template-columns: repeat(3, 1fr); grid-auto-rows: 69mm; width: 190mm; }
.page + .page { break-before: page; }
.ticket { border: 0.3mm dashed #777; padding: 3mm 3mm 2mm; text-align: center; overflow: hidden; }
.ticket h2 { font-size: 10pt; margin: 0 0 1mm; }
.ticket .facility { font-size: 7.5pt; margin: 0; }
.ticket svg { width: 30mm; height: 30mm; display: block; margin: 1mm auto; }
.ticket p { font-size: 7.5pt; margin: 0.5mm 0; }
.code { font: bold 15pt 'Liberation Mono', monospace; letter-spacing: 0.5pt; margin: 1mm 0 !important; }
.poster { text-align: center; padding-top: 12mm; }
.poster h1 { font-size: 28pt; margin: 0 0 6mm; }
.poster .facility { font-size: 16pt; margin: 0; }
.poster .point { font-size: 13pt; margin: 2mm 0 0; }
.poster svg { width: 120mm; height: 120mm; display: block; margin: 8mm auto; }
.poster p { font-size: 13pt; margin: 3mm 12mm; }
.poster .link { font: bold 15pt 'Liberation Mono', monospace; }
";

/// The QR code of `url`, as an inline `<svg>` element.
fn qr(url: &str) -> Markup {
    let svg = super::qr_svg(url).unwrap_or_default();
    // The renderer writes an XML declaration first: not for an inline element.
    let inline = svg.find("<svg").map_or("", |at| &svg[at..]);
    PreEscaped(inline.to_string())
}

fn document(locale: Locale, title: &str, content: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang=(locale.tag()) {
            head {
                meta charset="utf-8";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (content) }
        }
    }
    .into_string()
}

/// What a printed code opens, for its words.
#[derive(Debug, Clone, Copy)]
pub struct Printed<'a> {
    /// The facility.
    pub facility: &'a str,
    /// The point (a place of the facility).
    pub point: &'a str,
    /// The questionnaire's title.
    pub form: &'a str,
    /// The centre's address as phones reach it (`https://…`, no trailing slash).
    pub base: &'a str,
}

/// A sheet of single-use tickets, one per code (its one form, `ABCDEFGH`), good until the end
/// of `last_day`.
pub fn tickets(locale: Locale, printed: Printed<'_>, codes: &[String], last_day: NaiveDate) -> String {
    let title = tr_args(
        locale,
        id!("sheet-tickets-title"),
        &[("facility", printed.facility.into()), ("point", printed.point.into())],
    );
    let typed_at = format!("{}/t", printed.base);
    let valid = tr_args(
        locale,
        id!("sheet-ticket-valid"),
        &[("day", super::fmt::date(last_day).into())],
    );
    let content = html! {
        @for page in codes.chunks(TICKETS_PER_PAGE) {
            section.page {
                @for code in page {
                    div.ticket {
                        p.facility { (printed.facility) }
                        h2 { (tr(locale, id!("sheet-ticket-heading"))) }
                        (qr(&format!("{}/t/{code}", printed.base)))
                        p { (tr_args(locale, id!("sheet-ticket-or"), &[("address", typed_at.as_str().into())])) }
                        p.code data-code=(code) { (crate::phone::paper_shown(code)) }
                        p { (valid) }
                    }
                }
            }
        }
    };
    document(locale, &title, content)
}

/// A poster for `printed.point`: its standing `code` as a large QR code and as a link.
pub fn poster(locale: Locale, printed: Printed<'_>, code: &str) -> String {
    let link = format!("{}/q/{code}", printed.base);
    let title = tr_args(
        locale,
        id!("sheet-poster-title"),
        &[("facility", printed.facility.into()), ("point", printed.point.into())],
    );
    let content = html! {
        section.poster {
            h1 { (tr(locale, id!("sheet-poster-heading"))) }
            p.facility { (printed.facility) }
            p.point { (printed.point) }
            (qr(&link))
            p { (tr_args(locale, id!("sheet-poster-scan"), &[("form", printed.form.into())])) }
            p { (tr(locale, id!("sheet-poster-or"))) }
            p.link data-code=(code) { (link) }
        }
    };
    document(locale, &title, content)
}
