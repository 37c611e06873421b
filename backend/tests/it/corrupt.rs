//! Corrupt input: a bad row or page is reported with its location and skipped; past the threshold
//! (more than 10 and more than 5% of the records) the whole parse fails.

use crate::common::{counts, parse, parse_bytes, read};
use pretzel_backend::import::{Format, ImportError, ParseReport};
use serde_json::Value;

fn parse_err(format: Format, bytes: &[u8]) -> ImportError {
    match format.importer().parse(bytes) {
        Ok(report) => panic!("expected a failure, got {:?}", counts(&report)),
        Err(e) => e,
    }
}

fn skipped(report: &ParseReport) -> Vec<(String, String)> {
    report.skipped.iter().map(|s| (s.location.to_string(), s.reason.to_string())).collect()
}

fn uiuc_lines() -> Vec<String> {
    String::from_utf8(read("uiuc/2025-su.csv")).expect("utf-8").split('\n').map(str::to_owned).collect()
}

#[test]
fn test_uiuc_truncated_csv_reports_the_cut_row() {
    let bytes = read("uiuc/2025-su.csv");
    // Cut 60 bytes into the row that starts after the 1,000th newline (line 1,001).
    let newline = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(999).map(|(i, _)| i).expect("lines");
    let report = parse_bytes(Format::UiucCsv, &bytes[..newline + 61]);
    let skipped = skipped(&report);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].0, "line 1001");
    assert!(skipped[0].1.starts_with("expected 27 fields, found "), "{}", skipped[0].1);
    assert_eq!(report.meeting_count(), 999, "every complete row before the cut");
}

#[test]
fn test_uiuc_garbled_rows_are_skipped_with_their_line() {
    let original = uiuc_lines();
    let mut lines = original.clone();
    lines[5] = "this,is,not,a,row".into();
    let bad_days = lines.iter().position(|l| l.contains(",MTWRF,")).expect("an MTWRF row");
    lines[bad_days] = lines[bad_days].replacen(",MTWRF,", ",MTXRF,", 1);
    let extra_field = (bad_days + 1..lines.len()).find(|&i| lines[i].contains(",09:00 AM,")).expect("a later 9am row");
    lines[extra_field] = lines[extra_field].replacen(",09:00 AM,", ",09:00 AM,,", 1);
    let report = parse_bytes(Format::UiucCsv, lines.join("\n").as_bytes());
    assert_eq!(
        skipped(&report),
        [
            ("line 6".to_owned(), "expected 27 fields, found 5".to_owned()),
            (format!("line {}", bad_days + 1), r#"Days of Week: unknown day "X" in "MTXRF""#.to_owned()),
            (format!("line {}", extra_field + 1), "expected 27 fields, found 28".to_owned()),
        ]
    );
    // Skipping a row leaves the catalog as if the row were not there.
    let without: Vec<&str> = original
        .iter()
        .enumerate()
        .filter(|(i, _)| ![5, bad_days, extra_field].contains(i))
        .map(|(_, l)| l.as_str())
        .collect();
    assert_eq!(report.records, parse_bytes(Format::UiucCsv, without.join("\n").as_bytes()).records);
}

#[test]
fn test_uiuc_too_many_bad_rows_fail_the_import() {
    let garble = |count: usize| {
        let mut lines = uiuc_lines();
        for line in lines.iter_mut().skip(1).step_by(10).take(count) {
            *line = line.replacen("2025,Summer,2025-su,", "2025,Summer,", 1);
        }
        lines.join("\n")
    };
    // 80 of 1,686 rows (4.7%): reported, not fatal.
    let report = parse_bytes(Format::UiucCsv, garble(80).as_bytes());
    assert_eq!(report.skipped.len(), 80);
    // 90 of 1,686 rows (5.3%): the import fails as a whole.
    let err = parse_err(Format::UiucCsv, garble(90).as_bytes());
    assert!(matches!(err, ImportError::TooManyBad { bad: 90, total: 1686, .. }), "{err}");
    assert!(err.to_string().starts_with("90 of 1686 records are malformed"), "{err}");
}

#[test]
fn test_uiuc_missing_required_columns_fail_with_their_names() {
    let text = String::from_utf8(read("uiuc/2025-wi.csv")).expect("utf-8");
    let renamed = text.replacen(",CRN,", ",Course Ref,", 1).replacen(",Days of Week,", ",Weekdays,", 1);
    let err = parse_err(Format::UiucCsv, renamed.as_bytes());
    assert!(matches!(&err, ImportError::MissingColumns { missing } if missing == &["CRN", "Days of Week"]), "{err}");
    assert!(matches!(parse_err(Format::UiucCsv, b""), ImportError::MissingColumns { .. }));
}

#[test]
fn test_uiuc_columns_are_found_by_name_in_any_order() {
    let bytes = read("uiuc/2025-su.csv");
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header: Vec<String> = reader.headers().expect("header").iter().rev().map(str::to_owned).collect();
    writer.write_record(&header).expect("write");
    for row in reader.records() {
        let row = row.expect("row");
        writer.write_record(row.iter().rev()).expect("write");
    }
    let reversed = writer.into_inner().expect("flush");
    let original = parse(Format::UiucCsv, "uiuc/2025-su.csv");
    let report = parse_bytes(Format::UiucCsv, &reversed);
    assert_eq!(report.records, original.records);
}

fn umd_courses() -> Vec<Value> {
    serde_json::from_slice(&read("umd/201905.json")).expect("valid JSON")
}

fn umd_course<'a>(courses: &'a mut [Value], id: &str) -> &'a mut Value {
    courses.iter_mut().find(|c| c["course_id"] == id).unwrap_or_else(|| panic!("{id}"))
}

#[test]
fn test_umd_invalid_json_inside_one_course_is_skipped() {
    let text = String::from_utf8(read("umd/201905.json")).expect("utf-8");
    let start = text.find(r#"{"course_id":"ENAE423""#).expect("ENAE423");
    let index = umd_courses().iter().position(|c| c["course_id"] == "ENAE423").expect("ENAE423") + 1;
    let broken = format!("{}{}", &text[..start], text[start..].replacen(r#""credits":"3","#, r#""credits":"3",,"#, 1));
    let report = parse_bytes(Format::UmdioJson, broken.as_bytes());
    let skipped = skipped(&report);
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].0, format!("course #{index} (byte {start})"));
    assert!(skipped[0].1.starts_with("invalid JSON: "), "{}", skipped[0].1);
    assert!(report.records.iter().all(|c| c.course_code != "ENAE423"));
    assert_eq!(report.course_count(), 1202);
}

#[test]
fn test_umd_wrong_shapes_and_notations_skip_only_their_section() {
    let mut courses = umd_courses();
    umd_course(&mut courses, "ENAE423")["sections"][0]["meetings"][0]["days"] = "MXW".into();
    umd_course(&mut courses, "KNES360")["sections"][0]["meetings"] = "soon".into();
    umd_course(&mut courses, "BMGT099")["sections"][0] = "BMGT099-CP25".into();
    umd_course(&mut courses, "ANTH496")["sections"][0]["meetings"][0]["end_time"] = "".into();
    // Tolerated: numbers for strings, missing and null fields.
    let bufn = umd_course(&mut courses, "BUFN754");
    bufn["sections"][0]["seats"] = 45.into();
    bufn["sections"][0]["instructors"] = Value::Null;
    bufn["credits"] = 2.into();
    if let Some(section) = bufn["sections"][0].as_object_mut() {
        section.remove("waitlist");
    }
    let bytes = serde_json::to_vec(&courses).expect("serialise");
    let report = parse_bytes(Format::UmdioJson, &bytes);
    let skipped = skipped(&report);
    let locations: Vec<&str> = skipped.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        locations,
        [
            "course ANTH496 section XI11",
            "course BMGT099 section #1",
            "course ENAE423 section 0201",
            "course KNES360 section 0101"
        ]
    );
    let reasons: Vec<&str> = skipped.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(reasons[0], r#"start_time: start time "8:00am" has no end time"#);
    assert_eq!(reasons[1], "section entry is not an object (was the dump made without expand=sections?)");
    assert_eq!(reasons[2], r#"days: unknown day "X" in "MXW""#);
    assert!(reasons[3].starts_with("invalid JSON: invalid type: string \"soon\""), "{}", reasons[3]);
    assert_eq!(counts(&report).1, 1793 - 4);
    let (course, section) = report.section("BUFN754-DC16").expect("BUFN754-DC16");
    assert_eq!((section.capacity, section.waitlist, section.instructors.len()), (Some(45), None, 0));
    assert_eq!(course.credits.as_ref().map(ToString::to_string).as_deref(), Some("2"));
}

#[test]
fn test_umd_truncated_download_keeps_every_complete_course() {
    let bytes = read("umd/201905.json");
    let cut = bytes.len() * 3 / 5;
    let report = parse_bytes(Format::UmdioJson, &bytes[..cut]);
    let skipped = skipped(&report);
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].0.starts_with("course #"), "{}", skipped[0].0);
    assert_eq!(skipped[0].1, "the input ends inside this record (truncated download?)");
    let complete = serde_json::from_slice::<Vec<Value>>(&bytes).expect("valid JSON");
    let starts = String::from_utf8_lossy(&bytes[..cut]).matches(r#"{"course_id":"#).count();
    let distinct: std::collections::HashSet<&str> =
        complete.iter().take(starts - 1).filter_map(|c| c["course_id"].as_str()).collect();
    assert_eq!(report.course_count(), distinct.len());
}

#[test]
fn test_umd_a_document_that_is_not_an_array_fails() {
    let err = parse_err(Format::UmdioJson, br#"{"error": "rate limited"}"#);
    assert!(matches!(err, ImportError::NotJsonArray { .. }), "{err}");
    assert!(err.to_string().contains("error"), "{err}");
}

#[test]
fn test_umd_too_many_bad_sections_fail_the_import() {
    let mut courses = umd_courses();
    let mut broken = 0;
    for course in courses.iter_mut().skip(30) {
        if broken == 100 {
            break;
        }
        if let Some(section) = course["sections"].get_mut(0) {
            section["meetings"] = "garbled".into();
            broken += 1;
        }
    }
    let err = parse_err(Format::UmdioJson, &serde_json::to_vec(&courses).expect("serialise"));
    assert!(matches!(err, ImportError::TooManyBad { bad: 100, .. }), "{err}");
}

fn purdue(name: &str) -> String {
    String::from_utf8(read(&format!("purdue/202130.{name}.bwckschd.p_get_crse_unsec.html"))).expect("utf-8")
}

#[test]
fn test_banner_heading_without_a_crn_is_skipped() {
    let page = purdue("COM").replacen(
        "Introduction To Communication Theory - 22505 - COM 10200 - 002",
        "Introduction To Communication Theory - COM 10200 - 002",
        1,
    );
    let report = parse_bytes(Format::Banner8Html, page.as_bytes());
    assert_eq!(
        skipped(&report),
        [(
            "section heading 1".to_owned(),
            concat!(
                r#"heading "Introduction To Communication Theory - COM 10200 - 002" "#,
                "is not `Title - CRN - SUBJECT NUMBER - SECTION`"
            )
            .to_owned()
        )]
    );
    assert_eq!(report.section_count(), 158);
    assert!(report.section("28954").is_some(), "the next section is still read");
}

#[test]
fn test_banner_heading_whose_crn_disagrees_with_its_link_is_skipped() {
    // A title part that looks like a CRN while the CRN itself is missing.
    let page = purdue("COM").replacen(
        "Introduction To Communication Theory - 22505 - COM 10200 - 002",
        "Introduction To Communication Theory - 2021 - COM 10200 - 002",
        1,
    );
    let report = parse_bytes(Format::Banner8Html, page.as_bytes());
    assert_eq!(skipped(&report).len(), 1);
    assert_eq!(skipped(&report)[0].0, "section heading 1");
    assert!(report.section("2021").is_none());
}

#[test]
fn test_banner_garbled_meeting_row_is_skipped_with_its_row() {
    let page = purdue("CS").replacen(r#"<td CLASS="dddefault">TR</td>"#, r#"<td CLASS="dddefault">XR</td>"#, 1);
    let report = parse_bytes(Format::Banner8Html, page.as_bytes());
    assert_eq!(
        skipped(&report),
        [("section heading 1, meeting row 1".to_owned(), r#"Days: unknown day "X" in "XR""#.to_owned())]
    );
    assert!(report.section("28821").is_none());
    assert_eq!(report.section_count(), 286);
}

#[test]
fn test_banner_too_many_bad_sections_fail_the_import() {
    // 16 of 287 sections meet `MW` (5.6%).
    let page = purdue("CS").replace(r#"<td CLASS="dddefault">MW</td>"#, r#"<td CLASS="dddefault">MQ</td>"#);
    let err = parse_err(Format::Banner8Html, page.as_bytes());
    assert!(matches!(err, ImportError::TooManyBad { bad: 16, total: 287, .. }), "{err}");
}
