//! When a kiosk syncs: one pure decision, [`next`], from what the last steps came to. The
//! kiosk's background worker (`kiosk::sync_worker`) and `hailong sync` both run exactly the
//! step it names and [`State::record`] what came of it; neither decides anything itself.
//!
//! A cycle is a round (`client::sync_once`), then, after a successful one, the clock comparison
//! and the chain audit when they are due, then a pause: [`IDLE_PAUSE`] after a success, the
//! back-off (`client::pause_after`) after a failure. `--once` stops where the pause would be.

use std::time::{Duration, Instant};

use rand::Rng;

use crate::sync::AUDIT_EVERY;
use crate::sync::client::{self, Error};

/// The pause after a cycle that went well, before looking at the outbox again. A round with
/// nothing waiting sends no request, so this costs the centre nothing.
pub const IDLE_PAUSE: Duration = Duration::from_secs(20);

/// How often the kiosk's clock is compared with the centre's (and once after the start).
pub const CLOCK_EVERY: Duration = Duration::from_secs(3600);

/// `hailong sync --once` exit status when the chain audit found responses altered or removed
/// on this kiosk after they were sent.
pub const EXIT_TAMPERED: u8 = 3;

/// What to do next.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Send the outbox (`client::sync_once`).
    Round,
    /// Compare the kiosk's clock with the centre's (`client::clock_offset`).
    CheckClock,
    /// Have the centre audit the whole chain (`client::audit`).
    Audit,
    /// Wait this long, or until staff ask for a round, then record [`Done::Waited`].
    Wait(Duration),
    /// `--once` is through: exit with this status (0, or [`EXIT_TAMPERED`]).
    Stop(u8),
    /// Stop trying because of this error: with `--once` any failure; for everyone, sync not
    /// being configured (that cannot change while the process runs). `hailong sync` says it
    /// and exits 2.
    GiveUp(Error),
}

/// What the chain audit came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Audited {
    /// The centre found nothing altered or removed on this kiosk.
    Clean,
    /// The centre found responses altered or removed on this kiosk after they were sent.
    Tampered,
    /// The audit did not finish; it is due again after the next good round.
    Failed(Error),
}

impl Audited {
    /// The outcome of `client::audit`.
    pub fn of(result: &Result<crate::sync::AuditResult, Error>) -> Audited {
        match result {
            Ok(a) if a.altered.is_empty() && a.removed.is_empty() => Audited::Clean,
            Ok(_) => Audited::Tampered,
            Err(e) => Audited::Failed(e.clone()),
        }
    }
}

/// What came of the step [`next`] named.
#[derive(Debug, Clone, PartialEq)]
pub enum Done {
    /// A round: how many responses the centre newly holds (0: nothing was waiting), or why it
    /// stopped (the HTTP client that could not be built counts as a failed round).
    Round(Result<u64, Error>),
    /// The clock comparison: whether the centre answered (a failure says nothing about the
    /// clock; it is tried again after the next good round).
    Clock {
        /// The centre answered.
        answered: bool,
    },
    /// The chain audit.
    Audit(Audited),
    /// A pause ended: its time ran out, or staff asked for a round now ("Đồng bộ ngay").
    Waited {
        /// Staff asked; the back-off starts from its first step again.
        woken: bool,
    },
}

/// Everything [`next`] decides from.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// `hailong sync --once`: one cycle, then stop.
    pub once: bool,
    /// The round of this cycle; `None` before it ran (at the start and after each pause).
    pub round: Option<Result<u64, Error>>,
    /// Rounds that failed in a row before this cycle's: the back-off's step.
    pub attempt: u32,
    /// The clock comparison ran in this cycle (answered or not).
    pub clock_tried: bool,
    /// The chain audit of this cycle, when it ran.
    pub audit: Option<Audited>,
    /// When the centre last answered a clock comparison.
    pub last_clock: Option<Instant>,
    /// When the last chain audit finished (clean or not).
    pub last_audit: Option<Instant>,
}

impl State {
    /// The state at the start: a round is due, and so are the clock comparison and the audit.
    pub fn new(once: bool) -> State {
        State {
            once,
            round: None,
            attempt: 0,
            clock_tried: false,
            audit: None,
            last_clock: None,
            last_audit: None,
        }
    }

    /// Takes in what came of a step, `now`.
    pub fn record(&mut self, done: Done, now: Instant) {
        match done {
            Done::Round(result) => {
                if result.is_ok() {
                    self.attempt = 0;
                }
                self.round = Some(result);
                self.clock_tried = false;
                self.audit = None;
            }
            Done::Clock { answered } => {
                self.clock_tried = true;
                if answered {
                    self.last_clock = Some(now);
                }
            }
            Done::Audit(audited) => {
                if !matches!(audited, Audited::Failed(_)) {
                    self.last_audit = Some(now);
                }
                self.audit = Some(audited);
            }
            Done::Waited { woken } => {
                if woken {
                    self.attempt = 0;
                } else if matches!(self.round, Some(Err(_))) {
                    self.attempt = self.attempt.saturating_add(1);
                }
                self.round = None;
            }
        }
    }

    /// The error this cycle's round stopped on, if it did.
    pub fn failure(&self) -> Option<&Error> {
        self.round.as_ref().and_then(|r| r.as_ref().err())
    }
}

/// The next step from `state` at `now`; `rng` draws the back-off's jitter.
pub fn next(state: &State, now: Instant, rng: &mut impl Rng) -> Next {
    let due = |last: Option<Instant>, every: Duration| last.is_none_or(|t| now.saturating_duration_since(t) >= every);
    match &state.round {
        None => Next::Round,
        Some(Err(e)) if state.once || matches!(e, Error::NotConfigured) => Next::GiveUp(e.clone()),
        Some(Err(e)) => Next::Wait(client::pause_after(e, state.attempt, rng)),
        Some(Ok(_)) if !state.clock_tried && due(state.last_clock, CLOCK_EVERY) => Next::CheckClock,
        Some(Ok(_)) => match &state.audit {
            None if due(state.last_audit, AUDIT_EVERY) => Next::Audit,
            Some(Audited::Failed(e)) if state.once => Next::GiveUp(e.clone()),
            Some(Audited::Tampered) if state.once => Next::Stop(EXIT_TAMPERED),
            _ if state.once => Next::Stop(0),
            _ => Next::Wait(IDLE_PAUSE),
        },
    }
}

/// A pause in whole seconds, for people ("Retrying in 1 s"), rounded up: a pause of 300 ms is
/// still a pause, never "0 s".
pub fn whole_seconds(pause: Duration) -> u64 {
    pause.as_secs() + u64::from(pause.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_pause_is_told_in_whole_seconds_rounded_up_never_zero() {
        assert_eq!(whole_seconds(Duration::from_millis(300)), 1);
        assert_eq!(whole_seconds(Duration::from_millis(1001)), 2);
        assert_eq!(whole_seconds(Duration::from_secs(30)), 30);
        assert_eq!(whole_seconds(Duration::ZERO), 0);
    }

    use super::*;
    use crate::sync::client::Refusal;

    /// An rng that always draws the same 64 bits, so the jitter is known: 0 gives the back-off's
    /// shortest pause (×0.75), 2⁶³ its middle (×1.00), all ones its longest (×1.25).
    struct Fixed(u64);

    impl rand::RngCore for Fixed {
        fn next_u32(&mut self) -> u32 {
            (self.0 >> 32) as u32
        }
        fn next_u64(&mut self) -> u64 {
            self.0
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            for (i, byte) in dest.iter_mut().enumerate() {
                *byte = self.0.to_le_bytes()[i % 8];
            }
        }
    }

    const MIDDLE: u64 = 1 << 63;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    fn offline() -> Error {
        Error::Offline("connection refused".into())
    }

    fn refused() -> Error {
        Error::Refused {
            reason: Refusal::Revoked,
            kiosk: "k1".into(),
            detail: "revoked".into(),
        }
    }

    /// The time the table's states are read at; `ago(h)` is `h` hours before it.
    struct Clock(Instant);

    impl Clock {
        fn now(&self) -> Instant {
            self.0 + Duration::from_secs(48 * 3600)
        }
        fn ago(&self, hours: f64) -> Option<Instant> {
            Some(self.now() - Duration::from_secs_f64(hours * 3600.0))
        }
    }

    #[test]
    fn every_state_leads_to_its_step() {
        let clock = Clock(Instant::now());
        let loop_ = State::new(false);
        let once = State::new(true);
        // A good round in the loop whose clock check and audit are both recent.
        let good = State {
            round: Some(Ok(12)),
            last_clock: clock.ago(0.5),
            last_audit: clock.ago(2.0),
            ..loop_.clone()
        };
        let once_good = State {
            round: Some(Ok(12)),
            clock_tried: true,
            ..once.clone()
        };
        let failed = |e: Error, attempt: u32| State {
            round: Some(Err(e)),
            attempt,
            ..loop_.clone()
        };
        #[rustfmt::skip]
        let table: Vec<(&str, State, Next)> = vec![
            ("start: a round at once", loop_.clone(), Next::Round),
            ("--once start: a round at once", once.clone(), Next::Round),
            ("after a pause: a round", State { attempt: 4, ..loop_.clone() }, Next::Round),
            ("sent, checks recent: the idle pause", good.clone(), Next::Wait(IDLE_PAUSE)),
            ("nothing was waiting: the same idle pause", State { round: Some(Ok(0)), ..good.clone() }, Next::Wait(IDLE_PAUSE)),
            ("first good round: the clock first", State { round: Some(Ok(3)), ..loop_.clone() }, Next::CheckClock),
            ("clock checked an hour ago: again", State { last_clock: clock.ago(1.0), ..good.clone() }, Next::CheckClock),
            ("clock tried this cycle, no answer: not again", State { last_clock: None, clock_tried: true, ..good.clone() }, Next::Wait(IDLE_PAUSE)),
            ("clock done, never audited: the audit", State { last_audit: None, ..good.clone() }, Next::Audit),
            ("audited 23 h ago: not yet", State { last_audit: clock.ago(23.0), ..good.clone() }, Next::Wait(IDLE_PAUSE)),
            ("audited 24 h ago: due", State { last_audit: clock.ago(24.0), ..good.clone() }, Next::Audit),
            ("audit failed this cycle: pause, due again next cycle", State { last_audit: None, audit: Some(Audited::Failed(offline())), ..good.clone() }, Next::Wait(IDLE_PAUSE)),
            ("audit found tampering in the loop: go on", State { audit: Some(Audited::Tampered), ..good.clone() }, Next::Wait(IDLE_PAUSE)),
            ("--once, sent: the audit", once_good.clone(), Next::Audit),
            ("--once, audit clean: exit 0", State { audit: Some(Audited::Clean), ..once_good.clone() }, Next::Stop(0)),
            ("--once, audit found tampering: exit 3", State { audit: Some(Audited::Tampered), ..once_good.clone() }, Next::Stop(EXIT_TAMPERED)),
            ("--once, audit failed: give up", State { audit: Some(Audited::Failed(offline())), ..once_good.clone() }, Next::GiveUp(offline())),
            ("--once, round failed: give up", State { round: Some(Err(offline())), ..once.clone() }, Next::GiveUp(offline())),
            ("--once, busy centre: give up", State { round: Some(Err(Error::Busy(5))), ..once.clone() }, Next::GiveUp(Error::Busy(5))),
            ("not configured: give up, retrying cannot help", failed(Error::NotConfigured, 0), Next::GiveUp(Error::NotConfigured)),
            ("offline, first failure: 1 s", failed(offline(), 0), Next::Wait(secs(1.0))),
            ("offline, third failure: 4 s", failed(offline(), 2), Next::Wait(secs(4.0))),
            ("offline, ninth failure: 256 s", failed(offline(), 8), Next::Wait(secs(256.0))),
            ("offline, tenth failure on: 5 min", failed(offline(), 9), Next::Wait(secs(300.0))),
            ("offline, many failures: still 5 min", failed(offline(), u32::MAX), Next::Wait(secs(300.0))),
            ("server error: the same back-off", failed(Error::Server { status: 500, message: "x".into() }, 1), Next::Wait(secs(2.0))),
            ("kiosk database error: the same back-off", failed(Error::Store("disk I/O".into()), 0), Next::Wait(secs(1.0))),
            ("busy, Retry-After 30 s beats the 1 s step", failed(Error::Busy(30), 0), Next::Wait(secs(30.0))),
            ("busy, the 64 s step beats Retry-After 5 s", failed(Error::Busy(5), 6), Next::Wait(secs(64.0))),
            ("token refused: the longest step at once", failed(refused(), 0), Next::Wait(secs(300.0))),
            ("every response rejected: the longest step", failed(Error::Rejected("bad".into()), 0), Next::Wait(secs(300.0))),
            ("CA file unusable: the longest step", failed(Error::Certificate("no PEM".into()), 0), Next::Wait(secs(300.0))),
        ];
        for (what, state, expected) in table {
            assert_eq!(next(&state, clock.now(), &mut Fixed(MIDDLE)), expected, "{what}");
        }
    }

    #[test]
    fn the_back_off_is_jittered_by_a_quarter_either_way_within_one_second_and_five_minutes() {
        let now = Instant::now();
        let wait = |e: Error, attempt: u32, bits: u64| {
            let state = State {
                round: Some(Err(e)),
                attempt,
                ..State::new(false)
            };
            match next(&state, now, &mut Fixed(bits)) {
                Next::Wait(d) => d.as_secs_f64(),
                other => panic!("{other:?}"),
            }
        };
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
        // 8 s (the fourth failure) drawn shortest and longest.
        assert!(close(wait(offline(), 3, 0), 6.0));
        assert!(close(wait(offline(), 3, u64::MAX), 10.0));
        // Never below 1 s nor above 5 minutes, whatever is drawn.
        assert!(close(wait(offline(), 0, 0), 1.0));
        assert!(close(wait(offline(), 9, u64::MAX), 300.0));
        // Never less than the centre asked, even drawn shortest.
        assert!(close(wait(Error::Busy(40), 0, 0), 40.0));
        // Errors staff must fix wait 225–300 s.
        assert!(close(wait(refused(), 0, 0), 225.0));
    }

    /// Runs the schedule as the callers do, with `outcomes` answering each step it names, and
    /// returns the steps in order, ending with the first wait or stop.
    fn run(state: &mut State, now: Instant, mut answer: impl FnMut(&Next) -> Done) -> Vec<Next> {
        let mut steps = Vec::new();
        loop {
            let step = next(state, now, &mut Fixed(MIDDLE));
            steps.push(step.clone());
            if matches!(step, Next::Wait(_) | Next::Stop(_) | Next::GiveUp(_)) {
                return steps;
            }
            state.record(answer(&step), now);
        }
    }

    fn all_good(step: &Next) -> Done {
        match step {
            Next::Round => Done::Round(Ok(5)),
            Next::CheckClock => Done::Clock { answered: true },
            Next::Audit => Done::Audit(Audited::Clean),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_kiosk_audits_and_checks_its_clock_after_its_first_good_round_then_only_when_due() {
        let t0 = Instant::now();
        let mut state = State::new(false);
        let first = run(&mut state, t0, all_good);
        assert_eq!(
            first,
            [Next::Round, Next::CheckClock, Next::Audit, Next::Wait(IDLE_PAUSE)]
        );
        state.record(Done::Waited { woken: false }, t0);
        let later = t0 + Duration::from_secs(600);
        assert_eq!(run(&mut state, later, all_good), [Next::Round, Next::Wait(IDLE_PAUSE)]);
        state.record(Done::Waited { woken: false }, later);
        let hour = t0 + CLOCK_EVERY;
        assert_eq!(
            run(&mut state, hour, all_good),
            [Next::Round, Next::CheckClock, Next::Wait(IDLE_PAUSE)]
        );
    }

    #[test]
    fn the_back_off_grows_with_each_failure_and_restarts_when_staff_ask_or_a_round_succeeds() {
        let now = Instant::now();
        let mut state = State::new(false);
        let mut pauses = Vec::new();
        for _ in 0..4 {
            let steps = run(&mut state, now, |_| Done::Round(Err(offline())));
            pauses.push(steps.last().cloned().unwrap());
            state.record(Done::Waited { woken: false }, now);
        }
        assert_eq!(
            pauses,
            [1.0, 2.0, 4.0, 8.0].map(|s| Next::Wait(secs(s))),
            "1 s doubling"
        );
        // Staff press "Đồng bộ ngay" during the 16 s pause: a round now, and 1 s after it fails.
        run(&mut state, now, |_| Done::Round(Err(offline())));
        state.record(Done::Waited { woken: true }, now);
        assert_eq!(
            run(&mut state, now, |_| Done::Round(Err(offline()))),
            [Next::Round, Next::Wait(secs(1.0))]
        );
        // Two more failures, then a good round: the next failure waits 1 s again.
        for _ in 0..2 {
            state.record(Done::Waited { woken: false }, now);
            run(&mut state, now, |_| Done::Round(Err(offline())));
        }
        assert_eq!(state.attempt, 2);
        state.record(Done::Waited { woken: false }, now);
        run(&mut state, now, all_good);
        state.record(Done::Waited { woken: false }, now);
        assert_eq!(
            run(&mut state, now, |_| Done::Round(Err(offline()))),
            [Next::Round, Next::Wait(secs(1.0))]
        );
    }

    #[test]
    fn a_failed_clock_check_or_audit_is_tried_again_after_the_next_good_round() {
        let now = Instant::now();
        let mut state = State::new(false);
        let steps = run(&mut state, now, |step| match step {
            Next::Round => Done::Round(Ok(0)),
            Next::CheckClock => Done::Clock { answered: false },
            Next::Audit => Done::Audit(Audited::Failed(offline())),
            other => panic!("{other:?}"),
        });
        assert_eq!(
            steps,
            [Next::Round, Next::CheckClock, Next::Audit, Next::Wait(IDLE_PAUSE)]
        );
        state.record(Done::Waited { woken: false }, now);
        assert_eq!(
            run(&mut state, now, all_good),
            [Next::Round, Next::CheckClock, Next::Audit, Next::Wait(IDLE_PAUSE)]
        );
    }

    #[test]
    fn once_runs_one_cycle_and_says_how_it_ended() {
        let now = Instant::now();
        let cycle = |audited: Audited| {
            let mut state = State::new(true);
            run(&mut state, now, move |step| match step {
                Next::Audit => Done::Audit(audited.clone()),
                other => all_good(other),
            })
        };
        assert_eq!(
            cycle(Audited::Clean),
            [Next::Round, Next::CheckClock, Next::Audit, Next::Stop(0)]
        );
        assert_eq!(cycle(Audited::Tampered).last(), Some(&Next::Stop(EXIT_TAMPERED)));
        assert_eq!(cycle(Audited::Failed(refused())).last(), Some(&Next::GiveUp(refused())));
        let mut state = State::new(true);
        assert_eq!(
            run(&mut state, now, |_| Done::Round(Err(offline()))),
            [Next::Round, Next::GiveUp(offline())]
        );
    }
}
