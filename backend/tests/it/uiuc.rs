//! The UIUC Course Explorer CSV adapter on the real 2025 summer and winter exports.

use crate::common::{Want, assert_section, counts, parse};
use pretzel_backend::import::{Format, SectionKind};

const SUMMER: &str = "uiuc/2025-su.csv";
const WINTER: &str = "uiuc/2025-wi.csv";

#[test]
fn test_uiuc_summer_counts_match_the_source() {
    let report = parse(Format::UiucCsv, SUMMER);
    // 1,686 rows: 1,638 CRNs in 1,047 courses. Rows become meetings of their CRN; the three identical
    // rows of CRN 37011 are one meeting, so 1,684 meetings, and 378 of the 380 timed rows remain.
    assert_eq!(counts(&report), (1047, 1638, 1684, 378, 0));
    // 40 CRNs have more than one row; 37011's rows collapse into one meeting.
    let multi = report.sections().filter(|(_, s)| s.meetings.len() > 1).count();
    assert_eq!(multi, 39);
    let arranged = report.sections().flat_map(|(_, s)| &s.meetings).filter(|m| m.time.is_none()).count();
    assert_eq!(arranged, 1306, "every ARRANGED row is kept as a meeting without times");
}

#[test]
fn test_uiuc_decodes_html_entities_everywhere() {
    let report = parse(Format::UiucCsv, SUMMER);
    let with_amp = report.records.iter().filter(|c| c.title.contains('&')).count();
    assert!(with_amp > 0);
    for (course, section) in report.sections() {
        let text = format!("{} {:?} {:?}", course.title, course.description, section.title);
        assert!(!text.contains("&amp;"), "{text}");
    }
}

#[test]
fn test_uiuc_winter_is_all_arranged() {
    let report = parse(Format::UiucCsv, WINTER);
    assert_eq!(counts(&report), (64, 66, 66, 0, 0));
    assert!(report.sections().all(|(_, s)| s.meetings.iter().all(|m| m.time.is_none() && m.days.is_empty())));
    let online = report.sections().filter(|(_, s)| s.kind == SectionKind::Online).count();
    assert_eq!(online, 63, "60 `Online`, 2 `Online Lecture`, 1 `Online Lecture Discussion`");
    let w = |code, title, section, kind, instructors, credits| Want {
        code,
        title,
        section,
        kind,
        instructors,
        credits,
        meetings: &[("", None, None, None)],
    };
    assert_section(
        &report,
        "10104",
        w("ADV 150", "Introduction to Advertising", Some("A"), SectionKind::Online, &["Hall, S"], Some("3")),
    );
    assert_section(
        &report,
        "10149",
        w("ARCH 498", "Directed Research in Arch", Some("A"), SectionKind::Other, &["Taylor, M"], Some("1-4")),
    );
    assert_section(
        &report,
        "10147",
        w("GLBL 499", "Study Abroad Alternative", Some("TW"), SectionKind::IndependentStudy, &["Wedig, T"], Some("3")),
    );
    assert_section(
        &report,
        "10148",
        w("LA 545", "Graduate Internship", Some("A"), SectionKind::Internship, &["Davis, L"], Some("0-12")),
    );
}

#[test]
fn test_uiuc_hand_checked_records() {
    let report = parse(Format::UiucCsv, SUMMER);
    let lcl = Some("G52 Literatures, Cultures, & Ling");
    // `&amp;` in the name, online, ARRANGED.
    assert_section(
        &report,
        "40507",
        Want {
            code: "AAS 201",
            title: "US Racial & Ethnic Politics",
            section: Some("ONL"),
            kind: SectionKind::Online,
            instructors: &["Henson, A"],
            credits: Some("3"),
            meetings: &[("", None, None, None)],
        },
    );
    // Two rows, one CRN: two meetings; three instructors joined with `;`.
    assert_section(
        &report,
        "33933",
        Want {
            code: "AFST 231",
            title: "Elementary Swahili I",
            section: Some("C1"),
            kind: SectionKind::Lecture,
            instructors: &["Martins, M", "Muga, M", "Saadah, E"],
            credits: Some("5"),
            meetings: &[
                ("Mon Tue Wed Thu Fri", Some("09:00"), Some("10:50"), lcl),
                ("Mon Tue Wed Thu Fri", Some("12:00"), Some("13:50"), lcl),
            ],
        },
    );
    // Three identical rows are one meeting; the section title names the topic; section credits win.
    assert_section(
        &report,
        "37011",
        Want {
            code: "SOCW 561",
            title: "BHWELL Field Seminar",
            section: Some("A"),
            kind: SectionKind::Online,
            instructors: &["Campbell, C"],
            credits: Some("1"),
            meetings: &[("Wed", Some("18:30"), Some("20:00"), None)],
        },
    );
    // A discussion row first, then two lecture rows: the section is a lecture.
    let kinley = Some("317 David Kinley Hall");
    assert_section(
        &report,
        "38385",
        Want {
            code: "ECON 504",
            title: "Time Series Analysis in Econ",
            section: Some("M1"),
            kind: SectionKind::Lecture,
            instructors: &["Agiakloglou, C"],
            credits: Some("4"),
            meetings: &[
                ("Fri", Some("10:00"), Some("12:20"), kinley),
                ("Mon Tue Wed Thu", Some("10:00"), Some("11:20"), kinley),
                ("Mon Tue Wed Thu", Some("12:30"), Some("13:50"), kinley),
            ],
        },
    );
    // Seven rows, two of them on Wednesday at the same start.
    assert_section(
        &report,
        "37544",
        Want {
            code: "LAW 798",
            title: "Roles and Resp In-House Couns",
            section: Some("D"),
            kind: SectionKind::Lecture,
            instructors: &["Lindsey, M", "Sharpe, N"],
            credits: Some("2"),
            meetings: &[
                ("Thu", Some("06:30"), Some("18:00"), None),
                ("Tue", Some("08:00"), Some("19:00"), None),
                ("Wed", Some("09:30"), Some("14:30"), None),
                ("Wed", Some("09:30"), Some("17:30"), None),
                ("Fri", Some("09:30"), Some("14:30"), None),
                ("Mon", Some("09:30"), Some("14:30"), None),
                ("Tue", Some("09:30"), Some("12:00"), None),
            ],
        },
    );
    // Clock times without days.
    assert_section(
        &report,
        "40665",
        Want {
            code: "GLBL 499",
            title: "Study Abroad Alternative",
            section: Some("AM1"),
            kind: SectionKind::Online,
            instructors: &["Wedig, T"],
            credits: Some("3"),
            meetings: &[("", Some("13:00"), Some("13:50"), None)],
        },
    );
    // ARRANGED, yet days are given.
    assert_section(
        &report,
        "41660",
        Want {
            code: "BSE 602",
            title: "Public Health Clinical Applications",
            section: Some("A"),
            kind: SectionKind::Lecture,
            instructors: &["Sander, W", "Thomas, D"],
            credits: Some("4"),
            meetings: &[("Mon Tue Wed Thu Fri", None, None, None)],
        },
    );
    // No section code, no instructor, a credit range.
    assert_section(
        &report,
        "10141",
        Want {
            code: "ABE 199",
            title: "Undergraduate Open Seminar",
            section: None,
            kind: SectionKind::IndependentStudy,
            instructors: &[],
            credits: Some("1-5"),
            meetings: &[("", None, None, None)],
        },
    );
    // `&amp;` title, three rows of three types: the lecture names the section.
    assert_section(
        &report,
        "40267",
        Want {
            code: "BSE 636",
            title: "Digestion, Nutrition, & Metabolism",
            section: Some("A"),
            kind: SectionKind::Lecture,
            instructors: &["Thomas, D", "Yodh, J"],
            credits: Some("3"),
            meetings: &[
                ("Tue Thu", Some("08:00"), Some("11:50"), None),
                ("Mon Wed Fri", Some("10:00"), Some("11:50"), None),
                ("Mon Wed Fri", Some("08:00"), Some("09:50"), None),
            ],
        },
    );
    // Room `ARR` at a named building: the building alone is the place.
    assert_section(
        &report,
        "41876",
        Want {
            code: "BSE 680",
            title: "Innovation, Design, Engineering and Analysis Projects (Longitudinal)",
            section: Some("A"),
            kind: SectionKind::Lecture,
            instructors: &["Shah, S", "Thomas, D"],
            credits: Some("3"),
            meetings: &[("Fri", None, None, Some("Carle Foundation Hospital"))],
        },
    );
    // Every day of the week, weekend letters S and U included.
    assert_section(
        &report,
        "42421",
        Want {
            code: "BSE 742",
            title: "Network Science for Health and Social Care",
            section: Some("A"),
            kind: SectionKind::Online,
            instructors: &["Caetano-Anolles, G", "Thomas, D"],
            credits: Some("1"),
            meetings: &[("Mon Tue Wed Thu Fri Sat Sun", Some("08:00"), Some("17:00"), None)],
        },
    );
    // `3 OR 4 hours.` for the course; each section fixes one value.
    let bif = Some("2011 Business Instructional Fac");
    for (crn, section, credits) in [("40956", "HA3", "3"), ("40957", "HA4", "4")] {
        assert_section(
            &report,
            crn,
            Want {
                code: "ACCY 410",
                title: "Advanced Financial Reporting",
                section: Some(section),
                kind: SectionKind::Lecture,
                instructors: &["Penn, M"],
                credits: Some(credits),
                meetings: &[("Mon Tue Wed Thu", Some("12:30"), Some("13:50"), bif)],
            },
        );
    }
    let accy = report.records.iter().find(|c| c.course_code == "ACCY 410").expect("ACCY 410");
    assert_eq!(accy.credits.as_ref().map(ToString::to_string).as_deref(), Some("3 or 4"));
    // A discussion with times and an ARRANGED lecture under one CRN; `&amp;` in the building too.
    assert_section(
        &report,
        "42186",
        Want {
            code: "CS 374",
            title: "Introduction to Algorithms & Models of Computation",
            section: Some("AL1"),
            kind: SectionKind::Lecture,
            instructors: &["Kani, N"],
            credits: Some("4"),
            meetings: &[
                ("Tue Thu", Some("10:00"), Some("11:20"), Some("2015 Electrical & Computer Eng Bldg")),
                ("", None, None, None),
            ],
        },
    );
    assert_section(
        &report,
        "41568",
        Want {
            code: "CS 124",
            title: "Introduction to Computer Science I",
            section: Some("AB1"),
            kind: SectionKind::Online,
            instructors: &["Challen, G"],
            credits: Some("3"),
            meetings: &[("Mon Thu", Some("09:00"), Some("10:50"), None)],
        },
    );
    assert_section(
        &report,
        "30565",
        Want {
            code: "ACCY 301",
            title: "Atg Measurement & Disclosure",
            section: Some("AE1"),
            kind: SectionKind::Lecture,
            instructors: &["Thompson, R"],
            credits: Some("3"),
            meetings: &[("Mon Tue Wed Thu", Some("12:30"), Some("13:50"), Some("2063 Business Instructional Fac"))],
        },
    );
    let section = report.section("33933").map(|(_, s)| s).expect("33933");
    assert_eq!(section.kind_label.as_deref(), Some("Lecture-Discussion"), "the raw label is kept");
}
