//! One plan laid out on a real Monday-to-Sunday week in the zone the student reads it in.
//!
//! The catalog writes meetings in campus-local wall-clock time (`MW 10:00–10:50`), but a student
//! abroad reads their week in home time, and the two zones switch daylight saving on different
//! dates. So the grid is built from real dates: every weekly pattern is expanded into the campus
//! dates it runs on (within its own date range, else the term's), each occurrence is turned into an
//! instant through the campus zone and back into wall-clock time in the display zone, and a meeting
//! that crosses midnight there is split in two. The client computes this from its cached plan, so the
//! week works offline; it lives here, beside the conflict rules, so it is tested without any I/O.

use crate::clock::{parse_days, parse_hhmm};
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, Offset as _, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use pretzel_api::shell::{DisplayZone, WeekBlock, WeekDay, WeekItemRef, WeekView};
use pretzel_api::{ConflictItem, CustomBlockId, SectionId, TermTimetables, Timetable, TimetableSection};
use std::collections::HashSet;

/// Palette entries for courses; custom blocks use the index just past them.
pub const COURSE_COLORS: u8 = 12;
/// The palette index of custom blocks.
pub const CUSTOM_BLOCK_COLOR: u8 = COURSE_COLORS;
/// Grid hours of an empty plan.
const EMPTY_FIRST_HOUR: u32 = 8;
/// See [`EMPTY_FIRST_HOUR`].
const EMPTY_LAST_HOUR: u32 = 18;
const MINUTES_PER_DAY: u32 = 24 * 60;

/// Lays `timetable` (one plan of `data`) out on the week holding `week_of` (any day of it, in
/// `display_zone`), or, without it, on this week when `today` falls in the term, else on the term's
/// first full week. `zone_kind` is echoed into the answer: it says which clock `display_zone` is.
pub fn week_view(
    data: &TermTimetables,
    timetable: &Timetable,
    display_zone: Tz,
    zone_kind: DisplayZone,
    week_of: Option<NaiveDate>,
    today: NaiveDate,
) -> WeekView {
    // A zone name the server sent but this build does not know: reading the times as printed is
    // better than showing nothing.
    let campus_zone: Tz = data.campus_time_zone.parse().unwrap_or(display_zone);
    let items = items_of(timetable);
    let term = term_range(data, &items);
    let week_start = match week_of {
        Some(day) => monday_of(day),
        None => default_week(term, &items, today),
    };
    let week_end = week_start + Duration::days(6);

    // Campus dates one day either side of the week can land inside it after the zone shift.
    let mut pieces = pieces_between(
        &items,
        term,
        campus_zone,
        display_zone,
        week_start - Duration::days(1),
        week_end + Duration::days(1),
    );
    pieces.retain(|piece| piece.date >= week_start && piece.date <= week_end);
    let conflicts = conflicting_pairs(timetable);
    let flagged = flag_conflicts(&pieces, &items, &conflicts);

    let mut days: Vec<WeekDay> =
        (0..7).map(|offset| WeekDay { date: week_start + Duration::days(offset), blocks: Vec::new() }).collect();
    for (index, piece) in pieces.iter().enumerate() {
        let Some(day) = days.iter_mut().find(|day| day.date == piece.date) else { continue };
        let item = &items[piece.item];
        day.blocks.push(WeekBlock {
            item: item.reference.clone(),
            start_minute: piece.start_minute,
            end_minute: piece.end_minute,
            start: hhmm(piece.start_minute),
            end: hhmm(piece.end_minute),
            location: piece.location.clone(),
            conflict: flagged.contains(&index),
            removed: item.removed,
        });
    }
    for day in &mut days {
        day.blocks.sort_by(|a, b| {
            (a.start_minute, a.end_minute, &a.item.title).cmp(&(b.start_minute, b.end_minute, &b.item.title))
        });
    }

    let (first_hour, last_hour) = grid_hours(&items, term, campus_zone, display_zone, week_start, week_end);
    let previous_start = week_start - Duration::days(7);
    let next_start = week_start + Duration::days(7);
    WeekView {
        time_zone: display_zone.name().to_owned(),
        zone: zone_kind,
        week_start,
        previous_week: term
            .start
            .is_none_or(|start| previous_start + Duration::days(6) >= start)
            .then_some(previous_start),
        next_week: term.end.is_none_or(|end| next_start <= end).then_some(next_start),
        days,
        first_hour,
        last_hour,
        unscheduled: items.iter().filter(|item| item.patterns.is_empty()).map(|item| item.reference.clone()).collect(),
        offset_changes: offset_changes(campus_zone, display_zone, week_start),
    }
}

/// A stable palette index (0–11) for a course code: FNV-1a over its letters and digits, upper-cased,
/// so "CS 225" and "cs225" share a colour and the index never changes between releases (the standard
/// library's hasher makes no such promise).
pub fn course_color(course_code: &str) -> u8 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in course_code.bytes().filter(u8::is_ascii_alphanumeric).map(|b| b.to_ascii_uppercase()) {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    u8::try_from(hash % u32::from(COURSE_COLORS)).unwrap_or(0)
}

/// Which item of the plan a block is, for matching conflicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ItemKey {
    Section(SectionId),
    Block(CustomBlockId),
}

/// One item of the plan (a section or custom block) with its weekly patterns.
#[derive(Debug)]
struct Item {
    key: ItemKey,
    reference: WeekItemRef,
    removed: bool,
    /// Empty when the item has no scheduled time (arranged, online).
    patterns: Vec<Pattern>,
}

/// A weekly meeting pattern in campus time.
#[derive(Debug)]
struct Pattern {
    days: Vec<Weekday>,
    start_minute: u32,
    end_minute: u32,
    location: Option<String>,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
}

/// A meeting occurrence (or the part of one) on one display date.
#[derive(Debug, Clone)]
struct Piece {
    item: usize,
    date: NaiveDate,
    start_minute: u32,
    end_minute: u32,
    location: Option<String>,
}

/// First and last day of the term; either may be unknown.
#[derive(Debug, Clone, Copy)]
struct TermRange {
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
}

fn items_of(timetable: &Timetable) -> Vec<Item> {
    let sections = timetable.sections.iter().map(|section| Item {
        key: ItemKey::Section(section.section_id),
        reference: WeekItemRef {
            section_id: Some(section.section_id),
            block_id: None,
            title: section.course_code.clone(),
            subtitle: subtitle(section),
            color: course_color(&section.course_code),
        },
        removed: section.removed_at.is_some(),
        patterns: section
            .meetings
            .iter()
            .filter_map(|meeting| {
                let (start, end) = (meeting.start.as_deref()?, meeting.end.as_deref()?);
                pattern(&meeting.days, start, end, meeting.location.clone(), meeting.start_date, meeting.end_date)
            })
            .collect(),
    });
    let blocks = timetable.custom_blocks.iter().map(|block| Item {
        key: ItemKey::Block(block.id),
        reference: WeekItemRef {
            section_id: None,
            block_id: Some(block.id),
            title: block.label.clone(),
            subtitle: String::new(),
            color: CUSTOM_BLOCK_COLOR,
        },
        removed: false,
        patterns: pattern(&block.days, &block.start, &block.end, None, None, None).into_iter().collect(),
    });
    sections.chain(blocks).collect()
}

/// A pattern from the wire's notation, or `None` when it has no fixed days or unreadable times
/// (such a meeting cannot be drawn; the item then lands under the grid if nothing else is drawable).
fn pattern(
    days: &str,
    start: &str,
    end: &str,
    location: Option<String>,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
) -> Option<Pattern> {
    let days = parse_days(days).ok().filter(|days| !days.is_empty())?;
    let start_minute = parse_hhmm(start).ok().filter(|minute| *minute < MINUTES_PER_DAY)?;
    let mut end_minute = parse_hhmm(end).ok()?;
    if end_minute <= start_minute {
        // Ends after midnight: a late lab from 22:00 to 01:00 runs into the next campus day.
        end_minute += MINUTES_PER_DAY;
    }
    Some(Pattern { days, start_minute, end_minute, location, first, last })
}

/// "AL1 · Lecture", or just the kind when the section has no code.
fn subtitle(section: &TimetableSection) -> String {
    let mut kind = section.kind.replace('_', " ");
    if let Some(first) = kind.get(..1) {
        kind = format!("{}{}", first.to_uppercase(), kind.get(1..).unwrap_or_default());
    }
    match section.section.as_deref().filter(|code| !code.is_empty()) {
        Some(code) if kind.is_empty() => code.to_owned(),
        Some(code) => format!("{code} · {kind}"),
        None => kind,
    }
}

/// The term's dates, or, when the server does not know them, the span of the meetings' own dates.
fn term_range(data: &TermTimetables, items: &[Item]) -> TermRange {
    let patterns = || items.iter().flat_map(|item| &item.patterns);
    TermRange {
        start: data.start_date.or_else(|| patterns().filter_map(|p| p.first).min()),
        end: data.end_date.or_else(|| patterns().filter_map(|p| p.last).max()),
    }
}

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// This week when the term is running (or its dates are unknown). Otherwise the term's first full
/// week, or, when the plan's classes only start later (a summer module), the week they start: a
/// student planning ahead wants to see their classes, not an empty grid.
fn default_week(term: TermRange, items: &[Item], today: NaiveDate) -> NaiveDate {
    let running = term.start.is_none_or(|start| start <= today) && term.end.is_none_or(|end| today <= end);
    match term.start {
        Some(start) if !running => {
            let monday = monday_of(start);
            let first_full_week = if monday == start { start } else { monday + Duration::days(7) };
            let first_class =
                items.iter().flat_map(|item| &item.patterns).filter_map(|pattern| pattern.first.or(term.start)).min();
            match first_class {
                Some(first) if monday_of(first) > first_full_week => monday_of(first),
                _ => first_full_week,
            }
        }
        _ => monday_of(today),
    }
}

/// Every occurrence of the plan on the campus dates `from..=to`, converted to the display zone and
/// split at its midnights.
fn pieces_between(
    items: &[Item],
    term: TermRange,
    campus_zone: Tz,
    display_zone: Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for (index, item) in items.iter().enumerate() {
        for pattern in &item.patterns {
            let first = pattern.first.or(term.start).map_or(from, |first| first.max(from));
            let last = pattern.last.or(term.end).map_or(to, |last| last.min(to));
            for date in first.iter_days().take_while(|date| *date <= last) {
                if !pattern.days.contains(&date.weekday()) {
                    continue;
                }
                let (start, end) = occurrence(campus_zone, display_zone, date, pattern);
                split_at_midnight(index, start, end, pattern.location.as_ref(), &mut pieces);
            }
        }
    }
    pieces
}

/// Start and end, as wall-clock times in `display_zone`, of the pattern's meeting on campus `date`.
/// The end is the start plus the meeting's length, so a class keeps its length on the nights the
/// campus clocks jump.
fn occurrence(campus_zone: Tz, display_zone: Tz, date: NaiveDate, pattern: &Pattern) -> (NaiveDateTime, NaiveDateTime) {
    let local = date.and_time(chrono::NaiveTime::MIN) + Duration::minutes(i64::from(pattern.start_minute));
    let start = campus_instant(campus_zone, local);
    let end = start + Duration::minutes(i64::from(pattern.end_minute - pattern.start_minute));
    (start.with_timezone(&display_zone).naive_local(), end.with_timezone(&display_zone).naive_local())
}

/// The instant a campus wall-clock time names. In the hour skipped when clocks spring forward the
/// class happens when the clocks read that time after the jump (an hour later); in the hour repeated
/// when they fall back, the first pass counts.
fn campus_instant(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(instant) | LocalResult::Ambiguous(instant, _) => instant.with_timezone(&Utc),
        LocalResult::None => {
            let shifted = local + Duration::hours(1);
            match zone.from_local_datetime(&shifted) {
                LocalResult::Single(instant) | LocalResult::Ambiguous(instant, _) => instant.with_timezone(&Utc),
                // No zone skips two hours in a row; reading it as UTC keeps the function total.
                LocalResult::None => Utc.from_utc_datetime(&local),
            }
        }
    }
}

fn split_at_midnight(
    item: usize,
    start: NaiveDateTime,
    end: NaiveDateTime,
    location: Option<&String>,
    pieces: &mut Vec<Piece>,
) {
    let mut cursor = start;
    while cursor < end {
        let date = cursor.date();
        let next_midnight = (date + Duration::days(1)).and_time(chrono::NaiveTime::MIN);
        let piece_end = end.min(next_midnight);
        let end_minute = if piece_end == next_midnight { MINUTES_PER_DAY } else { minute_of_day(piece_end) };
        pieces.push(Piece { item, date, start_minute: minute_of_day(cursor), end_minute, location: location.cloned() });
        cursor = piece_end;
    }
}

fn minute_of_day(time: NaiveDateTime) -> u32 {
    use chrono::Timelike;
    time.hour() * 60 + time.minute()
}

fn hhmm(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// The pairs of items the plan's conflicts name, both ways round.
fn conflicting_pairs(timetable: &Timetable) -> HashSet<(ItemKey, ItemKey)> {
    let key = |item: &ConflictItem| match item {
        ConflictItem::Section { section_id, .. } => ItemKey::Section(*section_id),
        ConflictItem::Block { block_id, .. } => ItemKey::Block(*block_id),
    };
    timetable
        .conflicts
        .iter()
        .flat_map(|conflict| {
            let (a, b) = (key(&conflict.first), key(&conflict.second));
            [(a, b), (b, a)]
        })
        .collect()
}

/// Indexes of the pieces that overlap, on the same display date, a piece of an item the plan says
/// they conflict with. The plan's conflict list names only the first overlapping day, so the blocks
/// themselves decide which days show the warning.
fn flag_conflicts(pieces: &[Piece], items: &[Item], conflicts: &HashSet<(ItemKey, ItemKey)>) -> HashSet<usize> {
    let mut flagged = HashSet::new();
    for (i, a) in pieces.iter().enumerate() {
        for (j, b) in pieces.iter().enumerate().skip(i + 1) {
            let overlap = a.date == b.date && a.start_minute < b.end_minute && b.start_minute < a.end_minute;
            if overlap && conflicts.contains(&(items[a.item].key, items[b.item].key)) {
                flagged.insert(i);
                flagged.insert(j);
            }
        }
    }
    flagged
}

/// The grid's hour span over the whole term (or, with open-ended dates, the shown week), so the grid
/// keeps its height while the student pages through weeks.
fn grid_hours(
    items: &[Item],
    term: TermRange,
    campus_zone: Tz,
    display_zone: Tz,
    week_start: NaiveDate,
    week_end: NaiveDate,
) -> (u32, u32) {
    let (from, to) = match (term.start, term.end) {
        (Some(start), Some(end)) if start <= end => (start - Duration::days(1), end + Duration::days(1)),
        _ => (week_start - Duration::days(1), week_end + Duration::days(1)),
    };
    let pieces = pieces_between(items, term, campus_zone, display_zone, from, to);
    let first = pieces.iter().map(|piece| piece.start_minute / 60).min();
    let last = pieces.iter().map(|piece| piece.end_minute.div_ceil(60)).max();
    match (first, last) {
        (Some(first), Some(last)) => (first, last.clamp(first + 1, 24)),
        _ => (EMPTY_FIRST_HOUR, EMPTY_LAST_HOUR),
    }
}

/// The dates of the week on which the difference between the campus and display zones' UTC offsets
/// is not what it was the day before.
fn offset_changes(campus_zone: Tz, display_zone: Tz, week_start: NaiveDate) -> Vec<NaiveDate> {
    let difference = |date: NaiveDate| {
        // Noon UTC is clear of every zone's switch hour (they switch at night, local time).
        let noon = Utc.from_utc_datetime(&date.and_time(chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default()));
        let offset = |zone: Tz| noon.with_timezone(&zone).offset().fix().local_minus_utc();
        offset(display_zone) - offset(campus_zone)
    };
    (0..7)
        .map(|offset| week_start + Duration::days(offset))
        .filter(|date| difference(*date) != difference(*date - Duration::days(1)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretzel_api::{Conflict, CreditSummary, CustomBlock, Meeting, TermId, TimetableId};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn section(id: i64, code: &str, days: &str, start: &str, end: &str) -> TimetableSection {
        TimetableSection {
            section_id: SectionId(id),
            registration_id: format!("{id}"),
            course_code: code.into(),
            title: format!("{code} title"),
            section: Some("AL1".into()),
            kind: "lecture".into(),
            instructors: vec![],
            credits: Some("3".into()),
            meetings: vec![Meeting {
                days: days.into(),
                start: Some(start.into()),
                end: Some(end.into()),
                location: Some("Siebel 1404".into()),
                start_date: None,
                end_date: None,
            }],
            students: 0,
            removed_at: None,
        }
    }

    fn plan(sections: Vec<TimetableSection>) -> Timetable {
        Timetable {
            id: TimetableId(1),
            term_id: TermId(1),
            name: "Plan A".into(),
            primary: true,
            sections,
            custom_blocks: vec![],
            conflicts: vec![],
            credits: CreditSummary { min: 0, max: 0, full_time: 12, visa_warning: false },
            missing_components: vec![],
            updated_at: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single().expect("valid"),
        }
    }

    /// Spring 2025 at a Chicago campus.
    fn spring(timetable: &Timetable) -> TermTimetables {
        TermTimetables {
            term_id: TermId(1),
            campus_time_zone: "America/Chicago".into(),
            start_date: Some(date(2025, 1, 21)),
            end_date: Some(date(2025, 5, 14)),
            full_time_credits: 12,
            timetables: vec![timetable.clone()],
        }
    }

    fn fall(timetable: &Timetable) -> TermTimetables {
        TermTimetables { start_date: Some(date(2025, 8, 25)), end_date: Some(date(2025, 12, 12)), ..spring(timetable) }
    }

    fn view(data: &TermTimetables, zone: Tz, week_of: NaiveDate) -> WeekView {
        week_view(data, &data.timetables[0], zone, DisplayZone::Home, Some(week_of), date(2025, 3, 1))
    }

    /// (date, start, end) of every block, in order.
    fn blocks(view: &WeekView) -> Vec<(NaiveDate, String, String)> {
        view.days.iter().flat_map(|day| day.blocks.iter().map(|b| (day.date, b.start.clone(), b.end.clone()))).collect()
    }

    #[test]
    fn test_a_chicago_class_in_london_follows_both_dst_switches_in_march() {
        let timetable = plan(vec![section(1, "CS 225", "M", "10:00", "10:50")]);
        let data = spring(&timetable);
        let london = chrono_tz::Europe::London;
        // Week of Sunday 9 March: Monday 3 March is still CST (−6) against GMT.
        let before = view(&data, london, date(2025, 3, 9));
        assert_eq!(before.week_start, date(2025, 3, 3));
        assert_eq!(blocks(&before), [(date(2025, 3, 3), "16:00".into(), "16:50".into())]);
        assert_eq!(before.offset_changes, [date(2025, 3, 9)], "the US switches on Sunday 9 March");
        assert_eq!(before.time_zone, "Europe/London");
        // 10–28 March: CDT (−5) against GMT.
        for monday in [date(2025, 3, 10), date(2025, 3, 17), date(2025, 3, 24)] {
            let during = view(&data, london, monday);
            assert_eq!(blocks(&during), [(monday, "15:00".into(), "15:50".into())], "{monday}");
        }
        assert_eq!(view(&data, london, date(2025, 3, 24)).offset_changes, [date(2025, 3, 30)]);
        assert!(view(&data, london, date(2025, 3, 17)).offset_changes.is_empty());
        // From 31 March both are on summer time again: 16:00.
        assert_eq!(
            blocks(&view(&data, london, date(2025, 3, 31))),
            [(date(2025, 3, 31), "16:00".into(), "16:50".into())]
        );
        // The grid's hours cover the whole term in London: 15:00 to 17:00, the same every week.
        assert_eq!((before.first_hour, before.last_hour), (15, 17));
    }

    #[test]
    fn test_a_chicago_class_in_seoul_moves_to_the_next_day_and_shifts_with_us_dst() {
        let timetable = plan(vec![section(1, "CS 225", "M", "10:00", "10:50")]);
        let data = spring(&timetable);
        let seoul = chrono_tz::Asia::Seoul;
        // Monday 10:00 CST is 16:00 UTC, Tuesday 01:00 in Seoul; after 9 March (CDT) Tuesday 00:00.
        assert_eq!(blocks(&view(&data, seoul, date(2025, 3, 3))), [(date(2025, 3, 4), "01:00".into(), "01:50".into())]);
        assert_eq!(
            blocks(&view(&data, seoul, date(2025, 3, 10))),
            [(date(2025, 3, 11), "00:00".into(), "00:50".into())]
        );
        assert_eq!(view(&data, seoul, date(2025, 3, 3)).offset_changes, [date(2025, 3, 9)]);
    }

    #[test]
    fn test_a_meeting_crossing_midnight_in_the_display_zone_is_split() {
        // 09:30–10:30 Chicago (CDT) is 23:30–00:30 in Seoul.
        let timetable = plan(vec![section(1, "MATH 241", "W", "09:30", "10:30")]);
        let data = spring(&timetable);
        let week = view(&data, chrono_tz::Asia::Seoul, date(2025, 4, 7));
        assert_eq!(
            blocks(&week),
            [(date(2025, 4, 9), "23:30".into(), "24:00".into()), (date(2025, 4, 10), "00:00".into(), "00:30".into())]
        );
        let wednesday = &week.days[2].blocks[0];
        assert_eq!((wednesday.start_minute, wednesday.end_minute), (1410, 1440));
        assert_eq!((week.first_hour, week.last_hour), (0, 24));
        // A 21:00 Chicago class is 11:00 (CDT) or 12:00 (CST) the next day in Seoul.
        let evening = spring(&plan(vec![section(2, "CS 101", "M", "21:00", "21:50")]));
        assert_eq!(blocks(&view(&evening, chrono_tz::Asia::Seoul, date(2025, 4, 7)))[0].1, "11:00");
        assert_eq!(blocks(&view(&evening, chrono_tz::Asia::Seoul, date(2025, 2, 3)))[0].1, "12:00");
    }

    #[test]
    fn test_late_october_europe_has_switched_and_the_us_switches_on_sunday() {
        let timetable = plan(vec![section(1, "CS 225", "MU", "10:00", "10:50")]);
        let data = fall(&timetable);
        let london = chrono_tz::Europe::London;
        // Week of 20 October: CDT (−5) against BST (+1): 16:00; Europe ends DST on Sunday 26 October.
        let earlier = view(&data, london, date(2025, 10, 20));
        assert_eq!(blocks(&earlier)[0], (date(2025, 10, 20), "16:00".into(), "16:50".into()));
        assert_eq!(earlier.offset_changes, [date(2025, 10, 26)]);
        // Week of 27 October: CDT against GMT: 15:00 all week; on Sunday 2 November the US is on CST.
        let week = view(&data, london, date(2025, 10, 27));
        assert_eq!(
            blocks(&week),
            [(date(2025, 10, 27), "15:00".into(), "15:50".into()), (date(2025, 11, 2), "16:00".into(), "16:50".into())]
        );
        assert_eq!(week.offset_changes, [date(2025, 11, 2)]);
    }

    #[test]
    fn test_times_in_the_skipped_and_repeated_hours_do_not_panic() {
        // 02:30 does not exist in Chicago on 9 March 2025 and happens twice on 2 November 2025.
        let spring_plan = plan(vec![section(1, "CS 225", "U", "02:30", "03:30")]);
        let week = view(&spring(&spring_plan), chrono_tz::America::Chicago, date(2025, 3, 9));
        // 02:30 is read as the clocks show it after the jump, and the class keeps its hour.
        assert_eq!(blocks(&week), [(date(2025, 3, 9), "03:30".into(), "04:30".into())]);
        let fall_plan = plan(vec![section(1, "CS 225", "U", "01:30", "02:30")]);
        let week = view(&fall(&fall_plan), chrono_tz::Europe::London, date(2025, 11, 2));
        // The first 01:30 (CDT, 06:30 UTC), for its hour: 06:30–07:30 in London (GMT).
        assert_eq!(blocks(&week), [(date(2025, 11, 2), "06:30".into(), "07:30".into())]);
    }

    #[test]
    fn test_meetings_run_only_within_their_dates_and_the_term() {
        let mut first_half = section(1, "CS 225", "M", "10:00", "10:50");
        first_half.meetings[0].end_date = Some(date(2025, 3, 7));
        let timetable = plan(vec![first_half]);
        let data = spring(&timetable);
        let chicago = chrono_tz::America::Chicago;
        assert_eq!(blocks(&view(&data, chicago, date(2025, 3, 3))).len(), 1);
        assert!(blocks(&view(&data, chicago, date(2025, 3, 10))).is_empty());
        // Before the term starts (Tuesday 21 January) nothing meets, but the arrows lead into it.
        let before_term = view(&data, chicago, date(2025, 1, 13));
        assert!(blocks(&before_term).is_empty());
        assert_eq!(before_term.previous_week, None);
        assert_eq!(before_term.next_week, Some(date(2025, 1, 20)));
        let first_week = view(&data, chicago, date(2025, 1, 20));
        assert!(blocks(&first_week).is_empty(), "Monday 20 January is before the term");
        assert_eq!(first_week.previous_week, None);
        let last_week = view(&data, chicago, date(2025, 5, 12));
        assert_eq!(last_week.next_week, None);
        assert_eq!(last_week.previous_week, Some(date(2025, 5, 5)));
    }

    #[test]
    fn test_the_default_week_is_this_week_while_the_term_runs_else_its_first_full_week() {
        let timetable = plan(vec![section(1, "CS 225", "M", "10:00", "10:50")]);
        let data = spring(&timetable);
        let chicago = chrono_tz::America::Chicago;
        let during = week_view(&data, &timetable, chicago, DisplayZone::Campus, None, date(2025, 2, 13));
        assert_eq!(during.week_start, date(2025, 2, 10));
        assert_eq!(during.zone, DisplayZone::Campus);
        let before = week_view(&data, &timetable, chicago, DisplayZone::Campus, None, date(2024, 12, 1));
        assert_eq!(before.week_start, date(2025, 1, 27), "the term starts on a Tuesday");
    }

    #[test]
    fn test_before_the_term_the_default_week_is_the_one_the_plans_classes_start() {
        // A second-half module: its classes begin Wednesday 19 March, weeks after the term does.
        let mut module = section(1, "CS 225", "MW", "10:00", "10:50");
        module.meetings[0].start_date = Some(date(2025, 3, 19));
        let timetable = plan(vec![module]);
        let data = spring(&timetable);
        let chicago = chrono_tz::America::Chicago;
        let before = week_view(&data, &timetable, chicago, DisplayZone::Campus, None, date(2024, 12, 1));
        assert_eq!(before.week_start, date(2025, 3, 17));
        assert_eq!(blocks(&before), vec![(date(2025, 3, 19), "10:00".to_owned(), "10:50".to_owned())]);
        // While the term runs, this week stays the default even before the module begins.
        let during = week_view(&data, &timetable, chicago, DisplayZone::Campus, None, date(2025, 2, 13));
        assert_eq!(during.week_start, date(2025, 2, 10));
    }

    #[test]
    fn test_colors_conflicts_removed_sections_and_unscheduled_items() {
        let mut online = section(3, "CS 498", "", "", "");
        online.meetings[0] =
            Meeting { days: String::new(), start: None, end: None, location: None, start_date: None, end_date: None };
        let mut dropped = section(2, "MATH 241", "M", "10:30", "11:20");
        dropped.removed_at = Some(Utc.with_ymd_and_hms(2025, 2, 1, 0, 0, 0).single().expect("valid"));
        let mut timetable = plan(vec![section(1, "CS 225", "MW", "10:00", "10:50"), dropped, online]);
        timetable.custom_blocks.push(CustomBlock {
            id: CustomBlockId(9),
            label: "Library shift".into(),
            days: "F".into(),
            start: "08:00".into(),
            end: "09:00".into(),
        });
        timetable.conflicts.push(Conflict {
            first: ConflictItem::Section { section_id: SectionId(1), label: "CS 225 AL1".into() },
            second: ConflictItem::Section { section_id: SectionId(2), label: "MATH 241 AL1".into() },
            day: "M".into(),
            start: "10:30".into(),
            end: "10:50".into(),
            message: "CS 225 AL1 overlaps MATH 241 AL1 on Mon 10:30–10:50".into(),
        });
        let data = spring(&timetable);
        let week = view(&data, chrono_tz::America::Chicago, date(2025, 2, 10));
        let monday = &week.days[0].blocks;
        assert_eq!(monday.len(), 2);
        assert!(monday.iter().all(|block| block.conflict));
        assert!(monday[1].removed && !monday[0].removed);
        assert_eq!(monday[0].item.subtitle, "AL1 · Lecture");
        assert_eq!(monday[0].location.as_deref(), Some("Siebel 1404"));
        let wednesday = &week.days[2].blocks;
        assert_eq!(wednesday.len(), 1);
        assert!(!wednesday[0].conflict, "CS 225 meets alone on Wednesday");
        let friday = &week.days[4].blocks;
        assert_eq!((friday[0].item.color, friday[0].item.block_id), (CUSTOM_BLOCK_COLOR, Some(CustomBlockId(9))));
        assert_eq!(week.unscheduled.len(), 1);
        assert_eq!(week.unscheduled[0].section_id, Some(SectionId(3)));
        assert_eq!(monday[0].item.color, course_color("cs225"));
        assert!(monday[0].item.color < COURSE_COLORS);
        assert_eq!((week.first_hour, week.last_hour), (8, 12));
    }

    #[test]
    fn test_an_empty_plan_has_the_default_hours() {
        let timetable = plan(vec![]);
        let week = view(&spring(&timetable), chrono_tz::Asia::Seoul, date(2025, 2, 10));
        assert_eq!((week.first_hour, week.last_hour), (8, 18));
        assert_eq!(week.days.len(), 7);
        assert!(week.unscheduled.is_empty());
    }
}
