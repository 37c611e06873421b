//! Adapter for the UIUC Course Explorer CSV export (as published in wadefagen/datasets): one row per
//! meeting of a section, so rows sharing a CRN are merged into one section with several meetings.
//!
//! Columns are found by their header names, not positions, so exports with columns added, dropped or
//! reordered still read. Text fields may hold HTML character references (`US Racial &amp; Ethnic
//! Politics`), which are decoded.

use super::assemble::CatalogBuilder;
use super::notation::{decode_text, is_unscheduled, parse_credits, parse_days, parse_time_pair};
use super::{
    CourseRecord, ImportError, Importer, Instructor, Location, Meeting, ParseReport, RecordError, SectionKind,
    SectionRecord,
};
use std::collections::HashMap;

/// The UIUC Course Explorer CSV importer.
#[derive(Debug, Clone, Copy, Default)]
pub struct UiucCsv;

const SUBJECT: &str = "Subject";
const NUMBER: &str = "Number";
const NAME: &str = "Name";
const CRN: &str = "CRN";
const START: &str = "Start Time";
const END: &str = "End Time";
const DAYS: &str = "Days of Week";
const REQUIRED: [&str; 7] = [SUBJECT, NUMBER, NAME, CRN, START, END, DAYS];

const DESCRIPTION: &str = "Description";
const CREDIT_HOURS: &str = "Credit Hours";
const SECTION: &str = "Section";
const SECTION_TITLE: &str = "Section Title";
const SECTION_CREDITS: &str = "Section Credit Hours";
const ENROLLMENT_STATUS: &str = "Enrollment Status";
const TYPE: &str = "Type";
const ROOM: &str = "Room";
const BUILDING: &str = "Building";
const INSTRUCTORS: &str = "Instructors";

/// Column positions by header name, compared case-insensitively.
struct Columns {
    index: HashMap<String, usize>,
    width: usize,
}

impl Columns {
    fn new(header: &csv::StringRecord) -> Result<Self, ImportError> {
        let index: HashMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(i, name)| (name.trim_start_matches('\u{feff}').trim().to_ascii_lowercase(), i))
            .collect();
        let missing: Vec<&'static str> =
            REQUIRED.into_iter().filter(|name| !index.contains_key(&name.to_ascii_lowercase())).collect();
        if !missing.is_empty() {
            return Err(ImportError::MissingColumns { missing });
        }
        Ok(Self { index, width: header.len() })
    }

    /// The raw cell, `""` when the column is absent.
    fn raw<'r>(&self, row: &'r csv::StringRecord, column: &str) -> &'r str {
        self.index.get(&column.to_ascii_lowercase()).and_then(|&i| row.get(i)).unwrap_or("")
    }

    /// The decoded, tidied cell; `None` when blank or absent.
    fn text(&self, row: &csv::StringRecord, column: &str) -> Option<String> {
        decode_text(self.raw(row, column))
    }

    fn required(&self, row: &csv::StringRecord, column: &'static str) -> Result<String, RecordError> {
        self.text(row, column).ok_or(RecordError::MissingField { field: column })
    }
}

impl Importer for UiucCsv {
    fn parse(&self, input: &[u8]) -> Result<ParseReport, ImportError> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
        let columns = Columns::new(reader.headers().map_err(ImportError::CsvHeader)?)?;
        let mut builder = CatalogBuilder::default();
        let mut last_line = 1;
        for row in reader.records() {
            builder.examined();
            let row = match row {
                Ok(row) => row,
                Err(e) => {
                    let line = e.position().map_or(last_line + 1, |p| p.line());
                    last_line = line;
                    builder.skip(Location::Line(line), RecordError::Csv(e));
                    continue;
                }
            };
            let line = row.position().map_or(last_line + 1, |p| p.line());
            last_line = line;
            if let Err(reason) = add_row(&mut builder, &columns, &row) {
                builder.skip(Location::Line(line), reason);
            }
        }
        builder.finish()
    }
}

fn add_row(builder: &mut CatalogBuilder, columns: &Columns, row: &csv::StringRecord) -> Result<(), RecordError> {
    if row.len() != columns.width {
        return Err(RecordError::FieldCount { expected: columns.width, found: row.len() });
    }
    let subject = columns.required(row, SUBJECT)?;
    let number = columns.required(row, NUMBER)?;
    let registration_id = columns.required(row, CRN)?;
    let title = columns.required(row, NAME)?;
    let days = parse_days(columns.raw(row, DAYS)).map_err(|source| RecordError::Notation { field: DAYS, source })?;
    let time = parse_time_pair(columns.raw(row, START), columns.raw(row, END))
        .map_err(|source| RecordError::Notation { field: START, source })?;
    let kind_label = columns.text(row, TYPE);
    let meeting = Meeting {
        days,
        time,
        location: location(columns.text(row, ROOM), columns.text(row, BUILDING)),
        dates: None,
        kind_label: kind_label.clone(),
    };
    let instructors = columns
        .text(row, INSTRUCTORS)
        .map(|names| names.split(';').filter_map(decode_text).map(|name| Instructor { name, primary: false }).collect())
        .unwrap_or_default();
    let course = builder.add_course(CourseRecord {
        course_code: format!("{subject} {number}"),
        subject,
        number,
        title,
        description: columns.text(row, DESCRIPTION),
        credits: parse_credits(columns.raw(row, CREDIT_HOURS)),
        sections: Vec::new(),
    });
    builder.add_section(
        course,
        SectionRecord {
            registration_id,
            section_code: columns.text(row, SECTION),
            title: columns.text(row, SECTION_TITLE),
            kind: kind_label.as_deref().map_or(SectionKind::Other, SectionKind::from_label),
            kind_label,
            instructors,
            credits: parse_credits(columns.raw(row, SECTION_CREDITS)),
            // The export writes UNKNOWN when it has no live enrollment figure.
            status: columns.text(row, ENROLLMENT_STATUS).filter(|s| !s.eq_ignore_ascii_case("UNKNOWN")),
            capacity: None,
            open_seats: None,
            waitlist: None,
            meetings: vec![meeting],
        },
    )
}

/// Room then building, as Course Explorer shows it (`1002 Lincoln Hall`); `ARR` (arranged) is no room.
fn location(room: Option<String>, building: Option<String>) -> Option<String> {
    let room = room.filter(|r| !is_unscheduled(r));
    let building = building.filter(|b| !is_unscheduled(b));
    match (room, building) {
        (Some(room), Some(building)) => Some(format!("{room} {building}")),
        (room, building) => room.or(building),
    }
}
