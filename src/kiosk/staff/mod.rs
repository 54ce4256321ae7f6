//! Staff mode: behind the PIN, the dashboard against the target, export to a USB drive, the sync
//! status and the settings. State and update only; the screens are in `kiosk::screen`.

pub mod dashboard;
pub mod export;
pub mod pin;
pub mod settings;

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::kiosk::problem::StoreProblem;
use crate::kiosk::typing::{Composer, Mode};
use crate::report::export::Format;
use crate::store::OutboxStatus;
use crate::survey::{Locale, Questionnaire};
use dashboard::{DashboardData, PeriodChoice};
use export::{Destination, Failure, Progress};
use settings::{Field, Form};

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
    /// The dashboard's period switch.
    Period(PeriodChoice),
    /// Dashboard figures computed.
    Loaded(Result<Arc<DashboardData>, StoreProblem>),
    /// Export: period.
    ExportPeriod(PeriodChoice),
    /// Export: format.
    ExportFormat(Format),
    /// Export: destination (index into the list).
    ExportDestination(usize),
    /// Export: look for drives again.
    RefreshDrives,
    /// The drives found.
    Drives(Vec<Destination>),
    /// Export: start.
    ExportStart,
    /// Export finished: the file and its number of responses, or why not.
    ExportDone(Result<(PathBuf, u64), Failure>),
    /// The outbox counted.
    SyncLoaded(Result<OutboxStatus, StoreProblem>),
    /// A settings text field changed.
    Field(Field, String),
    /// Settings: edit a text field on the on-screen keyboard.
    Edit(Field),
    /// Settings: keep what was typed.
    EditDone,
    /// Settings: drop what was typed.
    EditCancel,
    /// Settings: default language.
    SettingsLocale(Locale),
    /// Settings: questionnaire.
    SettingsQuestionnaire(String),
    /// Settings: save.
    SettingsSave,
    /// Settings written (and the questionnaire they name), or why not.
    SettingsSaved(Result<(Box<Config>, Arc<Questionnaire>), settings::SaveFailure>),
    /// Change PIN: open the pad.
    ChangePin,
    /// Change PIN: a digit.
    NewPinDigit(char),
    /// Change PIN: delete a digit.
    NewPinDelete,
    /// Change PIN: next / confirm.
    NewPinNext,
    /// Change PIN: cancel.
    NewPinCancel,
    /// "Sync now".
    SyncNow,
    /// Back to the patient screens.
    Leave,
    /// "Quit the application" (asks first).
    Quit,
    /// Quit, confirmed.
    QuitConfirmed,
    /// Quit, cancelled.
    QuitCancelled,
}

/// Work staff mode asks of its runner (all of it off the UI thread).
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
    /// Run a sync round now.
    SyncNow,
    /// Leave staff mode.
    Leave,
    /// Quit the application.
    Quit,
}

/// The export page.
#[derive(Debug, Clone)]
pub struct ExportPage {
    /// Period to export.
    pub choice: PeriodChoice,
    /// Format.
    pub format: Format,
    /// Drives and the data directory.
    pub destinations: Vec<Destination>,
    /// Chosen destination.
    pub chosen: usize,
    /// While running: its progress.
    pub running: Option<Arc<Progress>>,
    /// The last result.
    pub result: Option<Result<(PathBuf, u64), Failure>>,
}

/// A new PIN being typed twice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPin {
    /// The first entry, once given.
    pub first: Option<String>,
    /// What is typed now.
    pub typed: String,
    /// The second entry did not match, or the PIN is not 6–8 digits.
    pub problem: bool,
}

/// Staff mode's state.
#[derive(Debug, Clone)]
pub struct Staff {
    /// The page on screen.
    pub page: Page,
    /// The dashboard's period.
    pub choice: PeriodChoice,
    /// The dashboard's figures, once computed for `choice`.
    pub dashboard: Option<Arc<DashboardData>>,
    /// Why they could not be computed.
    pub load_error: Option<StoreProblem>,
    /// The export page.
    pub export: ExportPage,
    /// The outbox, once counted.
    pub outbox: Option<Result<OutboxStatus, StoreProblem>>,
    /// The settings form.
    pub form: Form,
    /// After saving: Ok, or the problem.
    pub form_result: Option<Result<(), settings::Problem>>,
    /// Changing the PIN.
    pub new_pin: Option<NewPin>,
    /// A settings field being typed on the on-screen keyboard.
    pub editing: Option<(Field, Composer)>,
    /// Asking whether to quit.
    pub confirm_quit: bool,
    /// The PIN that opened staff mode has this many digits, fewer than a new PIN needs: a
    /// notice asks staff to change it (until they do).
    pub short_pin: Option<usize>,
    pending_pin: Option<String>,
}

impl Staff {
    /// Staff mode opening on the dashboard for this quarter; the figures load in the background.
    pub fn open(config: &Config) -> (Staff, Request) {
        let choice = PeriodChoice::ThisQuarter;
        let staff = Staff {
            page: Page::Dashboard,
            choice,
            dashboard: None,
            load_error: None,
            export: ExportPage {
                choice,
                format: Format::Xlsx,
                destinations: Vec::new(),
                chosen: 0,
                running: None,
                result: None,
            },
            outbox: None,
            form: Form::from_config(config),
            form_result: None,
            new_pin: None,
            editing: None,
            confirm_quit: false,
            short_pin: None,
            pending_pin: None,
        };
        (staff, Request::LoadDashboard(choice))
    }

    /// Handles one message.
    pub fn update(&mut self, message: Message, config: &Config) -> Request {
        match message {
            Message::Page(page) => {
                self.page = page;
                self.confirm_quit = false;
                self.editing = None;
                return match page {
                    Page::Dashboard => Request::LoadDashboard(self.choice),
                    Page::Export => Request::FindDrives,
                    Page::Sync => Request::LoadSync,
                    Page::Settings => {
                        self.form = Form::from_config(config);
                        self.form_result = None;
                        Request::None
                    }
                };
            }
            Message::Period(choice) => {
                self.choice = choice;
                self.dashboard = None;
                return Request::LoadDashboard(choice);
            }
            Message::Loaded(result) => match result {
                Ok(data) if data.choice == self.choice => {
                    self.dashboard = Some(data);
                    self.load_error = None;
                }
                Ok(_) => {} // an older request; the current one is on its way
                Err(e) => self.load_error = Some(e),
            },
            Message::ExportPeriod(choice) => self.export.choice = choice,
            Message::ExportFormat(format) => self.export.format = format,
            Message::ExportDestination(i) if i < self.export.destinations.len() => self.export.chosen = i,
            Message::RefreshDrives => return Request::FindDrives,
            Message::Drives(found) => {
                let keep = self.export.destinations.get(self.export.chosen).map(|d| d.dir.clone());
                self.export.chosen = keep.and_then(|k| found.iter().position(|d| d.dir == k)).unwrap_or(0);
                self.export.destinations = found;
            }
            Message::ExportStart if self.export.running.is_none() => {
                if let Some(dest) = self.export.destinations.get(self.export.chosen) {
                    let progress = Arc::new(Progress::default());
                    self.export.running = Some(progress.clone());
                    self.export.result = None;
                    return Request::Export(export::Job {
                        choice: self.export.choice,
                        format: self.export.format,
                        dir: dest.dir.clone(),
                        progress,
                    });
                }
            }
            Message::ExportDone(result) => {
                self.export.running = None;
                self.export.result = Some(result);
            }
            Message::SyncLoaded(result) => self.outbox = Some(result),
            Message::Field(field, value) => {
                self.form.set(field, value);
                self.form_result = None;
            }
            Message::Edit(field) => {
                let mut composer = Composer::with_text(self.form.get(field), 300);
                // Names are Vietnamese; numbers and addresses are typed as they are.
                if !matches!(field, Field::Facility | Field::Kiosk | Field::Departments) {
                    composer.set_mode(Mode::Plain);
                }
                self.editing = Some((field, composer));
            }
            Message::EditDone => {
                if let Some((field, composer)) = self.editing.take() {
                    self.form.set(field, composer.text());
                    self.form_result = None;
                }
            }
            Message::EditCancel => self.editing = None,
            Message::SettingsLocale(locale) => self.form.locale = locale,
            Message::SettingsQuestionnaire(id) => self.form.questionnaire = id,
            Message::SettingsSave => return self.save(config),
            Message::SettingsSaved(result) => {
                if result.is_ok() && self.pending_pin.is_some() {
                    self.short_pin = None;
                }
                self.form_result = Some(result.map(|_| ()).map_err(settings::Problem::Failed));
                self.pending_pin = None;
            }
            Message::ChangePin => self.new_pin = Some(NewPin::default()),
            Message::NewPinDigit(d) => {
                if let Some(p) = &mut self.new_pin
                    && p.typed.len() < *pin::PIN_LEN.end()
                {
                    p.typed.push(d);
                    p.problem = false;
                }
            }
            Message::NewPinDelete => {
                if let Some(p) = &mut self.new_pin {
                    p.typed.pop();
                }
            }
            Message::NewPinNext => return self.next_pin(config),
            Message::NewPinCancel => self.new_pin = None,
            Message::SyncNow => return Request::SyncNow,
            Message::Leave => return Request::Leave,
            Message::Quit => self.confirm_quit = true,
            Message::QuitCancelled => self.confirm_quit = false,
            Message::QuitConfirmed => return Request::Quit,
            _ => {}
        }
        Request::None
    }

    fn save(&mut self, config: &Config) -> Request {
        match self.form.to_config(config) {
            Ok(new) => Request::SaveSettings {
                config: Box::new(new),
                new_pin: self.pending_pin.clone(),
            },
            Err(problem) => {
                self.form_result = Some(Err(problem));
                Request::None
            }
        }
    }

    fn next_pin(&mut self, config: &Config) -> Request {
        let Some(p) = &mut self.new_pin else {
            return Request::None;
        };
        if !pin::is_valid_new_pin(&p.typed) {
            p.problem = true;
            p.typed.clear();
            return Request::None;
        }
        match p.first.take() {
            None => {
                p.first = Some(std::mem::take(&mut p.typed));
                Request::None
            }
            Some(first) if first == p.typed => {
                self.new_pin = None;
                self.pending_pin = Some(first);
                // The PIN is saved with the settings as they are now (the form's edits too,
                // if they are valid; otherwise the form says why and nothing is written).
                let request = self.save(config);
                if matches!(request, Request::None) {
                    self.pending_pin = None;
                }
                request
            }
            Some(_) => {
                p.typed.clear();
                p.problem = true;
                Request::None
            }
        }
    }
}
