//! The iCalendar (RFC 5545) writer behind a timetable's `.ics` export and private feed: one VEVENT
//! per weekly meeting pattern, repeating until the pattern's last day, in the campus time zone, with
//! that zone's VTIMEZONE built from the tz database so calendar apps in any zone place classes right
//! across daylight-saving switches.
//!
//! Written by hand rather than with a crate because the format is small and the parts that matter
//! here (a VTIMEZONE derived from chrono-tz, UNTIL in UTC, octet-based folding) are the parts generic
//! writers leave to the caller.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc, Weekday};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use pretzel_api::{CustomBlock, TimetableId, TimetableSection};
use pretzel_schedule::clock::{parse_days, parse_hhmm};

/// What one calendar shows.
#[derive(Debug)]
pub struct CalendarPlan<'a> {
    /// The plan (for stable event UIDs).
    pub timetable_id: TimetableId,
    /// The calendar's display name.
    pub name: &'a str,
    /// The campus zone: every time is local to it.
    pub zone: Tz,
    /// The term's first day, standing in for meetings without their own dates, and the dates of blocks.
    pub term_start: Option<NaiveDate>,
    /// The term's last day.
    pub term_end: Option<NaiveDate>,
    /// The plan's sections.
    pub sections: &'a [TimetableSection],
    /// The plan's custom blocks.
    pub blocks: &'a [CustomBlock],
    /// When the calendar is written (DTSTAMP).
    pub now: DateTime<Utc>,
}

/// One weekly event before it is written.
struct Weekly {
    uid: String,
    summary: String,
    location: Option<String>,
    description: Option<String>,
    days: Vec<Weekday>,
    start: u32,
    end: u32,
    first: NaiveDate,
    last: NaiveDate,
    cancelled: bool,
}

/// The whole `.ics` text, CRLF line ends, lines folded at 75 octets.
pub fn write_calendar(plan: &CalendarPlan<'_>) -> String {
    let events = weekly_events(plan);
    let mut out = Lines::default();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line("PRODID:-//Pretzel//Timetable//EN");
    out.line("CALSCALE:GREGORIAN");
    out.line("METHOD:PUBLISH");
    out.line(&format!("X-WR-CALNAME:{}", escape_text(plan.name)));
    out.line(&format!("X-WR-TIMEZONE:{}", plan.zone.name()));
    let years = events
        .iter()
        .flat_map(|e| [e.first.year(), e.last.year()])
        .chain(plan.term_start.map(|d| d.year()))
        .chain(plan.term_end.map(|d| d.year()));
    let (first_year, last_year) = years.fold((None, None), |(lo, hi): (Option<i32>, Option<i32>), y| {
        (Some(lo.map_or(y, |lo| lo.min(y))), Some(hi.map_or(y, |hi| hi.max(y))))
    });
    let this_year = plan.now.year();
    write_timezone(&mut out, plan.zone, first_year.unwrap_or(this_year), last_year.unwrap_or(this_year));
    let stamp = utc_stamp(plan.now);
    for event in &events {
        write_event(&mut out, plan.zone, event, &stamp);
    }
    out.line("END:VCALENDAR");
    out.text
}

/// The plan's weekly events. Patterns without days or times (arranged, online) have no place on a
/// calendar; patterns without dates use the term's, and are left out when the term has none either,
/// since an event must start on a real day.
fn weekly_events(plan: &CalendarPlan<'_>) -> Vec<Weekly> {
    let mut events = Vec::new();
    for section in plan.sections {
        let code = match &section.section {
            Some(code) => format!("{} {code}", section.course_code),
            None => section.course_code.clone(),
        };
        let summary = format!("{code} {}", kind_label(&section.kind));
        let mut description = vec![section.title.clone()];
        if !section.instructors.is_empty() {
            description.push(format!("Instructors: {}", section.instructors.join(", ")));
        }
        description.push(format!("CRN: {}", section.registration_id));
        if section.removed_at.is_some() {
            description.push("This section was dropped from the catalog.".into());
        }
        for (index, meeting) in section.meetings.iter().enumerate() {
            let (Some(start), Some(end)) = (meeting.start.as_deref(), meeting.end.as_deref()) else {
                continue;
            };
            let Some((days, start, end)) = pattern(&meeting.days, start, end) else {
                continue;
            };
            let (Some(first), Some(last)) =
                (meeting.start_date.or(plan.term_start), meeting.end_date.or(plan.term_end))
            else {
                continue;
            };
            events.push(Weekly {
                uid: format!("tt{}-s{}-m{index}@pretzel", plan.timetable_id, section.section_id),
                summary: summary.clone(),
                location: meeting.location.clone(),
                description: Some(description.join("\n")),
                days,
                start,
                end,
                first,
                last,
                // A dropped section stays in the plan until the student removes it; calendar apps show
                // a cancelled event as such instead of silently losing it.
                cancelled: section.removed_at.is_some(),
            });
        }
    }
    if let (Some(first), Some(last)) = (plan.term_start, plan.term_end) {
        for block in plan.blocks {
            let Some((days, start, end)) = pattern(&block.days, &block.start, &block.end) else {
                continue;
            };
            events.push(Weekly {
                uid: format!("tt{}-b{}@pretzel", plan.timetable_id, block.id),
                summary: block.label.clone(),
                location: None,
                description: None,
                days,
                start,
                end,
                first,
                last,
                cancelled: false,
            });
        }
    }
    events
}

fn pattern(days: &str, start: &str, end: &str) -> Option<(Vec<Weekday>, u32, u32)> {
    let days = parse_days(days).ok().filter(|d| !d.is_empty())?;
    let (start, end) = (parse_hhmm(start).ok()?, parse_hhmm(end).ok()?);
    (end > start && start < 1440).then_some((days, start, end))
}

/// "lecture" → "Lecture", "independent_study" → "Independent study".
fn kind_label(kind: &str) -> String {
    let spaced = kind.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn ical_day(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

fn local_stamp(at: NaiveDateTime) -> String {
    at.format("%Y%m%dT%H%M%S").to_string()
}

fn utc_stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// `minutes` after midnight of `date` (1440 is the next midnight).
fn at_minute(date: NaiveDate, minutes: u32) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minutes))
}

/// A campus-local time as UTC; a time skipped by a DST switch is read with the offset before it.
fn local_to_utc(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local).earliest() {
        Some(at) => at.with_timezone(&Utc),
        None => {
            let before = zone.offset_from_utc_datetime(&(local - Duration::hours(3))).fix();
            Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(before.local_minus_utc()))))
        }
    }
}

fn write_event(out: &mut Lines, zone: Tz, event: &Weekly, stamp: &str) {
    // The first day on or after the pattern's start that is one of its days.
    let Some(first_day) = (0..7u64)
        .filter_map(|ahead| event.first.checked_add_days(chrono::Days::new(ahead)))
        .find(|d| event.days.contains(&d.weekday()))
    else {
        return;
    };
    if first_day > event.last {
        return;
    }
    let tzid = zone.name();
    let until = local_to_utc(zone, event.last.and_hms_opt(23, 59, 59).unwrap_or_else(|| at_minute(event.last, 0)));
    let by_day: Vec<&str> = event.days.iter().map(|d| ical_day(*d)).collect();
    out.line("BEGIN:VEVENT");
    out.line(&format!("UID:{}", event.uid));
    out.line(&format!("DTSTAMP:{stamp}"));
    out.line(&format!("DTSTART;TZID={tzid}:{}", local_stamp(at_minute(first_day, event.start))));
    out.line(&format!("DTEND;TZID={tzid}:{}", local_stamp(at_minute(first_day, event.end))));
    out.line(&format!("RRULE:FREQ=WEEKLY;BYDAY={};UNTIL={}", by_day.join(","), utc_stamp(until)));
    out.line(&format!("SUMMARY:{}", escape_text(&event.summary)));
    if let Some(location) = &event.location {
        out.line(&format!("LOCATION:{}", escape_text(location)));
    }
    if let Some(description) = &event.description {
        out.line(&format!("DESCRIPTION:{}", escape_text(description)));
    }
    if event.cancelled {
        out.line("STATUS:CANCELLED");
    }
    out.line("END:VEVENT");
}

/// A change of the zone's UTC offset at `at` (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Transition {
    at: NaiveDateTime,
    from: i32,
    to: i32,
    dst: bool,
    name: Option<String>,
}

fn offset_at(zone: Tz, utc: NaiveDateTime) -> (i32, bool, Option<String>) {
    let offset = zone.offset_from_utc_datetime(&utc);
    (offset.fix().local_minus_utc(), !offset.dst_offset().is_zero(), offset.abbreviation().map(str::to_owned))
}

/// The zone's offset changes from the start of `first_year` to the end of `last_year`, found by
/// stepping a day at a time and then narrowing each change down to the second. The tz database has
/// no switch closer than a day to another, so a daily step misses none.
fn transitions(zone: Tz, first_year: i32, last_year: i32) -> Vec<Transition> {
    let (Some(start), Some(end)) =
        (NaiveDate::from_ymd_opt(first_year, 1, 1), NaiveDate::from_ymd_opt(last_year.saturating_add(1), 1, 1))
    else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut before = start.and_time(NaiveTime::MIN);
    let mut before_offset = offset_at(zone, before);
    while before.date() < end {
        let after = before + Duration::days(1);
        let after_offset = offset_at(zone, after);
        if after_offset.0 != before_offset.0 || after_offset.1 != before_offset.1 {
            // The change lies in (low, high] (whole seconds after `before`): narrow to the first
            // second with the new offset.
            let (mut low, mut high) = (0i64, 86_400i64);
            while high - low > 1 {
                let middle = low + (high - low) / 2;
                let (offset, dst, _) = offset_at(zone, before + Duration::seconds(middle));
                if offset == before_offset.0 && dst == before_offset.1 {
                    low = middle;
                } else {
                    high = middle;
                }
            }
            found.push(Transition {
                at: before + Duration::seconds(high),
                from: before_offset.0,
                to: after_offset.0,
                dst: after_offset.1,
                name: after_offset.2.clone(),
            });
        }
        before = after;
        before_offset = after_offset;
    }
    found
}

/// "+0900", "-0530".
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

/// The VTIMEZONE of `zone` over the given years: the offset in force on 1 January of the first year,
/// then one STANDARD or DAYLIGHT observance per switch, each starting at the local time the switch
/// happens (read in the offset before it, as RFC 5545 asks). A zone without switches gets one
/// STANDARD.
fn write_timezone(out: &mut Lines, zone: Tz, first_year: i32, last_year: i32) {
    out.line("BEGIN:VTIMEZONE");
    out.line(&format!("TZID:{}", zone.name()));
    let start = NaiveDate::from_ymd_opt(first_year, 1, 1).map(|d| d.and_time(NaiveTime::MIN));
    if let Some(start) = start {
        let (offset, dst, name) = offset_at(zone, start);
        observance(out, dst, &local_stamp(start), offset, offset, name.as_deref());
    }
    for change in transitions(zone, first_year, last_year) {
        let local = change.at + Duration::seconds(i64::from(change.from));
        observance(out, change.dst, &local_stamp(local), change.from, change.to, change.name.as_deref());
    }
    out.line("END:VTIMEZONE");
}

fn observance(out: &mut Lines, dst: bool, local_start: &str, from: i32, to: i32, name: Option<&str>) {
    let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
    out.line(&format!("BEGIN:{kind}"));
    out.line(&format!("DTSTART:{local_start}"));
    out.line(&format!("TZOFFSETFROM:{}", utc_offset(from)));
    out.line(&format!("TZOFFSETTO:{}", utc_offset(to)));
    // Zones without a letter abbreviation write their offset ("+09"): an offset is not a name.
    if let Some(name) = name.filter(|n| n.chars().any(|c| c.is_ascii_alphabetic())) {
        out.line(&format!("TZNAME:{}", escape_text(name)));
    }
    out.line(&format!("END:{kind}"));
}

/// TEXT escaping of RFC 5545 §3.3.11: backslash, semicolon, comma and newlines.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            // Other control characters are not allowed in TEXT.
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Content lines, folded (RFC 5545 §3.1): no line longer than 75 octets before its CRLF, each
/// continuation starting with one space, never splitting a UTF-8 character.
#[derive(Default)]
struct Lines {
    text: String,
}

impl Lines {
    fn line(&mut self, line: &str) {
        let mut budget = 75;
        let mut used = 0;
        for c in line.chars() {
            let width = c.len_utf8();
            if used + width > budget {
                self.text.push_str("\r\n ");
                // The leading space counts towards the next line's 75 octets.
                budget = 74;
                used = 0;
            }
            self.text.push(c);
            used += width;
        }
        self.text.push_str("\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_text_is_escaped_per_rfc_5545() {
        assert_eq!(escape_text("a\\b;c,d\ne\r\nf"), "a\\\\b\\;c\\,d\\ne\\nf");
    }

    #[test]
    fn test_long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut lines = Lines::default();
        let long = format!("SUMMARY:{}", "가".repeat(40));
        lines.line(&long);
        for part in lines.text.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(part.len() <= 75, "{} octets: {part}", part.len());
        }
        let unfolded = lines.text.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{long}\r\n"));
        let mut short = Lines::default();
        short.line("VERSION:2.0");
        assert_eq!(short.text, "VERSION:2.0\r\n");
    }

    #[test]
    fn test_indianapolis_switches_twice_a_year_and_phoenix_never() {
        let indy: Tz = "America/Indiana/Indianapolis".parse().expect("zone");
        let found = transitions(indy, 2021, 2021);
        assert_eq!(found.len(), 2);
        // 2021-03-14 02:00 EST = 07:00 UTC; 2021-11-07 02:00 EDT = 06:00 UTC.
        assert_eq!(found[0].at, NaiveDate::from_ymd_opt(2021, 3, 14).and_then(|d| d.and_hms_opt(7, 0, 0)).expect("d"));
        assert_eq!((found[0].from, found[0].to, found[0].dst), (-5 * 3600, -4 * 3600, true));
        assert_eq!(found[1].at, NaiveDate::from_ymd_opt(2021, 11, 7).and_then(|d| d.and_hms_opt(6, 0, 0)).expect("d"));
        assert_eq!((found[1].from, found[1].to, found[1].dst), (-4 * 3600, -5 * 3600, false));
        let phoenix: Tz = "America/Phoenix".parse().expect("zone");
        assert_eq!(transitions(phoenix, 2020, 2022), vec![]);
        assert_eq!(utc_offset(-7 * 3600), "-0700");
        assert_eq!(utc_offset(5 * 3600 + 1800), "+0530");
    }

    fn plan_with<'a>(
        zone: &str,
        sections: &'a [TimetableSection],
        dates: Option<(NaiveDate, NaiveDate)>,
    ) -> CalendarPlan<'a> {
        CalendarPlan {
            timetable_id: TimetableId(7),
            name: "Plan A",
            zone: zone.parse().expect("zone"),
            term_start: dates.map(|d| d.0),
            term_end: dates.map(|d| d.1),
            sections,
            blocks: &[],
            now: Utc.with_ymd_and_hms(2021, 6, 1, 12, 0, 0).single().expect("now"),
        }
    }

    fn section(meetings: Vec<pretzel_api::Meeting>) -> TimetableSection {
        TimetableSection {
            section_id: pretzel_api::SectionId(3),
            registration_id: "12345".into(),
            course_code: "CS 225".into(),
            title: "Data Structures".into(),
            section: Some("AL1".into()),
            kind: "lecture".into(),
            instructors: vec!["A. Person".into()],
            credits: Some("4".into()),
            meetings,
            students: 0,
            removed_at: None,
        }
    }

    fn meeting(days: &str, dates: Option<(NaiveDate, NaiveDate)>) -> pretzel_api::Meeting {
        pretzel_api::Meeting {
            days: days.into(),
            start: Some("10:00".into()),
            end: Some("10:50".into()),
            location: None,
            start_date: dates.map(|d| d.0),
            end_date: dates.map(|d| d.1),
        }
    }

    #[test]
    fn test_a_zone_without_dst_gets_one_standard_observance() {
        let sections = [section(vec![meeting("MWF", None)])];
        let dates = NaiveDate::from_ymd_opt(2021, 1, 11).zip(NaiveDate::from_ymd_opt(2021, 5, 7));
        let text = write_calendar(&plan_with("America/Phoenix", &sections, dates));
        assert_eq!(text.matches("BEGIN:STANDARD").count(), 1, "{text}");
        assert!(!text.contains("BEGIN:DAYLIGHT"));
        assert!(text.contains("TZOFFSETFROM:-0700\r\nTZOFFSETTO:-0700\r\nTZNAME:MST\r\n"), "{text}");
        // Monday 11 January is a Monday: the first meeting is that day.
        assert!(text.contains("DTSTART;TZID=America/Phoenix:20210111T100000\r\n"), "{text}");
        assert!(text.contains("RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20210508T065959Z\r\n"), "{text}");
    }

    #[test]
    fn test_patterns_without_dates_are_left_out_when_the_term_has_none() {
        let first = NaiveDate::from_ymd_opt(2021, 6, 16).zip(NaiveDate::from_ymd_opt(2021, 6, 30));
        let sections = [section(vec![meeting("TR", None), meeting("TR", first)])];
        let text = write_calendar(&plan_with("America/Chicago", &sections, None));
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 1, "{text}");
        // Wednesday 16 June: the first Tuesday or Thursday on or after it is Thursday 17 June.
        assert!(text.contains("DTSTART;TZID=America/Chicago:20210617T100000\r\n"), "{text}");
        assert!(text.contains("UID:tt7-s3-m1@pretzel\r\n"));
        assert!(text.contains("DESCRIPTION:Data Structures\\nInstructors: A. Person\\nCRN: 12345\r\n"), "{text}");
    }

    #[test]
    fn test_until_is_the_last_day_end_in_utc() {
        let chicago: Tz = "America/Chicago".parse().expect("zone");
        let last = NaiveDate::from_ymd_opt(2021, 8, 3).and_then(|d| d.and_hms_opt(23, 59, 59)).expect("date");
        assert_eq!(utc_stamp(local_to_utc(chicago, last)), "20210804T045959Z");
        assert_eq!(kind_label("independent_study"), "Independent study");
    }
}
