//! What the public page and its open data publish (DESIGN §8, "Small numbers"): per quarter and
//! form, the figures with the small cells withheld — as **snapshots** kept in the database.
//!
//! - A quarter still running is published as a snapshot taken at most once a day, its figures
//!   counted to the end of the day before (never up to the minute: two downloads a minute apart
//!   would give the answers of whoever answered in between). A closed quarter gets one last
//!   snapshot after its end and never changes again.
//! - A department cell withheld in a quarter (fewer than `department_n` responses, a rate under
//!   `rate_n`, or hidden with another so that neither can be worked out from the total) stays
//!   withheld for the rest of that quarter, however many responses it gathers: no sequence of
//!   downloads can reveal what it held.
//! - Every published percentage can be recomputed from the open data: the facility's per-item
//!   score counts and each published department's score counts.
//!
//! The first process to take a day's snapshot stores it; every other process on the same
//! database serves that one.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::centre::figures::Groups;
use crate::centre::store::Error;
use crate::centre::{Centre, Scope};
use crate::report::period::{Calendar, Period};
use crate::survey::Summary;

/// The small-number rules of the public page and the open data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suppression {
    /// Fewer responses than this: the count, no rate.
    pub rate_n: u64,
    /// Fewer than this (and at least `rate_n`): the rate with "use with caution".
    pub caution_n: u64,
    /// A department with fewer than this is not shown.
    pub department_n: u64,
}

impl Default for Suppression {
    /// 30 / 100 / 10: Press Ganey's minimum sample, HCAHPS's threshold for publishing, and the
    /// NHS Friends and Family Test's recommended suppression.
    fn default() -> Self {
        Suppression {
            rate_n: 30,
            caution_n: 100,
            department_n: 10,
        }
    }
}

/// How one cell may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    /// The rate.
    Rate,
    /// The rate, with a caution note.
    Caution,
    /// The count only.
    CountOnly,
    /// Nothing (a department below the threshold, or hidden with one).
    Hidden,
}

impl Cell {
    /// Whether the rate is shown.
    pub fn shows_rate(self) -> bool {
        matches!(self, Cell::Rate | Cell::Caution)
    }
}

impl Suppression {
    /// How a cell of `n` responses is shown on its own.
    pub fn cell(&self, n: u64) -> Cell {
        if n < self.rate_n {
            Cell::CountOnly
        } else if n < self.caution_n {
            Cell::Caution
        } else {
            Cell::Rate
        }
    }

    /// How each of a set of department cells (their response counts) is shown beside their
    /// published total: departments under `department_n` are hidden, rates under `rate_n` are
    /// withheld, and in each case, when what is hidden could be worked out from the total and
    /// the rest (one cell alone, or hidden cells adding up to fewer than the threshold), the
    /// smallest remaining cell is hidden with them.
    pub fn departments(&self, counts: &[u64]) -> Vec<Cell> {
        self.departments_after(counts, &vec![false; counts.len()])
    }

    /// [`Suppression::departments`], with the cells `withheld` before in the same period kept
    /// withheld (their count shown at most, never their rate).
    pub fn departments_after(&self, counts: &[u64], withheld: &[bool]) -> Vec<Cell> {
        let mut cells: Vec<Cell> = counts
            .iter()
            .zip(withheld)
            .map(|(&n, &before)| {
                if n < self.department_n {
                    Cell::Hidden
                } else if before {
                    Cell::CountOnly
                } else {
                    self.cell(n)
                }
            })
            .collect();
        let mut order: Vec<usize> = (0..counts.len()).collect();
        order.sort_by_key(|&i| counts[i]);
        for (hidden, threshold) in [
            (
                &(|c: Cell| c == Cell::Hidden) as &dyn Fn(Cell) -> bool,
                self.department_n,
            ),
            (&|c: Cell| matches!(c, Cell::Hidden | Cell::CountOnly), self.rate_n),
        ] {
            loop {
                let hidden_n: Vec<u64> = order
                    .iter()
                    .filter(|&&i| hidden(cells[i]))
                    .map(|&i| counts[i])
                    .collect();
                let exposed = !hidden_n.is_empty() && (hidden_n.len() == 1 || hidden_n.iter().sum::<u64>() < threshold);
                let Some(&next) = order.iter().find(|&&i| !hidden(cells[i])) else {
                    break;
                };
                if !exposed {
                    break;
                }
                cells[next] = if threshold == self.department_n {
                    Cell::Hidden
                } else {
                    Cell::CountOnly
                };
            }
        }
        cells
    }
}

/// The quarters the page shows: the one holding `today` and the eight before it, oldest first.
pub fn quarters(today: NaiveDate, calendar: Calendar) -> Vec<Period> {
    let mut out = vec![Period::quarter_of(today, calendar)];
    while out.len() < 9 {
        let first = out.last().and_then(|p| p.from).expect("quarters have dates");
        out.push(Period::quarter_of(first.pred_opt().expect("a day before"), calendar));
    }
    out.reverse();
    out
}

/// One quarter of one facility as the public sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quarter {
    /// The period label (`2026-Q4`).
    pub label: String,
    /// Its first day.
    pub from: NaiveDate,
    /// Its last day.
    pub to: NaiveDate,
    /// The day this snapshot was taken.
    pub taken_on: NaiveDate,
    /// The last day its figures count (`None` on the quarter's first day: nothing yet).
    pub through: Option<NaiveDate>,
    /// Per form (questionnaire id).
    pub forms: BTreeMap<String, Form>,
    /// The department cells withheld at some snapshot of this quarter, per form.
    pub withheld: Withheld,
}

/// One form's figures in a quarter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Form {
    /// The facility's figures.
    pub summary: Summary,
    /// Its departments, as they may be shown (hidden ones are left out).
    pub departments: BTreeMap<String, Department>,
    /// Whether some department is hidden.
    pub hidden_departments: bool,
}

/// A department as the public may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Department {
    /// Its responses.
    pub responses: u64,
    /// How it is shown.
    pub cell: Cell,
    /// Its score counts (1–5) and "not used", summed over the items: the rate's numerator and
    /// denominator (only for a cell whose rate is shown).
    pub counts: Option<([u64; 5], u64)>,
    /// Its rate (only when shown).
    pub satisfied_pct: Option<f64>,
    /// Withheld because it was withheld earlier in the quarter, though it has enough responses
    /// now.
    #[serde(default)]
    pub withheld_earlier: bool,
}

/// The nine quarters of `facility` as published today (see the module's notes).
pub fn facility(centre: &Centre, facility: &str) -> Result<Vec<Quarter>, Error> {
    let today = centre.today();
    quarters(today, centre.calendar)
        .iter()
        .map(|p| quarter(centre, facility, p, today))
        .collect()
}

/// One quarter's snapshot: the stored one while it stands, else a new one (stored).
pub fn quarter(centre: &Centre, facility: &str, period: &Period, today: NaiveDate) -> Result<Quarter, Error> {
    let (from, to) = match (period.from, period.to) {
        (Some(f), Some(t)) => (f, t),
        _ => return Err(Error::NotFound(format!("period {} has no dates", period.label))),
    };
    let closed = to < today;
    let stored: Option<Quarter> = centre
        .store
        .public_snapshot(facility, &period.label)?
        .and_then(|(_, data)| serde_json::from_str(&data).ok());
    if let Some(q) = &stored
        && (q.taken_on == today || (closed && q.through == Some(to)))
    {
        return Ok(q.clone());
    }
    let through = if closed {
        Some(to)
    } else {
        today.pred_opt().filter(|d| *d >= from)
    };
    let withheld_before = stored.map(|q| q.withheld).unwrap_or_default();
    let (forms, withheld) = take(centre, facility, from, through, withheld_before)?;
    let q = Quarter {
        label: period.label.clone(),
        from,
        to,
        taken_on: today,
        through,
        forms,
        withheld,
    };
    let json = serde_json::to_string(&q).map_err(|e| Error::Corrupt(e.to_string()))?;
    let kept = centre
        .store
        .save_public_snapshot(facility, &period.label, today, &json)?;
    serde_json::from_str(&kept).map_err(|e| Error::Corrupt(format!("public snapshot of {facility}: {e}")))
}

/// What withheld departments a period has had, per form.
type Withheld = BTreeMap<String, BTreeSet<String>>;

/// The forms of `facility` from `from` through `through` with the small cells withheld, and the
/// departments withheld so far (those `withheld` before, and those withheld now).
fn take(
    centre: &Centre,
    facility: &str,
    from: NaiveDate,
    through: Option<NaiveDate>,
    mut withheld: Withheld,
) -> Result<(BTreeMap<String, Form>, Withheld), Error> {
    let rules = centre.web.public;
    let mut forms: Groups<String> = Groups::default();
    let mut departments: Groups<(String, String)> = Groups::default();
    if let Some(through) = through {
        let scope = Scope {
            facility: Some(facility.to_string()),
            from: Some(from),
            to: Some(through),
            ..Scope::default()
        };
        centre
            .tallies
            .facility_totals(centre.store.as_ref(), &scope, true, &mut |_, key, tally| {
                forms.add(key.questionnaire_id.clone(), key, tally);
                departments.add((key.questionnaire_id.clone(), key.department.clone()), key, tally);
            })?;
    }
    let mut by_form: BTreeMap<String, BTreeMap<String, Summary>> = BTreeMap::new();
    for ((form, department), s) in departments.summaries(centre)? {
        by_form.entry(form).or_default().insert(department, s);
    }
    let mut out = BTreeMap::new();
    for (form, summary) in forms.summaries(centre)? {
        let depts = by_form.remove(&form).unwrap_or_default();
        let before = withheld.entry(form.clone()).or_default();
        let names: Vec<&String> = depts.keys().collect();
        let counts: Vec<u64> = depts.values().map(|d| d.responses).collect();
        let was: Vec<bool> = names.iter().map(|n| before.contains(*n)).collect();
        // One department alone is the facility itself: nothing to show apart.
        let cells = if names.len() > 1 {
            rules.departments_after(&counts, &was)
        } else {
            vec![Cell::Hidden; names.len()]
        };
        let mut shown = BTreeMap::new();
        let mut hidden_departments = false;
        for (((name, s), cell), was) in depts.iter().zip(&cells).zip(&was) {
            if !cell.shows_rate() && names.len() > 1 {
                before.insert(name.clone());
            }
            if *cell == Cell::Hidden {
                hidden_departments |= names.len() > 1;
                continue;
            }
            let rate = cell.shows_rate();
            let counts = rate.then(|| {
                s.items.values().fold(([0u64; 5], 0u64), |(mut c, n), i| {
                    for (k, v) in i.figures.counts.iter().enumerate() {
                        c[k] += v;
                    }
                    (c, n + i.figures.not_used)
                })
            });
            shown.insert(
                name.clone(),
                Department {
                    responses: s.responses,
                    cell: *cell,
                    counts,
                    satisfied_pct: if rate { s.satisfied_pct } else { None },
                    withheld_earlier: *was && !rate && rules.cell(s.responses).shows_rate(),
                },
            );
        }
        out.insert(
            form,
            Form {
                summary,
                departments: shown,
                hidden_departments,
            },
        );
    }
    withheld.retain(|_, names| !names.is_empty());
    Ok((out, withheld))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_cells_are_withheld_and_cannot_be_worked_out() {
        let rules = Suppression::default();
        assert_eq!(rules.cell(29), Cell::CountOnly);
        assert_eq!(rules.cell(30), Cell::Caution);
        assert_eq!(rules.cell(100), Cell::Rate);
        // One department under 10: hidden, and the next smallest with it.
        assert_eq!(
            rules.departments(&[500, 8, 200, 150]),
            vec![Cell::Rate, Cell::Hidden, Cell::Rate, Cell::Hidden]
        );
        // Two under 10 adding up to under 10: a third goes too.
        assert_eq!(
            rules.departments(&[3, 4, 400, 50]),
            vec![Cell::Hidden, Cell::Hidden, Cell::Rate, Cell::Hidden]
        );
        // One rate withheld (n < 30): another withheld with it.
        assert_eq!(
            rules.departments(&[20, 300, 40]),
            vec![Cell::CountOnly, Cell::Rate, Cell::CountOnly]
        );
        // Nothing small: all shown.
        assert_eq!(rules.departments(&[120, 300]), vec![Cell::Rate, Cell::Rate]);
    }

    #[test]
    fn a_cell_withheld_earlier_in_the_period_stays_withheld() {
        let rules = Suppression::default();
        // Grown to 40, but withheld before: its count only, and another withheld with it so
        // that its rate cannot be worked out from the total.
        assert_eq!(
            rules.departments_after(&[40, 300, 200], &[true, false, false]),
            vec![Cell::CountOnly, Cell::Rate, Cell::CountOnly]
        );
        // Still under the department threshold: hidden.
        assert_eq!(
            rules.departments_after(&[8, 300, 200], &[true, false, false]),
            vec![Cell::Hidden, Cell::Rate, Cell::Hidden]
        );
    }

    #[test]
    fn nine_quarters_end_with_todays() {
        let q = quarters(NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(), Calendar::default());
        assert_eq!(q.len(), 9);
        assert_eq!(q[0].label, "2024-Q4");
        assert_eq!(q[8].label, "2026-Q4");
    }
}
