//! Course search on both engines over real sample catalogs (Purdue Summer 2021, UMD Winter 2019–20):
//! relevance (exact code, code prefix, title, instructor, description), every filter (credits as
//! exact amounts, "A or B" and ranges), removed sections, paging and the capped count, the wire shape,
//! and the 404/422 answers.

use crate::common::{Engine, Storage, TestServer, expect_error, import, parse_files, purdue_summer};
use pretzel_api::{ErrorCode, SearchHit, SearchResponse, TermId};
use pretzel_backend::import::{Format, ParseReport};

fn umd_winter() -> ParseReport {
    parse_files(Format::UmdioJson, &["umd/201912.json"])
}

/// A server over a fresh database holding the two sample terms.
struct Fixture {
    storage: Storage,
    server: TestServer,
    purdue: TermId,
    umd: TermId,
}

async fn fixture(engine: Engine) -> Fixture {
    let storage = Storage::new(engine).await;
    let db = pretzel_backend::open_storage(&storage.config()).await.unwrap();
    let purdue = import(&db, "Purdue", "202130", Format::Banner8Html, &purdue_summer()).await;
    let umd = import(&db, "UMD", "201912", Format::UmdioJson, &umd_winter()).await;
    db.close().await;
    let server = TestServer::on(&storage).await;
    Fixture { storage, server, purdue, umd }
}

async fn get(server: &TestServer, term: TermId, query: &str) -> reqwest::Response {
    server.http.get(server.url(&format!("/api/v1/terms/{term}/search?{query}"))).send().await.unwrap()
}

async fn search(server: &TestServer, term: TermId, query: &str) -> SearchResponse {
    let response = get(server, term, query).await;
    assert_eq!(response.status(), 200, "{query}: {}", response.text().await.unwrap_or_default());
    response.json().await.unwrap()
}

fn codes(hits: &[SearchHit]) -> Vec<&str> {
    hits.iter().map(|h| h.course_code.as_str()).collect()
}

/// Every match of `query`, page by page (the largest page is 100).
async fn search_all(server: &TestServer, term: TermId, query: &str) -> Vec<SearchHit> {
    let mut all = Vec::new();
    loop {
        let page = search(server, term, &format!("{query}&limit=100&offset={}", all.len())).await;
        let done = page.results.len() < 100;
        all.extend(page.results);
        assert!(usize::try_from(page.total).unwrap() >= all.len(), "{query}: total below the matches seen");
        if done {
            assert_eq!(usize::try_from(page.total).unwrap(), all.len(), "{query}: total counts every page");
            return all;
        }
    }
}

fn ids(hits: &[SearchHit]) -> Vec<i64> {
    let mut ids: Vec<i64> = hits.iter().map(|h| h.section_id.0).collect();
    ids.sort_unstable();
    ids
}

async fn ranks_exact_code_then_prefix_then_relevance(engine: Engine) {
    let f = fixture(engine).await;
    let cs159 = ["L01", "L03", "L06", "LE1", "Y01"];
    // The code as written, compact, and in any case: the course's five sections, in section order.
    for q in ["CS%2015900", "cs15900", "cs159", "Cs%20159"] {
        let found = search(&f.server, f.purdue, &format!("q={q}")).await;
        assert_eq!(found.total, 5, "{q}");
        assert_eq!(codes(&found.results), ["CS 15900"; 5], "{q}");
        assert_eq!(found.results.iter().map(|h| h.section.as_deref().unwrap()).collect::<Vec<_>>(), cs159, "{q}");
    }
    // A prefix: every CS 1xxxx course, by code, and nothing else.
    let found = search_all(&f.server, f.purdue, "q=cs%201").await;
    let mut expected = codes(&found).to_vec();
    expected.sort();
    assert_eq!(codes(&found), expected, "prefix matches are ordered by code");
    assert_eq!(found.len(), 24);
    assert!(found.iter().all(|h| h.course_code.starts_with("CS 1")));
    assert_eq!(found[0].course_code, "CS 15900");
    assert!(codes(&found).contains(&"CS 18200"));

    // An exact code comes before the courses it is a prefix of, and before text matches: "CS 240"
    // prefixes CS 24000, while "programming" in titles also matches it.
    let found = search_all(&f.server, f.purdue, "q=programming").await;
    assert!(found.iter().all(|h| h.title.to_lowercase().contains("programming")), "{:?}", codes(&found));
    for course in ["CS 15900", "CS 17700", "CS 18000", "CS 24000", "CS 25200"] {
        assert!(codes(&found).contains(&course), "{course}");
    }
    // A course's sections stay together, whatever each one scores.
    let mut seen: Vec<&str> = Vec::new();
    for code in codes(&found) {
        if seen.last() != Some(&code) {
            assert!(!seen.contains(&code), "{code} is split: {:?}", codes(&found));
            seen.push(code);
        }
    }

    // The exact code first, then the codes it prefixes, then courses that only mention it (DANC689F's
    // description names THET669), each group in code order.
    let found = search_all(&f.server, f.umd, "q=THET669").await;
    let mut groups: Vec<&str> = codes(&found);
    groups.dedup();
    assert_eq!(groups[0], "THET669", "{groups:?}");
    let prefixed: Vec<&str> = groups.iter().copied().filter(|c| c.len() > 7 && c.starts_with("THET669")).collect();
    assert!(prefixed.len() >= 3, "{groups:?}");
    assert_eq!(groups[1..=prefixed.len()], prefixed[..], "prefix matches follow, by code");
    let mentions = groups.iter().position(|c| *c == "DANC689F").expect("a description match");
    assert!(mentions > prefixed.len(), "{groups:?}");

    // UMD writes codes without a space.
    let found = search(&f.server, f.umd, "q=AASP100").await;
    assert_eq!((found.total, found.results[0].registration_id.as_str()), (1, "AASP100-WB11"));
    let found = search_all(&f.server, f.umd, "q=aasp").await;
    assert!(found.len() > 1 && found.iter().all(|h| h.course_code.starts_with("AASP")));
    assert_eq!(found[0].course_code, "AASP100");
    // An instructor's surname, and a word only a description holds.
    let found = search(&f.server, f.umd, "q=Nichols").await;
    assert!(found.results.iter().any(|h| h.registration_id == "AASP100-WB11"));
    assert!(found.results.iter().all(|h| h.instructors.iter().any(|i| i.contains("Nichols"))));
    let found = search(&f.server, f.umd, "q=slavery").await;
    assert_eq!(codes(&found.results).iter().filter(|c| **c == "AASP100").count(), 1);
    // Words must all match; a word matches as a prefix, as the student types.
    let found = search_all(&f.server, f.purdue, "q=programm%20multimed").await;
    assert_eq!(codes(&found), ["CS 17700"; 6]);
    assert_eq!(
        search(&f.server, f.purdue, "q=zzzzqqq").await,
        SearchResponse { total: 0, total_is_lower_bound: false, results: vec![] }
    );
    // Punctuation is no error; terms are separate.
    assert_eq!(search(&f.server, f.purdue, "q=%22%27%25_*").await.total, 0);
    for odd in ["%C2%B2", "x%C2%B2%20%C3%BC", "or%20not%20and", "a%3A*%20%7C%20b", "NEAR(c%20s)"] {
        search(&f.server, f.purdue, &format!("q={odd}")).await;
    }
    assert_eq!(search(&f.server, f.umd, "q=cs159").await.total, 0, "another term's course");
    f.server.stop().await;
    drop(f.storage);
}
test_both_dbs!(test_search_ranks_exact_code_then_prefix_then_relevance, ranks_exact_code_then_prefix_then_relevance);

async fn ranks_title_matches_above_description_mentions(engine: Engine) {
    let f = fixture(engine).await;
    // A broad word: every course holding it in its title comes before the courses that only mention it
    // in their description, and each course's sections stay together.
    let found = search_all(&f.server, f.umd, "q=introduction").await;
    let in_title = |h: &SearchHit| {
        h.title.to_lowercase().split(|c: char| !c.is_alphanumeric()).any(|w| w.starts_with("introduction"))
    };
    let first_mention = found.iter().position(|h| !in_title(h)).expect("a description-only match");
    assert!(found[first_mention..].iter().all(|h| !in_title(h)), "{:?}", codes(&found));
    for course in ["AASP100", "AMST101", "ANTH222"] {
        assert!(codes(&found[..first_mention]).contains(&course), "{course}");
    }
    for course in ["AMST203", "AOSC123"] {
        assert!(codes(&found[first_mention..]).contains(&course), "{course}");
    }
    let mut groups = codes(&found);
    groups.dedup();
    let mut distinct = groups.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(groups.len(), distinct.len(), "a course's sections are split: {groups:?}");
    // Sections still match one by one: an instructor's name together with a course's word finds only
    // the sections that instructor teaches.
    let nichols = search_all(&f.server, f.umd, "q=nichols%20african").await;
    assert!(!nichols.is_empty());
    assert!(nichols.iter().all(|h| h.instructors.iter().any(|i| i.contains("Nichols"))), "{:?}", codes(&nichols));
    f.server.stop().await;
}
test_both_dbs!(
    test_search_ranks_title_matches_above_description_mentions,
    ranks_title_matches_above_description_mentions
);

fn minutes(clock: &str) -> i64 {
    let (h, m) = clock.split_once(':').unwrap();
    h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap()
}

async fn filters_match_what_each_hit_shows(engine: Engine) {
    let f = fixture(engine).await;
    let everything = search_all(&f.server, f.purdue, "").await;
    assert_eq!(everything.len(), 446);
    // Each filter returns exactly the sections whose shown data satisfy it.
    let check = |query: &'static str, keep: &dyn Fn(&SearchHit) -> bool| {
        let expected: Vec<SearchHit> = everything.iter().filter(|h| keep(h)).cloned().collect();
        (query, expected)
    };
    let cases: Vec<(&str, Vec<SearchHit>)> = vec![
        check("subject=com", &|h| h.course_code.starts_with("COM ")),
        check("days=MW", &|h| {
            h.meetings.iter().any(|m| !m.days.is_empty())
                && h.meetings.iter().all(|m| m.days.chars().all(|d| "MW".contains(d)))
        }),
        check("days=mtwrf", &|h| {
            h.meetings.iter().any(|m| !m.days.is_empty()) && h.meetings.iter().all(|m| !m.days.contains(['S', 'U']))
        }),
        check("after=09:00&before=12:00", &|h| {
            let timed: Vec<_> = h.meetings.iter().filter(|m| m.start.is_some()).collect();
            !timed.is_empty()
                && timed
                    .iter()
                    .all(|m| minutes(m.start.as_deref().unwrap()) >= 540 && minutes(m.end.as_deref().unwrap()) <= 720)
        }),
        check("after=13:00", &|h| {
            let timed: Vec<_> = h.meetings.iter().filter(|m| m.start.is_some()).collect();
            !timed.is_empty() && timed.iter().all(|m| minutes(m.start.as_deref().unwrap()) >= 780)
        }),
        check("credits=3", &|h| allows_credits(h, 3)),
    ];
    for (query, expected) in cases {
        let found = search_all(&f.server, f.purdue, query).await;
        assert!(
            !expected.is_empty() && expected.len() < everything.len() || query == "open=false",
            "{query}: a filter worth testing"
        );
        assert_eq!(ids(&found), ids(&expected), "{query}");
    }
    // Purdue's listing gives no seat counts, so open seats are checked on UMD's.
    let umd_all = search_all(&f.server, f.umd, "").await;
    let open: Vec<SearchHit> = umd_all.iter().filter(|h| h.open_seats.is_some_and(|n| n > 0)).cloned().collect();
    assert!(!open.is_empty() && open.len() < umd_all.len());
    assert_eq!(ids(&search_all(&f.server, f.umd, "open=true").await), ids(&open));
    assert_eq!(ids(&search_all(&f.server, f.umd, "open=false").await), ids(&umd_all));
    // Filters combine with each other and with text.
    let found = search_all(&f.server, f.umd, "q=geog&days=MTWR&open=true").await;
    assert!(!found.is_empty());
    assert!(found.iter().all(|h| h.course_code.starts_with("GEOG") && h.open_seats.unwrap() > 0));
    let mw_morning = search_all(&f.server, f.purdue, "subject=CS&days=MW&before=12:00").await;
    let mw = search_all(&f.server, f.purdue, "subject=CS&days=MW").await;
    assert!(!mw_morning.is_empty() && mw_morning.len() < mw.len() && mw_morning.iter().all(|h| mw.contains(h)));
    f.server.stop().await;
}
test_both_dbs!(test_search_filters_match_what_each_hit_shows, filters_match_what_each_hit_shows);

async fn removed_and_changed_sections_are_reindexed(engine: Engine) {
    let f = fixture(engine).await;
    let before = search(&f.server, f.purdue, "q=CS%2015900").await;
    let gone = before.results.iter().find(|h| h.section.as_deref() == Some("L03")).unwrap().clone();
    // The next import no longer lists CS 15900 L03 (it stays stored, marked removed) and retitles
    // CS 18200, which must be found by its new title and no longer by its old one.
    let mut parsed = purdue_summer();
    for course in &mut parsed.records {
        course.sections.retain(|s| s.registration_id != gone.registration_id);
        if course.course_code == "CS 18200" {
            course.title = "Foundations Of Pretzelology".into();
        }
    }
    let foundations = search(&f.server, f.purdue, "q=foundations%20computer").await.total;
    assert!(foundations > 0);
    assert_eq!(search(&f.server, f.purdue, "q=pretzelology").await.total, 0);
    let db = pretzel_backend::open_storage(&f.storage.config()).await.unwrap();
    import(&db, "Purdue", "202130", Format::Banner8Html, &parsed).await;
    assert!(db.sections_of_term(f.purdue).await.unwrap().iter().any(|s| s.id == gone.section_id.0));
    db.close().await;
    let after = search(&f.server, f.purdue, "q=CS%2015900").await;
    assert_eq!(after.total, 4);
    assert!(after.results.iter().all(|h| h.section_id != gone.section_id));
    assert!(!search_all(&f.server, f.purdue, "").await.iter().any(|h| h.section_id == gone.section_id));
    let renamed = search(&f.server, f.purdue, "q=pretzelology").await;
    assert_eq!(renamed.total, foundations);
    assert!(renamed.results.iter().all(|h| h.course_code == "CS 18200"));
    assert_eq!(search(&f.server, f.purdue, "q=foundations%20computer").await.total, 0);
    // Brought back by a later import, it is found again under its id.
    let db = pretzel_backend::open_storage(&f.storage.config()).await.unwrap();
    import(&db, "Purdue", "202130", Format::Banner8Html, &purdue_summer()).await;
    db.close().await;
    assert_eq!(search(&f.server, f.purdue, "q=CS%2015900").await, before);
    assert_eq!(search(&f.server, f.purdue, "q=foundations%20computer").await.total, foundations);
    assert_eq!(search(&f.server, f.purdue, "q=pretzelology").await.total, 0);
    f.server.stop().await;
}
test_both_dbs!(test_search_excludes_removed_sections_and_follows_changes, removed_and_changed_sections_are_reindexed);

async fn answers_pages_shape_and_errors(engine: Engine) {
    let f = fixture(engine).await;
    // The wire shape, pinned on a real section; search needs no sign-in.
    let raw: serde_json::Value = get(&f.server, f.umd, "q=aasp100").await.json().await.unwrap();
    let id = raw["results"][0]["section_id"].as_i64().unwrap();
    assert_eq!(
        raw,
        serde_json::json!({"total": 1, "total_is_lower_bound": false, "results": [{
            "section_id": id,
            "registration_id": "AASP100-WB11",
            "course_code": "AASP100",
            "title": "Introduction to African American Studies",
            "section": "WB11",
            "kind": "online",
            "instructors": ["Jason Nichols"],
            "credits": "3",
            "open_seats": 13,
            "meetings": [{"days": "", "start": null, "end": null, "location": "ONLINE"}],
            "students": 0
        }]})
    );
    let timed = search(&f.server, f.purdue, "q=cs15900").await;
    assert!(timed.results.iter().flat_map(|h| &h.meetings).any(|m| m.start.as_deref().is_some_and(|s| s.len() == 5)));

    // Pages: the default is 20; pages do not overlap and add up to the whole.
    let first = search(&f.server, f.purdue, "subject=CS").await;
    assert_eq!((first.total, first.results.len()), (287, 20));
    let second = search(&f.server, f.purdue, "subject=CS&limit=20&offset=20").await;
    assert!(second.results.iter().all(|h| !first.results.contains(h)));
    let past = search(&f.server, f.purdue, "subject=CS&offset=1000").await;
    assert_eq!((past.total, past.results.len()), (287, 0));

    expect_error(get(&f.server, TermId(999_999), "q=cs").await, 404, ErrorCode::NotFound).await;
    let response = f.server.http.get(f.server.url("/api/v1/terms/spring/search")).send().await.unwrap();
    expect_error(response, 404, ErrorCode::NotFound).await;
    for (query, field) in [
        ("after=25:00", "after"),
        ("before=9am", "before"),
        ("after=12:00&before=09:00", "before"),
        ("limit=100000", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("days=MX", "days"),
        ("credits=three", "credits"),
        ("open=yes", "open"),
        ("subject=C%20S", "subject"),
        ("day=MW", "day"),
    ] {
        let body = expect_error(get(&f.server, f.purdue, query).await, 422, ErrorCode::ValidationFailed).await;
        assert_eq!(body.error.fields.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), [field], "{query}");
    }
    let long = "a".repeat(201);
    let body =
        expect_error(get(&f.server, f.purdue, &format!("q={long}")).await, 422, ErrorCode::ValidationFailed).await;
    assert_eq!(body.error.fields[0].field, "q");

    let doc: serde_json::Value =
        f.server.http.get(f.server.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["paths"]["/api/v1/terms/{term_id}/search"]["get"].is_object());
    assert!(doc["components"]["schemas"]["SearchHit"]["properties"]["meetings"].is_object());
    f.server.stop().await;
}
test_both_dbs!(test_search_answers_pages_shape_and_errors, answers_pages_shape_and_errors);

/// The credits a hit shows as (least, most, whether every amount between counts), in hundredths.
fn shown_credits(hit: &SearchHit) -> Option<(u32, u32, bool)> {
    let amount = |s: &str| -> Option<u32> {
        let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
        let fraction = format!("{fraction:0<2}");
        Some(whole.parse::<u32>().ok()? * 100 + fraction.parse::<u32>().ok()?)
    };
    let shown = hit.credits.as_deref()?;
    if let Some((a, b)) = shown.split_once(" or ") {
        Some((amount(a)?, amount(b)?, false))
    } else if let Some((a, b)) = shown.split_once('-') {
        Some((amount(a)?, amount(b)?, true))
    } else {
        amount(shown).map(|a| (a, a, false))
    }
}

/// Whether a hit's shown credits allow `credits` whole credits.
fn allows_credits(hit: &SearchHit, credits: u32) -> bool {
    let wanted = credits * 100;
    shown_credits(hit)
        .is_some_and(|(low, high, span)| low == wanted || high == wanted || (span && (low..=high).contains(&wanted)))
}

async fn credits_match_exact_either_and_ranges(engine: Engine) {
    let storage = Storage::new(engine).await;
    let db = pretzel_backend::open_storage(&storage.config()).await.unwrap();
    // Purdue's own notations ("3", "1-18", "1-3") plus one course per other notation.
    let mut parsed = purdue_summer();
    let notation = |text: &str| pretzel_backend::import::notation::parse_credits(text);
    for course in &mut parsed.records {
        let credits = match course.course_code.as_str() {
            "CS 15900" => notation("1 TO 4 hours."),
            "CS 17700" => notation("3 OR 4 hours."),
            "CS 18000" => notation("2 OR 4 hours."),
            "CS 18200" => notation("0.5 TO 2 hours."),
            "CS 24000" => notation("Variable"),
            _ => continue,
        };
        course.credits = credits;
        for section in &mut course.sections {
            section.credits = None;
        }
    }
    let purdue = import(&db, "Purdue", "202130", Format::Banner8Html, &parsed).await;
    db.close().await;
    let server = TestServer::on(&storage).await;
    for (code, credits) in [("cs15900", "1-4"), ("cs17700", "3 or 4"), ("cs18200", "0.5-2"), ("cs24000", "Variable")] {
        let hits = search(&server, purdue, &format!("q={code}")).await.results;
        assert_eq!(hits[0].credits.as_deref(), Some(credits), "{code}");
    }

    let everything = search_all(&server, purdue, "").await;
    let has = |hits: &[SearchHit], code: &str| hits.iter().any(|h| h.course_code == code);
    for credits in [0, 1, 2, 3, 4, 5, 18, 19] {
        let found = search_all(&server, purdue, &format!("credits={credits}")).await;
        let expected: Vec<SearchHit> = everything.iter().filter(|h| allows_credits(h, credits)).cloned().collect();
        assert_eq!(ids(&found), ids(&expected), "credits={credits}");
        // A range holds every amount within it; "A or B" only its two amounts.
        assert_eq!(has(&found, "CS 15900"), (1..=4).contains(&credits), "1-4 at {credits}");
        assert_eq!(has(&found, "CS 17700"), credits == 3 || credits == 4, "3 or 4 at {credits}");
        assert_eq!(has(&found, "CS 18000"), credits == 2 || credits == 4, "2 or 4 at {credits}");
        assert_eq!(has(&found, "CS 18200"), credits == 1 || credits == 2, "0.5-2 at {credits}");
        assert!(!has(&found, "CS 24000"), "an unknown notation matches no amount");
    }
    // Purdue's "1-18" hours are found by any amount in between, which a text match never did.
    let seven = search_all(&server, purdue, "credits=7").await;
    assert!(!seven.is_empty() && seven.iter().all(|h| h.credits.as_deref() == Some("1-18")), "{:?}", codes(&seven));
    // Credits combine with text (a course then ranks by its best section among those kept).
    let text = search_all(&server, purdue, "q=programming").await;
    let narrowed = search_all(&server, purdue, "q=programming&credits=4").await;
    let expected: Vec<SearchHit> = text.iter().filter(|h| allows_credits(h, 4)).cloned().collect();
    assert!(!expected.is_empty() && expected.len() < text.len());
    assert_eq!(ids(&narrowed), ids(&expected));
    server.stop().await;
}
test_both_dbs!(test_search_credits_match_exact_either_and_ranges, credits_match_exact_either_and_ranges);

/// `copies` renamed copies of `base` in one term: subjects CS → CSA, CSB, … (codes and registration ids
/// follow), so that one term holds `copies` times as many distinct sections.
fn renamed_copies(base: &ParseReport, copies: usize) -> ParseReport {
    let mut records = Vec::new();
    for copy in 0..copies {
        let suffix = char::from(b'A' + u8::try_from(copy).unwrap());
        for course in &base.records {
            let mut course = course.clone();
            let subject = format!("{}{suffix}", course.subject);
            course.course_code = format!("{subject}{}", course.course_code.strip_prefix(&course.subject).unwrap());
            course.subject = subject;
            for section in &mut course.sections {
                section.registration_id = format!("{}-{suffix}", section.registration_id);
            }
            records.push(course);
        }
    }
    ParseReport { records, skipped: Vec::new() }
}

/// (compact code, section): the order a browse, and each group of a broad search, is listed in.
fn code_order(hit: &SearchHit) -> (String, String) {
    (hit.course_code.replace(' ', "").to_lowercase(), hit.section.clone().unwrap_or_default())
}

/// Asserts that `hits` are listed in code order.
fn assert_in_code_order(hits: &[SearchHit]) {
    let order: Vec<(String, String)> = hits.iter().map(code_order).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
}

async fn counts_stop_past_the_page_and_pages_stay_exact(engine: Engine) {
    let storage = Storage::new(engine).await;
    let db = pretzel_backend::open_storage(&storage.config()).await.unwrap();
    // 3 × 446 sections: more than a count goes on for.
    let term = import(&db, "Purdue", "202130", Format::Banner8Html, &renamed_copies(&purdue_summer(), 3)).await;
    db.close().await;
    let server = TestServer::on(&storage).await;

    // Without text, counting stops 1,000 past the page start and says so.
    let first = search(&server, term, "").await;
    assert_eq!((first.total, first.total_is_lower_bound, first.results.len()), (1000, true, 20));
    let deeper = search(&server, term, "offset=200").await;
    assert_eq!((deeper.total, deeper.total_is_lower_bound), (1200, true));
    let near_end = search(&server, term, "offset=1300").await;
    assert_eq!((near_end.total, near_end.total_is_lower_bound, near_end.results.len()), (1338, false, 20));
    let past = search(&server, term, "offset=5000").await;
    assert_eq!((past.total, past.total_is_lower_bound, past.results.len()), (1338, false, 0));
    // Paging to the end sees every section once, in code order.
    let all = search_all(&server, term, "").await;
    assert_eq!(all.len(), 1338);
    let mut sorted = ids(&all);
    sorted.dedup();
    assert_eq!(sorted.len(), 1338);
    assert_in_code_order(&all);
    // Under the cap the count is exact; text matches are always counted exactly.
    let small = search(&server, term, "subject=csb").await;
    assert_eq!((small.total, small.total_is_lower_bound), (287, false));
    let text = search(&server, term, "q=csb").await;
    assert_eq!((text.total, text.total_is_lower_bound), (287, false));
    let text_past = search(&server, term, "q=csb&offset=2000").await;
    assert_eq!((text_past.total, text_past.total_is_lower_bound, text_past.results.len()), (287, false, 0));
    server.stop().await;
}
test_both_dbs!(
    test_search_counts_stop_past_the_page_and_pages_stay_exact,
    counts_stop_past_the_page_and_pages_stay_exact
);

/// Whether a word of `text` starts with `prefix` (lower-case).
fn has_word(text: &str, prefix: &str) -> bool {
    text.to_lowercase().split(|c: char| !c.is_alphanumeric()).any(|w| w.starts_with(prefix))
}

async fn broad_text_lists_title_matches_first_in_code_order(engine: Engine) {
    let storage = Storage::new(engine).await;
    let db = pretzel_backend::open_storage(&storage.config()).await.unwrap();
    // 4 × 587 sections, where "and" is in some 480 course titles and some 900 descriptions: more matches
    // than a search ranks by relevance.
    let term = import(&db, "UMD", "201912", Format::UmdioJson, &renamed_copies(&umd_winter(), 4)).await;
    db.close().await;
    let server = TestServer::on(&storage).await;

    // The count stops past the page, as without text, and says so.
    let first = search(&server, term, "q=and").await;
    // Both engines list the same sections in the same order: code order within the title matches.
    let listed: Vec<&str> = first.results.iter().map(|h| h.registration_id.as_str()).collect();
    assert_eq!(
        listed[..10],
        [
            "AASP498R-WB11-A",
            "AASP498R-WB11-B",
            "AASP498R-WB11-C",
            "AASP498R-WB11-D",
            "AMST498P-WB11-A",
            "AMST498P-WB11-B",
            "AMST498P-WB11-C",
            "AMST498P-WB11-D",
            "ANTH222-HY11-A",
            "ANTH222-HY12-A"
        ]
    );
    assert_eq!((first.total, first.total_is_lower_bound, first.results.len()), (1000, true, 20));
    let deeper = search(&server, term, "q=and&offset=100").await;
    assert_eq!((deeper.total, deeper.total_is_lower_bound), (1100, true));
    // Paging to the end sees every match once; the last pages count exactly.
    let all = search_all(&server, term, "q=and").await;
    assert!(all.len() > 1000, "{}", all.len());
    let mut distinct = ids(&all);
    distinct.dedup();
    assert_eq!(distinct.len(), all.len(), "a section shows on two pages");
    assert_eq!(all[..20], first.results[..], "the first page is the start of the whole list");
    let past = search(&server, term, &format!("q=and&offset={}", all.len())).await;
    assert_eq!(
        (past.total, past.total_is_lower_bound, past.results.len()),
        (u64::try_from(all.len()).unwrap(), false, 0)
    );

    // Courses with the word in their title come first, then the ones that only mention it; each group
    // in code order, so a course's sections stay together.
    let first_mention = all.iter().position(|h| !has_word(&h.title, "and")).expect("a description-only match");
    assert!(first_mention > 100, "{first_mention}");
    assert!(all[first_mention..].iter().all(|h| !has_word(&h.title, "and")), "{:?}", codes(&all));
    assert_in_code_order(&all[..first_mention]);
    assert_in_code_order(&all[first_mention..]);
    // Every copy of the catalog holds the same matches.
    let copy_a = all.iter().filter(|h| h.registration_id.ends_with("-A")).count();
    assert_eq!(copy_a * 4, all.len());

    // The filters still apply, and the count of a filtered broad search is as exact as it can be.
    let open = search_all(&server, term, "q=and&open=true").await;
    let expected: Vec<SearchHit> = all.iter().filter(|h| h.open_seats.is_some_and(|n| n > 0)).cloned().collect();
    assert!(!expected.is_empty() && expected.len() < all.len());
    assert_eq!(ids(&open), ids(&expected));
    let subject = search_all(&server, term, "q=and&subject=engla").await;
    let expected: Vec<SearchHit> = all.iter().filter(|h| h.course_code.starts_with("ENGLA")).cloned().collect();
    assert!(!expected.is_empty());
    assert_eq!(ids(&subject), ids(&expected));

    // A code the text names still comes first, then the codes it prefixes, then the text matches.
    let coded = search(&server, term, "q=engl&limit=100").await;
    assert_eq!(coded.results.len(), 100);
    assert!(coded.results.iter().all(|h| h.course_code.starts_with("ENGL")), "{:?}", codes(&coded.results));
    assert_in_code_order(&coded.results);
    server.stop().await;
}
test_both_dbs!(
    test_search_broad_text_lists_title_matches_first_in_code_order,
    broad_text_lists_title_matches_first_in_code_order
);

/// Whether a hit meets on some day and only on weekdays (`days=MTWRF`).
fn meets_on_weekdays_only(hit: &SearchHit) -> bool {
    hit.meetings.iter().any(|m| !m.days.is_empty()) && hit.meetings.iter().all(|m| !m.days.contains(['S', 'U']))
}

async fn broad_text_with_days_filter_counts_exactly_in_code_order(engine: Engine) {
    let storage = Storage::new(engine).await;
    let db = pretzel_backend::open_storage(&storage.config()).await.unwrap();
    // 2 × 1,793 sections of UMD's summer, where "and" matches some 2,000 sections and more than 800 of
    // them meet on weekdays: more than a search ranks by relevance, with the days filter as without.
    let summer = parse_files(Format::UmdioJson, &["umd/201905.json"]);
    let term = import(&db, "UMD", "201905", Format::UmdioJson, &renamed_copies(&summer, 2)).await;
    let server = TestServer::on(&storage).await;

    let all = search_all(&server, term, "q=and").await;
    let weekdays = search_all(&server, term, "q=and&days=MTWRF").await;
    let expected: Vec<SearchHit> = all.iter().filter(|h| meets_on_weekdays_only(h)).cloned().collect();
    assert!(expected.len() > 500 && expected.len() < 1000, "{}", expected.len());
    // The filter keeps the broad search's groups and code order, and its count is exact.
    assert_eq!(weekdays, expected);
    let first = search(&server, term, "q=and&days=MTWRF").await;
    assert_eq!(
        (first.total, first.total_is_lower_bound, &first.results[..]),
        (u64::try_from(expected.len()).unwrap(), false, &expected[..20])
    );
    // A page carries every meeting of its sections, in source order, whichever way it was found:
    // browsing, ranked, broad, broad and filtered.
    let mut several = 0;
    for query in ["limit=100", "q=aasp&limit=100", "q=and&limit=100", "q=and&days=MTWRF&limit=100&offset=300"] {
        let page = search(&server, term, query).await;
        assert!(!page.results.is_empty(), "{query}");
        for hit in &page.results {
            let stored = db.meetings_of_section(hit.section_id.0).await.unwrap();
            let shown: Vec<(&str, Option<&str>)> =
                hit.meetings.iter().map(|m| (m.days.as_str(), m.location.as_deref())).collect();
            let expected: Vec<(&str, Option<&str>)> =
                stored.iter().map(|m| (m.days.as_str(), m.location.as_deref())).collect();
            assert_eq!(shown, expected, "{query}: {}", hit.registration_id);
            several += usize::from(stored.len() > 1);
        }
    }
    assert!(several > 0, "no section with several meetings was checked");
    // A term that does not exist is not found, with text or without.
    for query in ["", "q=and"] {
        expect_error(get(&server, TermId(999_999), query).await, 404, ErrorCode::NotFound).await;
    }
    db.close().await;
    server.stop().await;
}
test_both_dbs!(
    test_search_broad_text_with_days_filter_counts_exactly_in_code_order,
    broad_text_with_days_filter_counts_exactly_in_code_order
);
