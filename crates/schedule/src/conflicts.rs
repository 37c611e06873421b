//! Which items of a plan meet at the same time. The server refuses an unconfirmed change that would
//! create an overlap and lists every overlap of a plan; the native client runs the very same check on
//! changes it queues offline, so both must agree to the letter (down to the message text).
//!
//! Two items overlap when they share a weekday, their clock ranges overlap (one ending at 10:50 and
//! the other starting at 10:50 do not), and their date ranges overlap, with a missing date meaning the
//! whole term. When the shared dates span less than a week, the shared weekday must actually fall
//! inside them: a pattern that meets only on a Monday cannot clash with one that meets only on the
//! following Tuesday. A pair of items is reported once, at its first overlapping day of the week
//! (Monday first) and the earliest overlap of that day; meetings without days or times (arranged,
//! online) and times that cannot be read never clash.

use crate::clock::{format_hhmm, letter_of_weekday, parse_days, parse_hhmm, short_day_name};
use chrono::{Datelike, NaiveDate, Weekday};
use pretzel_api::{Conflict, ConflictItem, CustomBlock, Meeting, TimetableSection};

/// One item of a plan as the conflict check sees it: who it is and when it meets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanItem {
    /// How a conflict names it.
    pub item: ConflictItem,
    slots: Vec<Slot>,
}

/// One weekly pattern of an item: days, a clock range, and the dates it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Slot {
    days: Vec<Weekday>,
    start: u32,
    end: u32,
    first_date: Option<NaiveDate>,
    last_date: Option<NaiveDate>,
}

/// "CS 225 AL1": the course code and the section code, or the course code alone.
pub fn section_label(course_code: &str, section: Option<&str>) -> String {
    match section.map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => format!("{course_code} {code}"),
        None => course_code.to_owned(),
    }
}

impl PlanItem {
    /// An item meeting as `meetings` say.
    pub fn new(item: ConflictItem, meetings: &[Meeting]) -> Self {
        let slots = meetings
            .iter()
            .filter_map(|m| slot(&m.days, m.start.as_deref()?, m.end.as_deref()?, m.start_date, m.end_date))
            .collect();
        Self { item, slots }
    }

    /// A section of a plan.
    pub fn section(section: &TimetableSection) -> Self {
        let label = section_label(&section.course_code, section.section.as_deref());
        Self::new(ConflictItem::Section { section_id: section.section_id, label }, &section.meetings)
    }

    /// A custom block of a plan: it runs the whole term.
    pub fn block(block: &CustomBlock) -> Self {
        let item = ConflictItem::Block { block_id: block.id, label: block.label.clone() };
        let slots = slot(&block.days, &block.start, &block.end, None, None).into_iter().collect();
        Self { item, slots }
    }
}

/// A timed pattern, or `None` when it has no days or its times cannot be read.
fn slot(days: &str, start: &str, end: &str, first: Option<NaiveDate>, last: Option<NaiveDate>) -> Option<Slot> {
    let days = parse_days(days).ok().filter(|d| !d.is_empty())?;
    let (start, end) = (parse_hhmm(start).ok()?, parse_hhmm(end).ok()?);
    (end > start).then_some(Slot { days, start, end, first_date: first, last_date: last })
}

/// The overlap of two slots: the first shared weekday that can occur, and the shared clock range.
fn slot_overlap(a: &Slot, b: &Slot) -> Option<(Weekday, u32, u32)> {
    let (start, end) = (a.start.max(b.start), a.end.min(b.end));
    if start >= end {
        return None;
    }
    let first = max_opt(a.first_date, b.first_date);
    let last = min_opt(a.last_date, b.last_date);
    if let (Some(first), Some(last)) = (first, last)
        && first > last
    {
        return None;
    }
    a.days
        .iter()
        .copied()
        .filter(|day| b.days.contains(day))
        .find(|day| weekday_occurs(*day, first, last))
        .map(|day| (day, start, end))
}

fn max_opt(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn min_opt(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Whether `day` falls within `first..=last` (an open end holds every weekday).
fn weekday_occurs(day: Weekday, first: Option<NaiveDate>, last: Option<NaiveDate>) -> bool {
    let (Some(first), Some(last)) = (first, last) else {
        return true;
    };
    let ahead = (7 + day.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
    first.checked_add_days(chrono::Days::new(u64::from(ahead))).is_some_and(|date| date <= last)
}

/// The conflict between `first` (added earlier) and `second`, if they overlap.
fn pair_conflict(first: &PlanItem, second: &PlanItem) -> Option<Conflict> {
    let (day, start, end) = first
        .slots
        .iter()
        .flat_map(|a| second.slots.iter().filter_map(move |b| slot_overlap(a, b)))
        .min_by_key(|(day, start, end)| (day.num_days_from_monday(), *start, *end))?;
    let (start, end) = (format_hhmm(start), format_hhmm(end));
    let message = format!(
        "{} overlaps {} on {} {start}\u{2013}{end}",
        first.item.label(),
        second.item.label(),
        short_day_name(day)
    );
    Some(Conflict {
        first: first.item.clone(),
        second: second.item.clone(),
        day: letter_of_weekday(day).to_string(),
        start,
        end,
        message,
    })
}

/// Day (Monday first), then start, then end: the order conflicts are listed in. Pairs that tie keep
/// the order they were found in, which is the order the items were added.
fn sort_conflicts(conflicts: &mut [Conflict]) {
    let day_index = |c: &Conflict| c.day.chars().next().and_then(crate::clock::weekday_of_letter);
    conflicts.sort_by(|a, b| {
        let key = |c: &Conflict| (day_index(c).map(|d| d.num_days_from_monday()), c.start.clone(), c.end.clone());
        key(a).cmp(&key(b))
    });
}

/// Every overlap between two items of a plan, `items` in the order they were added; listed by day
/// and time.
pub fn plan_conflicts(items: &[PlanItem]) -> Vec<Conflict> {
    let mut conflicts: Vec<Conflict> = items
        .iter()
        .enumerate()
        .flat_map(|(i, first)| items[i + 1..].iter().filter_map(move |second| pair_conflict(first, second)))
        .collect();
    sort_conflicts(&mut conflicts);
    conflicts
}

/// The overlaps that adding `added` (in this order) to a plan holding `existing` would create: every
/// pair involving a new item, the existing one first; listed by day and time.
pub fn new_conflicts(existing: &[PlanItem], added: &[PlanItem]) -> Vec<Conflict> {
    let mut conflicts = Vec::new();
    for (i, new) in added.iter().enumerate() {
        for old in existing.iter().chain(&added[..i]) {
            conflicts.extend(pair_conflict(old, new));
        }
    }
    sort_conflicts(&mut conflicts);
    conflicts
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretzel_api::{CustomBlockId, SectionId};

    fn meeting(days: &str, start: &str, end: &str) -> Meeting {
        Meeting {
            days: days.into(),
            start: Some(start.into()),
            end: Some(end.into()),
            location: None,
            start_date: None,
            end_date: None,
        }
    }

    fn dated(mut m: Meeting, first: (i32, u32, u32), last: (i32, u32, u32)) -> Meeting {
        m.start_date = NaiveDate::from_ymd_opt(first.0, first.1, first.2);
        m.end_date = NaiveDate::from_ymd_opt(last.0, last.1, last.2);
        m
    }

    fn section(id: i64, code: &str, section: Option<&str>, meetings: &[Meeting]) -> PlanItem {
        let label = section_label(code, section);
        PlanItem::new(ConflictItem::Section { section_id: SectionId(id), label }, meetings)
    }

    fn block(id: i64, label: &str, days: &str, start: &str, end: &str) -> PlanItem {
        PlanItem::block(&CustomBlock {
            id: CustomBlockId(id),
            label: label.into(),
            days: days.into(),
            start: start.into(),
            end: end.into(),
        })
    }

    #[test]
    fn test_overlap_message_names_the_earlier_item_first_and_the_first_shared_day() {
        let cs = section(1, "CS 225", Some("AL1"), &[meeting("TR", "09:30", "10:50")]);
        let math = section(2, "MATH 241", Some("BL2"), &[meeting("RT", "10:00", "11:00")]);
        let conflicts = plan_conflicts(&[cs, math]);
        assert_eq!(conflicts.len(), 1, "one pair, reported once");
        let c = &conflicts[0];
        assert_eq!(c.message, "CS 225 AL1 overlaps MATH 241 BL2 on Tue 10:00\u{2013}10:50");
        assert_eq!((c.day.as_str(), c.start.as_str(), c.end.as_str()), ("T", "10:00", "10:50"));
        assert_eq!(c.first.label(), "CS 225 AL1");
        assert_eq!(c.second, ConflictItem::Section { section_id: SectionId(2), label: "MATH 241 BL2".into() });
    }

    #[test]
    fn test_touching_ranges_other_days_and_arranged_meetings_do_not_clash() {
        let a = section(1, "CS 101", None, &[meeting("MWF", "09:00", "09:50")]);
        let touching = section(2, "CS 102", None, &[meeting("MWF", "09:50", "10:40")]);
        let other_days = section(3, "CS 103", None, &[meeting("TR", "09:00", "09:50")]);
        let arranged = section(
            4,
            "CS 104",
            None,
            &[Meeting {
                days: String::new(),
                start: None,
                end: None,
                location: None,
                start_date: None,
                end_date: None,
            }],
        );
        let bad_time = section(5, "CS 105", None, &[meeting("M", "9:00", "10:00")]);
        assert_eq!(plan_conflicts(&[a, touching, other_days, arranged, bad_time]), vec![]);
        assert_eq!(section_label("CS 104", None), "CS 104");
        assert_eq!(section_label("CS 104", Some(" ")), "CS 104");
    }

    #[test]
    fn test_date_ranges_decide_and_missing_dates_mean_the_whole_term() {
        let first_half = section(1, "A 1", None, &[dated(meeting("M", "10:00", "11:00"), (2021, 6, 14), (2021, 7, 5))]);
        let second_half = section(2, "B 1", None, &[dated(meeting("M", "10:00", "11:00"), (2021, 7, 6), (2021, 8, 3))]);
        let whole_term = section(3, "C 1", None, &[meeting("M", "10:30", "11:30")]);
        let conflicts = plan_conflicts(&[first_half, second_half, whole_term]);
        let messages: Vec<&str> = conflicts.iter().map(|c| c.message.as_str()).collect();
        assert_eq!(
            messages,
            ["A 1 overlaps C 1 on Mon 10:30\u{2013}11:00", "B 1 overlaps C 1 on Mon 10:30\u{2013}11:00"]
        );
        // 2021-06-14 is a Monday; 2021-06-15 a Tuesday: a one-day Monday pattern and a pattern that
        // starts the next day share no day even though both name Monday and Tuesday.
        let monday_only =
            section(4, "D 1", None, &[dated(meeting("MT", "10:00", "11:00"), (2021, 6, 14), (2021, 6, 14))]);
        let from_tuesday =
            section(5, "E 1", None, &[dated(meeting("MT", "10:00", "11:00"), (2021, 6, 15), (2021, 6, 30))]);
        assert_eq!(plan_conflicts(&[monday_only.clone(), from_tuesday]), vec![]);
        let that_monday =
            section(6, "F 1", None, &[dated(meeting("MT", "10:00", "11:00"), (2021, 6, 8), (2021, 6, 14))]);
        let c = plan_conflicts(&[monday_only, that_monday]);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].day, "M");
    }

    #[test]
    fn test_blocks_clash_with_sections_and_the_list_is_in_day_and_time_order() {
        let lecture = section(1, "CS 225", Some("AL1"), &[meeting("MWF", "13:00", "13:50")]);
        let lab = section(2, "CS 225", Some("AYB"), &[meeting("F", "08:00", "09:50"), meeting("W", "16:00", "17:50")]);
        let shift = block(7, "Library shift", "WF", "08:30", "13:30");
        let conflicts = plan_conflicts(&[lecture.clone(), lab.clone(), shift.clone()]);
        let messages: Vec<&str> = conflicts.iter().map(|c| c.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "CS 225 AL1 overlaps Library shift on Wed 13:00\u{2013}13:30",
                "CS 225 AYB overlaps Library shift on Fri 08:30\u{2013}09:50",
            ]
        );
        assert_eq!(
            conflicts[0].second,
            ConflictItem::Block { block_id: CustomBlockId(7), label: "Library shift".into() }
        );

        // Only pairs involving a new item are new, the existing item first.
        let added = new_conflicts(&[lecture.clone(), lab], &[shift]);
        assert_eq!(added, conflicts);
        let evening = block(8, "Evening", "MTWRF", "18:00", "20:00");
        assert_eq!(new_conflicts(std::slice::from_ref(&lecture), std::slice::from_ref(&evening)), vec![]);
        let overlapping_new = section(3, "MATH 241", None, &[meeting("F", "19:00", "19:30")]);
        let both_new = new_conflicts(&[lecture], &[evening, overlapping_new]);
        assert_eq!(both_new.len(), 1);
        assert_eq!(both_new[0].message, "Evening overlaps MATH 241 on Fri 19:00\u{2013}19:30");
    }

    #[test]
    fn test_conflict_json_shape_is_stable() {
        let conflicts = plan_conflicts(&[
            section(1, "CS 225", Some("AL1"), &[meeting("T", "10:00", "11:00")]),
            block(2, "Work", "T", "10:30", "12:00"),
        ]);
        let json = serde_json::to_value(&conflicts).expect("serialise");
        assert_eq!(
            json,
            serde_json::json!([{
                "first": {"type": "section", "section_id": 1, "label": "CS 225 AL1"},
                "second": {"type": "block", "block_id": 2, "label": "Work"},
                "day": "T", "start": "10:30", "end": "11:00",
                "message": "CS 225 AL1 overlaps Work on Tue 10:30\u{2013}11:00"
            }])
        );
    }
}
