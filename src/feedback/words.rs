//! The words for the feedback box's kinds, states, channels and actions, in every surface's
//! language (the centre's pages, its e-mails, the kiosk's follow-up screen).

use super::{Action, Channel, Kind, State};
use crate::i18n::Id;

/// The message naming a kind.
pub fn kind_id(kind: Kind) -> Id {
    match kind {
        Kind::Praise => id!("fb-kind-praise"),
        Kind::Suggestion => id!("fb-kind-suggestion"),
        Kind::Reflection => id!("fb-kind-reflection"),
        Kind::Complaint => id!("fb-kind-complaint"),
        Kind::Denunciation => id!("fb-kind-denunciation"),
        Kind::Invalid => id!("fb-kind-invalid"),
    }
}

/// The message naming a state.
pub fn state_id(state: State) -> Id {
    match state {
        State::New => id!("fb-state-new"),
        State::Classified => id!("fb-state-classified"),
        State::Assigned => id!("fb-state-assigned"),
        State::InProgress => id!("fb-state-in_progress"),
        State::Answered => id!("fb-state-answered"),
        State::Closed => id!("fb-state-closed"),
        State::Forwarded => id!("fb-state-forwarded"),
        State::Declined => id!("fb-state-declined"),
        State::Reopened => id!("fb-state-reopened"),
    }
}

/// The message naming a channel.
pub fn channel_id(channel: Channel) -> Id {
    match channel {
        Channel::Kiosk => id!("fb-channel-kiosk"),
        Channel::Web => id!("fb-channel-web"),
        Channel::Letter => id!("fb-channel-letter"),
        Channel::Hotline => id!("fb-channel-hotline"),
        Channel::InPerson => id!("fb-channel-in_person"),
    }
}

/// The message naming an action in an item's log.
pub fn action_id(action: &Action) -> Id {
    match action {
        Action::Received(_) => id!("fb-log-received"),
        Action::Classify { .. } => id!("fb-log-classify"),
        Action::Assign { .. } => id!("fb-log-assign"),
        Action::Start => id!("fb-log-start"),
        Action::Draft { .. } => id!("fb-log-draft"),
        Action::Approve => id!("fb-log-approve"),
        Action::Publish { .. } => id!("fb-log-publish"),
        Action::Unpublish => id!("fb-log-unpublish"),
        Action::Close => id!("fb-log-close"),
        Action::Forward { .. } => id!("fb-log-forward"),
        Action::Decline { .. } => id!("fb-log-decline"),
        Action::Reopen { .. } => id!("fb-log-reopen"),
        Action::Apologise { .. } => id!("fb-log-apologise"),
        Action::Note { .. } => id!("fb-log-note"),
        Action::ViewContact => id!("fb-log-view-contact"),
        Action::Flag { .. } => id!("fb-log-flag"),
        Action::Move { .. } => id!("fb-log-move"),
    }
}
