//! Running the kiosk's [`Effect`]s: everything here blocks (SQLite, argon2, files), so the app
//! runs it on tokio's blocking pool and the tests call it directly.

use std::sync::Arc;

use crate::kiosk::app::{Effect, Message, Setup};
use crate::kiosk::problem::StoreProblem;
use crate::kiosk::saver;
use crate::kiosk::staff::settings::SaveFailure;
use crate::kiosk::staff::{self, Request, dashboard, export, pin, settings, sync};

/// Runs `effect` to completion and returns the message reporting its result (`None` for
/// effects that report nothing).
pub fn run_blocking(effect: Effect, setup: &Setup) -> Option<Message> {
    let store = || setup.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let today = || setup.today();
    let reply = |m: staff::Message| Some(Message::Staff(m));
    match effect {
        Effect::None => None,
        Effect::Save(batch) => Some(Message::Saved(saver::save_blocking(&setup.store, &batch))),
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
