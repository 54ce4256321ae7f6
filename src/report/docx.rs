//! The quarterly report as a `.docx` (docx-rs), laid out as Vietnamese administrative documents
//! are (Nghị định 30/2020/NĐ-CP): A4 portrait with 20–30 mm margins, Times New Roman 13 pt, the
//! letterhead of the issuing body beside the national motto (with its rule), the page number at
//! the top centre, sections I–IV, tables with their grid and column widths fixed so they fit the
//! page as Word and LibreOffice lay them out, recipients and the signature block. It renders the
//! same [`QuarterlyReport`] as the printable page.

use docx_rs::{
    AlignmentType, BorderType, Docx, Header, LineSpacing, PageMargin, PageNum, Paragraph, Run, RunFonts, Table,
    TableBorder, TableBorderPosition, TableBorders, TableCell, TableLayoutType, TableRow, WidthType,
};

use super::quarterly::QuarterlyReport;
use crate::i18n::{tr, tr_args};
use crate::survey::Locale;

const FONT: &str = "Times New Roman";
/// Half-points: 13 pt for the text.
const SIZE: usize = 26;
/// Half-points: 11 pt in tables.
const TABLE_SIZE: usize = 22;
/// The page in twentieths of a point: A4, 21 × 29,7 cm.
const PAGE: (u32, u32) = (11906, 16838);
/// Margins: top and bottom 20 mm, left 30 mm, right 15 mm (NĐ 30: top/bottom 20–25, left
/// 30–35, right 15–20).
const MARGIN: (i32, i32, i32, i32) = (1134, 1134, 1701, 850);
/// The width tables may take: the page less the side margins.
pub const TEXT_WIDTH: usize = PAGE.0 as usize - MARGIN.2 as usize - MARGIN.3 as usize;

fn run(text: &str) -> Run {
    Run::new()
        .add_text(text)
        .fonts(RunFonts::new().ascii(FONT).hi_ansi(FONT).cs(FONT).east_asia(FONT))
        .size(SIZE)
}

/// A body paragraph: 6 pt after, lines at 1.15.
fn spaced(p: Paragraph) -> Paragraph {
    p.line_spacing(LineSpacing::new().after(120).line(276))
}

fn para(text: &str) -> Paragraph {
    spaced(Paragraph::new().add_run(run(text)))
}

fn bold(text: &str) -> Paragraph {
    spaced(Paragraph::new().add_run(run(text).bold()))
}

fn centred(p: Paragraph) -> Paragraph {
    p.align(AlignmentType::Center)
}

/// A paragraph inside the letterhead or signature: no space after.
fn tight(p: Paragraph) -> Paragraph {
    p.line_spacing(LineSpacing::new().after(0))
}

fn cell(text: &str, head: bool, width: usize, numeric: bool) -> TableCell {
    let r = run(text).size(TABLE_SIZE);
    let r = if head { r.bold() } else { r };
    let p = Paragraph::new()
        .add_run(r)
        .line_spacing(LineSpacing::new().before(20).after(20));
    let p = if numeric && !head {
        p.align(AlignmentType::Right)
    } else if head {
        p.align(AlignmentType::Center)
    } else {
        p
    };
    TableCell::new().add_paragraph(p).width(width, WidthType::Dxa)
}

/// A table with a grid of `widths` (twips, summing to [`TEXT_WIDTH`]), fixed layout, single
/// borders; the first column is text, the others numbers unless `text_columns` says otherwise.
fn table(head: &[String], rows: &[Vec<String>], widths: &[usize], text_columns: &[usize]) -> Table {
    let row = |cells: &[String], head: bool| {
        TableRow::new(
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| cell(c, head, widths[i], !text_columns.contains(&i)))
                .collect(),
        )
    };
    let mut out = vec![row(head, true)];
    out.extend(rows.iter().map(|r| row(r, false)));
    let border = |p: TableBorderPosition| TableBorder::new(p).border_type(BorderType::Single).size(4);
    let borders = TableBorders::new()
        .set(border(TableBorderPosition::Top))
        .set(border(TableBorderPosition::Bottom))
        .set(border(TableBorderPosition::Left))
        .set(border(TableBorderPosition::Right))
        .set(border(TableBorderPosition::InsideH))
        .set(border(TableBorderPosition::InsideV));
    Table::new(out)
        .set_grid(widths.to_vec())
        .layout(TableLayoutType::Fixed)
        .width(TEXT_WIDTH, WidthType::Dxa)
        .set_borders(borders)
}

/// Twips for the `fixed` first columns as given, `rest` more columns sharing what is left.
fn widths(fixed: &[usize], rest: usize) -> Vec<usize> {
    let used: usize = fixed.iter().sum();
    let mut out = fixed.to_vec();
    if let Some(each) = (TEXT_WIDTH - used).checked_div(rest) {
        out.extend(std::iter::repeat_n(each, rest));
        // Whatever rounding left goes to the first column.
        out[0] += TEXT_WIDTH - out.iter().sum::<usize>();
    }
    out
}

/// The column widths of each table of the document, in twips; `tests/docx.rs` checks them
/// against the rendered PDF.
pub fn column_widths(r: &QuarterlyReport) -> Vec<Vec<usize>> {
    let compared = r.compared.len();
    vec![
        widths(&[2855], 5),
        widths(&[3155], 2 + compared),
        widths(&[2255, 1000, 1000], r.sections.len()),
        widths(&[600, 3255, 760, 760, 760, 760, 760, 900], 1),
        widths(&[2855], 5),
    ]
}

/// Builds the document.
pub fn quarterly(r: &QuarterlyReport, locale: Locale) -> Result<Vec<u8>, String> {
    let cols = column_widths(r);
    let (left, right) = (3400, TEXT_WIDTH - 3400);
    let header = Table::new(vec![TableRow::new(vec![
        TableCell::new()
            .width(left, WidthType::Dxa)
            .add_paragraph(tight(centred(
                Paragraph::new().add_run(run(&r.authority_line(locale)).size(24)),
            )))
            .add_paragraph(tight(centred(
                Paragraph::new().add_run(run(&r.facility.to_uppercase()).size(24).bold().underline("single")),
            )))
            .add_paragraph(tight(centred(
                Paragraph::new().add_run(run(&tr(locale, id!("quarterly-number")))),
            ))),
        TableCell::new()
            .width(right, WidthType::Dxa)
            .add_paragraph(tight(centred(
                Paragraph::new().add_run(run(&tr(locale, id!("quarterly-nation"))).size(24).bold()),
            )))
            .add_paragraph(tight(centred(
                Paragraph::new().add_run(run(&tr(locale, id!("quarterly-motto"))).bold().underline("single")),
            )))
            .add_paragraph(tight(centred(Paragraph::new())))
            .add_paragraph(tight(centred(
                Paragraph::new().add_run(run(&r.place_date(locale)).italic()),
            ))),
    ])])
    .set_grid(vec![left, right])
    .layout(TableLayoutType::Fixed)
    .width(TEXT_WIDTH, WidthType::Dxa)
    .clear_all_border();
    let page_number = Header::new().add_paragraph(centred(Paragraph::new().add_page_num(PageNum::new()).size(SIZE)));
    let mut doc = Docx::new()
        .page_size(PAGE.0, PAGE.1)
        .page_margin(
            PageMargin::new()
                .top(MARGIN.0)
                .bottom(MARGIN.1)
                .left(MARGIN.2)
                .right(MARGIN.3)
                .header(567),
        )
        .header(page_number)
        .add_table(header)
        .add_paragraph(para(""))
        .add_paragraph(tight(centred(bold(&tr(locale, id!("quarterly-title"))))))
        .add_paragraph(centred(bold(&tr_args(
            locale,
            id!("quarterly-subtitle"),
            &[("period", r.period_name.clone().into())],
        ))))
        .add_paragraph(centred(para(&r.to_line(locale))));
    for line in &r.narrowed {
        doc = doc.add_paragraph(centred(para(line)));
    }
    doc = doc
        .add_paragraph(bold(&tr(locale, id!("quarterly-part-1"))))
        .add_paragraph(para(&tr_args(
            locale,
            id!("quarterly-deployed"),
            &[("kiosks", r.kiosks.into())],
        )));
    for f in &r.forms {
        doc = doc.add_paragraph(para(&format!("- {}", QuarterlyReport::form_words(f))));
    }
    if let Some(line) = r.channels_line(locale) {
        doc = doc.add_paragraph(para(&line));
    }
    doc = doc
        .add_paragraph(bold(&tr(locale, id!("quarterly-part-2"))))
        .add_paragraph(para(&tr(locale, id!("quarterly-by-form"))))
        .add_table(table(
            &QuarterlyReport::trust_head(locale),
            &r.trust_cells(locale),
            &cols[0],
            &[0],
        ))
        .add_paragraph(para(&tr(locale, id!("quarterly-trust-note"))))
        .add_paragraph(para(""))
        .add_paragraph(para(&tr(locale, id!("quarterly-overall"))))
        .add_table(table(
            &r.headline_head(locale),
            &r.headline_cells(locale),
            &cols[1],
            &[0],
        ))
        .add_paragraph(para(""))
        .add_paragraph(para(&tr(locale, id!("quarterly-by-department"))));
    let mut head = vec![
        tr(locale, id!("quarterly-col-department")),
        tr(locale, id!("quarterly-col-responses")),
        tr(locale, id!("quarterly-col-rate")),
    ];
    head.extend(r.sections.iter().map(|(c, _)| c.clone()));
    doc = doc
        .add_table(table(&head, &r.department_cells(locale), &cols[2], &[0]))
        .add_paragraph(para(""))
        .add_paragraph(para(&tr(locale, id!("quarterly-items"))));
    let mut head = vec![
        tr(locale, id!("quarterly-col-code")),
        tr(locale, id!("quarterly-col-question")),
    ];
    head.extend((1..=5).map(|s| s.to_string()));
    head.push(tr(locale, id!("quarterly-col-not-used")));
    head.push("n".into());
    doc = doc
        .add_table(table(&head, &r.item_cells(locale), &cols[3], &[0, 1]))
        .add_paragraph(para(""))
        .add_paragraph(para(&tr(locale, id!("quarterly-feedback"))));
    doc = if r.feedback.is_empty() {
        doc.add_paragraph(para(&tr(locale, id!("quarterly-feedback-none"))))
    } else {
        doc.add_table(table(
            &QuarterlyReport::feedback_head(locale),
            &r.feedback_cells(locale),
            &cols[4],
            &[0],
        ))
        .add_paragraph(para(""))
    };
    doc = doc.add_paragraph(bold(&tr(locale, id!("quarterly-part-3"))));
    for remark in r.remarks(locale) {
        doc = doc.add_paragraph(para(&format!("- {remark}")).align(AlignmentType::Both));
    }
    doc = doc.add_paragraph(bold(&tr(locale, id!("quarterly-part-4"))));
    let actions = if r.actions.trim().is_empty() {
        tr(locale, id!("quarterly-actions-empty"))
    } else {
        r.actions.clone()
    };
    for line in actions.lines() {
        doc = doc.add_paragraph(para(line).align(AlignmentType::Both));
    }
    let mut signer = TableCell::new()
        .width(TEXT_WIDTH - 4300, WidthType::Dxa)
        .add_paragraph(tight(centred(bold(&r.signer_title(locale)))))
        .add_paragraph(tight(centred(
            Paragraph::new().add_run(run(&tr(locale, id!("quarterly-sign-here"))).italic()),
        )));
    // Room for the signature and the seal.
    for _ in 0..4 {
        signer = signer.add_paragraph(tight(Paragraph::new().add_run(run(""))));
    }
    signer = signer.add_paragraph(tight(centred(bold(r.signatory.name.trim()))));
    let signature = Table::new(vec![TableRow::new(vec![
        TableCell::new()
            .width(4300, WidthType::Dxa)
            .add_paragraph(tight(
                Paragraph::new().add_run(run(&tr(locale, id!("quarterly-recipients"))).size(24).bold().italic()),
            ))
            .add_paragraph(tight(
                Paragraph::new().add_run(run(&tr(locale, id!("quarterly-recipient-1"))).size(22)),
            ))
            .add_paragraph(tight(
                Paragraph::new().add_run(run(&tr(locale, id!("quarterly-recipient-2"))).size(22)),
            )),
        signer,
    ])])
    .set_grid(vec![4300, TEXT_WIDTH - 4300])
    .layout(TableLayoutType::Fixed)
    .width(TEXT_WIDTH, WidthType::Dxa)
    .clear_all_border();
    doc = doc.add_paragraph(para("")).add_table(signature);
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_as_wide_as_the_text() {
        for fixed in [vec![4455, 2900], vec![3155], vec![2255, 1000, 1000]] {
            for rest in 1..7 {
                assert_eq!(
                    widths(&fixed, rest).iter().sum::<usize>(),
                    TEXT_WIDTH,
                    "{fixed:?} {rest}"
                );
            }
        }
    }
}
