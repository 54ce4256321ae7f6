//! Staff mode: behind the PIN, the dashboard against the target, export to a USB drive, the sync
//! status and the settings. Each page is a module with its own state, `Message`, `Action`,
//! `update` and `view`; [`Staff`] holds the tabs and the quit question, routes each page's
//! messages to it and turns its `Action`s into [`Request`]s for the kiosk.

pub mod dashboard;
pub mod export;
pub mod pin;
pub mod settings;
pub mod sync;

use iced::widget::{Row, button, center, column, container, row, space};
use iced::{Center, Fill};

use crate::config::Config;
use crate::i18n::{tr, tr_args};
use crate::kiosk::app::{HardKey, SyncState};
use crate::kiosk::screen::{BOLD, Element, text};
use crate::kiosk::theme::{self, Metrics};
use crate::survey::{Catalog, Locale, Questionnaire};
use dashboard::{Dashboard, PeriodChoice};
use export::Export;
use settings::Settings;
use sync::Sync;

/// The staff pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Results against the target.
    Dashboard,
    /// Export to CSV / XLSX.
    Export,
    /// Sync with the centre.
    Sync,
    /// Settings.
    Settings,
}

/// What staff did, or what a background job reported.
#[derive(Debug, Clone)]
pub enum Message {
    /// A tab.
    Page(Page),
    /// On the dashboard.
    Dashboard(dashboard::Message),
    /// On the export page.
    Export(export::Message),
    /// On the sync page.
    Sync(sync::Message),
    /// On the settings page.
    Settings(settings::Message),
    /// Back to the patient screens.
    Leave,
    /// "Quit the application" (asks first).
    Quit,
    /// Quit, confirmed.
    QuitConfirmed,
    /// Quit, cancelled.
    QuitCancelled,
}

impl Message {
    /// Whether this is a background job reporting back (not staff touching the screen).
    pub fn is_report(&self) -> bool {
        matches!(
            self,
            Message::Dashboard(dashboard::Message::Loaded(_))
                | Message::Export(export::Message::Drives(_) | export::Message::Done(_))
                | Message::Sync(sync::Message::Loaded(_))
                | Message::Settings(settings::Message::Saved(_))
        )
    }
}

/// What staff mode asks of the kiosk: work for its runner (all of it off the UI thread), or a
/// change of the kiosk itself.
#[derive(Debug, Clone)]
pub enum Request {
    /// Nothing.
    None,
    /// Compute the dashboard for a period.
    LoadDashboard(PeriodChoice),
    /// Count the outbox.
    LoadSync,
    /// List the drives.
    FindDrives,
    /// Run an export.
    Export(export::Job),
    /// Write the settings (hashing the new PIN first, if any).
    SaveSettings {
        /// The new settings.
        config: Box<Config>,
        /// A new PIN to hash into them.
        new_pin: Option<String>,
    },
    /// New settings were written: the kiosk uses them (and the questionnaire they name) at
    /// once, for the next patient.
    Apply(Box<Config>, std::sync::Arc<Questionnaire>),
    /// Run a sync round now.
    SyncNow,
    /// Leave staff mode.
    Leave,
    /// Quit the application.
    Quit,
}

/// Staff mode's state.
#[derive(Debug, Clone)]
pub struct Staff {
    /// The page on screen.
    pub page: Page,
    /// The dashboard page.
    pub dashboard: Dashboard,
    /// The export page.
    pub export: Export,
    /// The sync page.
    pub sync: Sync,
    /// The settings page.
    pub settings: Settings,
    /// Asking whether to quit.
    pub confirm_quit: bool,
    /// The PIN that opened staff mode has this many digits, fewer than a new PIN needs: a
    /// notice asks staff to change it (until they do).
    pub short_pin: Option<usize>,
}

impl Staff {
    /// Staff mode opening on the dashboard for this quarter; the figures load in the background.
    pub fn open(config: &Config) -> (Staff, Request) {
        let choice = PeriodChoice::ThisQuarter;
        let staff = Staff {
            page: Page::Dashboard,
            dashboard: Dashboard::new(choice),
            export: Export::new(choice),
            sync: Sync::default(),
            settings: Settings::new(config),
            confirm_quit: false,
            short_pin: None,
        };
        (staff, Request::LoadDashboard(choice))
    }

    /// Handles one message; `config` is the settings in force.
    pub fn update(&mut self, message: Message, config: &Config) -> Request {
        match message {
            Message::Page(page) => self.open_page(page, config),
            Message::Dashboard(m) => match self.dashboard.update(m) {
                dashboard::Action::None => Request::None,
                dashboard::Action::Load(choice) => Request::LoadDashboard(choice),
            },
            Message::Export(m) => match self.export.update(m) {
                export::Action::None => Request::None,
                export::Action::FindDrives => Request::FindDrives,
                export::Action::Run(job) => Request::Export(job),
            },
            Message::Sync(m) => match self.sync.update(m) {
                sync::Action::None => Request::None,
                sync::Action::SyncNow => Request::SyncNow,
            },
            Message::Settings(m) => match self.settings.update(m, config) {
                settings::Action::None => Request::None,
                settings::Action::Save { config, new_pin } => Request::SaveSettings { config, new_pin },
                settings::Action::Apply {
                    config,
                    questionnaire,
                    new_pin,
                } => {
                    if new_pin {
                        self.short_pin = None;
                    }
                    Request::Apply(config, questionnaire)
                }
            },
            Message::Leave => Request::Leave,
            Message::Quit => {
                self.confirm_quit = true;
                Request::None
            }
            Message::QuitCancelled => {
                self.confirm_quit = false;
                Request::None
            }
            Message::QuitConfirmed => Request::Quit,
        }
    }

    /// A key of a real keyboard: it types into the settings field being edited, if any.
    pub fn hard_key(&mut self, key: HardKey, config: &Config) -> Request {
        self.update(Message::Settings(settings::Message::HardKey(key)), config)
    }

    fn open_page(&mut self, page: Page, config: &Config) -> Request {
        self.page = page;
        self.confirm_quit = false;
        self.settings.leave();
        match page {
            Page::Dashboard => Request::LoadDashboard(self.dashboard.choice),
            Page::Export => Request::FindDrives,
            Page::Sync => Request::LoadSync,
            Page::Settings => {
                self.settings.reset(config);
                Request::None
            }
        }
    }

    /// Draws staff mode: the tabs and the page on screen, from the settings in force, the
    /// questionnaire asked, the catalog (for the settings) and the background sync's state.
    pub fn view<'a>(
        &'a self,
        m: Metrics,
        locale: Locale,
        config: &'a Config,
        questionnaire: &'a Questionnaire,
        catalog: &'a Catalog,
        sync: &'a SyncState,
    ) -> Element<'a, Message> {
        let staff = self;
        let pages = [
            (Page::Dashboard, id!("staff-tab-dashboard")),
            (Page::Export, id!("staff-tab-export")),
            (Page::Sync, id!("staff-tab-sync")),
            (Page::Settings, id!("staff-tab-settings")),
        ];
        let mut tabs = Row::new().spacing(m.px(10.0)).align_y(Center);
        for (page, id) in pages {
            tabs = tabs.push(tab(m, tr(locale, id), staff.page == page, Message::Page(page)));
        }
        tabs = tabs
            .push(space::horizontal())
            .push(action(m, tr(locale, id!("staff-leave")), Some(Message::Leave), false))
            .push(action(m, tr(locale, id!("staff-quit")), Some(Message::Quit), false));
        let title = text(tr_args(
            locale,
            id!("staff-title"),
            &[("facility", config.facility_name.clone().into())],
        ))
        .size(m.px(30.0))
        .font(BOLD);
        let body = if staff.confirm_quit {
            confirm_quit(m, locale)
        } else {
            match staff.page {
                Page::Dashboard => staff
                    .dashboard
                    .view(m, locale, questionnaire, config.timezone.0)
                    .map(Message::Dashboard),
                Page::Export => staff.export.view(m, locale).map(Message::Export),
                Page::Sync => staff
                    .sync
                    .view(m, locale, &config.centre, config.timezone.0, sync)
                    .map(Message::Sync),
                Page::Settings => staff.settings.view(m, locale, catalog).map(Message::Settings),
            }
        };
        let mut page = column![title, tabs].spacing(m.px(18.0));
        if let Some(digits) = staff.short_pin {
            let line = tr_args(locale, id!("staff-short-pin"), &[("digits", digits.into())]);
            page = page.push(
                container(text(line).size(m.px(20.0)))
                    .padding([m.px(8.0), m.px(14.0)])
                    .width(Fill)
                    .style(theme::banner),
            );
        }
        page.push(container(body).width(Fill).height(Fill)).into()
    }
}

/// A tab-like button; the active one is filled.
pub fn tab<'a, M: Clone + 'a>(m: Metrics, label: String, active: bool, message: M) -> Element<'a, M> {
    button(text(label).size(m.px(22.0)))
        .padding([m.px(12.0), m.px(20.0)])
        .style(theme::language(active))
        .on_press(message)
        .into()
}

/// A plain action button.
pub fn action<'a, M: Clone + 'a>(m: Metrics, label: String, message: Option<M>, primary: bool) -> Element<'a, M> {
    button(text(label).size(m.px(22.0)).font(BOLD))
        .padding([m.px(14.0), m.px(26.0)])
        .style(if primary { theme::primary } else { theme::secondary })
        .on_press_maybe(message)
        .into()
}

fn confirm_quit<'a>(m: Metrics, locale: Locale) -> Element<'a, Message> {
    let card = column![
        text(tr(locale, id!("staff-quit-title")))
            .size(m.px(40.0))
            .font(BOLD)
            .center()
            .width(Fill),
        text(tr(locale, id!("staff-quit-body")))
            .size(m.px(26.0))
            .center()
            .width(Fill),
        row![
            action(
                m,
                tr(locale, id!("staff-quit-confirm")),
                Some(Message::QuitConfirmed),
                true
            ),
            action(
                m,
                tr(locale, id!("staff-quit-cancel")),
                Some(Message::QuitCancelled),
                false
            ),
        ]
        .spacing(m.px(20.0)),
    ]
    .spacing(m.px(28.0))
    .align_x(Center)
    .width(m.px(900.0));
    center(container(card).padding(m.px(40.0)).style(theme::card)).into()
}
