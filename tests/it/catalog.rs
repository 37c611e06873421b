//! Catalog storage on both engines: writing a real sample catalog, re-importing it (unchanged, and
//! modified by a small edit of the real file), failures that must leave everything as it was, and the
//! sample catalogs loaded on first start and listed by `GET /api/v1/universities/{id}/terms`.

use crate::common::{Engine, Storage, TestServer, catalog_path, expect_error};
use chrono::{NaiveDate, NaiveTime};
use pretzel_api::{ErrorCode, Term, University, UniversityId};
use pretzel_backend::db::catalog::{Changes, ImportOrigin, ImportReport, StoredCourse, StoredSection};
use pretzel_backend::db::{Db, DbError};
use pretzel_backend::import::notation::{DaySet, TimeRange};
use pretzel_backend::import::{Format, Meeting, ParseReport};
use std::time::Instant;

const WINTER: &str = "umd/201912.json";

fn sample_text(relative: &str) -> String {
    std::fs::read_to_string(catalog_path(relative)).unwrap()
}

fn parse(format: Format, text: &str) -> ParseReport {
    format.importer().parse(text.as_bytes()).unwrap()
}

/// `text` with `from` replaced by `to`, which must occur exactly once (so the edit is the one meant).
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from} must occur exactly once");
    text.replacen(from, to, 1)
}

/// The real Winter 2019–20 dump with small edits, written to a file and read back as any import
/// would: section BMGT828-0101 renamed to -0199 (one removed, one added), course BMGT898 retitled,
/// the seats of section BMGT898-0101 changed, and course BMGT899 renamed to BMGT999.
fn modified_winter(dir: &std::path::Path) -> ParseReport {
    let mut text = sample_text(WINTER);
    text = edit(&text, r#""section_id":"BMGT828-0101""#, r#""section_id":"BMGT828-0199""#);
    text = edit(
        &text,
        r#""course_id":"BMGT898","semester":"201912","name":"Pre-Candidacy Research""#,
        r#""course_id":"BMGT898","semester":"201912","name":"Pre-Candidacy Research Seminar""#,
    );
    text = edit(
        &text,
        r#""section_id":"BMGT898-0101","semester":"201912","number":"0101","seats":"5""#,
        r#""section_id":"BMGT898-0101","semester":"201912","number":"0101","seats":"7""#,
    );
    text = edit(&text, r#""course_id":"BMGT899","semester":"201912""#, r#""course_id":"BMGT999","semester":"201912""#);
    let file = dir.join("201912-modified.json");
    std::fs::write(&file, text).unwrap();
    parse(Format::UmdioJson, &std::fs::read_to_string(&file).unwrap())
}

fn changes(added: &[&str], changed: &[&str], removed: &[&str]) -> Changes {
    let owned = |keys: &[&str]| keys.iter().map(|k| k.to_string()).collect();
    Changes { added: owned(added), changed: owned(changed), removed: owned(removed) }
}

/// The storage the server would open, universities seeded.
async fn open(storage: &Storage) -> Db {
    pretzel_backend::open_storage(&storage.config()).await.unwrap()
}

async fn university(db: &Db, short_name: &str) -> UniversityId {
    db.find_university(short_name).await.unwrap().unwrap().id
}

async fn import(db: &Db, university: UniversityId, term: &str, parsed: &ParseReport) -> Result<ImportReport, DbError> {
    let sources = vec!["test".to_owned()];
    let origin = ImportOrigin { format: Format::UmdioJson, sources: &sources, started_at: 0 };
    db.apply_import(university, term, parsed, &origin).await
}

/// Everything stored for a term, to compare before and after.
async fn snapshot(db: &Db, term: pretzel_api::TermId) -> (Vec<StoredCourse>, Vec<StoredSection>) {
    (db.courses_of_term(term).await.unwrap(), db.sections_of_term(term).await.unwrap())
}

fn section<'a>(sections: &'a [StoredSection], registration_id: &str) -> &'a StoredSection {
    sections.iter().find(|s| s.registration_id == registration_id).unwrap()
}

async fn import_writes_the_parsed_catalog_once(engine: Engine) {
    let storage = Storage::new(engine).await;
    let db = open(&storage).await;
    let umd = university(&db, "UMD").await;
    let parsed = parse(Format::UmdioJson, &sample_text(WINTER));
    assert_eq!((parsed.course_count(), parsed.section_count(), parsed.meeting_count()), (476, 587, 630));

    let report = import(&db, umd, "201912", &parsed).await.unwrap();
    assert_eq!((report.courses.added.len(), report.sections.added.len()), (476, 587));
    assert!(report.courses.changed.is_empty() && report.sections.removed.is_empty());
    let counts = db.catalog_counts(report.term_id).await.unwrap();
    assert_eq!((counts.courses, counts.sections, counts.meetings), (476, 587, 630));
    assert_eq!((counts.removed_courses, counts.removed_sections), (0, 0));

    let term = db.term_by_code(umd, "201912").await.unwrap().unwrap();
    assert_eq!((term.id, term.name.as_str(), term.section_count), (report.term_id, "Winter 2019–20", 587));
    assert_eq!((term.start_date, term.end_date), (None, None), "umd.io gives no meeting dates");

    // Stored exactly as parsed: an online section without times, and a timed one.
    let (courses, sections) = snapshot(&db, report.term_id).await;
    let online = section(&sections, "AASP100-WB11");
    assert_eq!(
        (online.section_code.as_deref(), online.kind.as_str(), online.capacity, online.open_seats, online.waitlist),
        (Some("WB11"), "online", Some(30), Some(13), Some(0))
    );
    assert_eq!(online.instructors.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["Jason Nichols"]);
    let meetings = db.meetings_of_section(online.id).await.unwrap();
    assert_eq!(meetings.len(), 1);
    assert_eq!(
        (meetings[0].days.as_str(), meetings[0].start_minute, meetings[0].end_minute, meetings[0].location.as_deref()),
        ("", None, None, Some("ONLINE"))
    );
    let (course, timed) = parsed.sections().find(|(_, s)| s.meetings.iter().any(|m| m.time.is_some())).unwrap();
    let stored = section(&sections, &timed.registration_id);
    let stored_course = courses.iter().find(|c| c.id == stored.course_id).unwrap();
    assert_eq!(
        (stored_course.course_code.as_str(), stored_course.title.as_str()),
        (course.course_code.as_str(), course.title.as_str())
    );
    let stored_meetings = db.meetings_of_section(stored.id).await.unwrap();
    assert_eq!(stored_meetings.len(), timed.meetings.len());
    for (stored, parsed) in stored_meetings.iter().zip(&timed.meetings) {
        let minutes = |t: NaiveTime| i64::from(chrono::Timelike::num_seconds_from_midnight(&t) / 60);
        assert_eq!(stored.days, parsed.days.letters());
        assert_eq!(stored.start_minute, parsed.time.map(|t| minutes(t.start)));
        assert_eq!(stored.end_minute, parsed.time.map(|t| minutes(t.end)));
        assert_eq!(stored.location, parsed.location);
    }

    // The same file again: nothing to report, nothing moved.
    let again = import(&db, umd, "201912", &parsed).await.unwrap();
    assert!(again.is_unchanged(), "{again:?}");
    assert_eq!(again.term_id, report.term_id);
    assert_eq!(snapshot(&db, report.term_id).await, (courses, sections), "row ids and contents unchanged");
    let runs = db.import_runs(umd).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!((runs[0].sections, runs[0].meetings, runs[0].section_changes.added.len()), (587, 630, 587));
    assert_eq!(
        (runs[1].course_changes.clone(), runs[1].section_changes.clone()),
        (Changes::default(), Changes::default())
    );
    assert_eq!(runs[1].format, "umdio-json");
    assert_eq!(db.list_terms(umd).await.unwrap().len(), 1);
    db.close().await;
}
test_both_dbs!(test_import_writes_the_parsed_catalog_once, import_writes_the_parsed_catalog_once);

async fn reimport_updates_in_place_and_keeps_removed_sections(engine: Engine) {
    let storage = Storage::new(engine).await;
    let db = open(&storage).await;
    let umd = university(&db, "UMD").await;
    let original = parse(Format::UmdioJson, &sample_text(WINTER));
    let term = import(&db, umd, "201912", &original).await.unwrap().term_id;
    let (courses_before, sections_before) = snapshot(&db, term).await;

    let modified = modified_winter(storage.data_dir.path());
    let report = import(&db, umd, "201912", &modified).await.unwrap();
    assert_eq!(report.courses, changes(&["BMGT999"], &["BMGT898"], &["BMGT899"]));
    assert_eq!(report.sections, changes(&["BMGT828-0199"], &["BMGT898-0101"], &["BMGT828-0101"]));

    let (courses, sections) = snapshot(&db, term).await;
    // Every row that was there is still there under its id; the two new ones were appended.
    assert_eq!(courses.len(), courses_before.len() + 1);
    assert_eq!(sections.len(), sections_before.len() + 1);
    for (before, after) in courses_before.iter().zip(&courses) {
        assert_eq!((before.id, &before.course_code), (after.id, &after.course_code));
    }
    for (before, after) in sections_before.iter().zip(&sections) {
        assert_eq!((before.id, &before.registration_id), (after.id, &after.registration_id));
    }
    let retitled = courses.iter().find(|c| c.course_code == "BMGT898").unwrap();
    assert_eq!(retitled.title, "Pre-Candidacy Research Seminar");
    let gone_course = courses.iter().find(|c| c.course_code == "BMGT899").unwrap();
    assert!(gone_course.removed_at.is_some());
    let removed = section(&sections, "BMGT828-0101");
    assert!(removed.removed_at.is_some(), "a section missing from the import is kept, marked removed");
    assert_eq!(db.meetings_of_section(removed.id).await.unwrap().len(), 1, "with its meetings");
    assert_eq!(section(&sections, "BMGT898-0101").capacity, Some(7));
    let counts = db.catalog_counts(term).await.unwrap();
    assert_eq!((counts.courses, counts.removed_courses, counts.sections, counts.removed_sections), (476, 1, 587, 1));
    assert_eq!(db.term_by_code(umd, "201912").await.unwrap().unwrap().section_count, 587);

    // The original file brings the removed rows back under their old ids.
    let report = import(&db, umd, "201912", &original).await.unwrap();
    assert_eq!(report.courses, changes(&["BMGT899"], &["BMGT898"], &["BMGT999"]));
    assert_eq!(report.sections, changes(&["BMGT828-0101"], &["BMGT898-0101"], &["BMGT828-0199"]));
    let (courses, sections) = snapshot(&db, term).await;
    let back = section(&sections, "BMGT828-0101");
    assert_eq!((back.id, back.removed_at), (removed.id, None));
    assert!(section(&sections, "BMGT828-0199").removed_at.is_some());
    assert_eq!(courses.iter().find(|c| c.course_code == "BMGT899").unwrap().removed_at, None);
    let live: Vec<&StoredSection> = sections.iter().filter(|s| s.removed_at.is_none()).collect();
    assert_eq!(live.len(), sections_before.len());
    assert!(import(&db, umd, "201912", &original).await.unwrap().is_unchanged());
    db.close().await;
}
test_both_dbs!(
    test_reimport_updates_in_place_and_keeps_removed_sections,
    reimport_updates_in_place_and_keeps_removed_sections
);

async fn failed_import_changes_nothing(engine: Engine) {
    let storage = Storage::new(engine).await;
    let db = open(&storage).await;
    let umd = university(&db, "UMD").await;
    let term = import(&db, umd, "201912", &parse(Format::UmdioJson, &sample_text(WINTER))).await.unwrap().term_id;
    let before = snapshot(&db, term).await;
    let counts_before = db.catalog_counts(term).await.unwrap();

    // Real changes first (a retitled course, a new section…), then, last of all, a meeting that ends
    // before it starts: the database's check refuses it after everything else was written.
    let mut bad = modified_winter(storage.data_dir.path());
    let backwards =
        TimeRange { start: NaiveTime::from_hms_opt(10, 0, 0).unwrap(), end: NaiveTime::from_hms_opt(9, 0, 0).unwrap() };
    let mut backwards_section = bad.records[0].sections[0].clone();
    backwards_section.registration_id = "ZZZZ999-0101".into();
    backwards_section.meetings =
        vec![Meeting { days: DaySet::EMPTY, time: Some(backwards), location: None, dates: None, kind_label: None }];
    bad.records.last_mut().unwrap().sections.push(backwards_section);
    let err = import(&db, umd, "201912", &bad).await.unwrap_err();
    assert!(matches!(err, DbError::Sqlx(_)), "{err}");
    assert_eq!(snapshot(&db, term).await, before, "nothing of the failed import is visible");
    assert_eq!(db.catalog_counts(term).await.unwrap(), counts_before);
    assert_eq!(db.import_runs(umd).await.unwrap().len(), 1, "a failed import is not logged as written");

    // A failure on a term's first import leaves no term behind.
    let purdue = university(&db, "Purdue").await;
    assert!(import(&db, purdue, "202130", &bad).await.is_err());
    assert_eq!(db.list_terms(purdue).await.unwrap(), Vec::<Term>::new());

    // Refused before writing: a university that does not exist, a registration id listed twice.
    let good = parse(Format::UmdioJson, &sample_text(WINTER));
    let err = import(&db, UniversityId(999_999), "201912", &good).await.unwrap_err();
    assert!(matches!(err, DbError::UnknownUniversity(UniversityId(999_999))), "{err}");
    let mut twice = parse(Format::UmdioJson, &sample_text(WINTER));
    let copy = twice.records[0].sections[0].clone();
    twice.records[1].sections.push(copy);
    let err = import(&db, umd, "201912", &twice).await.unwrap_err();
    assert!(matches!(err, DbError::DuplicateInImport { kind: "section", .. }), "{err}");
    assert_eq!(snapshot(&db, term).await, before);
    db.close().await;
}
test_both_dbs!(test_failed_import_changes_nothing, failed_import_changes_nothing);

async fn get_terms(server: &TestServer, university: UniversityId) -> Vec<Term> {
    let response =
        server.http.get(server.url(&format!("/api/v1/universities/{university}/terms"))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// A term as the picker shows it: code, name, sections, first and last day.
type TermLine<'a> = (&'a str, &'a str, u32, Option<NaiveDate>, Option<NaiveDate>);

fn summary(terms: &[Term]) -> Vec<TermLine<'_>> {
    terms.iter().map(|t| (t.code.as_str(), t.name.as_str(), t.section_count, t.start_date, t.end_date)).collect()
}

async fn first_start_loads_the_sample_catalogs_once(engine: Engine) {
    let storage = Storage::new(engine).await;
    let config = pretzel_backend::config::Config { load_sample_catalogs: true, ..storage.config() };
    let started = Instant::now();
    let server = TestServer::start(config.clone()).await;
    let first_start = started.elapsed();

    let universities: Vec<University> =
        server.http.get(server.url("/api/v1/universities")).send().await.unwrap().json().await.unwrap();
    let id = |short: &str| universities.iter().find(|u| u.short_name == short).unwrap().id;
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    assert_eq!(
        summary(&get_terms(&server, id("UMD")).await),
        [("201912", "Winter 2019–20", 587, None, None), ("201905", "Summer 2019", 1793, None, None)]
    );
    assert_eq!(
        summary(&get_terms(&server, id("Purdue")).await),
        [("202130", "Summer 2021", 287 + 159, date(2021, 5, 17), date(2021, 8, 15))],
        "both subject pages of the term, as one catalog"
    );
    assert_eq!(get_terms(&server, id("UIUC")).await, [], "UIUC's files have no licence to ship");
    // The wire shape, pinned.
    let purdue = id("Purdue");
    let raw: serde_json::Value = server
        .http
        .get(server.url(&format!("/api/v1/universities/{purdue}/terms")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let term_id = raw[0]["id"].as_i64().unwrap();
    assert_eq!(
        raw,
        serde_json::json!([{
            "id": term_id,
            "university_id": purdue.0,
            "code": "202130",
            "name": "Summer 2021",
            "start_date": "2021-05-17",
            "end_date": "2021-08-15",
            "section_count": 446
        }])
    );
    let response = server.http.get(server.url("/api/v1/universities/999999/terms")).send().await.unwrap();
    expect_error(response, 404, ErrorCode::NotFound).await;
    let response = server.http.get(server.url("/api/v1/universities/umd/terms")).send().await.unwrap();
    expect_error(response, 404, ErrorCode::NotFound).await;
    let doc: serde_json::Value =
        server.http.get(server.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["paths"]["/api/v1/universities/{id}/terms"]["get"].is_object());
    assert!(doc["components"]["schemas"]["Term"]["properties"]["section_count"].is_object());
    server.stop().await;

    let db = open(&storage).await;
    let runs = |db: Db| async move {
        let mut all = Vec::new();
        for short in ["UMD", "Purdue", "UIUC"] {
            all.extend(db.import_runs(university(&db, short).await).await.unwrap());
        }
        db.close().await;
        all
    };
    let after_first = runs(db).await;
    assert_eq!(after_first.len(), 3, "one run per sample term");

    let started = Instant::now();
    let server = TestServer::start(config).await;
    let second_start = started.elapsed();
    assert_eq!(get_terms(&server, id("UMD")).await.len(), 2);
    server.stop().await;
    assert_eq!(runs(open(&storage).await).await, after_first, "a second start imports nothing");
    eprintln!("{engine:?}: first start with the sample catalogs {first_start:?}, second start {second_start:?}");
}
test_both_dbs!(test_first_start_loads_the_sample_catalogs_once, first_start_loads_the_sample_catalogs_once);

async fn missing_assets_folder_is_not_fatal(engine: Engine) {
    let storage = Storage::new(engine).await;
    let config = pretzel_backend::config::Config {
        load_sample_catalogs: true,
        assets_dir: Some(storage.data_dir.path().join("no-assets-here")),
        ..storage.config()
    };
    let server = TestServer::start(config).await;
    let universities: Vec<University> =
        server.http.get(server.url("/api/v1/universities")).send().await.unwrap().json().await.unwrap();
    for university in universities {
        assert_eq!(get_terms(&server, university.id).await, [], "{}", university.short_name);
    }
    server.stop().await;
}
test_both_dbs!(test_missing_assets_folder_is_not_fatal, missing_assets_folder_is_not_fatal);
