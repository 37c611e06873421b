//! Campus clock notation as the wire contract writes it: Banner day letters (`MTWRFSU`, Monday first)
//! and `HH:MM` times, read into weekdays and minutes since midnight.

use chrono::Weekday;

/// The day letters, Monday first: `R` is Thursday, `S` Saturday, `U` Sunday.
pub const DAY_LETTERS: &str = "MTWRFSU";

/// Why a day string or a clock time was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// A character that is not one of [`DAY_LETTERS`], or a day given twice.
    #[error("{text:?} is not a set of day letters from MTWRFSU")]
    Days {
        /// The text.
        text: String,
    },
    /// Not `HH:MM` with `HH` 00–24 and `MM` 00–59 (24:00 only as an end).
    #[error("{text:?} is not a time written HH:MM")]
    Time {
        /// The text.
        text: String,
    },
}

/// The weekday a letter of [`DAY_LETTERS`] names.
pub fn weekday_of_letter(letter: char) -> Option<Weekday> {
    DAY_LETTERS
        .chars()
        .position(|l| l == letter)
        .and_then(|i| u8::try_from(i).ok())
        .and_then(|i| Weekday::try_from(i).ok())
}

/// The letter of [`DAY_LETTERS`] for `day`.
pub fn letter_of_weekday(day: Weekday) -> char {
    // num_days_from_monday is 0..=6, and DAY_LETTERS has seven letters.
    DAY_LETTERS.chars().nth(day.num_days_from_monday() as usize).unwrap_or('M')
}

/// English three-letter name, as conflict messages write days: "Tue".
pub fn short_day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Mon",
        Weekday::Tue => "Tue",
        Weekday::Wed => "Wed",
        Weekday::Thu => "Thu",
        Weekday::Fri => "Fri",
        Weekday::Sat => "Sat",
        Weekday::Sun => "Sun",
    }
}

/// Reads day letters (`"MWF"`, `"TR"`) into weekdays, Monday first. Lower case is accepted; an empty
/// string is an empty list (no fixed days).
pub fn parse_days(text: &str) -> Result<Vec<Weekday>, ClockError> {
    let mut days = Vec::new();
    for letter in text.chars() {
        let day =
            weekday_of_letter(letter.to_ascii_uppercase()).ok_or_else(|| ClockError::Days { text: text.to_owned() })?;
        if days.contains(&day) {
            return Err(ClockError::Days { text: text.to_owned() });
        }
        days.push(day);
    }
    days.sort_by_key(|day| day.num_days_from_monday());
    Ok(days)
}

/// Writes weekdays as letters, Monday first.
pub fn days_to_letters(days: &[Weekday]) -> String {
    let mut sorted = days.to_vec();
    sorted.sort_by_key(|day| day.num_days_from_monday());
    sorted.dedup();
    sorted.into_iter().map(letter_of_weekday).collect()
}

/// Reads `"HH:MM"` into minutes since midnight, 0..=1440 (`"24:00"` is the end of the day).
pub fn parse_hhmm(text: &str) -> Result<u32, ClockError> {
    let refuse = || ClockError::Time { text: text.to_owned() };
    let (hours, minutes) = text.split_once(':').ok_or_else(refuse)?;
    if hours.len() != 2 || minutes.len() != 2 {
        return Err(refuse());
    }
    let hours: u32 = hours.parse().map_err(|_| refuse())?;
    let minutes: u32 = minutes.parse().map_err(|_| refuse())?;
    if minutes > 59 || hours > 24 || (hours == 24 && minutes != 0) {
        return Err(refuse());
    }
    Ok(hours * 60 + minutes)
}

/// Writes minutes since midnight as `"HH:MM"` (1440 as `"24:00"`).
pub fn format_hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_day_letters_read_monday_first_and_refuse_repeats_and_strangers() {
        assert_eq!(parse_days("FWM"), Ok(vec![Weekday::Mon, Weekday::Wed, Weekday::Fri]));
        assert_eq!(parse_days("tr"), Ok(vec![Weekday::Tue, Weekday::Thu]));
        assert_eq!(parse_days(""), Ok(vec![]));
        assert!(parse_days("MM").is_err());
        assert!(parse_days("MX").is_err());
        assert_eq!(days_to_letters(&[Weekday::Sun, Weekday::Thu, Weekday::Mon]), "MRU");
    }

    #[test]
    fn test_clock_times_round_trip_and_bad_ones_are_refused() {
        assert_eq!(parse_hhmm("00:00"), Ok(0));
        assert_eq!(parse_hhmm("09:05"), Ok(545));
        assert_eq!(parse_hhmm("24:00"), Ok(1440));
        for bad in ["9:05", "24:01", "12:60", "1200", "ab:cd", "", "12:5"] {
            assert!(parse_hhmm(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(format_hhmm(545), "09:05");
        assert_eq!(format_hhmm(1440), "24:00");
    }
}
