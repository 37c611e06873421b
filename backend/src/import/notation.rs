//! How schedule sources write days, clock times, credits, date ranges and free text, read into typed
//! values. Every adapter goes through here, so a notation learnt for one source works for all.
//!
//! Day letters come in two families: Banner's single capitals (`MTWRF`, `R` = Thursday, `S`/`U` for
//! the weekend, some schools `H` for Thursday) and mixed case (`MTuWThF`, `TuTh`, `Sa`, `Su`). Times come
//! as `09:00 AM`, `10:00am`, `3:00 pm - 4:50 pm` or 24-hour `15:30`; `TBA`, `ARRANGED` and blanks mean
//! "no fixed time", which is a value here, not an error.

use chrono::{NaiveDate, NaiveTime, Timelike, Weekday};
use pretzel_schedule::clock::{letter_of_weekday, short_day_name};
use serde::Serialize;
use std::fmt;

/// Why a day, time or time range could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotationError {
    /// A letter or word that names no weekday.
    #[error("unknown day {found:?} in {text:?}")]
    UnknownDay {
        /// The whole notation.
        text: String,
        /// The part that names no day.
        found: String,
    },
    /// All-capital letters with `TH` that read differently as "Thursday" and as "Tuesday, Thursday".
    #[error("{text:?} is ambiguous: `TH` may be Thursday or Tuesday and Thursday (H)")]
    AmbiguousDays {
        /// The whole notation.
        text: String,
    },
    /// Not a clock time in any known notation.
    #[error("cannot read {text:?} as a time of day")]
    Time {
        /// The text.
        text: String,
    },
    /// A time span that is not two times joined by `-`.
    #[error("cannot read {text:?} as a time range")]
    TimeRange {
        /// The text.
        text: String,
    },
    /// A start time without an end time.
    #[error("start time {start:?} has no end time")]
    MissingEnd {
        /// The start time as written.
        start: String,
    },
    /// An end time without a start time.
    #[error("end time {end:?} has no start time")]
    MissingStart {
        /// The end time as written.
        end: String,
    },
    /// The meeting would end before (or when) it starts.
    #[error("the meeting ends at {end} before it starts at {start}")]
    EndNotAfterStart {
        /// The start, `HH:MM`.
        start: String,
        /// The end, `HH:MM`.
        end: String,
    },
}

/// A set of weekdays, Monday first.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DaySet(u8);

impl DaySet {
    /// No days: the meeting has no fixed weekday (arranged, online, to be announced).
    pub const EMPTY: DaySet = DaySet(0);

    /// Adds `day`.
    pub fn insert(&mut self, day: Weekday) {
        self.0 |= 1 << day.num_days_from_monday();
    }

    /// Whether `day` is in the set.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// Whether the set has no days.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The days, Monday first.
    pub fn iter(self) -> impl Iterator<Item = Weekday> {
        WEEK.into_iter().filter(move |day| self.contains(*day))
    }

    /// The days as three-letter English names (`Mon`, `Tue`, …), Monday first.
    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(short_day_name).collect()
    }

    /// The days as Banner's single letters, Monday first (`MWF`, `TR`, `SU`), the compact form
    /// storage keeps; [`parse_days`] reads it back. Empty for no days.
    pub fn letters(self) -> String {
        self.iter().map(letter_of_weekday).collect()
    }
}

const WEEK: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

impl FromIterator<Weekday> for DaySet {
    fn from_iter<I: IntoIterator<Item = Weekday>>(iter: I) -> Self {
        let mut set = DaySet::EMPTY;
        for day in iter {
            set.insert(day);
        }
        set
    }
}

impl fmt::Debug for DaySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

impl Serialize for DaySet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.names())
    }
}

/// Whether a day or time cell says "no fixed schedule" (blank, `TBA`, `ARRANGED`, …).
pub fn is_unscheduled(text: &str) -> bool {
    let text = text.trim();
    text.is_empty()
        || ["TBA", "TBD", "ARR", "ARRANGED", "TO BE ARRANGED", "TO BE ANNOUNCED", "N/A", "NONE"]
            .iter()
            .any(|word| text.eq_ignore_ascii_case(word))
}

/// Reads a day notation into a set of weekdays; "no fixed days" reads as the empty set.
///
/// Words may be separated by spaces, commas or slashes; each word is either a day name (`Mon`,
/// `Thurs`, `Saturday`) or packed letters (`MWF`, `TuTh`, `MTWRFSU`).
pub fn parse_days(text: &str) -> Result<DaySet, NotationError> {
    if is_unscheduled(text) {
        return Ok(DaySet::EMPTY);
    }
    let mut days = DaySet::EMPTY;
    for word in text.split(|c: char| c.is_whitespace() || c == ',' || c == '/').filter(|w| !w.is_empty()) {
        let found = match day_name(word) {
            Some(day) => DaySet::from_iter([day]),
            None => parse_packed_days(word, text)?,
        };
        days.0 |= found.0;
    }
    Ok(days)
}

fn day_name(word: &str) -> Option<Weekday> {
    let lower = word.trim_end_matches('.').to_ascii_lowercase();
    let day = match lower.as_str() {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tues" | "tuesday" => Weekday::Tue,
        "wed" | "weds" | "wednesday" => Weekday::Wed,
        "thu" | "thur" | "thurs" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        "sat" | "saturday" => Weekday::Sat,
        "sun" | "sunday" => Weekday::Sun,
        _ => return None,
    };
    Some(day)
}

fn letter_day(letter: char) -> Option<Weekday> {
    let day = match letter {
        'M' => Weekday::Mon,
        'T' => Weekday::Tue,
        'W' => Weekday::Wed,
        'R' | 'H' => Weekday::Thu,
        'F' => Weekday::Fri,
        'S' => Weekday::Sat,
        'U' => Weekday::Sun,
        _ => return None,
    };
    Some(day)
}

fn pair_day(pair: &str) -> Option<Weekday> {
    let day = match pair {
        "Mo" => Weekday::Mon,
        "Tu" => Weekday::Tue,
        "We" => Weekday::Wed,
        "Th" => Weekday::Thu,
        "Fr" => Weekday::Fri,
        "Sa" => Weekday::Sat,
        "Su" => Weekday::Sun,
        _ => return None,
    };
    Some(day)
}

fn unknown_day(text: &str, found: impl Into<String>) -> NotationError {
    NotationError::UnknownDay { text: text.to_owned(), found: found.into() }
}

fn parse_packed_days(word: &str, text: &str) -> Result<DaySet, NotationError> {
    let has_upper = word.chars().any(|c| c.is_ascii_uppercase());
    let has_lower = word.chars().any(|c| c.is_ascii_lowercase());
    if has_upper && has_lower {
        return parse_mixed_case_days(word, text);
    }
    // A source that writes days in lower case means the same capitals.
    let upper = word.to_ascii_uppercase();
    let letters: DaySet =
        upper.chars().map(|c| letter_day(c).ok_or_else(|| unknown_day(text, c))).collect::<Result<_, _>>()?;
    if upper.contains("TH") {
        // `TH` is Thursday to a school that writes `TuTh` in capitals, but `T`+`H` to one that uses
        // `H` for Thursday. Most words (`TTH`, `MTWTHF`) mean the same days either way; take those, and
        // refuse the rest rather than guess.
        let as_pairs = parse_with_th_pairs(&upper, text)?;
        if as_pairs != letters {
            return Err(NotationError::AmbiguousDays { text: text.to_owned() });
        }
    }
    Ok(letters)
}

fn parse_with_th_pairs(upper: &str, text: &str) -> Result<DaySet, NotationError> {
    let mut days = DaySet::EMPTY;
    let mut rest = upper;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("TH") {
            days.insert(Weekday::Thu);
            rest = after;
        } else {
            days.insert(letter_day(c).ok_or_else(|| unknown_day(text, c))?);
            rest = &rest[c.len_utf8()..];
        }
    }
    Ok(days)
}

fn parse_mixed_case_days(word: &str, text: &str) -> Result<DaySet, NotationError> {
    let chars: Vec<char> = word.chars().collect();
    let mut days = DaySet::EMPTY;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(&next) = chars.get(i + 1)
            && next.is_ascii_lowercase()
        {
            let pair: String = [c, next].iter().collect();
            days.insert(pair_day(&pair).ok_or_else(|| unknown_day(text, pair))?);
            i += 2;
        } else {
            days.insert(letter_day(c).ok_or_else(|| unknown_day(text, c))?);
            i += 1;
        }
    }
    Ok(days)
}

/// A meeting's clock times in the campus's local time; the end is after the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeRange {
    /// When the meeting starts.
    pub start: NaiveTime,
    /// When the meeting ends.
    pub end: NaiveTime,
}

impl TimeRange {
    /// Checks that `end` is after `start`.
    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<Self, NotationError> {
        if end <= start {
            return Err(NotationError::EndNotAfterStart { start: hh_mm(start), end: hh_mm(end) });
        }
        Ok(Self { start, end })
    }
}

/// `HH:MM`, 24-hour.
pub fn hh_mm(time: NaiveTime) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meridiem {
    Am,
    Pm,
}

#[derive(Debug, Clone, Copy)]
struct Clock {
    hour: u32,
    minute: u32,
    meridiem: Option<Meridiem>,
}

fn read_clock(text: &str) -> Result<Clock, NotationError> {
    let bad = || NotationError::Time { text: text.trim().to_owned() };
    let lower = text.trim().to_ascii_lowercase();
    let (digits, meridiem) = split_meridiem(&lower);
    let digits = digits.trim();
    let (hour, minute) = match digits.split_once([':', '.']) {
        Some((h, m)) if !h.is_empty() && h.len() <= 2 && m.len() == 2 => (h, m),
        Some(_) => return Err(bad()),
        // `0930` (military) or a bare hour before a meridiem, `9am`.
        None if digits.len() == 4 || digits.len() == 3 => digits.split_at(digits.len() - 2),
        None if meridiem.is_some() && (1..=2).contains(&digits.len()) => (digits, "00"),
        None => return Err(bad()),
    };
    if !hour.bytes().chain(minute.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let hour: u32 = hour.parse().map_err(|_| bad())?;
    let minute: u32 = minute.parse().map_err(|_| bad())?;
    let valid = minute < 60
        && match meridiem {
            Some(_) => (1..=12).contains(&hour),
            None => hour < 24,
        };
    if !valid {
        return Err(bad());
    }
    Ok(Clock { hour, minute, meridiem })
}

fn split_meridiem(lower: &str) -> (&str, Option<Meridiem>) {
    for (suffix, meridiem) in
        [("a.m.", Meridiem::Am), ("p.m.", Meridiem::Pm), ("am", Meridiem::Am), ("pm", Meridiem::Pm)]
    {
        if let Some(rest) = lower.strip_suffix(suffix) {
            return (rest, Some(meridiem));
        }
    }
    (lower, None)
}

fn clock_time(clock: Clock, meridiem: Option<Meridiem>, text: &str) -> Result<NaiveTime, NotationError> {
    let hour = match meridiem {
        None => clock.hour,
        Some(Meridiem::Am) => clock.hour % 12,
        Some(Meridiem::Pm) => clock.hour % 12 + 12,
    };
    NaiveTime::from_hms_opt(hour, clock.minute, 0).ok_or_else(|| NotationError::Time { text: text.trim().to_owned() })
}

/// Reads one clock time (`09:00 AM`, `10:00am`, `3:00 pm`, `15:30`, `0930`) in 24-hour terms.
pub fn parse_time(text: &str) -> Result<NaiveTime, NotationError> {
    let clock = read_clock(text)?;
    clock_time(clock, clock.meridiem, text)
}

/// Reads a start and an end written in two cells; both "no fixed time" gives `None`.
pub fn parse_time_pair(start: &str, end: &str) -> Result<Option<TimeRange>, NotationError> {
    match (is_unscheduled(start), is_unscheduled(end)) {
        (true, true) => Ok(None),
        (false, true) => Err(NotationError::MissingEnd { start: start.trim().to_owned() }),
        (true, false) => Err(NotationError::MissingStart { end: end.trim().to_owned() }),
        (false, false) => {
            let (first, second) = (read_clock(start)?, read_clock(end)?);
            // `10:00-11:15am` writes the meridiem once; the start shares it unless that would put
            // the start after the end (`11:00-12:15pm` starts in the morning).
            let resolve = |mine: Option<Meridiem>, theirs: Option<Meridiem>| match (mine, theirs) {
                (Some(m), _) => vec![Some(m)],
                (None, Some(m)) => vec![Some(m), Some(flip(m))],
                (None, None) => vec![None],
            };
            let mut last_error = None;
            for start_meridiem in resolve(first.meridiem, second.meridiem) {
                for end_meridiem in resolve(second.meridiem, first.meridiem) {
                    let range = clock_time(first, start_meridiem, start)
                        .and_then(|s| clock_time(second, end_meridiem, end).and_then(|e| TimeRange::new(s, e)));
                    match range {
                        Ok(range) => return Ok(Some(range)),
                        Err(e) => last_error = Some(e),
                    }
                }
            }
            Err(last_error.unwrap_or_else(|| NotationError::TimeRange { text: format!("{start} - {end}") }))
        }
    }
}

fn flip(meridiem: Meridiem) -> Meridiem {
    match meridiem {
        Meridiem::Am => Meridiem::Pm,
        Meridiem::Pm => Meridiem::Am,
    }
}

/// Reads a span written in one cell (`3:00 pm - 4:50 pm`, `10:00-11:15am`); "no fixed time" gives `None`.
pub fn parse_time_span(text: &str) -> Result<Option<TimeRange>, NotationError> {
    if is_unscheduled(text) {
        return Ok(None);
    }
    let separators: &[char] = &['-', '\u{2013}', '\u{2014}'];
    let parts: Vec<&str> =
        if text.contains(separators) { text.split(separators).collect() } else { text.split(" to ").collect() };
    match parts.as_slice() {
        [start, end] if !is_unscheduled(start) && !is_unscheduled(end) => parse_time_pair(start, end),
        _ => Err(NotationError::TimeRange { text: text.trim().to_owned() }),
    }
}

/// An amount of credit in hundredths, so `1.5` and `0.25` stay exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CreditAmount(pub u32);

impl fmt::Display for CreditAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, hundredths) = (self.0 / 100, self.0 % 100);
        match hundredths {
            0 => write!(f, "{whole}"),
            h if h % 10 == 0 => write!(f, "{whole}.{}", h / 10),
            h => write!(f, "{whole}.{h:02}"),
        }
    }
}

/// Credits as the source gives them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Credits {
    /// One value, `3`.
    Exact(CreditAmount),
    /// Any value from `min` to `max` (`1 TO 4 hours.`, `1-4`).
    Range {
        /// The least.
        min: CreditAmount,
        /// The most.
        max: CreditAmount,
    },
    /// One of two values (`3 OR 4 hours.`).
    Either(CreditAmount, CreditAmount),
    /// Text in no known notation, kept as written so nothing is lost.
    Unparsed(String),
}

impl fmt::Display for Credits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credits::Exact(amount) => write!(f, "{amount}"),
            Credits::Range { min, max } => write!(f, "{min}-{max}"),
            Credits::Either(a, b) => write!(f, "{a} or {b}"),
            Credits::Unparsed(text) => f.write_str(text),
        }
    }
}

/// Reads a credit notation (`3`, `3 hours.`, `1 TO 4 hours.`, `3 OR 4`, `1.000 TO 18.000 Credits`,
/// `1-3`); blank gives `None`, anything else unknown is kept as [`Credits::Unparsed`].
pub fn parse_credits(text: &str) -> Option<Credits> {
    let trimmed = collapse_whitespace(text)?;
    let mut core = trimmed.to_ascii_lowercase();
    for unit in [".", "credit hours", "credit hrs", "credits", "credit", "hours", "hour", "hrs", "units", "unit", "cr"]
    {
        if let Some(rest) = core.strip_suffix(unit) {
            core = rest.trim_end().to_owned();
        }
    }
    let amount = |s: &str| parse_credit_amount(s.trim());
    let parsed = if let Some((a, b)) = core.split_once(" to ").or_else(|| core.split_once('-')) {
        amount(a)
            .zip(amount(b))
            .map(|(min, max)| if min == max { Credits::Exact(min) } else { Credits::Range { min, max } })
    } else if let Some((a, b)) = core.split_once(" or ") {
        amount(a).zip(amount(b)).map(|(a, b)| Credits::Either(a, b))
    } else {
        amount(&core).map(Credits::Exact)
    };
    Some(parsed.unwrap_or(Credits::Unparsed(trimmed)))
}

fn parse_credit_amount(text: &str) -> Option<CreditAmount> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u32 = whole.parse().ok()?;
    // Banner writes three decimals (`3.000`); anything past hundredths must be zeros.
    let (kept, dropped) = fraction.split_at(fraction.len().min(2));
    if dropped.bytes().any(|b| b != b'0') {
        return None;
    }
    let hundredths = match kept.len() {
        0 => 0,
        1 => kept.parse::<u32>().ok()? * 10,
        _ => kept.parse::<u32>().ok()?,
    };
    whole.checked_mul(100)?.checked_add(hundredths).map(CreditAmount)
}

/// The first and last day a meeting pattern runs, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateRange {
    /// The first day.
    pub first: NaiveDate,
    /// The last day.
    pub last: NaiveDate,
}

/// Reads `Jun 14, 2021 - Aug 03, 2021`, `06/14/2021 - 08/03/2021` or `2021-06-14 to 2021-08-03`.
/// Dates only add detail to a meeting, so an unknown form gives `None` rather than an error.
pub fn parse_date_range(text: &str) -> Option<DateRange> {
    let text = collapse_whitespace(text)?;
    let (first, last) =
        text.split_once(" - ").or_else(|| text.split_once(" to ")).or_else(|| text.split_once('\u{2013}'))?;
    let date = |s: &str| {
        let s = s.trim();
        ["%b %d, %Y", "%B %d, %Y", "%m/%d/%Y", "%Y-%m-%d", "%d-%b-%Y"]
            .iter()
            .find_map(|format| NaiveDate::parse_from_str(s, format).ok())
    };
    let (first, last) = (date(first)?, date(last)?);
    (first <= last).then_some(DateRange { first, last })
}

/// Trims and joins runs of whitespace (non-breaking spaces included) into one space; blank gives `None`.
pub fn collapse_whitespace(text: &str) -> Option<String> {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// Decodes HTML character references (`&amp;`, `&#39;`) that some exports leave in plain text,
/// then collapses whitespace.
pub fn decode_text(text: &str) -> Option<String> {
    collapse_whitespace(&html_escape::decode_html_entities(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Weekday::*;

    fn days(text: &str) -> Vec<&'static str> {
        parse_days(text).unwrap_or_else(|e| panic!("{text:?}: {e}")).names()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
    }

    fn span(text: &str) -> Option<(String, String)> {
        parse_time_span(text).unwrap_or_else(|e| panic!("{text:?}: {e}")).map(|r| (hh_mm(r.start), hh_mm(r.end)))
    }

    #[test]
    fn test_banner_single_letters_read_r_as_thursday() {
        assert_eq!(days("MTWRF"), ["Mon", "Tue", "Wed", "Thu", "Fri"]);
        assert_eq!(days("MWF"), ["Mon", "Wed", "Fri"]);
        assert_eq!(days("TR"), ["Tue", "Thu"]);
        assert_eq!(days("R"), ["Thu"]);
        assert_eq!(days("T"), ["Tue"]);
        assert_eq!(days("MTWRFSU"), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]);
        assert_eq!(days("S"), ["Sat"]);
        assert_eq!(days("U"), ["Sun"]);
        assert_eq!(days("SU"), ["Sat", "Sun"]);
    }

    #[test]
    fn test_mixed_case_days_from_umdio() {
        assert_eq!(days("MTuWThF"), ["Mon", "Tue", "Wed", "Thu", "Fri"]);
        assert_eq!(days("TuTh"), ["Tue", "Thu"]);
        assert_eq!(days("Th"), ["Thu"]);
        assert_eq!(days("Tu"), ["Tue"]);
        assert_eq!(days("Su"), ["Sun"]);
        assert_eq!(days("Sa"), ["Sat"]);
        assert_eq!(days("ThFSa"), ["Thu", "Fri", "Sat"]);
        assert_eq!(days("FSaSu"), ["Fri", "Sat", "Sun"]);
        assert_eq!(days("MWTh"), ["Mon", "Wed", "Thu"]);
        assert_eq!(days("TTh"), ["Tue", "Thu"]);
        assert_eq!(days("MoWeFr"), ["Mon", "Wed", "Fri"]);
    }

    #[test]
    fn test_h_means_thursday_when_unambiguous() {
        assert_eq!(days("H"), ["Thu"]);
        assert_eq!(days("MWH"), ["Mon", "Wed", "Thu"]);
        assert_eq!(days("TTH"), ["Tue", "Thu"]);
        assert_eq!(days("MTWTHF"), ["Mon", "Tue", "Wed", "Thu", "Fri"]);
        assert_eq!(days("WH"), ["Wed", "Thu"]);
    }

    #[test]
    fn test_th_in_capitals_is_refused_when_it_could_mean_two_things() {
        for text in ["TH", "MTH", "THF"] {
            assert_eq!(parse_days(text), Err(NotationError::AmbiguousDays { text: text.into() }), "{text}");
        }
    }

    #[test]
    fn test_day_names_separators_and_case() {
        assert_eq!(days("Mon, Wed"), ["Mon", "Wed"]);
        assert_eq!(days("Tues/Thurs"), ["Tue", "Thu"]);
        assert_eq!(days("Saturday Sunday"), ["Sat", "Sun"]);
        assert_eq!(days("THU"), ["Thu"]);
        assert_eq!(days("M W F"), ["Mon", "Wed", "Fri"]);
        assert_eq!(days("mwf"), ["Mon", "Wed", "Fri"]);
        assert_eq!(days(" TR "), ["Tue", "Thu"]);
        assert_eq!(days("MWFM"), ["Mon", "Wed", "Fri"]);
    }

    #[test]
    fn test_no_fixed_days_reads_as_empty() {
        for text in ["", "   ", "\u{a0}", "TBA", "ARRANGED", "arr", "TBD"] {
            assert_eq!(parse_days(text), Ok(DaySet::EMPTY), "{text:?}");
        }
    }

    #[test]
    fn test_unknown_day_letters_are_errors_naming_the_letter() {
        assert_eq!(parse_days("MXW"), Err(NotationError::UnknownDay { text: "MXW".into(), found: "X".into() }));
        assert_eq!(parse_days("MoZz"), Err(NotationError::UnknownDay { text: "MoZz".into(), found: "Zz".into() }));
        assert!(parse_days("M-F").is_err());
        assert!(parse_days("12").is_err());
    }

    #[test]
    fn test_day_set_serialises_as_short_names_monday_first() {
        let set: DaySet = [Sun, Mon, Thu].into_iter().collect();
        assert_eq!(serde_json::to_string(&set).expect("serialises"), r#"["Mon","Thu","Sun"]"#);
        assert!(set.contains(Sun) && !set.contains(Tue));
        assert_eq!(format!("{set:?}"), r#"["Mon", "Thu", "Sun"]"#);
    }

    #[test]
    fn test_day_letters_are_compact_and_read_back() {
        for text in ["", "MWF", "TR", "MTWRFSU", "SU", "W"] {
            let days = parse_days(text).expect("letters");
            assert_eq!(days.letters(), text);
        }
        assert_eq!(parse_days("TuTh").expect("mixed case").letters(), "TR");
    }

    #[test]
    fn test_single_times_in_every_notation() {
        assert_eq!(parse_time("09:00 AM"), Ok(t(9, 0)));
        assert_eq!(parse_time("10:00am"), Ok(t(10, 0)));
        assert_eq!(parse_time("3:00 pm"), Ok(t(15, 0)));
        assert_eq!(parse_time("12:00 PM"), Ok(t(12, 0)));
        assert_eq!(parse_time("12:30 AM"), Ok(t(0, 30)));
        assert_eq!(parse_time("01:50 PM"), Ok(t(13, 50)));
        assert_eq!(parse_time("15:30"), Ok(t(15, 30)));
        assert_eq!(parse_time("0930"), Ok(t(9, 30)));
        assert_eq!(parse_time("930am"), Ok(t(9, 30)));
        assert_eq!(parse_time("9am"), Ok(t(9, 0)));
        assert_eq!(parse_time("9:30 p.m."), Ok(t(21, 30)));
        assert_eq!(parse_time(" 7:05PM "), Ok(t(19, 5)));
    }

    #[test]
    fn test_impossible_times_are_errors() {
        for text in ["25:00", "13:00 pm", "0:30 am", "9:60", "9", "nine", "9:5", "", "12:00 xm", "1:2:3"] {
            assert!(parse_time(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn test_time_spans_in_one_cell() {
        assert_eq!(span("3:00 pm - 4:50 pm"), Some(("15:00".into(), "16:50".into())));
        assert_eq!(span("8:00 am - 9:30 am"), Some(("08:00".into(), "09:30".into())));
        assert_eq!(span("9:50 am - 12:00 pm"), Some(("09:50".into(), "12:00".into())));
        assert_eq!(span("10:00-11:15am"), Some(("10:00".into(), "11:15".into())));
        assert_eq!(span("11:00-12:15pm"), Some(("11:00".into(), "12:15".into())));
        assert_eq!(span("1:00-2:15pm"), Some(("13:00".into(), "14:15".into())));
        assert_eq!(span("0930-1045"), Some(("09:30".into(), "10:45".into())));
        assert_eq!(span("14:00 \u{2013} 15:15"), Some(("14:00".into(), "15:15".into())));
        assert_eq!(span("9:00 am to 10:00 am"), Some(("09:00".into(), "10:00".into())));
        assert_eq!(span("TBA"), None);
        assert_eq!(span("ARRANGED"), None);
        assert_eq!(span(""), None);
    }

    #[test]
    fn test_bad_spans_are_errors() {
        assert!(matches!(parse_time_span("3:00 pm"), Err(NotationError::TimeRange { .. })));
        assert!(matches!(parse_time_span("3:00 pm - "), Err(NotationError::TimeRange { .. })));
        assert!(matches!(parse_time_span("1-2-3"), Err(NotationError::TimeRange { .. })));
        assert!(matches!(parse_time_span("4:00 pm - 3:00 pm"), Err(NotationError::EndNotAfterStart { .. })));
        assert!(matches!(parse_time_span("4:00 pm - 4:00 pm"), Err(NotationError::EndNotAfterStart { .. })));
    }

    #[test]
    fn test_time_pairs_in_two_cells() {
        let pair = |s: &str, e: &str| parse_time_pair(s, e).map(|r| r.map(|r| (hh_mm(r.start), hh_mm(r.end))));
        assert_eq!(pair("09:00 AM", "10:50 AM"), Ok(Some(("09:00".into(), "10:50".into()))));
        assert_eq!(pair("12:30 PM", "01:50 PM"), Ok(Some(("12:30".into(), "13:50".into()))));
        assert_eq!(pair("10:00am", "12:15pm"), Ok(Some(("10:00".into(), "12:15".into()))));
        assert_eq!(pair("ARRANGED", ""), Ok(None));
        assert_eq!(pair("", ""), Ok(None));
        assert_eq!(pair("09:00 AM", ""), Err(NotationError::MissingEnd { start: "09:00 AM".into() }));
        assert_eq!(pair("", "10:00am"), Err(NotationError::MissingStart { end: "10:00am".into() }));
        assert!(pair("09:00 AM", "soon").is_err());
    }

    #[test]
    fn test_credits_in_every_notation() {
        let c = |text: &str| parse_credits(text).map(|c| c.to_string());
        assert_eq!(c("3 hours."), Some("3".into()));
        assert_eq!(c("1 TO 4 hours."), Some("1-4".into()));
        assert_eq!(c("3 OR 4 hours."), Some("3 or 4".into()));
        assert_eq!(c("3 or 4 hours."), Some("3 or 4".into()));
        assert_eq!(c("0 hours."), Some("0".into()));
        assert_eq!(c("4 hours"), Some("4".into()));
        assert_eq!(c("1.5 hours."), Some("1.5".into()));
        assert_eq!(c("0.5 TO 2 hours."), Some("0.5-2".into()));
        assert_eq!(c("       3.000 Credits"), Some("3".into()));
        assert_eq!(c("1.000 TO       18.000 Credits"), Some("1-18".into()));
        assert_eq!(c("3"), Some("3".into()));
        assert_eq!(c("1-3"), Some("1-3".into()));
        assert_eq!(c("0.25"), Some("0.25".into()));
        assert_eq!(c("4 TO 4 hours."), Some("4".into()));
        assert_eq!(c(""), None);
        assert_eq!(parse_credits("Variable"), Some(Credits::Unparsed("Variable".into())));
        assert_eq!(parse_credits("1.333"), Some(Credits::Unparsed("1.333".into())));
        assert_eq!(
            parse_credits("1 TO 4 hours."),
            Some(Credits::Range { min: CreditAmount(100), max: CreditAmount(400) })
        );
    }

    #[test]
    fn test_date_ranges() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("valid date");
        let range = |first, last| Some(DateRange { first, last });
        assert_eq!(parse_date_range("Jun 14, 2021 - Aug 03, 2021"), range(d(2021, 6, 14), d(2021, 8, 3)));
        assert_eq!(parse_date_range("06/14/2021 - 08/03/2021"), range(d(2021, 6, 14), d(2021, 8, 3)));
        assert_eq!(parse_date_range("2021-06-14 to 2021-08-03"), range(d(2021, 6, 14), d(2021, 8, 3)));
        assert_eq!(parse_date_range("Aug 03, 2021 - Jun 14, 2021"), None);
        assert_eq!(parse_date_range("TBA"), None);
        assert_eq!(parse_date_range(""), None);
    }

    #[test]
    fn test_text_is_decoded_and_whitespace_collapsed() {
        assert_eq!(decode_text("US Racial &amp; Ethnic Politics"), Some("US Racial & Ethnic Politics".into()));
        assert_eq!(decode_text("Literatures, Cultures, & Ling"), Some("Literatures, Cultures, & Ling".into()));
        assert_eq!(decode_text("Women&#39;s &quot;Health&quot;"), Some("Women's \"Health\"".into()));
        assert_eq!(collapse_whitespace("Howard E  Sypher\u{a0}"), Some("Howard E Sypher".into()));
        assert_eq!(collapse_whitespace(" \n "), None);
    }
}
