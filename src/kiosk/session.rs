//! One patient's walk through the questionnaire: which step is on screen, what has been
//! answered, and where Back and Continue lead. Pure state, no I/O: the kiosk screens read it and
//! send it [`Input`]s.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{SubsecRound, Utc};

use crate::kiosk::typing::Composer;
use crate::survey::{Answer, Channel, Item, ItemKind, Locale, Questionnaire, Response, Status};

/// Percent buttons step by ten; "over 100 %" is stored as this value.
pub const OVER_100: u16 = 110;

/// Where the patient is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Choosing the department (only when the kiosk lists several).
    Department,
    /// The item at this index of [`Session::items`].
    Item(usize),
    /// The follow-up reasons after a low rating of the item at this index.
    FollowUp(usize),
    /// Typing the words of a `choice` option marked `other`.
    Other(usize),
}

/// What the patient did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Picked the department at this index.
    Department(usize),
    /// Tapped a face (1–5) or "not used" (0).
    Scale(u8),
    /// Tapped a percent button.
    Percent(u16),
    /// Tapped the option at this index.
    Choice(usize),
    /// Tapped a follow-up reason chip (toggles it).
    Reason(usize),
    /// Continue / Send.
    Continue,
    /// Skip an optional item.
    Skip,
    /// Back.
    Back,
}

/// What the session asks of the kiosk after an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Stay on the survey.
    None,
    /// The last item is answered: thank the patient and save.
    Finished,
    /// Back from the first step: the patient returns to the welcome screen (to change the
    /// language, or because they tapped Start by mistake). Nothing is kept.
    ToWelcome,
}

/// The survey in progress.
#[derive(Debug, Clone)]
pub struct Session {
    questionnaire: Arc<Questionnaire>,
    items: Vec<Item>,
    departments: Vec<String>,
    step: Step,
    response: Response,
    reasons: BTreeSet<String>,
    /// The keyboard's text while a `text` item or an "other" option is on screen.
    pub composer: Option<Composer>,
}

impl Session {
    /// A new session; the department step comes first when `departments` has more than one.
    pub fn new(questionnaire: Arc<Questionnaire>, locale: Locale, departments: &[String]) -> Session {
        let department = (departments.len() == 1).then(|| departments[0].clone());
        let response = Response::start(&questionnaire, locale, department);
        let items: Vec<Item> = questionnaire.items().cloned().collect();
        let mut session = Session {
            questionnaire,
            items,
            departments: departments.to_vec(),
            step: Step::Department,
            response,
            reasons: BTreeSet::new(),
            composer: None,
        };
        if departments.len() > 1 {
            session.step = Step::Department;
        } else {
            session.go_to(0);
        }
        session
    }

    /// Stamps the response with how it came and where (DESIGN §12).
    pub fn from(mut self, channel: Channel, point: &str) -> Session {
        self.response.channel = Some(channel);
        self.response.point = Some(point.trim()).filter(|p| !p.is_empty()).map(str::to_string);
        self
    }

    /// The current step.
    pub fn step(&self) -> Step {
        self.step
    }

    /// The questionnaire being asked.
    pub fn questionnaire(&self) -> &Questionnaire {
        &self.questionnaire
    }

    /// The questionnaire being asked, shared (the response is saved against it, whatever the
    /// settings say by then).
    pub fn shared_questionnaire(&self) -> &Arc<Questionnaire> {
        &self.questionnaire
    }

    /// The items in the order they are asked (demographics first).
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The departments offered.
    pub fn departments(&self) -> &[String] {
        &self.departments
    }

    /// The item on screen (also during its follow-up or "other" text).
    pub fn current_item(&self) -> Option<&Item> {
        match self.step {
            Step::Department => None,
            Step::Item(i) | Step::FollowUp(i) | Step::Other(i) => self.items.get(i),
        }
    }

    /// 1-based position of the current item and the number of items, for "Câu 3/7".
    pub fn progress(&self) -> (usize, usize) {
        match self.step {
            Step::Department => (0, self.items.len()),
            Step::Item(i) | Step::FollowUp(i) | Step::Other(i) => (i + 1, self.items.len()),
        }
    }

    /// Whether the current step is the last one, so Continue becomes "Send".
    pub fn is_last(&self) -> bool {
        matches!(self.step, Step::Item(i) | Step::Other(i) if i + 1 == self.items.len())
    }

    /// Whether a follow-up reason is picked.
    pub fn reason_picked(&self, code: &str) -> bool {
        self.reasons.contains(code)
    }

    /// The answers so far.
    pub fn response(&self) -> &Response {
        &self.response
    }

    /// Whether the patient answered anything (a session without answers is not saved).
    pub fn has_answers(&self) -> bool {
        !self.response.answers.is_empty()
    }

    /// Ends the session: the response, stamped now, complete or partial.
    pub fn finish(mut self, status: Status) -> Response {
        self.response.status = status;
        self.response.submitted_at = Utc::now().trunc_subsecs(3).max(self.response.started_at);
        self.response
    }

    /// Applies one input.
    pub fn update(&mut self, input: Input) -> Action {
        match (self.step, input) {
            (Step::Department, Input::Department(d)) => {
                if let Some(name) = self.departments.get(d) {
                    self.response.department = Some(name.clone());
                    self.go_to(0);
                }
                Action::None
            }
            (_, Input::Back) => self.back(),
            (Step::Item(i), input) => self.on_item(i, input),
            (Step::FollowUp(i), Input::Reason(r)) => {
                let reason = self.items[i].follow_up().and_then(|f| f.reasons.get(r));
                if let Some(reason) = reason
                    && !self.reasons.remove(&reason.code)
                {
                    self.reasons.insert(reason.code.clone());
                }
                Action::None
            }
            (Step::FollowUp(i), Input::Continue | Input::Skip) => {
                let code = self.items[i].follow_up_code();
                if self.reasons.is_empty() {
                    self.response.answers.remove(&code);
                } else {
                    let picked = self.reasons.iter().cloned().collect();
                    self.response.answers.insert(code, Answer::Reasons(picked));
                }
                self.advance(i)
            }
            (Step::Other(i), Input::Continue | Input::Skip) => {
                let typed = self.take_text();
                if let Some(Answer::Choice { other, .. }) = self.response.answers.get_mut(&self.items[i].code) {
                    *other = typed;
                }
                self.advance(i)
            }
            _ => Action::None,
        }
    }

    fn on_item(&mut self, i: usize, input: Input) -> Action {
        let item = self.items[i].clone();
        match (&item.kind, input) {
            (ItemKind::Scale5 { not_used, follow_up }, Input::Scale(v))
                if (1..=5).contains(&v) || (v == 0 && *not_used) =>
            {
                self.response.answers.insert(item.code.clone(), Answer::Scale(v));
                match follow_up {
                    Some(f) if f.applies_to(v) => {
                        self.reasons.clear();
                        if let Some(Answer::Reasons(r)) = self.response.answers.get(&item.follow_up_code()) {
                            self.reasons.extend(r.iter().cloned());
                        }
                        self.step = Step::FollowUp(i);
                        Action::None
                    }
                    _ => {
                        self.response.answers.remove(&item.follow_up_code());
                        self.advance(i)
                    }
                }
            }
            (ItemKind::Percent { over_100, .. }, Input::Percent(p)) if p <= 100 || (*over_100 && p == OVER_100) => {
                self.response.answers.insert(item.code.clone(), Answer::Percent(p));
                self.advance(i)
            }
            (ItemKind::Choice { options }, Input::Choice(o)) if o < options.len() => {
                let option = &options[o];
                let kept_other = match self.response.answers.get(&item.code) {
                    Some(Answer::Choice { option: prev, other }) if *prev == option.code => other.clone(),
                    _ => None,
                };
                self.response.answers.insert(
                    item.code.clone(),
                    Answer::Choice {
                        option: option.code.clone(),
                        other: None,
                    },
                );
                if option.other {
                    self.composer = Some(self.composer_with(kept_other.as_deref().unwrap_or(""), 200));
                    self.step = Step::Other(i);
                    Action::None
                } else {
                    self.advance(i)
                }
            }
            (ItemKind::Text { .. }, Input::Continue) => {
                match self.take_text() {
                    Some(text) => self.response.answers.insert(item.code.clone(), Answer::Text(text)),
                    None => self.response.answers.remove(&item.code),
                };
                self.advance(i)
            }
            (_, Input::Skip) if item.optional || matches!(item.kind, ItemKind::Text { .. }) => {
                self.response.answers.remove(&item.code);
                self.response.answers.remove(&item.follow_up_code());
                self.composer = None;
                self.advance(i)
            }
            _ => Action::None,
        }
    }

    fn take_text(&mut self) -> Option<String> {
        let text = self.composer.take().map(|c| c.text()).unwrap_or_default();
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_string())
    }

    fn advance(&mut self, i: usize) -> Action {
        if i + 1 < self.items.len() {
            self.go_to(i + 1);
            Action::None
        } else {
            self.composer = None;
            Action::Finished
        }
    }

    fn back(&mut self) -> Action {
        match self.step {
            Step::Department => return Action::ToWelcome,
            Step::Item(0) => {
                if self.departments.len() > 1 {
                    self.composer = None;
                    self.step = Step::Department;
                } else {
                    return Action::ToWelcome;
                }
            }
            Step::Item(i) => self.go_to(i - 1),
            Step::FollowUp(i) | Step::Other(i) => self.go_to(i),
        }
        Action::None
    }

    /// A keyboard holding `text`, in the patient's way of typing: Vietnamese with Telex accents,
    /// English without (an English speaker typing "see" must not get "sê").
    fn composer_with(&self, text: &str, max_len: usize) -> Composer {
        let mut composer = Composer::with_text(text, max_len);
        if self.response.locale == Locale::En {
            composer.set_mode(crate::kiosk::typing::Mode::Plain);
        }
        composer
    }

    fn go_to(&mut self, i: usize) {
        self.step = Step::Item(i);
        self.composer = match &self.items.get(i).map(|item| &item.kind) {
            Some(ItemKind::Text { max_len }) => {
                let existing = match self.response.answers.get(&self.items[i].code) {
                    Some(Answer::Text(t)) => t.as_str(),
                    _ => "",
                };
                Some(self.composer_with(existing, *max_len))
            }
            _ => None,
        };
    }
}
