//! Adapter for Ellucian Banner 8 "Class Schedule Listing" pages (`bwckschd.p_get_crse_unsec`), the
//! public schedule search that hundreds of universities run, read with a real HTML parser.
//!
//! Each section is a heading row, `Title - CRN - SUBJ NUM - SEC` in a `th` of class `ddtitle` (stock
//! Banner) or `ddlabel` (Purdue), followed by a detail row: free text with the schedule type and
//! credits, and a nested "Scheduled Meeting Times" table whose columns (Type, Time, Days, Where,
//! Date Range, Schedule Type, Instructors) are found by their header names. Titles may themselves
//! contain ` - `, so the heading is split from the right. A page with no headings is only accepted as
//! "no sections" when it is recognisably a listing (Banner's "No classes were found" page): a login
//! or error page must not read as an empty catalog.

use super::assemble::CatalogBuilder;
use super::notation::{
    collapse_whitespace, is_unscheduled, parse_credits, parse_date_range, parse_days, parse_time_span,
};
use super::{
    CourseRecord, ImportError, Importer, Instructor, Location, Meeting, ParseReport, RecordError, SectionKind,
    SectionRecord,
};
use scraper::{ElementRef, Html, Node};
use std::borrow::Cow;
use std::collections::HashMap;

/// The Banner 8 class schedule listing importer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Banner8Html;

impl Importer for Banner8Html {
    fn parse(&self, input: &[u8]) -> Result<ParseReport, ImportError> {
        let text = decode(input);
        let document = Html::parse_document(&text);
        let root = document.root_element();
        let headings: Vec<ElementRef<'_>> = root.descendent_elements().filter(is_heading).collect();
        if headings.is_empty() && !is_listing_page(root) {
            return Err(ImportError::NotScheduleListing);
        }
        let mut builder = CatalogBuilder::default();
        for (i, heading) in headings.into_iter().enumerate() {
            builder.examined();
            let number = i + 1;
            if let Err((location, reason)) = add_section(&mut builder, heading, number) {
                builder.skip(location, reason);
            }
        }
        builder.finish()
    }
}

/// Banner sends UTF-8 at most schools; older installations send Windows-1252, which every byte
/// sequence decodes as, so nothing is refused for its encoding.
fn decode(input: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(input) {
        Ok(text) => Cow::Borrowed(text.trim_start_matches('\u{feff}')),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(input).0,
    }
}

fn has_class(element: &ElementRef<'_>, class: &str) -> bool {
    element.value().classes().any(|c| c.eq_ignore_ascii_case(class))
}

fn is_named(element: &ElementRef<'_>, name: &str) -> bool {
    element.value().name().eq_ignore_ascii_case(name)
}

/// Stock `ddtitle` headings always count. Purdue's `ddlabel` is also Banner's class for row labels on
/// other pages, so there it counts only when it looks like a section heading.
fn is_heading(element: &ElementRef<'_>) -> bool {
    if !is_named(element, "th") {
        return false;
    }
    has_class(element, "ddtitle")
        || (has_class(element, "ddlabel")
            && (heading_link(*element).is_some_and(|a| a.value().attr("href").is_some_and(|h| h.contains("crn_in=")))
                || text_of(*element).contains(" - ")))
}

fn is_listing_page(root: ElementRef<'_>) -> bool {
    root.descendent_elements().any(|e| {
        (is_named(&e, "title") && text_of(e).contains("Class Schedule Listing"))
            || (is_named(&e, "caption") && text_of(e).contains("Sections Found"))
            || ((is_named(&e, "td") || is_named(&e, "span") || is_named(&e, "div"))
                && text_of(e).contains("No classes were found"))
    })
}

fn text_of(element: ElementRef<'_>) -> String {
    collapse_whitespace(&element.text().collect::<String>()).unwrap_or_default()
}

fn heading_link(heading: ElementRef<'_>) -> Option<ElementRef<'_>> {
    heading.descendent_elements().find(|e| is_named(e, "a"))
}

/// The parts of a section heading.
struct Heading {
    title: String,
    crn: String,
    subject: String,
    number: String,
    course_code: String,
    section: String,
}

fn parse_heading(heading: ElementRef<'_>) -> Result<Heading, RecordError> {
    // Purdue appends link ids and "Linked Sections Required" after the title link; the link alone
    // holds the heading proper.
    let link = heading_link(heading);
    let text = link.map(text_of).filter(|t| !t.is_empty()).unwrap_or_else(|| text_of(heading));
    let bad = || RecordError::Heading { text: text.clone() };
    let parts: Vec<&str> = text.split(" - ").collect();
    let [title_parts @ .., crn, code, section] = parts.as_slice() else {
        return Err(bad());
    };
    let title = title_parts.join(" - ");
    let (crn, code, section) = (crn.trim(), code.trim(), section.trim());
    let (subject, number) = code.split_once(' ').ok_or_else(bad)?;
    if title.trim().is_empty()
        || crn.is_empty()
        || !crn.bytes().all(|b| b.is_ascii_digit())
        || subject.is_empty()
        || number.trim().is_empty()
        || section.is_empty()
    {
        return Err(bad());
    }
    // The heading links to the section's detail page by CRN; a disagreement means the text was
    // split wrongly (a title part that looks like a CRN while the CRN itself is missing).
    if let Some(linked) = link.and_then(|a| a.value().attr("href")).and_then(crn_in_href)
        && linked != crn
    {
        return Err(bad());
    }
    Ok(Heading {
        title: title.trim().to_owned(),
        crn: crn.to_owned(),
        subject: subject.to_owned(),
        number: number.trim().to_owned(),
        course_code: code.to_owned(),
        section: section.to_owned(),
    })
}

fn crn_in_href(href: &str) -> Option<&str> {
    href.split(['?', '&']).find_map(|pair| pair.strip_prefix("crn_in=")).filter(|v| !v.is_empty())
}

fn add_section(
    builder: &mut CatalogBuilder,
    heading: ElementRef<'_>,
    number: usize,
) -> Result<(), (Location, RecordError)> {
    let parsed = parse_heading(heading).map_err(|e| (Location::Heading(number), e))?;
    let detail = detail_cell(heading);
    let lines = detail.map(detail_lines).unwrap_or_default();
    let schedule_type = lines.iter().find_map(|l| l.strip_suffix(" Schedule Type")).map(str::to_owned);
    let credits = lines.iter().find(|l| l.to_ascii_lowercase().ends_with("credits")).and_then(|l| parse_credits(l));
    let table = detail.and_then(meeting_table);
    let rows = table.map(|t| read_meeting_table(t, number)).transpose()?.unwrap_or_default();

    let kind_label = schedule_type.or_else(|| rows.iter().find_map(|r| r.meeting.kind_label.clone()));
    let mut instructors: Vec<Instructor> = Vec::new();
    for instructor in rows.iter().flat_map(|r| r.instructors.iter()) {
        match instructors.iter_mut().find(|i| i.name == instructor.name) {
            Some(known) => known.primary |= instructor.primary,
            None => instructors.push(instructor.clone()),
        }
    }
    let course = builder.add_course(CourseRecord {
        subject: parsed.subject,
        number: parsed.number,
        course_code: parsed.course_code,
        title: parsed.title.clone(),
        description: None,
        // Banner gives credits per section (a course's lab may carry 0 and its lecture 3).
        credits: None,
        sections: Vec::new(),
    });
    let section = SectionRecord {
        registration_id: parsed.crn,
        section_code: Some(parsed.section),
        title: Some(parsed.title),
        kind: kind_label.as_deref().map_or(SectionKind::Other, SectionKind::from_label),
        kind_label,
        instructors,
        credits,
        status: None,
        capacity: None,
        open_seats: None,
        waitlist: None,
        meetings: rows.into_iter().map(|r| r.meeting).collect(),
    };
    builder.add_section(course, section).map_err(|e| (Location::Heading(number), e))
}

/// The cell after the heading's row: Banner puts each section's details in the next table row.
fn detail_cell(heading: ElementRef<'_>) -> Option<ElementRef<'_>> {
    let row = heading.ancestors().filter_map(ElementRef::wrap).find(|e| is_named(e, "tr"))?;
    let next_row = row.next_siblings().filter_map(ElementRef::wrap).find(|e| is_named(e, "tr"))?;
    if next_row.descendent_elements().any(|e| is_heading(&e)) {
        return None;
    }
    next_row.child_elements().find(|e| is_named(e, "td")).or(Some(next_row))
}

/// The detail cell's own text, one entry per line, leaving out nested tables.
fn detail_lines(cell: ElementRef<'_>) -> Vec<String> {
    fn collect(element: ElementRef<'_>, out: &mut String) {
        for child in element.children() {
            match child.value() {
                Node::Text(text) => out.push_str(text),
                Node::Element(e) if e.name().eq_ignore_ascii_case("br") || e.name().eq_ignore_ascii_case("table") => {
                    out.push('\n')
                }
                _ => {
                    if let Some(child) = ElementRef::wrap(child) {
                        collect(child, out);
                    }
                }
            }
        }
    }
    let mut text = String::new();
    collect(cell, &mut text);
    text.lines().filter_map(collapse_whitespace).collect()
}

/// The first nested table whose header row names both a Time and a Days column.
fn meeting_table(cell: ElementRef<'_>) -> Option<ElementRef<'_>> {
    cell.descendent_elements().filter(|e| is_named(e, "table")).find(|table| {
        let names = header_names(*table);
        names.contains_key("time") && names.contains_key("days")
    })
}

/// Column positions by lower-cased header text, from the table's first row of `th` cells.
fn header_names(table: ElementRef<'_>) -> HashMap<String, usize> {
    rows_of(table)
        .find(|row| row.child_elements().any(|c| is_named(&c, "th")))
        .map(|row| {
            row.child_elements()
                .filter(|c| is_named(c, "th") || is_named(c, "td"))
                .enumerate()
                .map(|(i, cell)| (text_of(cell).to_ascii_lowercase(), i))
                .collect()
        })
        .unwrap_or_default()
}

/// The table's own rows (through `tbody`), not those of tables nested in it.
fn rows_of(table: ElementRef<'_>) -> impl Iterator<Item = ElementRef<'_>> {
    table.child_elements().flat_map(|child| {
        if is_named(&child, "tr") {
            vec![child]
        } else if ["tbody", "thead", "tfoot"].iter().any(|n| is_named(&child, n)) {
            child.child_elements().filter(|r| is_named(r, "tr")).collect()
        } else {
            Vec::new()
        }
    })
}

struct MeetingRow {
    meeting: Meeting,
    instructors: Vec<Instructor>,
}

fn read_meeting_table(table: ElementRef<'_>, heading: usize) -> Result<Vec<MeetingRow>, (Location, RecordError)> {
    let columns = header_names(table);
    let mut rows = Vec::new();
    let data_rows = rows_of(table).filter(|row| row.child_elements().any(|c| is_named(&c, "td")));
    for (i, row) in data_rows.enumerate() {
        let at = || Location::MeetingRow { heading, row: i + 1 };
        let cells: Vec<ElementRef<'_>> =
            row.child_elements().filter(|c| is_named(c, "td") || is_named(c, "th")).collect();
        let cell = |name: &str| columns.get(name).and_then(|&i| cells.get(i)).copied();
        let cell_text = |name: &str| cell(name).map(text_of).unwrap_or_default();
        let days =
            parse_days(&cell_text("days")).map_err(|source| (at(), RecordError::Notation { field: "Days", source }))?;
        let time = parse_time_span(&cell_text("time"))
            .map_err(|source| (at(), RecordError::Notation { field: "Time", source }))?;
        let location = collapse_whitespace(&cell_text("where")).filter(|w| !is_unscheduled(w));
        rows.push(MeetingRow {
            meeting: Meeting {
                days,
                time,
                location,
                dates: parse_date_range(&cell_text("date range")),
                kind_label: collapse_whitespace(&cell_text("schedule type")),
            },
            instructors: cell("instructors").map(read_instructors).unwrap_or_default(),
        });
    }
    Ok(rows)
}

/// `Howard E  Sypher (P), Xiaojin   Liu` with mailto links: names are separated by commas and the
/// primary instructor is marked `(P)`.
fn read_instructors(cell: ElementRef<'_>) -> Vec<Instructor> {
    let text = cell.text().collect::<String>();
    text.split(',')
        .filter_map(|part| {
            let primary = part.contains("(P)");
            let name = collapse_whitespace(&part.replace("(P)", ""))?;
            (!name.eq_ignore_ascii_case("TBA")).then_some(Instructor { name, primary })
        })
        .collect()
}
