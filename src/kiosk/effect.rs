//! Running the kiosk's [`Effect`]s: everything here blocks (SQLite, argon2, files), so the app
//! runs it on tokio's blocking pool and the tests call it directly.

use std::sync::Arc;

use crate::kiosk::app::{Effect, Message, Setup};
use crate::kiosk::problem::StoreProblem;
use crate::kiosk::saver;
use crate::kiosk::screen::feedback::Followed;
use crate::kiosk::staff::settings::SaveFailure;
use crate::kiosk::staff::{self, Request, dashboard, export, pin, settings, sync};
use crate::sync::client;

/// Runs `effect` to completion and returns the message reporting its result (`None` for
/// effects that report nothing).
pub fn run_blocking(effect: Effect, setup: &Setup) -> Option<Message> {
    let store = || setup.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let today = || setup.today();
    let reply = |m: staff::Message| Some(Message::Staff(m));
    match effect {
        Effect::None => None,
        Effect::Save(batch) => Some(Message::Saved(saver::save_blocking(&setup.store, &batch))),
        Effect::SaveNotes(notes) => Some(Message::NotesSaved(saver::save_notes_blocking(&setup.store, &notes))),
        Effect::Follow(code) => Some(Message::Followed(follow(setup, &code))),
        Effect::CheckPin { hash, pin } => Some(Message::PinChecked(pin::verify_pin(&hash, &pin))),
        // The file as it is now: a `hailong kiosk set-pin` run while the kiosk is up applies.
        Effect::ReadPinHash => Some(Message::PinHashRead(
            crate::config::Config::load(&setup.config_path)
                .map(|c| c.staff_pin_hash)
                .map_err(|e| e.to_string()),
        )),
        Effect::Staff(request) => match request {
            Request::None | Request::Leave | Request::Quit | Request::Apply(..) => None,
            // The background worker runs the round and reports it like any other.
            Request::SyncNow => {
                setup.sync_wake.notify_one();
                None
            }
            Request::LoadDashboard(choice) => {
                let opts = setup.config.scoring_options();
                let result = dashboard::load(&store(), choice, today(), &opts, setup.config.calendar());
                reply(staff::Message::Dashboard(dashboard::Message::Loaded(
                    result.map(Arc::new).map_err(|e| StoreProblem::of(&e)),
                )))
            }
            Request::LoadSync => reply(staff::Message::Sync(sync::Message::Loaded(
                store().outbox_status().map_err(|e| StoreProblem::of(&e)),
            ))),
            Request::FindDrives => reply(staff::Message::Export(export::Message::Drives(export::destinations(
                &setup.export_roots,
                &setup.data_dir,
            )))),
            Request::Export(job) => reply(staff::Message::Export(export::Message::Done(export::run(
                &store(),
                &setup.config,
                &job,
                today(),
            )))),
            Request::SaveSettings { config, new_pin } => reply(staff::Message::Settings(settings::Message::Saved(
                save_settings(setup, *config, new_pin),
            ))),
        },
    }
}

/// What is known about receipt code `code`: a note this kiosk has not sent yet, else what the
/// centre says (asked for at most [`FOLLOW_WAIT`]).
fn follow(setup: &Setup, code: &crate::feedback::ReceiptCode) -> Followed {
    let local = {
        let store = setup.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        store.note_by_code(code)
    };
    match local {
        Ok(Some((_, false))) => return Followed::Waiting,
        Ok(_) => {}
        Err(e) => eprintln!("hailong: looking up a receipt code in the kiosk database: {e}"),
    }
    let target = client::Target::from_config(&setup.config.centre);
    if target.url.is_empty() || target.token.is_empty() {
        return Followed::Unreachable;
    }
    let ask = async {
        let http = client::http_client(&target)?;
        match tokio::time::timeout(FOLLOW_WAIT, client::follow_up(&http, &target, code)).await {
            Ok(answer) => answer,
            Err(_) => Err(client::Error::Offline("no answer in time".into())),
        }
    };
    let answer = match tokio::runtime::Handle::try_current() {
        Ok(handle) => handle.block_on(ask),
        Err(_) => match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt.block_on(ask),
            Err(e) => Err(client::Error::Offline(e.to_string())),
        },
    };
    match answer {
        Ok(Some(found)) => Followed::Found(found),
        Ok(None) => Followed::NotFound,
        Err(e) => {
            eprintln!("hailong: asking the centre about a receipt code: {e}");
            Followed::Unreachable
        }
    }
}

/// How long a patient waits for the centre's answer about a receipt code.
pub const FOLLOW_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

fn save_settings(
    setup: &Setup,
    mut config: crate::config::Config,
    new_pin: Option<String>,
) -> Result<(Box<crate::config::Config>, Arc<crate::survey::Questionnaire>), SaveFailure> {
    if let Some(p) = new_pin {
        config.staff_pin_hash = pin::hash_pin(&p).map_err(SaveFailure::Pin)?;
    }
    let questionnaire = setup
        .catalog
        .latest(&config.questionnaire)
        .map_err(SaveFailure::Questionnaire)?
        .clone();
    {
        let mut store = setup.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        store
            .check_questionnaire(&questionnaire)
            .map_err(|e| SaveFailure::Store(StoreProblem::of(&e)))?;
    }
    config.save(&setup.config_path).map_err(SaveFailure::Config)?;
    Ok((Box::new(config), Arc::new(questionnaire)))
}
