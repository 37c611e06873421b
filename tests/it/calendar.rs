//! Calendar export on both engines, read back with a real iCalendar parser (the `icalendar` crate):
//! the events, their weekly rules and time zone, the campus VTIMEZONE's offsets, escaped text; and the
//! private feed URL, which works without a bearer token, follows later changes, and dies when revoked
//! or reissued.

use crate::common::{Engine, expect_error};
use crate::timetable::{Fixture, fixture};
use icalendar::parser::{Component, read_calendar, unfold};
use pretzel_api::{CalendarSubscription, ErrorCode, Timetable};
use serde_json::json;

/// The value of `name` in `component`, unescaped by the parser.
fn prop<'a>(component: &'a Component<'_>, name: &str) -> &'a str {
    component
        .find_prop(name)
        .map(|p| p.val.as_str())
        .unwrap_or_else(|| panic!("no {name} in {}", component.name.as_str()))
}

fn param<'a>(component: &'a Component<'_>, name: &str, key: &str) -> Option<&'a str> {
    let property = component.find_prop(name)?;
    property.params.iter().find(|p| p.key.as_str() == key).and_then(|p| p.val.as_ref()).map(|v| v.as_str())
}

async fn ics(f: &Fixture, token: &str, plan: &Timetable) -> String {
    let response =
        f.send(reqwest::Method::GET, &format!("/api/v1/timetables/{}/calendar.ics", plan.id), token, None).await;
    assert_eq!(response.status(), 200);
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(header("content-type"), "text/calendar; charset=utf-8");
    assert_eq!(header("cache-control"), "no-store");
    response.text().await.unwrap()
}

/// The VEVENTs of a calendar text, by SUMMARY.
fn summaries(text: &str) -> Vec<String> {
    let unfolded = unfold(text);
    let calendar = read_calendar(&unfolded).unwrap();
    let mut found: Vec<String> = calendar
        .components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
        .map(|c| prop(c, "SUMMARY").to_owned())
        .collect();
    found.sort();
    found
}

async fn export_is_valid_icalendar_with_weekly_events_in_the_campus_zone(engine: Engine) {
    let f = fixture(engine).await;
    let token = f.student("ics").await;
    let lecture = f.section("CS 18000", "L01").await;
    let other = f.section("CS 24000", "LE1").await;
    let plan = f.add(&token, &f.primary(&token).await, &[lecture, other], false).await;
    let block =
        json!({"label": "Work, shift; A\\B", "days": "TR", "start": "18:00", "end": "19:00", "client_key": "w"});
    let response =
        f.send(reqwest::Method::POST, &format!("/api/v1/timetables/{}/blocks", plan.id), &token, Some(block)).await;
    assert_eq!(response.status(), 200);

    let text = ics(&f, &token, &plan).await;
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "line of {} octets: {line}", line.len());
    }
    assert!(text.contains("SUMMARY:Work\\, shift\\; A\\\\B\r\n"), "escaped on the wire");

    let unfolded = unfold(&text);
    let calendar = read_calendar(&unfolded).unwrap();
    let calendar_prop =
        |name: &str| calendar.properties.iter().find(|p| p.name.as_str() == name).map(|p| p.val.as_str());
    assert_eq!(calendar_prop("VERSION"), Some("2.0"));
    assert!(calendar_prop("PRODID").is_some_and(|p| p.contains("Pretzel")));
    assert_eq!(calendar_prop("X-WR-CALNAME"), Some("Plan A \u{b7} Summer 2021"));

    // The campus zone: EST until 14 March 2021 02:00, EDT until 7 November 2021 02:00.
    let zones: Vec<&Component<'_>> = calendar.components.iter().filter(|c| c.name.as_str() == "VTIMEZONE").collect();
    assert_eq!(zones.len(), 1);
    assert_eq!(prop(zones[0], "TZID"), "America/Indiana/Indianapolis");
    let observances: Vec<(String, String, String, String)> = zones[0]
        .components
        .iter()
        .map(|o| {
            let values = [prop(o, "DTSTART"), prop(o, "TZOFFSETFROM"), prop(o, "TZOFFSETTO")];
            (o.name.as_str().to_owned(), values[0].to_owned(), values[1].to_owned(), values[2].to_owned())
        })
        .collect();
    let expected = [
        ("STANDARD", "20210101T000000", "-0500", "-0500"),
        ("DAYLIGHT", "20210314T020000", "-0500", "-0400"),
        ("STANDARD", "20211107T020000", "-0400", "-0500"),
    ];
    assert_eq!(
        observances,
        expected.map(|(a, b, c, d)| (a.to_owned(), b.to_owned(), c.to_owned(), d.to_owned())).to_vec()
    );
    assert_eq!(prop(&zones[0].components[1], "TZNAME"), "EDT");

    let events: Vec<&Component<'_>> = calendar.components.iter().filter(|c| c.name.as_str() == "VEVENT").collect();
    assert_eq!(events.len(), 3);
    let event = |summary: &str| *events.iter().find(|e| prop(e, "SUMMARY") == summary).unwrap();
    let cs180 = event("CS 18000 L01 Lecture");
    assert_eq!(prop(cs180, "DTSTART"), "20210614T110000", "Monday 14 June 2021, the pattern's first day");
    assert_eq!(param(cs180, "DTSTART", "TZID"), Some("America/Indiana/Indianapolis"));
    assert_eq!(prop(cs180, "DTEND"), "20210614T120000");
    assert_eq!(param(cs180, "DTEND", "TZID"), Some("America/Indiana/Indianapolis"));
    // 3 August 23:59:59 EDT is 4 August 03:59:59 UTC.
    assert_eq!(prop(cs180, "RRULE"), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20210804T035959Z");
    assert_eq!(prop(cs180, "LOCATION"), "Wilmeth Active Learning Center 1018");
    let description = prop(cs180, "DESCRIPTION");
    assert!(description.starts_with("Problem Solving And Object-Oriented Programming\n"), "{description}");
    assert!(description.contains("Hubert") && description.contains("CRN: 29708"), "{description}");
    assert_eq!(prop(cs180, "UID"), format!("tt{}-s{lecture}-m0@pretzel", plan.id));
    assert!(prop(cs180, "DTSTAMP").ends_with('Z'));
    assert_eq!(prop(event("CS 24000 LE1 Lecture"), "RRULE"), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH;UNTIL=20210804T035959Z");

    // The block runs over the term's dates: its first Tuesday on or after Monday 17 May 2021.
    let work = event("Work, shift; A\\B");
    assert_eq!(prop(work, "DTSTART"), "20210518T180000");
    assert_eq!(prop(work, "RRULE"), "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20210816T035959Z");

    // The same export needs a bearer token; the owner's only.
    let response =
        f.server.http.get(f.server.url(&format!("/api/v1/timetables/{}/calendar.ics", plan.id))).send().await.unwrap();
    expect_error(response, 401, ErrorCode::MissingToken).await;
    let stranger = f.student("stranger").await;
    let response =
        f.send(reqwest::Method::GET, &format!("/api/v1/timetables/{}/calendar.ics", plan.id), &stranger, None).await;
    expect_error(response, 404, ErrorCode::NotFound).await;
    f.server.stop().await;
}
test_both_dbs!(
    test_export_is_valid_icalendar_with_weekly_events_in_the_campus_zone,
    export_is_valid_icalendar_with_weekly_events_in_the_campus_zone
);

async fn subscription_feed_follows_changes_and_dies_when_revoked(engine: Engine) {
    let f = fixture(engine).await;
    let token = f.student("feed").await;
    let plan = f.add(&token, &f.primary(&token).await, &[f.section("CS 18000", "L01").await], false).await;
    let subscription_path = format!("/api/v1/timetables/{}/subscription", plan.id);
    let subscribe = || f.send(reqwest::Method::PUT, &subscription_path, &token, None);
    let response = subscribe().await;
    assert_eq!(response.status(), 200);
    let first: CalendarSubscription = response.json().await.unwrap();
    let base = f.server.base.clone();
    assert!(first.url.starts_with(&format!("{base}/calendar/")) && first.url.ends_with(".ics"), "{}", first.url);
    assert_eq!(first.webcal_url, first.url.replacen("http://", "webcal://", 1));
    let token_part = first.url.trim_start_matches(&format!("{base}/calendar/")).trim_end_matches(".ics");
    assert_eq!(token_part.len(), 43, "256 bits in base64url");

    // No bearer token: the URL is the secret.
    let http = f.server.http.clone();
    let fetch = |url: String| {
        let sent = http.get(url).send();
        async move { sent.await.unwrap() }
    };
    let response = fetch(first.url.clone()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers().get("content-type").unwrap(), "text/calendar; charset=utf-8");
    assert_eq!(summaries(&response.text().await.unwrap()), ["CS 18000 L01 Lecture"]);

    // It follows later changes to the plan.
    f.add(&token, &plan, &[f.section("CS 25100", "LE1").await], false).await;
    let response = fetch(first.url.clone()).await;
    assert_eq!(summaries(&response.text().await.unwrap()), ["CS 18000 L01 Lecture", "CS 25100 LE1 Lecture"]);

    // Reissuing stops the old URL.
    let second: CalendarSubscription = subscribe().await.json().await.unwrap();
    assert_ne!(second.url, first.url);
    expect_error(fetch(first.url.clone()).await, 404, ErrorCode::NotFound).await;
    assert_eq!(fetch(second.url.clone()).await.status(), 200);

    // Revoking stops it too; so do made-up tokens.
    let response = f.send(reqwest::Method::DELETE, &subscription_path, &token, None).await;
    assert_eq!(response.status(), 204);
    expect_error(fetch(second.url.clone()).await, 404, ErrorCode::NotFound).await;
    expect_error(fetch(format!("{base}/calendar/{}.ics", "A".repeat(43))).await, 404, ErrorCode::NotFound).await;
    expect_error(fetch(format!("{base}/calendar/{token_part}")).await, 404, ErrorCode::NotFound).await;

    // Deleting the plan ends its feed as well.
    let third: CalendarSubscription = subscribe().await.json().await.unwrap();
    let response = f.create(&token, "Plan B", "feed-b", None).await;
    assert_eq!(response.status(), 201);
    let response = f.send(reqwest::Method::DELETE, &format!("/api/v1/timetables/{}", plan.id), &token, None).await;
    assert_eq!(response.status(), 204);
    expect_error(fetch(third.url).await, 404, ErrorCode::NotFound).await;
    f.server.stop().await;
}
test_both_dbs!(
    test_subscription_feed_follows_changes_and_dies_when_revoked,
    subscription_feed_follows_changes_and_dies_when_revoked
);
