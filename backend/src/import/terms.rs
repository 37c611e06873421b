//! Term codes as schedule sources write them, turned into the names students use ("Summer 2021").
//!
//! Every source names a term by a code of its own system, and the same code families recur across
//! universities, so names come from the code's shape rather than from a list of known terms:
//!
//! - `YYYYMM`, the month the term starts, as the University of Maryland's Testudo and umd.io write it:
//!   `01` spring, `05` summer, `08` fall, `12` the winter session that runs into the next January.
//! - `YYYYTT`, Ellucian Banner's term code as Purdue (and many Banner schools) use it: `10` fall of the
//!   *previous* calendar year (the academic year is named by its spring), `20` spring, `30` summer.
//! - `YYYY-xx`, UIUC Course Explorer's `sp`, `su`, `fa`, `wi`.
//!
//! The two six-digit families use disjoint suffixes, so one code never reads two ways. A code in no
//! known family is its own name, so an unusual source still imports.

/// The name people use for the term with this `code`: `201905` → `Summer 2019`, `201912` →
/// `Winter 2019–20`, `202130` → `Summer 2021`, `2025-su` → `Summer 2025`; anything else → the code.
pub fn term_name(code: &str) -> String {
    let code = code.trim();
    known_name(code).unwrap_or_else(|| code.to_owned())
}

fn known_name(code: &str) -> Option<String> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if code.len() == 6 && digits(code) {
        let year: u32 = code.get(..4)?.parse().ok()?;
        return match code.get(4..)? {
            // umd.io / Testudo: the month the term starts.
            "01" => Some(format!("Spring {year}")),
            "05" => Some(format!("Summer {year}")),
            "08" => Some(format!("Fall {year}")),
            "12" => Some(format!("Winter {year}\u{2013}{:02}", (year + 1) % 100)),
            // Banner: the academic year, named by its spring.
            "10" => Some(format!("Fall {}", year.checked_sub(1)?)),
            "20" => Some(format!("Spring {year}")),
            "30" => Some(format!("Summer {year}")),
            _ => None,
        };
    }
    let (year, season) = code.split_once('-')?;
    if year.len() != 4 || !digits(year) {
        return None;
    }
    let season = match season.to_ascii_lowercase().as_str() {
        "sp" => "Spring",
        "su" => "Summer",
        "fa" => "Fall",
        "wi" => "Winter",
        _ => return None,
    };
    Some(format!("{season} {year}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_sample_terms_are_named_as_their_universities_name_them() {
        assert_eq!(term_name("201905"), "Summer 2019");
        assert_eq!(term_name("201912"), "Winter 2019–20");
        assert_eq!(term_name("202130"), "Summer 2021");
        assert_eq!(term_name("2025-su"), "Summer 2025");
        assert_eq!(term_name("2025-wi"), "Winter 2025");
    }

    #[test]
    fn test_every_season_of_each_family() {
        assert_eq!(term_name("202001"), "Spring 2020");
        assert_eq!(term_name("202008"), "Fall 2020");
        assert_eq!(term_name("199912"), "Winter 1999–00");
        assert_eq!(term_name("202210"), "Fall 2021", "Banner's fall belongs to the next spring's year");
        assert_eq!(term_name("202220"), "Spring 2022");
        assert_eq!(term_name("2024-FA"), "Fall 2024");
        assert_eq!(term_name("2024-sp"), "Spring 2024");
    }

    #[test]
    fn test_unknown_codes_are_their_own_names() {
        for code in ["202140", "202113", "2021", "fall-2021", "2021-xx", "20a130", ""] {
            assert_eq!(term_name(code), code);
        }
        assert_eq!(term_name(" 202130 "), "Summer 2021");
    }
}
