//! Course-catalog import: one [`Importer`] interface, one adapter per source *format*, and the parsed
//! model they all produce (course → section → meeting) with what was skipped and why.
//!
//! Adapters only parse: they turn one document (a CSV export, a JSON dump, a Banner HTML page) into a
//! [`ParseReport`]. Storage (`db::catalog`) takes a report as its input, so the `import --dry-run`
//! command, the tests and the writer all see the very same records; a term published as several
//! documents (Banner lists one subject per page) is joined with [`ParseReport::merge`] first. A malformed row is reported with
//! its [`Location`] and skipped; past a threshold of bad rows the whole parse fails
//! ([`ImportError::TooManyBad`]) so a broken file never half-replaces a catalog.

mod assemble;
pub mod banner8_html;
pub mod fetch;
pub mod notation;
pub mod refresh;
pub mod samples;
pub mod summary;
pub mod terms;
pub mod uiuc_csv;
pub mod umdio_json;

use notation::{Credits, DateRange, DaySet, NotationError, TimeRange};
use std::fmt;

/// Reads one source document into courses, sections and meetings.
pub trait Importer {
    /// Parses `input` (the raw bytes of one file or download).
    fn parse(&self, input: &[u8]) -> Result<ParseReport, ImportError>;
}

/// The source formats Pretzel can import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The UIUC Course Explorer CSV export: one row per section meeting.
    UiucCsv,
    /// The umd.io courses API dump: an array of courses with their sections and meetings.
    UmdioJson,
    /// Ellucian Banner 8 "Class Schedule Listing" HTML (`bwckschd.p_get_crse_unsec`).
    #[value(name = "banner8-html")]
    Banner8Html,
}

impl Format {
    /// The adapter for this format.
    pub fn importer(self) -> &'static dyn Importer {
        match self {
            Format::UiucCsv => &uiuc_csv::UiucCsv,
            Format::UmdioJson => &umdio_json::UmdioJson,
            Format::Banner8Html => &banner8_html::Banner8Html,
        }
    }

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::UiucCsv => "uiuc-csv",
            Format::UmdioJson => "umdio-json",
            Format::Banner8Html => "banner8-html",
        }
    }
}

/// One course with the sections the source lists for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseRecord {
    /// Subject or department code, `CS`.
    pub subject: String,
    /// Course number within the subject, `10100`, `498E`.
    pub number: String,
    /// The code as the source writes it: `CS 10100`, `AASP100`.
    pub course_code: String,
    /// The course title (for topics courses, sections may carry their own).
    pub title: String,
    /// The catalog description, where the source has one.
    pub description: Option<String>,
    /// Credits for the course as the source gives them.
    pub credits: Option<Credits>,
    /// The sections, in source order, one per registration id.
    pub sections: Vec<SectionRecord>,
}

/// One registrable section of a course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionRecord {
    /// The source's own id for the section (Banner CRN, umd.io `section_id`); re-imports key on it.
    pub registration_id: String,
    /// The section code as written (`AL1`, `0101`, `002`), if any.
    pub section_code: Option<String>,
    /// The section's own title when it differs from the course title (topics courses).
    pub title: Option<String>,
    /// What kind of section this is, normalised.
    pub kind: SectionKind,
    /// The source's own label for the kind (`Lecture-Discussion`, `Distance Learning`), if any.
    pub kind_label: Option<String>,
    /// Instructors in source order.
    pub instructors: Vec<Instructor>,
    /// Credits of this section when it fixes a value within the course's range.
    pub credits: Option<Credits>,
    /// Enrollment status as the source writes it (`Open`, `Closed`), where present.
    pub status: Option<String>,
    /// Seats in total, where present.
    pub capacity: Option<u32>,
    /// Seats still open, where present.
    pub open_seats: Option<u32>,
    /// Students on the waitlist, where present.
    pub waitlist: Option<u32>,
    /// When and where the section meets; a meeting without days or times is "arranged".
    pub meetings: Vec<Meeting>,
}

/// A person teaching a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instructor {
    /// The name as the source writes it, whitespace tidied (`Henson, A`, `Howard E Sypher`).
    pub name: String,
    /// Whether the source marks this instructor as the primary one (Banner's `(P)`).
    pub primary: bool,
}

/// One weekly meeting pattern of a section.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Meeting {
    /// The weekdays; empty when the source gives none (arranged, online, to be announced).
    pub days: DaySet,
    /// Start and end in campus-local time; `None` for arranged or unannounced times.
    pub time: Option<TimeRange>,
    /// Building and room, or the source's word for the place (`ONLINE`).
    pub location: Option<String>,
    /// The dates the pattern runs, where the source gives them.
    pub dates: Option<DateRange>,
    /// The source's label for this meeting's kind (`Lab`, `Discussion`), where it has one.
    pub kind_label: Option<String>,
}

/// A section's kind, normalised across sources; the source's own label is kept beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// Lectures, including lecture-discussion hybrids.
    Lecture,
    /// Laboratories.
    Lab,
    /// Discussions, recitations, quiz and tutorial sections.
    Discussion,
    /// Seminars, colloquia and workshops.
    Seminar,
    /// Studios.
    Studio,
    /// Online or distance sections, whatever their format: a student needs no room for them.
    Online,
    /// Independent, individual or directed study.
    IndependentStudy,
    /// Research, thesis and dissertation credit.
    Research,
    /// Internships, practica, clinical and experiential placements.
    Internship,
    /// Anything else (conference, travel, study abroad, …): see the label.
    Other,
}

impl SectionKind {
    /// The kind's name in the JSON contract and in storage: `lecture`, `independent_study`, ….
    pub fn as_str(self) -> &'static str {
        match self {
            SectionKind::Lecture => "lecture",
            SectionKind::Lab => "lab",
            SectionKind::Discussion => "discussion",
            SectionKind::Seminar => "seminar",
            SectionKind::Studio => "studio",
            SectionKind::Online => "online",
            SectionKind::IndependentStudy => "independent_study",
            SectionKind::Research => "research",
            SectionKind::Internship => "internship",
            SectionKind::Other => "other",
        }
    }

    /// Which kind names a section that meets in several formats (UIUC lists a lecture's discussion
    /// meetings under the same CRN): the lecture, then the more structured formats.
    pub fn precedence(self) -> u8 {
        match self {
            SectionKind::Lecture => 0,
            SectionKind::Seminar => 1,
            SectionKind::Studio => 2,
            SectionKind::Lab => 3,
            SectionKind::Discussion => 4,
            SectionKind::Online => 5,
            SectionKind::IndependentStudy => 6,
            SectionKind::Research => 7,
            SectionKind::Internship => 8,
            SectionKind::Other => 9,
        }
    }

    /// Normalises a source label by the words in it. Delivery wins over format (`Online Lab` is
    /// online) because it decides whether the section has a room at all.
    pub fn from_label(label: &str) -> SectionKind {
        let lower = label.to_ascii_lowercase();
        let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let has = |candidates: &[&str]| words.iter().any(|w| candidates.contains(w));
        let has_prefix = |prefix: &str| words.iter().any(|w| w.starts_with(prefix));
        if has(&["online", "distance", "web", "remote", "virtual", "onl"]) {
            SectionKind::Online
        } else if has(&["independent", "individual", "directed", "ind"]) {
            SectionKind::IndependentStudy
        } else if has_prefix("lab") {
            SectionKind::Lab
        } else if has(&["lecture", "lec", "lect"]) {
            SectionKind::Lecture
        } else if has(&["discussion", "recitation", "quiz", "tutorial", "dis", "rec"]) {
            SectionKind::Discussion
        } else if has(&["seminar", "colloquium", "workshop", "sem"]) {
            SectionKind::Seminar
        } else if has(&["studio"]) {
            SectionKind::Studio
        } else if has(&["research", "thesis", "dissertation"]) {
            SectionKind::Research
        } else if has(&[
            "internship",
            "practicum",
            "practice",
            "clinical",
            "experiential",
            "fieldwork",
            "field",
            "coop",
        ]) {
            SectionKind::Internship
        } else {
            SectionKind::Other
        }
    }
}

/// What one parse produced: the de-duplicated records and every row or page that was skipped.
#[derive(Debug)]
pub struct ParseReport {
    /// Courses in source order, each with its sections; no course code or registration id twice.
    pub records: Vec<CourseRecord>,
    /// Rows, sections or pages left out, each with where and why.
    pub skipped: Vec<Skipped>,
}

impl ParseReport {
    /// Distinct courses.
    pub fn course_count(&self) -> usize {
        self.records.len()
    }

    /// Distinct sections.
    pub fn section_count(&self) -> usize {
        self.records.iter().map(|c| c.sections.len()).sum()
    }

    /// Meetings over all sections.
    pub fn meeting_count(&self) -> usize {
        self.sections().map(|(_, s)| s.meetings.len()).sum()
    }

    /// Every section with its course, in source order.
    pub fn sections(&self) -> impl Iterator<Item = (&CourseRecord, &SectionRecord)> {
        self.records.iter().flat_map(|c| c.sections.iter().map(move |s| (c, s)))
    }

    /// The section with this registration id.
    pub fn section(&self, registration_id: &str) -> Option<(&CourseRecord, &SectionRecord)> {
        self.sections().find(|(_, s)| s.registration_id == registration_id)
    }

    /// Joins the reports of several documents of one term, each named (a path or URL), into the
    /// term's one catalog. A course or section listed in two documents is merged as repeats within
    /// one document are; a registration id under two different courses is skipped. Skipped records
    /// keep their document's name in their location. One document's report comes back as it was.
    pub fn merge(documents: Vec<(String, ParseReport)>) -> ParseReport {
        assemble::merge(documents)
    }
}

/// A row, section or page that was left out.
#[derive(Debug)]
pub struct Skipped {
    /// Where in the source it is.
    pub location: Location,
    /// Why it was left out.
    pub reason: RecordError,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.reason)
    }
}

/// Where in a source document a problem is, in terms a person can find it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A line of a text file, 1-based: `line 17`.
    Line(u64),
    /// An element of a JSON array that could not be read as a course: `course #17 (byte 5234)`.
    ArrayElement {
        /// 1-based position in the array.
        index: usize,
        /// Byte offset where it starts.
        offset: usize,
    },
    /// A course by its source id: `course AASP100`.
    Course(String),
    /// A section within a course: `course AASP100 section 0101`.
    Section {
        /// The course id.
        course: String,
        /// The section number, or its position when it has none.
        section: String,
    },
    /// A section heading on an HTML listing page, 1-based: `section heading 12`.
    Heading(usize),
    /// A row of the meeting table under a heading: `section heading 12, meeting row 2`.
    MeetingRow {
        /// The heading, 1-based.
        heading: usize,
        /// The row, 1-based, not counting the header.
        row: usize,
    },
    /// A location within one of several documents imported together: `CS.html: section heading 12`.
    InDocument {
        /// The document's path or URL.
        document: String,
        /// Where in it.
        location: Box<Location>,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(line) => write!(f, "line {line}"),
            Location::ArrayElement { index, offset } => write!(f, "course #{index} (byte {offset})"),
            Location::Course(id) => write!(f, "course {id}"),
            Location::Section { course, section } => write!(f, "course {course} section {section}"),
            Location::Heading(n) => write!(f, "section heading {n}"),
            Location::MeetingRow { heading, row } => write!(f, "section heading {heading}, meeting row {row}"),
            Location::InDocument { document, location } => write!(f, "{document}: {location}"),
        }
    }
}

/// Why one row, section or page was skipped.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// A field the record cannot do without is missing or blank.
    #[error("missing {field}")]
    MissingField {
        /// The field's name in the source.
        field: &'static str,
    },
    /// A CSV row has a different number of fields than the header (a garbled or cut-off row).
    #[error("expected {expected} fields, found {found}")]
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// The CSV reader could not read the row (for example, it is not UTF-8).
    #[error("unreadable CSV row: {0}")]
    Csv(#[source] csv::Error),
    /// A day or time field in no known notation.
    #[error("{field}: {source}")]
    Notation {
        /// The field's name in the source.
        field: &'static str,
        /// What was wrong with it.
        source: NotationError,
    },
    /// A JSON value that is not valid JSON or has the wrong shape.
    #[error("invalid JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// The document ends inside this record.
    #[error("the input ends inside this record (truncated download?)")]
    Truncated,
    /// A section heading not of the form `Title - CRN - SUBJ NUM - SEC`.
    #[error("heading {text:?} is not `Title - CRN - SUBJECT NUMBER - SECTION`")]
    Heading {
        /// The heading text.
        text: String,
    },
    /// The registration id is already used by a section of another course.
    #[error("registration id {registration_id} already belongs to {course_code}")]
    RegistrationIdReused {
        /// The id.
        registration_id: String,
        /// The course that has it.
        course_code: String,
    },
    /// A course's `sections` entry that is not a section object (umd.io without `expand=sections`
    /// lists bare section ids).
    #[error("section entry is not an object (was the dump made without expand=sections?)")]
    SectionNotObject,
}

/// Why a whole document could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The CSV header lacks columns the format requires.
    #[error("the CSV header lacks required columns: {}", missing.join(", "))]
    MissingColumns {
        /// The absent columns.
        missing: Vec<&'static str>,
    },
    /// The CSV header itself could not be read.
    #[error("cannot read the CSV header: {0}")]
    CsvHeader(#[source] csv::Error),
    /// The JSON document is not an array of courses.
    #[error("expected a JSON array of courses, found {found}")]
    NotJsonArray {
        /// What the document starts with instead.
        found: String,
    },
    /// The HTML page is not a Banner "Class Schedule Listing" (a login page, an error page, the term
    /// picker). Refused rather than read as "no sections", which would look like every course was
    /// removed.
    #[error("the page is not a Banner Class Schedule Listing (no section headings, no 'no classes found' message)")]
    NotScheduleListing,
    /// Too many rows were malformed for the rest to be trusted.
    #[error(
        "{bad} of {total} records are malformed (more than {max_percent}% and more than {max_count}); first: {}",
        first.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    TooManyBad {
        /// Records skipped.
        bad: usize,
        /// Records examined.
        total: usize,
        /// The allowed share of bad records, in percent.
        max_percent: usize,
        /// The number of bad records always tolerated.
        max_count: usize,
        /// The first few skipped records, to start looking.
        first: Vec<Skipped>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_section_kinds_from_every_sample_label() {
        let cases = [
            ("Lecture", SectionKind::Lecture),
            ("Lecture-Discussion", SectionKind::Lecture),
            ("Laboratory-Discussion", SectionKind::Lab),
            ("Laboratory", SectionKind::Lab),
            ("Lab", SectionKind::Lab),
            ("Discussion/Recitation", SectionKind::Discussion),
            ("Discussion", SectionKind::Discussion),
            ("Recitation", SectionKind::Discussion),
            ("Quiz", SectionKind::Discussion),
            ("Seminar", SectionKind::Seminar),
            ("Online", SectionKind::Online),
            ("Online Lecture", SectionKind::Online),
            ("Online Lab", SectionKind::Online),
            ("Online Lecture Discussion", SectionKind::Online),
            ("Distance Learning", SectionKind::Online),
            ("Independent Study", SectionKind::IndependentStudy),
            ("Individual Study", SectionKind::IndependentStudy),
            ("Research", SectionKind::Research),
            ("Internship", SectionKind::Internship),
            ("Experiential", SectionKind::Internship),
            ("Practice", SectionKind::Internship),
            ("Practice Study Observation", SectionKind::Internship),
            ("Studio", SectionKind::Studio),
            ("Conference", SectionKind::Other),
            ("Study Abroad", SectionKind::Other),
            ("Travel", SectionKind::Other),
        ];
        for (label, kind) in cases {
            assert_eq!(SectionKind::from_label(label), kind, "{label}");
        }
    }

    #[test]
    fn test_locations_read_as_people_would_say_them() {
        assert_eq!(Location::Line(17).to_string(), "line 17");
        assert_eq!(Location::Course("AASP100".into()).to_string(), "course AASP100");
        let section = Location::Section { course: "AASP100".into(), section: "0101".into() };
        assert_eq!(section.to_string(), "course AASP100 section 0101");
        assert_eq!(Location::Heading(12).to_string(), "section heading 12");
        assert_eq!(Location::MeetingRow { heading: 12, row: 2 }.to_string(), "section heading 12, meeting row 2");
        assert_eq!(Location::ArrayElement { index: 3, offset: 1200 }.to_string(), "course #3 (byte 1200)");
        let within = Location::InDocument { document: "CS.html".into(), location: Box::new(Location::Heading(12)) };
        assert_eq!(within.to_string(), "CS.html: section heading 12");
    }

    #[test]
    fn test_kind_names_match_the_json_contract() {
        for kind in [
            SectionKind::Lecture,
            SectionKind::Lab,
            SectionKind::Discussion,
            SectionKind::Seminar,
            SectionKind::Studio,
            SectionKind::Online,
            SectionKind::IndependentStudy,
            SectionKind::Research,
            SectionKind::Internship,
            SectionKind::Other,
        ] {
            assert_eq!(serde_json::to_value(kind).expect("serialises"), kind.as_str());
        }
    }
}
