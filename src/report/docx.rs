//! The quarterly report as a `.docx` (docx-rs): A4 portrait, Times New Roman 13 pt as
//! Vietnamese administrative documents use, the national motto header, sections I–IV, tables,
//! recipients and the signature block.

use docx_rs::{
    AlignmentType, BreakType, Docx, PageMargin, Paragraph, Run, RunFonts, Table, TableCell, TableRow, WidthType,
};

use super::quarterly::QuarterlyReport;
use crate::i18n::{tr, tr_args};
use crate::survey::Locale;

const FONT: &str = "Times New Roman";
/// Half-points: 13 pt.
const SIZE: usize = 26;

fn run(text: &str) -> Run {
    Run::new()
        .add_text(text)
        .fonts(RunFonts::new().ascii(FONT).hi_ansi(FONT).cs(FONT).east_asia(FONT))
        .size(SIZE)
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text))
}

fn bold(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text).bold())
}

fn centred(p: Paragraph) -> Paragraph {
    p.align(AlignmentType::Center)
}

fn cell(text: &str, head: bool) -> TableCell {
    let r = if head { run(text).bold() } else { run(text) };
    TableCell::new().add_paragraph(Paragraph::new().add_run(r.size(22)))
}

fn table(head: &[String], rows: &[Vec<String>]) -> Table {
    let mut out = vec![TableRow::new(head.iter().map(|h| cell(h, true)).collect())];
    out.extend(
        rows.iter()
            .map(|r| TableRow::new(r.iter().map(|c| cell(c, false)).collect())),
    );
    Table::new(out).width(5000, WidthType::Pct)
}

/// Builds the document.
pub fn quarterly(r: &QuarterlyReport, locale: Locale) -> Result<Vec<u8>, String> {
    let date = tr_args(
        locale,
        id!("quarterly-place-date"),
        &[
            ("day", format!("{:02}", chrono::Datelike::day(&r.date)).into()),
            ("month", format!("{:02}", chrono::Datelike::month(&r.date)).into()),
            ("year", chrono::Datelike::year(&r.date).to_string().into()),
        ],
    );
    let header = Table::new(vec![TableRow::new(vec![
        TableCell::new()
            .add_paragraph(centred(para(&tr(locale, id!("quarterly-authority")))))
            .add_paragraph(centred(bold(&r.facility.to_uppercase())))
            .add_paragraph(centred(para(&tr(locale, id!("quarterly-number"))))),
        TableCell::new()
            .add_paragraph(centred(bold(&tr(locale, id!("quarterly-nation")))))
            .add_paragraph(centred(bold(&tr(locale, id!("quarterly-motto")))))
            .add_paragraph(centred(Paragraph::new().add_run(run(&date).italic()))),
    ])])
    .width(5000, WidthType::Pct)
    .clear_all_border();
    let mut doc = Docx::new()
        .page_size(11906, 16838)
        .page_margin(PageMargin::new().top(1134).bottom(1134).left(1701).right(1134))
        .add_table(header)
        .add_paragraph(para(""))
        .add_paragraph(centred(bold(&tr(locale, id!("quarterly-title")))))
        .add_paragraph(centred(bold(&tr_args(
            locale,
            id!("quarterly-subtitle"),
            &[("period", r.period_name.clone().into())],
        ))))
        .add_paragraph(centred(para(&tr(locale, id!("quarterly-to")))))
        .add_paragraph(bold(&tr(locale, id!("quarterly-part-1"))))
        .add_paragraph(para(&tr_args(
            locale,
            id!("quarterly-deployed"),
            &[("kiosks", r.kiosks.into())],
        )));
    for f in &r.forms {
        let source = f.source.clone().unwrap_or_default();
        doc = doc.add_paragraph(para(&format!("- {} ({} v{}): {}", f.title, f.id, f.version, source)));
    }
    doc = doc
        .add_paragraph(bold(&tr(locale, id!("quarterly-part-2"))))
        .add_paragraph(para(&tr(locale, id!("quarterly-by-form"))))
        .add_table(table(
            &[
                tr(locale, id!("quarterly-col-form")),
                tr(locale, id!("quarterly-col-channel")),
                tr(locale, id!("quarterly-col-responses")),
            ],
            &r.forms
                .iter()
                .map(|f| {
                    vec![
                        f.title.clone(),
                        tr(locale, id!("quarterly-channel-kiosk")),
                        f.responses.to_string(),
                    ]
                })
                .collect::<Vec<_>>(),
        ))
        .add_paragraph(para(&tr(locale, id!("quarterly-overall"))))
        .add_table(table(
            &[
                tr(locale, id!("quarterly-col-figure")),
                tr(locale, id!("quarterly-col-value")),
                "n".to_string(),
            ],
            &r.headline(locale)
                .into_iter()
                .map(|l| vec![l.label, l.value, l.n])
                .collect::<Vec<_>>(),
        ))
        .add_paragraph(para(&tr(locale, id!("quarterly-by-department"))));
    let mut head = vec![
        tr(locale, id!("quarterly-col-department")),
        tr(locale, id!("quarterly-col-responses")),
        tr(locale, id!("quarterly-col-rate")),
    ];
    head.extend(r.sections.iter().map(|(c, _)| c.clone()));
    doc = doc
        .add_table(table(&head, &r.department_cells(locale)))
        .add_paragraph(para(&tr(locale, id!("quarterly-items"))));
    let mut head = vec![
        tr(locale, id!("quarterly-col-code")),
        tr(locale, id!("quarterly-col-question")),
    ];
    head.extend((1..=5).map(|s| s.to_string()));
    head.push(tr(locale, id!("quarterly-col-not-used")));
    head.push("n".into());
    doc = doc
        .add_table(table(&head, &r.item_cells(locale)))
        .add_paragraph(para(&tr(locale, id!("quarterly-feedback"))));
    doc = if r.feedback.is_empty() {
        doc.add_paragraph(para(&tr(locale, id!("quarterly-feedback-none"))))
    } else {
        doc.add_table(table(
            &QuarterlyReport::feedback_head(locale),
            &r.feedback_cells(locale),
        ))
    };
    doc = doc.add_paragraph(bold(&tr(locale, id!("quarterly-part-3"))));
    for remark in r.remarks(locale) {
        doc = doc.add_paragraph(para(&format!("- {remark}")));
    }
    doc = doc.add_paragraph(bold(&tr(locale, id!("quarterly-part-4"))));
    let actions = if r.actions.trim().is_empty() {
        tr(locale, id!("quarterly-actions-empty"))
    } else {
        r.actions.clone()
    };
    for line in actions.lines() {
        doc = doc.add_paragraph(para(line));
    }
    let signature = Table::new(vec![TableRow::new(vec![
        TableCell::new()
            .add_paragraph(Paragraph::new().add_run(run(&tr(locale, id!("quarterly-recipients"))).bold().italic()))
            .add_paragraph(para(&tr(locale, id!("quarterly-recipient-1"))))
            .add_paragraph(para(&tr(locale, id!("quarterly-recipient-2")))),
        TableCell::new()
            .add_paragraph(centred(bold(&tr(locale, id!("quarterly-signer")))))
            .add_paragraph(centred(
                Paragraph::new().add_run(run(&tr(locale, id!("quarterly-sign-here"))).italic()),
            ))
            .add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::TextWrapping))),
    ])])
    .width(5000, WidthType::Pct)
    .clear_all_border();
    doc = doc.add_paragraph(para("")).add_table(signature);
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}
