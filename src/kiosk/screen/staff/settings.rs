//! Settings: facility, kiosk, departments, questionnaire, language, idle timeout, QR URL,
//! target, and the PIN. Saved to hailong.toml only when every value is valid.

use iced::widget::{Column, Row, button, column, container, row, scrollable, text_input};
use iced::{Center, Fill};

use super::{action, tab};
use crate::i18n::tr;
use crate::kiosk::app::Kiosk;
use crate::kiosk::screen::{BOLD, Element, text};
use crate::kiosk::staff::settings::Field;
use crate::kiosk::staff::{self, NewPin, Staff};
use crate::kiosk::theme::{self, Metrics};
use crate::survey::Locale;

pub fn view<'a>(kiosk: &'a Kiosk, staff: &'a Staff) -> Element<'a> {
    let m = kiosk.metrics();
    let locale = kiosk.locale();
    if let Some(new_pin) = &staff.new_pin {
        return pin_pad(m, locale, new_pin);
    }
    if let Some((field, composer)) = &staff.editing {
        return editor(m, locale, *field, composer);
    }
    let form = &staff.form;
    let field = |id: &str, f: Field| {
        row![
            text(tr(locale, id)).size(m.px(22.0)).width(m.px(420.0)),
            // Typed on a USB keyboard if one is plugged in, or on the screen's keyboard.
            text_input("", form.get(f))
                .on_input(move |v| crate::kiosk::app::Message::Staff(staff::Message::Field(f, v)))
                .size(m.px(22.0))
                .padding(m.px(10.0))
                .width(Fill),
            action(m, tr(locale, "settings-edit"), Some(staff::Message::Edit(f)), false),
        ]
        .spacing(m.px(16.0))
        .align_y(Center)
    };
    // Each questionnaire by its title, with its id (what hailong.toml and reports name) beside,
    // two to a row.
    let offered: Vec<_> = kiosk
        .setup()
        .catalog
        .all()
        .filter(|q| questionnaires_seen(kiosk, &q.id, q.version))
        .collect();
    let mut questionnaires = Column::new().spacing(m.px(8.0));
    for pair in offered.chunks(2) {
        let mut line = Row::new().spacing(m.px(8.0));
        for q in pair {
            let chosen = form.questionnaire == q.id;
            let id_color = if chosen { iced::Color::WHITE } else { theme::MUTED };
            let label = row![
                text(q.title.get(locale)).size(m.px(22.0)),
                text(q.id.clone()).size(m.px(18.0)).color(id_color),
            ]
            .spacing(m.px(12.0))
            .align_y(Center);
            line = line.push(
                button(label)
                    .padding([m.px(10.0), m.px(18.0)])
                    .style(theme::language(chosen))
                    .on_press(crate::kiosk::app::Message::Staff(
                        staff::Message::SettingsQuestionnaire(q.id.clone()),
                    )),
            );
        }
        questionnaires = questionnaires.push(line);
    }
    let languages = row![
        tab(
            m,
            tr(locale, "lang-vi"),
            form.locale == Locale::Vi,
            staff::Message::SettingsLocale(Locale::Vi)
        ),
        tab(
            m,
            tr(locale, "lang-en"),
            form.locale == Locale::En,
            staff::Message::SettingsLocale(Locale::En)
        ),
    ]
    .spacing(m.px(8.0));
    let labelled = |id: &str, e: Element<'a>| {
        row![text(tr(locale, id)).size(m.px(22.0)).width(m.px(420.0)), e]
            .spacing(m.px(16.0))
            .align_y(Center)
    };
    let mut content = Column::new()
        .spacing(m.px(14.0))
        .push(field("settings-facility", Field::Facility))
        .push(field("settings-kiosk", Field::Kiosk))
        .push(field("settings-departments", Field::Departments))
        .push(labelled("settings-questionnaire", questionnaires.into()))
        .push(labelled("settings-language", languages.into()))
        .push(field("settings-idle", Field::IdleTimeout))
        .push(field("settings-url", Field::ThankYouUrl))
        .push(field("settings-target", Field::Target))
        .push(
            row![
                action(m, tr(locale, "settings-save"), Some(staff::Message::SettingsSave), true),
                action(
                    m,
                    tr(locale, "settings-change-pin"),
                    Some(staff::Message::ChangePin),
                    false
                ),
            ]
            .spacing(m.px(16.0)),
        );
    match &staff.form_result {
        Some(Ok(())) => {
            content = content.push(
                text(tr(locale, "settings-saved"))
                    .size(m.px(22.0))
                    .font(BOLD)
                    .color(theme::SUCCESS),
            )
        }
        Some(Err(problem)) => {
            content = content.push(
                text(format!(
                    "{} {}",
                    tr(locale, "settings-invalid"),
                    problem.describe(locale)
                ))
                .size(m.px(22.0))
                .font(BOLD)
                .color(theme::DANGER),
            )
        }
        None => {}
    }
    scrollable(container(content).padding(m.px(26.0)).width(Fill).style(theme::card))
        .height(Fill)
        .into()
}

fn label_of(field: Field) -> &'static str {
    match field {
        Field::Facility => "settings-facility",
        Field::Kiosk => "settings-kiosk",
        Field::Departments => "settings-departments",
        Field::IdleTimeout => "settings-idle",
        Field::ThankYouUrl => "settings-url",
        Field::Target => "settings-target",
    }
}

/// One field typed on the on-screen keyboard (kiosks rarely have a real one).
fn editor<'a>(m: Metrics, locale: Locale, field: Field, composer: &'a crate::kiosk::typing::Composer) -> Element<'a> {
    let typed = composer.text();
    let content = column![
        text(tr(locale, label_of(field))).size(m.px(28.0)).font(BOLD),
        container(text(typed).size(m.px(30.0)))
            .padding(m.px(16.0))
            .width(Fill)
            .style(theme::card),
        crate::kiosk::screen::keyboard::keys(m, locale, composer, ":/-_@&=%#"),
        row![
            action(
                m,
                tr(locale, "settings-edit-done"),
                Some(staff::Message::EditDone),
                true
            ),
            action(m, tr(locale, "pin-cancel"), Some(staff::Message::EditCancel), false),
        ]
        .spacing(m.px(16.0)),
    ]
    .spacing(m.px(14.0));
    container(content).padding(m.px(20.0)).width(Fill).into()
}

/// Only the latest version of each id is offered (older ones stay readable in reports).
fn questionnaires_seen(kiosk: &Kiosk, id: &str, version: u32) -> bool {
    kiosk.setup().catalog.latest(id).is_ok_and(|q| q.version == version)
}

fn pin_pad<'a>(m: Metrics, locale: Locale, p: &'a NewPin) -> Element<'a> {
    let prompt = if p.first.is_none() {
        "settings-pin-first"
    } else {
        "settings-pin-again"
    };
    let key = |label: String, message: staff::Message| {
        button(text(label).size(m.px(32.0)).font(BOLD).center().width(Fill))
            .width(Fill)
            .padding(m.px(18.0))
            .style(theme::option)
            .on_press(crate::kiosk::app::Message::Staff(message))
    };
    let mut pad = Column::new().spacing(m.px(12.0)).width(Fill);
    for r in [['1', '2', '3'], ['4', '5', '6'], ['7', '8', '9']] {
        pad = pad.push(
            Row::from_vec(
                r.iter()
                    .map(|d| key(d.to_string(), staff::Message::NewPinDigit(*d)).into())
                    .collect(),
            )
            .spacing(m.px(12.0))
            .width(Fill),
        );
    }
    pad = pad.push(
        row![
            key(tr(locale, "pin-delete"), staff::Message::NewPinDelete),
            key("0".into(), staff::Message::NewPinDigit('0')),
            key(tr(locale, "pin-ok"), staff::Message::NewPinNext),
        ]
        .spacing(m.px(12.0))
        .width(Fill),
    );
    let mut col = column![
        text(tr(locale, prompt)).size(m.px(30.0)).font(BOLD),
        text("●  ".repeat(p.typed.len())).size(m.px(36.0)),
    ]
    .spacing(m.px(16.0))
    .width(m.px(520.0));
    if p.problem {
        col = col.push(
            text(tr(locale, "settings-pin-problem"))
                .size(m.px(22.0))
                .color(theme::DANGER),
        );
    }
    col = col.push(pad).push(action(
        m,
        tr(locale, "pin-cancel"),
        Some(staff::Message::NewPinCancel),
        false,
    ));
    container(col).padding(m.px(26.0)).style(theme::card).into()
}
