//! Adapter for umd.io course dumps: a JSON array of course objects, each with `sections[]` holding
//! `meetings[]` (`GET /v0/courses?semester=…&expand=sections`, pages concatenated).
//!
//! The array is split into its elements before any of them is decoded, so one broken course (bad
//! syntax, a wrong type, a download cut off in the middle) is skipped with its position while the rest
//! still read. Fields may be missing, `null`, `""` or numbers where strings are usual; all of that is
//! tolerated. Courses repeated across overlapping API pages are merged by `course_id` and sections by
//! `section_id`.

use super::assemble::CatalogBuilder;
use super::notation::{collapse_whitespace, is_unscheduled, parse_credits, parse_days, parse_time_pair};
use super::{
    CourseRecord, ImportError, Importer, Instructor, Location, Meeting, ParseReport, RecordError, SectionKind,
    SectionRecord,
};
use serde::Deserialize;

/// The umd.io JSON importer.
#[derive(Debug, Clone, Copy, Default)]
pub struct UmdioJson;

/// A JSON scalar where umd.io usually writes a string: numbers and booleans are read as their text.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Number(serde_json::Number),
    Bool(bool),
}

impl Scalar {
    fn text(&self) -> Option<String> {
        match self {
            Scalar::Text(s) => collapse_whitespace(s),
            Scalar::Number(n) => Some(n.to_string()),
            Scalar::Bool(b) => Some(b.to_string()),
        }
    }
}

fn text(field: &Option<Scalar>) -> Option<String> {
    field.as_ref().and_then(Scalar::text)
}

fn text_or_empty(field: &Option<Scalar>) -> String {
    text(field).unwrap_or_default()
}

fn count(field: &Option<Scalar>) -> Option<u32> {
    text(field).and_then(|s| s.parse().ok())
}

#[derive(Debug, Deserialize)]
struct RawCourse {
    course_id: Option<Scalar>,
    name: Option<Scalar>,
    dept_id: Option<Scalar>,
    credits: Option<Scalar>,
    description: Option<Scalar>,
    sections: Option<Vec<serde_json::Value>>,
}

#[derive(Debug, Deserialize)]
struct RawSection {
    section_id: Option<Scalar>,
    number: Option<Scalar>,
    seats: Option<Scalar>,
    open_seats: Option<Scalar>,
    waitlist: Option<Scalar>,
    instructors: Option<Vec<Option<Scalar>>>,
    meetings: Option<Vec<RawMeeting>>,
}

#[derive(Debug, Deserialize)]
struct RawMeeting {
    days: Option<Scalar>,
    room: Option<Scalar>,
    building: Option<Scalar>,
    classtype: Option<Scalar>,
    start_time: Option<Scalar>,
    end_time: Option<Scalar>,
}

impl Importer for UmdioJson {
    fn parse(&self, input: &[u8]) -> Result<ParseReport, ImportError> {
        let elements = split_array(input)?;
        let mut builder = CatalogBuilder::default();
        for element in elements {
            let location = Location::ArrayElement { index: element.index, offset: element.offset };
            let course = match element.bytes {
                Some(bytes) => serde_json::from_slice::<RawCourse>(bytes).map_err(RecordError::Json),
                None => Err(RecordError::Truncated),
            };
            match course {
                Ok(course) => add_course(&mut builder, course, location),
                Err(reason) => {
                    builder.examined();
                    builder.skip(location, reason);
                }
            }
        }
        builder.finish()
    }
}

fn add_course(builder: &mut CatalogBuilder, raw: RawCourse, at: Location) {
    let Some(course_id) = text(&raw.course_id) else {
        builder.examined();
        builder.skip(at, RecordError::MissingField { field: "course_id" });
        return;
    };
    let Some(title) = text(&raw.name) else {
        builder.examined();
        builder.skip(Location::Course(course_id), RecordError::MissingField { field: "name" });
        return;
    };
    let (subject, number) = split_course_id(&course_id, text(&raw.dept_id).as_deref());
    let course = builder.add_course(CourseRecord {
        subject,
        number,
        course_code: course_id.clone(),
        title,
        description: text(&raw.description),
        credits: parse_credits(&text_or_empty(&raw.credits)),
        sections: Vec::new(),
    });
    for (position, value) in raw.sections.unwrap_or_default().into_iter().enumerate() {
        builder.examined();
        // Read the section number before the rest, so a section that fails to decode is still
        // reported by its number.
        let number = value.get("number").and_then(|n| serde_json::from_value::<Scalar>(n.clone()).ok());
        let section = number.as_ref().and_then(Scalar::text).unwrap_or_else(|| format!("#{}", position + 1));
        let location = Location::Section { course: course_id.clone(), section };
        if !value.is_object() {
            builder.skip(location, RecordError::SectionNotObject);
            continue;
        }
        let result = serde_json::from_value::<RawSection>(value)
            .map_err(RecordError::Json)
            .and_then(|section| read_section(&course_id, section))
            .and_then(|section| builder.add_section(course, section));
        if let Err(reason) = result {
            builder.skip(location, reason);
        }
    }
}

/// `AASP100` with `dept_id` `AASP` → (`AASP`, `100`); without a department, the letters before the
/// first digit are the subject.
fn split_course_id(course_id: &str, dept_id: Option<&str>) -> (String, String) {
    if let Some(dept) = dept_id
        && let Some(number) = course_id.strip_prefix(dept)
        && !number.is_empty()
    {
        return (dept.to_owned(), number.trim().to_owned());
    }
    let split = course_id.find(|c: char| c.is_ascii_digit()).unwrap_or(course_id.len());
    let (subject, number) = course_id.split_at(split);
    (subject.trim().to_owned(), number.trim().to_owned())
}

fn read_section(course_id: &str, raw: RawSection) -> Result<SectionRecord, RecordError> {
    let section_code = text(&raw.number);
    // umd.io builds section_id as `<course>-<number>`; rebuild it the same way when a dump lacks it.
    let registration_id = text(&raw.section_id)
        .or_else(|| section_code.as_ref().map(|n| format!("{course_id}-{n}")))
        .ok_or(RecordError::MissingField { field: "section_id" })?;
    let meetings = raw.meetings.unwrap_or_default().iter().map(read_meeting).collect::<Result<Vec<_>, _>>()?;
    let instructors = raw
        .instructors
        .unwrap_or_default()
        .iter()
        .filter_map(text)
        .map(|name| Instructor { name, primary: false })
        .collect();
    let (kind, kind_label) = section_kind(&meetings);
    Ok(SectionRecord {
        registration_id,
        section_code,
        title: None,
        kind,
        kind_label,
        instructors,
        credits: None,
        status: None,
        capacity: count(&raw.seats),
        open_seats: count(&raw.open_seats),
        waitlist: count(&raw.waitlist),
        meetings,
    })
}

fn read_meeting(raw: &RawMeeting) -> Result<Meeting, RecordError> {
    let days =
        parse_days(&text_or_empty(&raw.days)).map_err(|source| RecordError::Notation { field: "days", source })?;
    let time = parse_time_pair(&text_or_empty(&raw.start_time), &text_or_empty(&raw.end_time))
        .map_err(|source| RecordError::Notation { field: "start_time", source })?;
    // `TBA` in either field is a room not yet assigned, not a place.
    let place = |field: &Option<Scalar>| text(field).filter(|t| !is_unscheduled(t));
    let location = match (place(&raw.building), place(&raw.room)) {
        (Some(building), Some(room)) => Some(format!("{building} {room}")),
        (building, room) => building.or(room),
    };
    Ok(Meeting { days, time, location, dates: None, kind_label: text(&raw.classtype) })
}

/// umd.io labels only discussion and lab meetings (`classtype`); a meeting without a label is the
/// lecture. A section whose meetings all share a label is of that kind; one that meets only
/// `ONLINE` is online; one with no information at all stays `Other`.
fn section_kind(meetings: &[Meeting]) -> (SectionKind, Option<String>) {
    let labels: Vec<Option<&str>> = meetings.iter().map(|m| m.kind_label.as_deref()).collect();
    if let Some(Some(first)) = labels.first()
        && labels.iter().all(|l| *l == Some(*first))
    {
        return (SectionKind::from_label(first), Some((*first).to_owned()));
    }
    let is_online = |m: &Meeting| m.location.as_deref().is_some_and(|l| l.eq_ignore_ascii_case("ONLINE"));
    let has_information = |m: &Meeting| m.time.is_some() || !m.days.is_empty() || m.location.is_some();
    let kind = if !meetings.is_empty() && meetings.iter().all(is_online) {
        SectionKind::Online
    } else if meetings.iter().any(has_information) {
        SectionKind::Lecture
    } else {
        SectionKind::Other
    };
    (kind, None)
}

/// One element of the top-level array: its 1-based index, where it starts, and its bytes (`None` when
/// the input ends inside it).
struct Element<'a> {
    index: usize,
    offset: usize,
    bytes: Option<&'a [u8]>,
}

/// Splits a JSON array into its elements by bracket depth outside strings, without decoding them, so
/// each element can fail on its own.
fn split_array(input: &[u8]) -> Result<Vec<Element<'_>>, ImportError> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let start = input.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start.filter(|&i| input[i] == b'[') else {
        let found = match start {
            None => "an empty document".to_owned(),
            Some(i) => format!("{:?}", String::from_utf8_lossy(&input[i..input.len().min(i + 20)])),
        };
        return Err(ImportError::NotJsonArray { found });
    };
    let mut elements = Vec::new();
    let mut element_start: Option<usize> = None;
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in input.iter().enumerate().skip(start + 1) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => continue,
            b',' | b']' if depth == 0 => {
                if let Some(s) = element_start.take() {
                    let bytes = input[s..i].trim_ascii_end();
                    elements.push(Element { index: elements.len() + 1, offset: s, bytes: Some(bytes) });
                }
                if b == b']' {
                    return Ok(elements);
                }
                continue;
            }
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        element_start.get_or_insert(i);
    }
    if let Some(s) = element_start {
        elements.push(Element { index: elements.len() + 1, offset: s, bytes: None });
    }
    Ok(elements)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_split_array_keeps_strings_with_brackets_and_commas_whole() {
        let input = br#" [ {"a": "x, ] } \" ["}, [1, 2], 3 ] trailing"#;
        let elements = split_array(input).expect("an array");
        let texts: Vec<&str> =
            elements.iter().map(|e| std::str::from_utf8(e.bytes.expect("complete")).expect("utf-8")).collect();
        assert_eq!(texts, [r#"{"a": "x, ] } \" ["}"#, "[1, 2]", "3"]);
        assert_eq!(elements[1].index, 2);
    }

    #[test]
    fn test_split_array_marks_a_cut_off_last_element() {
        let elements = split_array(br#"[{"a": 1}, {"b": [2"#).expect("an array");
        assert_eq!(elements.len(), 2);
        assert!(elements[0].bytes.is_some());
        assert!(elements[1].bytes.is_none());
        assert_eq!(elements[1].offset, 11);
    }

    #[test]
    fn test_split_array_refuses_what_is_not_an_array() {
        assert!(matches!(split_array(b"  "), Err(ImportError::NotJsonArray { .. })));
        assert!(matches!(split_array(br#"{"courses": []}"#), Err(ImportError::NotJsonArray { .. })));
        assert!(split_array(b"[]").expect("empty array").is_empty());
    }

    #[test]
    fn test_course_ids_split_into_subject_and_number() {
        assert_eq!(split_course_id("AASP100", Some("AASP")), ("AASP".into(), "100".into()));
        assert_eq!(split_course_id("AASP498E", None), ("AASP".into(), "498E".into()));
        assert_eq!(split_course_id("ENGL101", Some("MATH")), ("ENGL".into(), "101".into()));
    }
}
