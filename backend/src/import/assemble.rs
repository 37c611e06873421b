//! Assembles adapters' rows into de-duplicated courses and sections, and applies the bad-row
//! threshold. One home for both rules, so every format merges repeats and gives up the same way.
//!
//! Sources repeat themselves: UIUC writes one row per meeting of a CRN, umd.io dumps list some courses
//! twice (overlapping API pages). Courses are keyed by their code and sections by the source's
//! registration id; a repeat adds only the meetings and instructors not already there.

use super::{CourseRecord, ImportError, Location, ParseReport, RecordError, SectionRecord, Skipped};
use std::collections::HashMap;

/// Bad records always tolerated, however small the file.
const MAX_BAD_COUNT: usize = 10;
/// The largest share of bad records, in percent, tolerated beyond [`MAX_BAD_COUNT`].
const MAX_BAD_PERCENT: usize = 5;
/// Skipped records quoted in [`ImportError::TooManyBad`].
const QUOTED_BAD: usize = 3;

/// Collects courses and sections in source order, merging repeats.
#[derive(Debug, Default)]
pub(crate) struct CatalogBuilder {
    courses: Vec<CourseRecord>,
    course_index: HashMap<String, usize>,
    /// Registration id → (course, section) position.
    section_index: HashMap<String, (usize, usize)>,
    skipped: Vec<Skipped>,
    examined: usize,
}

impl CatalogBuilder {
    /// Counts one row, section or page looked at; the threshold is a share of these.
    pub(crate) fn examined(&mut self) {
        self.examined += 1;
    }

    /// Records that something at `location` was left out.
    pub(crate) fn skip(&mut self, location: Location, reason: RecordError) {
        tracing::debug!(%location, %reason, "skipped");
        self.skipped.push(Skipped { location, reason });
    }

    /// Adds a course (its `sections` are ignored) unless one with its code is already there; the
    /// first listing's title, description and credits win.
    pub(crate) fn add_course(&mut self, course: CourseRecord) -> usize {
        if let Some(&index) = self.course_index.get(&course.course_code) {
            return index;
        }
        let index = self.courses.len();
        self.course_index.insert(course.course_code.clone(), index);
        self.courses.push(CourseRecord { sections: Vec::new(), ..course });
        index
    }

    /// Adds `section` to the course at `course` (from [`Self::add_course`]), or merges it into the
    /// section already listed under its registration id.
    pub(crate) fn add_section(&mut self, course: usize, mut section: SectionRecord) -> Result<(), RecordError> {
        let Some(owner) = self.courses.get_mut(course) else {
            return Err(RecordError::MissingField { field: "course" });
        };
        if section.title.as_deref() == Some(owner.title.as_str()) {
            section.title = None;
        }
        match self.section_index.get(&section.registration_id) {
            None => {
                let mut meetings = Vec::with_capacity(section.meetings.len());
                for meeting in std::mem::take(&mut section.meetings) {
                    if !meetings.contains(&meeting) {
                        meetings.push(meeting);
                    }
                }
                section.meetings = meetings;
                self.section_index.insert(section.registration_id.clone(), (course, owner.sections.len()));
                owner.sections.push(section);
                Ok(())
            }
            Some(&(existing_course, _)) if existing_course != course => {
                let course_code = self.courses.get(existing_course).map(|c| c.course_code.clone()).unwrap_or_default();
                Err(RecordError::RegistrationIdReused { registration_id: section.registration_id, course_code })
            }
            Some(&(_, position)) => {
                if let Some(existing) = owner.sections.get_mut(position) {
                    merge_section(existing, section);
                }
                Ok(())
            }
        }
    }

    /// The report, or [`ImportError::TooManyBad`] when more than [`MAX_BAD_PERCENT`]% and more than
    /// [`MAX_BAD_COUNT`] of the examined records were skipped.
    pub(crate) fn finish(self) -> Result<ParseReport, ImportError> {
        let bad = self.skipped.len();
        let total = self.examined.max(bad);
        if bad > MAX_BAD_COUNT && bad * 100 > total * MAX_BAD_PERCENT {
            return Err(ImportError::TooManyBad {
                bad,
                total,
                max_percent: MAX_BAD_PERCENT,
                max_count: MAX_BAD_COUNT,
                first: self.skipped.into_iter().take(QUOTED_BAD).collect(),
            });
        }
        Ok(ParseReport { records: self.courses, skipped: self.skipped })
    }
}

/// Joins several documents' reports into one term's catalog (see [`ParseReport::merge`]). Each
/// document already passed the bad-record threshold on its own, so none is applied again here.
pub(crate) fn merge(mut documents: Vec<(String, ParseReport)>) -> ParseReport {
    if documents.len() == 1
        && let Some((_, report)) = documents.pop()
    {
        return report;
    }
    let within = |document: &str, location: Location| Location::InDocument {
        document: document.to_owned(),
        location: Box::new(location),
    };
    let mut builder = CatalogBuilder::default();
    for (document, report) in documents {
        for skipped in report.skipped {
            builder.skipped.push(Skipped { location: within(&document, skipped.location), reason: skipped.reason });
        }
        for mut course in report.records {
            let sections = std::mem::take(&mut course.sections);
            let code = course.course_code.clone();
            let index = builder.add_course(course);
            for section in sections {
                let label = section.section_code.clone().unwrap_or_else(|| section.registration_id.clone());
                if let Err(reason) = builder.add_section(index, section) {
                    let location = within(&document, Location::Section { course: code.clone(), section: label });
                    builder.skip(location, reason);
                }
            }
        }
    }
    ParseReport { records: builder.courses, skipped: builder.skipped }
}

/// Adds what `repeat` knows that `existing` does not: new meetings and instructors, and fields the
/// first listing left blank. Identical meetings are dropped because a timetable would show them
/// twice and flag the section as clashing with itself.
fn merge_section(existing: &mut SectionRecord, repeat: SectionRecord) {
    if repeat.kind.precedence() < existing.kind.precedence() {
        existing.kind = repeat.kind;
        existing.kind_label = repeat.kind_label.clone();
    }
    for meeting in repeat.meetings {
        if !existing.meetings.contains(&meeting) {
            existing.meetings.push(meeting);
        }
    }
    for instructor in repeat.instructors {
        match existing.instructors.iter_mut().find(|i| i.name == instructor.name) {
            Some(known) => known.primary |= instructor.primary,
            None => existing.instructors.push(instructor),
        }
    }
    existing.section_code = existing.section_code.take().or(repeat.section_code);
    existing.kind_label = existing.kind_label.take().or(repeat.kind_label);
    existing.credits = existing.credits.take().or(repeat.credits);
    existing.status = existing.status.take().or(repeat.status);
    existing.capacity = existing.capacity.or(repeat.capacity);
    existing.open_seats = existing.open_seats.or(repeat.open_seats);
    existing.waitlist = existing.waitlist.or(repeat.waitlist);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::notation::DaySet;
    use crate::import::{Instructor, Meeting, SectionKind};

    fn course(code: &str) -> CourseRecord {
        CourseRecord {
            subject: "CS".into(),
            number: code.trim_start_matches("CS ").into(),
            course_code: code.into(),
            title: "Data Structures".into(),
            description: None,
            credits: None,
            sections: Vec::new(),
        }
    }

    fn section(id: &str, location: &str, instructor: &str) -> SectionRecord {
        SectionRecord {
            registration_id: id.into(),
            section_code: None,
            title: Some("Data Structures".into()),
            kind: SectionKind::Lecture,
            kind_label: None,
            instructors: vec![Instructor { name: instructor.into(), primary: false }],
            credits: None,
            status: None,
            capacity: None,
            open_seats: Some(3),
            waitlist: None,
            meetings: vec![Meeting {
                days: DaySet::EMPTY,
                time: None,
                location: Some(location.into()),
                dates: None,
                kind_label: None,
            }],
        }
    }

    #[test]
    fn test_repeated_registration_ids_merge_meetings_and_instructors_once() {
        let mut builder = CatalogBuilder::default();
        let cs = builder.add_course(course("CS 225"));
        assert_eq!(builder.add_course(course("CS 225")), cs);
        let mut first = section("1", "Room A", "Ada");
        first.meetings.push(first.meetings[0].clone());
        builder.add_section(cs, first).expect("first, listing one meeting twice");
        builder.add_section(cs, section("1", "Room B", "Bob")).expect("second meeting");
        builder.add_section(cs, section("1", "Room A", "Ada")).expect("exact repeat");
        let report = builder.finish().expect("no bad rows");
        assert_eq!((report.course_count(), report.section_count(), report.meeting_count()), (1, 1, 2));
        let (_, merged) = report.section("1").expect("section 1");
        assert_eq!(merged.instructors.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["Ada", "Bob"]);
        assert_eq!(merged.title, None, "a title equal to the course's is not repeated");
    }

    #[test]
    fn test_a_section_meeting_in_several_formats_is_named_by_its_lecture() {
        let mut builder = CatalogBuilder::default();
        let cs = builder.add_course(course("CS 374"));
        let row = |kind, label: &str, location| SectionRecord {
            kind,
            kind_label: Some(label.into()),
            ..section("1", location, "Ada")
        };
        builder.add_section(cs, row(SectionKind::Discussion, "Discussion/Recitation", "Room A")).expect("row 1");
        builder.add_section(cs, row(SectionKind::Lecture, "Lecture", "Room B")).expect("row 2");
        builder.add_section(cs, row(SectionKind::Lab, "Laboratory", "Room C")).expect("row 3");
        let report = builder.finish().expect("no bad rows");
        let (_, merged) = report.section("1").expect("section 1");
        assert_eq!((merged.kind, merged.kind_label.as_deref()), (SectionKind::Lecture, Some("Lecture")));
        assert_eq!(merged.meetings.len(), 3);
    }

    #[test]
    fn test_a_registration_id_under_two_courses_is_refused() {
        let mut builder = CatalogBuilder::default();
        let a = builder.add_course(course("CS 225"));
        let b = builder.add_course(course("CS 374"));
        builder.add_section(a, section("1", "Room A", "Ada")).expect("first");
        let err = builder.add_section(b, section("1", "Room A", "Ada")).expect_err("reused");
        assert_eq!(err.to_string(), "registration id 1 already belongs to CS 225");
    }

    #[test]
    fn test_documents_of_one_term_merge_into_one_catalog() {
        let page = |courses: Vec<CourseRecord>| ParseReport {
            records: courses,
            skipped: vec![Skipped {
                location: Location::Heading(3),
                reason: RecordError::MissingField { field: "CRN" },
            }],
        };
        let with = |code: &str, sections: Vec<SectionRecord>| CourseRecord { sections, ..course(code) };
        let cs = page(vec![with("CS 225", vec![section("1", "Room A", "Ada")])]);
        let more = page(vec![
            with("CS 225", vec![section("1", "Room B", "Bob"), section("2", "Room C", "Cy")]),
            with("CS 374", vec![section("1", "Room D", "Di")]),
        ]);
        let merged = ParseReport::merge(vec![("cs.html".into(), cs), ("more.html".into(), more)]);
        assert_eq!((merged.course_count(), merged.section_count(), merged.meeting_count()), (2, 2, 3));
        let skipped: Vec<String> = merged.skipped.iter().map(ToString::to_string).collect();
        assert_eq!(
            skipped,
            [
                "cs.html: section heading 3: missing CRN",
                "more.html: section heading 3: missing CRN",
                "more.html: course CS 374 section 1: registration id 1 already belongs to CS 225",
            ]
        );

        let alone = ParseReport::merge(vec![("only.html".into(), page(vec![course("CS 101")]))]);
        assert_eq!(alone.skipped[0].to_string(), "section heading 3: missing CRN", "one document is left as it was");
    }

    #[test]
    fn test_threshold_needs_both_more_than_ten_and_more_than_five_percent() {
        let run = |bad: usize, total: usize| {
            let mut builder = CatalogBuilder::default();
            for i in 0..total {
                builder.examined();
                if i < bad {
                    builder.skip(Location::Line(i as u64 + 2), RecordError::MissingField { field: "CRN" });
                }
            }
            builder.finish()
        };
        assert!(run(10, 10).is_ok(), "ten bad rows are always tolerated");
        assert!(run(11, 1000).is_ok(), "1.1% is under the share");
        assert!(run(50, 1000).is_ok(), "exactly 5% is tolerated");
        let err = run(51, 1000).expect_err("5.1% is over");
        assert!(matches!(err, ImportError::TooManyBad { bad: 51, total: 1000, .. }), "{err}");
        assert!(err.to_string().contains("first: line 2: missing CRN; line 3: missing CRN; line 4"), "{err}");
    }
}
