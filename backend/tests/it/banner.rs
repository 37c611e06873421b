//! The Banner 8 Class Schedule Listing adapter on Purdue's real pages (`ddlabel` headings) and on a
//! page in stock Banner's markup (`ddtitle` headings) written here.

use crate::common::{Want, assert_section, counts, parse, parse_bytes, read, want};
use pretzel_backend::import::notation::DateRange;
use pretzel_backend::import::{Format, ImportError, SectionKind};

const COM: &str = "purdue/202130.COM.bwckschd.p_get_crse_unsec.html";
const CS: &str = "purdue/202130.CS.bwckschd.p_get_crse_unsec.html";

#[test]
fn test_purdue_com_counts_match_the_source() {
    let report = parse(Format::Banner8Html, COM);
    assert_eq!(counts(&report), (38, 159, 159, 19, 0));
}

#[test]
fn test_purdue_cs_counts_match_the_source() {
    let report = parse(Format::Banner8Html, CS);
    assert_eq!(counts(&report), (27, 287, 287, 39, 0));
}

#[test]
fn test_the_empty_results_page_is_zero_records_not_an_error() {
    let report = parse(Format::Banner8Html, "purdue/empty_bwckschd.p_get_crse_unsec.html");
    assert_eq!(counts(&report), (0, 0, 0, 0, 0));
}

#[test]
fn test_a_page_that_is_not_a_listing_is_refused() {
    let result = Format::Banner8Html.importer().parse(&read("purdue/bwckschd.p_disp_dyn_sched.html"));
    assert!(matches!(result, Err(ImportError::NotScheduleListing)), "{result:?}");
    let login = b"<html><head><title>User Login</title></head><body><form>PIN</form></body></html>";
    assert!(matches!(Format::Banner8Html.importer().parse(login), Err(ImportError::NotScheduleListing)));
}

#[test]
fn test_purdue_hand_checked_records() {
    let com = parse(Format::Banner8Html, COM);
    let cs = parse(Format::Banner8Html, CS);
    let async_online = Some("Asynchronous Online Learning ONLINE");
    // TBA time, blank days.
    assert_section(
        &com,
        "22505",
        want(
            "COM 10200",
            "Introduction To Communication Theory",
            "002",
            SectionKind::Online,
            &["Howard E Sypher"],
            "3",
            &[("", None, None, async_online)],
        ),
    );
    assert_section(
        &com,
        "22471",
        want(
            "COM 11400",
            "Fundamentals Of Speech Communication",
            "102",
            SectionKind::Lecture,
            &["Elizabeth Ann Labadorf"],
            "3",
            &[("Mon Tue Wed Thu Fri", Some("09:50"), Some("12:00"), Some("Wilmeth Active Learning Center 3090"))],
        ),
    );
    // A section title that differs from the course's first title (honors section).
    assert_section(
        &com,
        "29643",
        want(
            "COM 11400",
            "Fundament Of Speech-Honors",
            "H01",
            SectionKind::Lecture,
            &["Jessica N Ramsey"],
            "3",
            &[("Mon Tue Wed Thu Fri", Some("14:45"), Some("16:15"), Some("Wilmeth Active Learning Center 3122"))],
        ),
    );
    // Instructor `TBA`: none.
    assert_section(
        &com,
        "28957",
        want(
            "COM 37600",
            "Communication And Gender",
            "001",
            SectionKind::Lecture,
            &[],
            "3",
            &[("Mon Tue Wed Thu Fri", Some("08:40"), Some("10:50"), Some("University Hall 101"))],
        ),
    );
    // Credit range with Banner's padding, room `TBA`.
    assert_section(
        &com,
        "11369",
        want(
            "COM 49000",
            "Internship In Communication",
            "302",
            SectionKind::Internship,
            &["Joshua L Dexter-Wiens"],
            "1-3",
            &[("", None, None, None)],
        ),
    );
    assert_section(
        &com,
        "11385",
        want(
            "COM 69800",
            "Research MA Or MS Thesis",
            "115",
            SectionKind::Research,
            &["Howard E Sypher"],
            "1-18",
            &[("", None, None, None)],
        ),
    );
    // `&` in the title.
    assert_section(
        &com,
        "29088",
        want(
            "COM 61200",
            "Personal Relationships & Tech",
            "001",
            SectionKind::Lecture,
            &["Emily M Buehler"],
            "3",
            &[("Mon Tue Wed Thu Fri", Some("09:50"), Some("12:00"), Some("Synchronous Online Learning ONLINE"))],
        ),
    );
    // `TR` with R for Thursday; a 0-credit lab.
    assert_section(
        &cs,
        "28821",
        want(
            "CS 15900",
            "C Programming",
            "L01",
            SectionKind::Lab,
            &["Seanan Cyrus Lee"],
            "0",
            &[("Tue Thu", Some("15:00"), Some("16:50"), Some("Hampton Hall of Civil Engnrng 3144"))],
        ),
    );
    // Two instructors, the first marked primary.
    assert_section(
        &cs,
        "28820",
        want(
            "CS 15900",
            "C Programming",
            "LE1",
            SectionKind::Lecture,
            &["William N Crum", "Xiaojin Liu"],
            "3",
            &[("Mon Tue Wed Thu", Some("09:50"), Some("10:40"), Some("Wilmeth Active Learning Center 1018"))],
        ),
    );
    // The heading carries "Link Id: A5" and a "Linked Sections Required" link after the title link.
    assert_section(
        &cs,
        "28875",
        want(
            "CS 17700",
            "Programming With Multimedia Objects",
            "D01",
            SectionKind::Online,
            &["Gary T Mcfall"],
            "0",
            &[("", None, None, None)],
        ),
    );
    assert_section(
        &cs,
        "28877",
        want(
            "CS 17700",
            "Programming With Multimedia Objects",
            "R01",
            SectionKind::Discussion,
            &["Rohith Reddy Sanaga"],
            "0",
            &[("Tue Thu", Some("08:40"), Some("09:30"), Some("Lawson Computer Science Bldg B155"))],
        ),
    );
    assert_section(
        &cs,
        "28884",
        want(
            "CS 18200",
            "Foundations Of Computer Science",
            "P01",
            SectionKind::Internship,
            &["Dana M El Rushaidat"],
            "0",
            &[("Mon Wed", Some("13:00"), Some("14:50"), Some("Felix Haas Hall G066"))],
        ),
    );
    assert_section(
        &cs,
        "25762",
        want(
            "CS 25200",
            "Systems Programming",
            "L02",
            SectionKind::Lab,
            &["Maxwell J Jacobson", "Chengfei Wu"],
            "0",
            &[("Mon Wed", Some("15:00"), Some("16:50"), Some("Lawson Computer Science Bldg B148"))],
        ),
    );
    assert_section(
        &cs,
        "24243",
        want(
            "CS 25000",
            "Computer Architecture",
            "LE1",
            SectionKind::Lecture,
            &["Gustavo Rodriguez-Rivera"],
            "4",
            &[("Mon Tue Wed Thu Fri", Some("09:50"), Some("10:50"), Some("Wilmeth Active Learning Center 3087"))],
        ),
    );
    let (_, lecture) = cs.section("28820").expect("28820");
    let primary: Vec<(&str, bool)> = lecture.instructors.iter().map(|i| (i.name.as_str(), i.primary)).collect();
    assert_eq!(primary, [("William N Crum", true), ("Xiaojin Liu", false)]);
    assert_eq!(lecture.kind_label.as_deref(), Some("Lecture"));
    let dates = lecture.meetings[0].dates.expect("a date range");
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2021, m, d).expect("date");
    assert_eq!(dates, DateRange { first: day(6, 14), last: day(8, 3) });
}

/// A listing in stock Banner's markup: `ddtitle` headings, a title containing ` - `, columns in
/// another order and without Date Range, a section meeting twice, `H` for Thursday, a heading
/// without a CRN.
const STOCK_BANNER: &str = r#"<!DOCTYPE html><html><head><title>Class Schedule Listing</title></head><body>
<table class="datadisplaytable" summary="This layout table is used to present the sections found">
<caption class="captiontext">Sections Found</caption>
<tr><th class="ddtitle" scope="colgroup"><a href="/pls/PROD/bwckschd.p_disp_detail_sched?term_in=201610&amp;crn_in=10001">Intro to Data Science - Part 1 - 10001 - DS 1010 - A</a></th></tr>
<tr><td class="dddefault">
<span class="fieldlabeltext">Associated Term: </span>Fall 2015<br>
Main Campus<br>Lecture Schedule Type<br>       4.000 Credits<br>
<table class="datadisplaytable" summary="This table lists the scheduled meeting times and assigned instructors for this class..">
<caption class="captiontext">Scheduled Meeting Times</caption>
<tr><th class="ddheader">Days</th><th class="ddheader">Type</th><th class="ddheader">Time</th><th class="ddheader">Where</th><th class="ddheader">Schedule Type</th><th class="ddheader">Instructors</th></tr>
<tr><td class="dddefault">MWF</td><td class="dddefault">Class</td><td class="dddefault">9:05 am - 9:55 am</td><td class="dddefault">Skiles 249</td><td class="dddefault">Lecture*</td><td class="dddefault">Ada B.  Lovelace (<abbr title="Primary">P</abbr>), Grace Hopper</td></tr>
<tr><td class="dddefault">H</td><td class="dddefault">Lab</td><td class="dddefault">1:30 pm - 4:20 pm</td><td class="dddefault">Klaus 1443</td><td class="dddefault">Lab</td><td class="dddefault">Grace Hopper (<abbr title="Primary">P</abbr>)</td></tr>
</table></td></tr>
<tr><th class="ddtitle" scope="colgroup"><a href="/pls/PROD/bwckschd.p_disp_detail_sched?term_in=201610&amp;crn_in=10002">Studio Art - 10002 - ART 2000 - B</a></th></tr>
<tr><td class="dddefault">Studio Schedule Type<br>3.000 Credits<br>
<table class="datadisplaytable"><tr><th class="ddheader">Type</th><th class="ddheader">Time</th><th class="ddheader">Days</th><th class="ddheader">Where</th><th class="ddheader">Date Range</th><th class="ddheader">Schedule Type</th><th class="ddheader">Instructors</th></tr>
<tr><td class="dddefault">Class</td><td class="dddefault">10:00 am - 11:15 am</td><td class="dddefault">TR</td><td class="dddefault"><abbr title="To Be Announced">TBA</abbr></td><td class="dddefault">Aug 24, 2015 - Dec 10, 2015</td><td class="dddefault">Studio</td><td class="dddefault"><abbr title="To Be Announced">TBA</abbr></td></tr>
</table></td></tr>
<tr><th class="ddtitle" scope="colgroup"><a href="/pls/PROD/bwckschd.p_disp_detail_sched?term_in=201610&amp;crn_in=10003">Broken Heading - ART 2000 - C</a></th></tr>
<tr><td class="dddefault">Lecture Schedule Type<br></td></tr>
<tr><th class="ddtitle" scope="colgroup"><a href="/pls/PROD/bwckschd.p_disp_detail_sched?term_in=201610">Independent Study - 10004 - ART 4999 - D</a></th></tr>
<tr><td class="dddefault">Independent Study Schedule Type<br>1.000 TO 6.000 Credits<br></td></tr>
</table></body></html>"#;

#[test]
fn test_stock_banner_ddtitle_headings_and_header_driven_columns() {
    let report = parse_bytes(Format::Banner8Html, STOCK_BANNER.as_bytes());
    assert_eq!(counts(&report), (3, 3, 3, 3, 1));
    assert_section(
        &report,
        "10001",
        Want {
            code: "DS 1010",
            title: "Intro to Data Science - Part 1",
            section: Some("A"),
            kind: SectionKind::Lecture,
            instructors: &["Ada B. Lovelace", "Grace Hopper"],
            credits: Some("4"),
            meetings: &[
                ("Mon Wed Fri", Some("09:05"), Some("09:55"), Some("Skiles 249")),
                ("Thu", Some("13:30"), Some("16:20"), Some("Klaus 1443")),
            ],
        },
    );
    let (_, ds) = report.section("10001").expect("10001");
    let primary: Vec<(&str, bool)> = ds.instructors.iter().map(|i| (i.name.as_str(), i.primary)).collect();
    assert_eq!(primary, [("Ada B. Lovelace", true), ("Grace Hopper", true)], "primary on any meeting");
    assert_eq!(ds.meetings[0].dates, None, "this table has no Date Range column");
    assert_section(
        &report,
        "10002",
        Want {
            code: "ART 2000",
            title: "Studio Art",
            section: Some("B"),
            kind: SectionKind::Studio,
            instructors: &[],
            credits: Some("3"),
            meetings: &[("Tue Thu", Some("10:00"), Some("11:15"), None)],
        },
    );
    // No meeting table: kept, with no meetings.
    assert_section(
        &report,
        "10004",
        Want {
            code: "ART 4999",
            title: "Independent Study",
            section: Some("D"),
            kind: SectionKind::IndependentStudy,
            instructors: &[],
            credits: Some("1-6"),
            meetings: &[],
        },
    );
    let skipped = &report.skipped[0];
    assert_eq!(skipped.location.to_string(), "section heading 3");
    assert_eq!(
        skipped.reason.to_string(),
        r#"heading "Broken Heading - ART 2000 - C" is not `Title - CRN - SUBJECT NUMBER - SECTION`"#
    );
}

#[test]
fn test_windows_1252_pages_are_decoded() {
    let page = STOCK_BANNER.replace("Studio Art", "Caf\u{e9} Studio");
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&page);
    assert!(!unmappable);
    let report = parse_bytes(Format::Banner8Html, &bytes);
    let (course, _) = report.section("10002").expect("10002");
    assert_eq!(course.title, "Caf\u{e9} Studio");
}
