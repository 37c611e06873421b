//! The umd.io JSON adapter on the real Summer 2019 and Winter 2019–20 dumps.

use crate::common::{M, assert_section, counts, parse, read, want};
use pretzel_backend::import::{Format, SectionKind};
use serde_json::Value;
use std::collections::HashSet;

const SUMMER: &str = "umd/201905.json";
const WINTER: &str = "umd/201912.json";

/// Courses, sections, meetings, meetings with times.
type Counts = (usize, usize, usize, usize);

/// Counts straight off the raw JSON, repeats included, and after keeping the first listing of each
/// `course_id` and `section_id`: (raw courses, sections, meetings, timed), (distinct ...).
fn raw_counts(path: &str) -> (Counts, Counts) {
    let courses: Vec<Value> = serde_json::from_slice(&read(path)).expect("valid JSON");
    let sections: Vec<&Value> = courses.iter().flat_map(|c| c["sections"].as_array().into_iter().flatten()).collect();
    let meetings = |s: &&Value| s["meetings"].as_array().cloned().unwrap_or_default();
    let timed = |m: &Value| m["start_time"].as_str().is_some_and(|t| !t.is_empty());
    let all_meetings: Vec<Value> = sections.iter().flat_map(meetings).collect();
    let raw = (courses.len(), sections.len(), all_meetings.len(), all_meetings.iter().filter(|m| timed(m)).count());
    let course_ids: HashSet<&str> = courses.iter().filter_map(|c| c["course_id"].as_str()).collect();
    let mut seen = HashSet::new();
    let first: Vec<&&Value> = sections.iter().filter(|s| seen.insert(s["section_id"].as_str())).collect();
    let distinct_meetings: Vec<Value> = first.iter().flat_map(|s| meetings(s)).collect();
    let distinct =
        (course_ids.len(), first.len(), distinct_meetings.len(), distinct_meetings.iter().filter(|m| timed(m)).count());
    (raw, distinct)
}

#[test]
fn test_umd_summer_counts_match_the_source_after_de_duplication() {
    let (raw, distinct) = raw_counts(SUMMER);
    // SOURCES.md counts every array entry; the dump's first 30 courses appear twice (API pages overlap).
    assert_eq!(raw, (1233, 1824, 2053, 654));
    assert_eq!(distinct, (1203, 1793, 2022, 651));
    let report = parse(Format::UmdioJson, SUMMER);
    assert_eq!(counts(&report), (1203, 1793, 2022, 651, 0));
}

#[test]
fn test_umd_winter_counts_match_the_source_after_de_duplication() {
    let (raw, distinct) = raw_counts(WINTER);
    assert_eq!(raw, (506, 616, 665, 140));
    assert_eq!(distinct, (476, 587, 630, 131));
    let report = parse(Format::UmdioJson, WINTER);
    assert_eq!(counts(&report), (476, 587, 630, 131, 0));
}

#[test]
fn test_umd_repeated_courses_keep_one_copy_of_each_section() {
    let report = parse(Format::UmdioJson, SUMMER);
    let aasp100: Vec<_> = report.records.iter().filter(|c| c.course_code == "AASP100").collect();
    assert_eq!(aasp100.len(), 1);
    let ids: Vec<&str> = aasp100[0].sections.iter().map(|s| s.registration_id.as_str()).collect();
    assert_eq!(ids, ["AASP100-0201", "AASP100-WB11"]);
    assert!(aasp100[0].sections.iter().all(|s| s.meetings.len() == 1));
}

#[test]
fn test_umd_hand_checked_records() {
    let report = parse(Format::UmdioJson, SUMMER);
    let online: M<'_> = ("", None, None, Some("ONLINE"));
    let arranged: M<'_> = ("", None, None, None);
    // Every meeting field `""`: kept as an arranged meeting.
    assert_section(
        &report,
        "AAPS300-SAGN",
        want(
            "AAPS300",
            "Corporate Social Responsibility in Ghana: A Strategy for Sustainable Educational Development",
            "SAGN",
            SectionKind::Other,
            &["Rhea Nedd"],
            "3",
            &[arranged],
        ),
    );
    assert_section(
        &report,
        "AASP100-0201",
        want(
            "AASP100",
            "Introduction to African American Studies",
            "0201",
            SectionKind::Lecture,
            &["Jason Nichols"],
            "3",
            &[("Tue Wed Thu", Some("10:00"), Some("12:15"), Some("TYD 1132"))],
        ),
    );
    assert_section(
        &report,
        "AASP100-WB11",
        want(
            "AASP100",
            "Introduction to African American Studies",
            "WB11",
            SectionKind::Online,
            &["Jason Nichols"],
            "3",
            &[online],
        ),
    );
    assert_section(
        &report,
        "AASP498E-WB11",
        want(
            "AASP498E",
            "Special Topics in Black Culture; A Critical Understanding of Hip Hop Culture and its Impact on Society",
            "WB11",
            SectionKind::Online,
            &["Solomon Comissiong"],
            "3",
            &[online],
        ),
    );
    assert_section(
        &report,
        "AMSC760-0201",
        want("AMSC760", "Applied Statistics Practicum", "0201", SectionKind::Other, &[], "3", &[arranged]),
    );
    // Lecture, lab and an online discussion.
    assert_section(
        &report,
        "ANTH222-HY31",
        want(
            "ANTH222",
            "Introduction to Ecological and Evolutionary Anthropology",
            "HY31",
            SectionKind::Lecture,
            &["Miguel Vilar"],
            "4",
            &[
                ("Mon Wed Fri", Some("09:00"), Some("12:15"), Some("WDS 1114")),
                ("Tue Thu", Some("13:00"), Some("18:00"), Some("WDS 0124C")),
                online,
            ],
        ),
    );
    // Only lab meetings: a lab section.
    assert_section(
        &report,
        "ANTH445-0401",
        want(
            "ANTH445",
            "Laboratory Methods in Archaeology",
            "0401",
            SectionKind::Lab,
            &["Mark Leone"],
            "3",
            &[("Mon Tue Wed Thu Fri", Some("09:00"), Some("17:00"), Some("WDS 1124"))],
        ),
    );
    // Building `TBA`: no place yet.
    assert_section(
        &report,
        "ANTH496-XI11",
        want(
            "ANTH496",
            "Field Methods in Archaeology",
            "XI11",
            SectionKind::Lecture,
            &["Mark Leone"],
            "6",
            &[("Mon Tue Wed Thu Fri", Some("08:00"), Some("16:00"), None)],
        ),
    );
    assert_section(
        &report,
        "ARHU298J-YS41",
        want(
            "ARHU298J",
            "Special Problems in Arts and Humanities; Creative Writing Workshop",
            "YS41",
            SectionKind::Lecture,
            &["Vivianne Salgado", "Zein El-Amine"],
            "3",
            &[("Mon Tue Wed Thu Fri", Some("09:30"), Some("12:30"), Some("TWS 1105"))],
        ),
    );
    assert_section(
        &report,
        "BIOE160-YS41",
        want(
            "BIOE160",
            "Biopharmaceutical Production",
            "YS41",
            SectionKind::Lecture,
            &["Ben Woodard", "Kevin Knapstein"],
            "3",
            &[
                ("Mon Tue Wed Thu Fri", Some("09:00"), Some("09:50"), Some("CHE 2118")),
                ("Mon Tue Wed Thu Fri", Some("10:00"), Some("12:50"), Some("CHE 1203")),
            ],
        ),
    );
    assert_section(
        &report,
        "BMGT099-CP25",
        want(
            "BMGT099",
            "Internship Seminar",
            "CP25",
            SectionKind::Lecture,
            &["Angela Vaughn"],
            "0",
            &[("Thu", Some("18:25"), Some("22:00"), None)],
        ),
    );
    // Saturday (`Sa`) plus an online component.
    assert_section(
        &report,
        "BUFN754-DC16",
        want(
            "BUFN754",
            "Corporate Risk Management",
            "DC16",
            SectionKind::Lecture,
            &["Ceyed Baiju"],
            "2",
            &[("Sat", Some("14:00"), Some("18:30"), Some("DC C3")), online],
        ),
    );
    assert_section(
        &report,
        "BUSO713-SO14",
        want(
            "BUSO713",
            "Supply Chain Management",
            "SO14",
            SectionKind::Online,
            &["Geoffrey Milsom"],
            "2",
            &[("Wed", Some("20:45"), Some("22:15"), Some("ONLINE")), online],
        ),
    );
    assert_section(
        &report,
        "KNES360-0101",
        want(
            "KNES360",
            "Physiology of Exercise",
            "0101",
            SectionKind::Lecture,
            &["Steven Prior", "Sarah Glancy", "Sushant Ranadive"],
            "4",
            &[
                ("Mon Wed Fri", Some("09:00"), Some("11:30"), Some("SPH 1312")),
                ("Tue Thu", Some("08:00"), Some("10:00"), Some("SPH 0125")),
            ],
        ),
    );
    let (course, section) = report.section("AASP100-0201").expect("AASP100-0201");
    assert_eq!((section.capacity, section.open_seats, section.waitlist), (Some(20), Some(11), Some(0)));
    assert_eq!((course.subject.as_str(), course.number.as_str()), ("AASP", "100"));
    assert!(course.description.as_deref().is_some_and(|d| d.starts_with("Significant aspects of the history")));
    let (_, lab) = report.section("ANTH222-HY31").expect("ANTH222-HY31");
    let labels: Vec<Option<&str>> = lab.meetings.iter().map(|m| m.kind_label.as_deref()).collect();
    assert_eq!(labels, [None, Some("Lab"), Some("Discussion")]);
}
