//! Timetables on both engines over the real Purdue Summer 2021 sample catalog (and UMD Winter 2019–20
//! for "another term"): the default plan, creating, renaming, making primary and deleting plans,
//! adding sections with conflict refusal and confirmation, custom blocks, dropped sections, demand
//! counts, credits with the visa warning, `PATCH /api/v1/me`, and every refusal's status and code.

use crate::common::{
    Engine, GOOD_PASSWORD, Storage, TestServer, catalog_path, expect_error, fresh_email, import, purdue_summer,
};
use pretzel_api::{
    ConflictRefusal, ErrorCode, Me, SearchResponse, SectionId, SignupRequest, TermId, TermTimetables, Timetable,
    TokenResponse, University, UniversityId,
};
use pretzel_backend::import::Format;
use serde_json::{Value, json};

/// A server over a fresh database holding Purdue Summer 2021 and UMD Winter 2019–20.
pub struct Fixture {
    pub storage: Storage,
    pub server: TestServer,
    pub purdue: UniversityId,
    pub term: TermId,
    pub umd_term: TermId,
}

pub async fn fixture(engine: Engine) -> Fixture {
    let storage = Storage::new(engine).await;
    let db = pretzel_backend::open_storage(&storage.config()).await.unwrap();
    let term = import(&db, "Purdue", "202130", Format::Banner8Html, &purdue_summer()).await;
    let umd_text = std::fs::read(catalog_path("umd/201912.json")).unwrap();
    let umd_parsed = Format::UmdioJson.importer().parse(&umd_text).unwrap();
    let umd_term = import(&db, "UMD", "201912", Format::UmdioJson, &umd_parsed).await;
    let purdue = db.find_university("Purdue").await.unwrap().unwrap().id;
    db.close().await;
    let server = TestServer::on(&storage).await;
    Fixture { storage, server, purdue, term, umd_term }
}

impl Fixture {
    /// Signs up a Purdue student; returns the access token.
    pub async fn student(&self, tag: &str) -> String {
        let request = SignupRequest {
            email: fresh_email(tag).replace("illinois.edu", "purdue.edu"),
            password: GOOD_PASSWORD.into(),
            display_name: format!("Student {tag}"),
            university_id: self.purdue,
        };
        let response = self.server.post_json("/api/v1/auth/signup", &serde_json::to_value(&request).unwrap()).await;
        assert_eq!(response.status(), 201);
        response.json::<TokenResponse>().await.unwrap().access_token
    }

    /// The id of section `section` of `course` in the Purdue term, found through search.
    pub async fn section(&self, course: &str, section: &str) -> SectionId {
        self.section_in(self.term, course, section).await
    }

    pub async fn section_in(&self, term: TermId, course: &str, section: &str) -> SectionId {
        let query = course.replace(' ', "%20");
        let url = self.server.url(&format!("/api/v1/terms/{term}/search?q={query}&limit=100"));
        let found: SearchResponse = self.server.http.get(url).send().await.unwrap().json().await.unwrap();
        found
            .results
            .iter()
            .find(|hit| hit.course_code == course && hit.section.as_deref() == Some(section))
            .unwrap_or_else(|| panic!("{course} {section} not in the catalog"))
            .section_id
    }

    /// Sends an authenticated request; the future borrows nothing, so paths can be built inline.
    pub fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> impl std::future::Future<Output = reqwest::Response> + use<> {
        let mut request = self.server.http.request(method, self.server.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let sent = request.send();
        async move { sent.await.unwrap() }
    }

    pub async fn plans(&self, token: &str) -> TermTimetables {
        let response =
            self.send(reqwest::Method::GET, &format!("/api/v1/terms/{}/timetables", self.term), token, None).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// The student's primary plan of the Purdue term.
    pub async fn primary(&self, token: &str) -> Timetable {
        self.plans(token).await.timetables.into_iter().find(|t| t.primary).unwrap()
    }

    /// Adds sections; expects success.
    pub async fn add(&self, token: &str, plan: &Timetable, sections: &[SectionId], confirm: bool) -> Timetable {
        let response = self.add_raw(token, plan, sections, confirm).await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
        response.json().await.unwrap()
    }

    pub async fn add_raw(
        &self,
        token: &str,
        plan: &Timetable,
        sections: &[SectionId],
        confirm: bool,
    ) -> reqwest::Response {
        let body = json!({"section_ids": sections, "confirm_conflicts": confirm});
        self.send(reqwest::Method::POST, &format!("/api/v1/timetables/{}/sections", plan.id), token, Some(body)).await
    }

    pub async fn create(&self, token: &str, name: &str, key: &str, copy_from: Option<&Timetable>) -> reqwest::Response {
        let mut body = json!({"name": name, "client_key": key});
        if let Some(source) = copy_from {
            body["copy_from"] = json!(source.id);
        }
        self.send(reqwest::Method::POST, &format!("/api/v1/terms/{}/timetables", self.term), token, Some(body)).await
    }
}

fn section_ids(plan: &Timetable) -> Vec<SectionId> {
    plan.sections.iter().map(|s| s.section_id).collect()
}

async fn first_view_creates_plan_a_once(engine: Engine) {
    let f = fixture(engine).await;
    let token = f.student("first").await;
    let first = f.plans(&token).await;
    assert_eq!(first.term_id, f.term);
    assert_eq!(first.campus_time_zone, "America/Indiana/Indianapolis");
    assert_eq!(first.start_date, chrono::NaiveDate::from_ymd_opt(2021, 5, 17));
    assert_eq!(first.end_date, chrono::NaiveDate::from_ymd_opt(2021, 8, 15));
    assert_eq!(first.full_time_credits, 12);
    assert_eq!(first.timetables.len(), 1);
    let plan = &first.timetables[0];
    assert_eq!((plan.name.as_str(), plan.primary), ("Plan A", true));
    assert!(plan.sections.is_empty() && plan.custom_blocks.is_empty() && plan.conflicts.is_empty());
    assert_eq!(
        (plan.credits.min, plan.credits.max, plan.credits.full_time, plan.credits.visa_warning),
        (0, 0, 12, false)
    );
    let again = f.plans(&token).await;
    assert_eq!(again, first, "the second view creates nothing");

    // The universities list carries each university's full-time minimum from universities.json.
    let universities: Vec<University> =
        f.server.http.get(f.server.url("/api/v1/universities")).send().await.unwrap().json().await.unwrap();
    assert!(universities.iter().all(|u| u.full_time_credits == 12), "{universities:?}");

    let get = |path: String, token: &'static str| {
        let request = f.server.http.get(f.server.url(&path));
        let request = if token.is_empty() { request } else { request.bearer_auth(token) };
        request.send()
    };
    let path = format!("/api/v1/terms/{}/timetables", f.term);
    expect_error(get(path.clone(), "").await.unwrap(), 401, ErrorCode::MissingToken).await;
    expect_error(get(path.clone(), "pz1.forged.token").await.unwrap(), 401, ErrorCode::InvalidToken).await;
    let unknown = f.send(reqwest::Method::GET, "/api/v1/terms/999999/timetables", &token, None).await;
    expect_error(unknown, 404, ErrorCode::NotFound).await;
    let other_university =
        f.send(reqwest::Method::GET, &format!("/api/v1/terms/{}/timetables", f.umd_term), &token, None).await;
    expect_error(other_university, 404, ErrorCode::NotFound).await;
    let not_a_number = f.send(reqwest::Method::GET, "/api/v1/terms/abc/timetables", &token, None).await;
    expect_error(not_a_number, 404, ErrorCode::NotFound).await;
    f.server.stop().await;
}
test_both_dbs!(test_first_view_creates_plan_a_once, first_view_creates_plan_a_once);

async fn racing_first_views_and_resends_make_one_plan_each(engine: Engine) {
    let f = fixture(engine).await;
    let token = f.student("race").await;
    let path = format!("/api/v1/terms/{}/timetables", f.term);
    let views: Vec<_> = (0..6).map(|_| tokio::spawn(f.send(reqwest::Method::GET, &path, &token, None))).collect();
    let mut ids = Vec::new();
    for view in views {
        let response = view.await.unwrap();
        assert_eq!(response.status(), 200);
        let plans: TermTimetables = response.json().await.unwrap();
        assert_eq!(plans.timetables.len(), 1, "racing first views make one Plan A");
        ids.push(plans.timetables[0].id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);

    let body = json!({"name": "Plan B", "client_key": "offline-1"});
    let creates: Vec<_> =
        (0..6).map(|_| tokio::spawn(f.send(reqwest::Method::POST, &path, &token, Some(body.clone())))).collect();
    let mut created = Vec::new();
    for create in creates {
        let response = create.await.unwrap();
        assert!(response.status() == 201 || response.status() == 200, "{}", response.status());
        created.push(response.json::<Timetable>().await.unwrap().id);
    }
    created.dedup();
    assert_eq!(created.len(), 1, "one plan per client key however often it is sent");
    let all = f.plans(&token).await.timetables;
    assert_eq!(all.len(), 2);
    assert_eq!(all.iter().filter(|t| t.primary).count(), 1);
    f.server.stop().await;
}
test_both_dbs!(
    test_racing_first_views_and_resends_make_one_plan_each,
    racing_first_views_and_resends_make_one_plan_each
);

async fn plans_are_created_renamed_made_primary_and_deleted_by_the_rules(engine: Engine) {
    let f = fixture(engine).await;
    let token = f.student("plans").await;
    let plan_a = f.primary(&token).await;
    let lecture = f.section("CS 18000", "L01").await;
    let plan_a = f.add(&token, &plan_a, &[lecture], false).await;

    // Idempotent by client key: a resend answers with the plan made the first time.
    let response = f.create(&token, "  Plan B  ", "key-b", None).await;
    assert_eq!(response.status(), 201);
    let plan_b: Timetable = response.json().await.unwrap();
    assert_eq!((plan_b.name.as_str(), plan_b.primary), ("Plan B", false));
    assert!(plan_b.sections.is_empty());
    let response = f.create(&token, "Plan B", "key-b", None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Timetable>().await.unwrap().id, plan_b.id);
    assert_eq!(f.plans(&token).await.timetables.len(), 2);

    // A copy takes the sections and blocks of its source.
    let response = f.create(&token, "Plan C", "key-c", Some(&plan_a)).await;
    assert_eq!(response.status(), 201);
    let plan_c: Timetable = response.json().await.unwrap();
    assert_eq!(section_ids(&plan_c), [lecture]);
    let response = f
        .create(&token, "Plan D", "key-d", Some(&Timetable { id: pretzel_api::TimetableId(999_999), ..plan_c.clone() }))
        .await;
    let body = expect_error(response, 422, ErrorCode::ValidationFailed).await;
    assert_eq!(body.error.fields[0].field, "copy_from");

    // Names are checked; several problems are named at once.
    let response = f.create(&token, "   ", "", None).await;
    let body = expect_error(response, 422, ErrorCode::ValidationFailed).await;
    let mut fields: Vec<&str> = body.error.fields.iter().map(|e| e.field.as_str()).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["client_key", "name"]);
    let long = "x".repeat(pretzel_api::timetable::TIMETABLE_NAME_MAX_CHARS + 1);
    expect_error(f.create(&token, &long, "key-long", None).await, 422, ErrorCode::ValidationFailed).await;

    // Malformed JSON and unknown fields.
    let path = format!("/api/v1/terms/{}/timetables", f.term);
    let response = f
        .server
        .http
        .post(f.server.url(&path))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    expect_error(response, 400, ErrorCode::MalformedJson).await;
    let response = f
        .send(reqwest::Method::POST, &path, &token, Some(json!({"name": "X", "client_key": "k", "colour": "red"})))
        .await;
    expect_error(response, 422, ErrorCode::InvalidBody).await;

    // Rename and make primary: exactly one primary remains.
    let patch = |id: pretzel_api::TimetableId, body: Value| {
        f.send(reqwest::Method::PATCH, &format!("/api/v1/timetables/{id}"), &token, Some(body))
    };
    let response = patch(plan_b.id, json!({"name": "Backup", "primary": true})).await;
    assert_eq!(response.status(), 200);
    let renamed: Timetable = response.json().await.unwrap();
    assert_eq!((renamed.name.as_str(), renamed.primary), ("Backup", true));
    assert!(renamed.updated_at >= plan_b.updated_at);
    let all = f.plans(&token).await.timetables;
    assert_eq!(all.iter().filter(|t| t.primary).count(), 1);
    assert_eq!(all[0].id, plan_b.id, "primary first");
    assert_eq!(all.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["Backup", "Plan A", "Plan C"]);
    expect_error(patch(plan_a.id, json!({"primary": false})).await, 422, ErrorCode::ValidationFailed).await;
    expect_error(patch(plan_a.id, json!({"name": ""})).await, 422, ErrorCode::ValidationFailed).await;
    expect_error(patch(pretzel_api::TimetableId(999_999), json!({"name": "X"})).await, 404, ErrorCode::NotFound).await;

    // Deleting the primary promotes the oldest remaining plan; the last plan stays.
    let delete = |id: pretzel_api::TimetableId| {
        f.send(reqwest::Method::DELETE, &format!("/api/v1/timetables/{id}"), &token, None)
    };
    assert_eq!(delete(plan_b.id).await.status(), 204);
    let all = f.plans(&token).await.timetables;
    assert_eq!(
        all.iter().map(|t| (t.name.as_str(), t.primary)).collect::<Vec<_>>(),
        [("Plan A", true), ("Plan C", false)]
    );
    expect_error(delete(plan_b.id).await, 404, ErrorCode::NotFound).await;
    assert_eq!(delete(plan_a.id).await.status(), 204);
    let all = f.plans(&token).await.timetables;
    assert_eq!(all.iter().map(|t| (t.name.as_str(), t.primary)).collect::<Vec<_>>(), [("Plan C", true)]);
    expect_error(delete(plan_c.id).await, 409, ErrorCode::StateConflict).await;

    // At most ten plans per term.
    for n in 1..pretzel_api::timetable::MAX_TIMETABLES_PER_TERM {
        assert_eq!(f.create(&token, &format!("P{n}"), &format!("many-{n}"), None).await.status(), 201);
    }
    expect_error(f.create(&token, "One too many", "many-x", None).await, 409, ErrorCode::StateConflict).await;
    assert_eq!(f.plans(&token).await.timetables.len(), pretzel_api::timetable::MAX_TIMETABLES_PER_TERM);
    f.server.stop().await;
}
test_both_dbs!(
    test_plans_are_created_renamed_made_primary_and_deleted_by_the_rules,
    plans_are_created_renamed_made_primary_and_deleted_by_the_rules
);

async fn conflicts_are_refused_with_the_exact_message_then_kept_on_confirm(engine: Engine) {
    let f = fixture(engine).await;
    let token = f.student("conflict").await;
    let plan = f.primary(&token).await;
    let cs180 = f.section("CS 18000", "L01").await;
    let cs182 = f.section("CS 18200", "LE1").await;

    let plan = f.add(&token, &plan, &[cs180, cs180], false).await;
    assert_eq!(section_ids(&plan), [cs180], "a repeated id is added once");
    let s = &plan.sections[0];
    assert_eq!((s.course_code.as_str(), s.section.as_deref(), s.kind.as_str()), ("CS 18000", Some("L01"), "lecture"));
    assert_eq!(s.registration_id, "29708");
    assert_eq!(s.credits.as_deref(), Some("4"));
    assert_eq!(s.students, 1, "the student's own primary plan counts");
    assert_eq!(s.removed_at, None);
    assert_eq!(s.meetings.len(), 1);
    let m = &s.meetings[0];
    assert_eq!((m.days.as_str(), m.start.as_deref(), m.end.as_deref()), ("MTWRF", Some("11:00"), Some("12:00")));
    assert_eq!(m.location.as_deref(), Some("Wilmeth Active Learning Center 1018"));
    assert_eq!(
        (m.start_date, m.end_date),
        (chrono::NaiveDate::from_ymd_opt(2021, 6, 14), chrono::NaiveDate::from_ymd_opt(2021, 8, 3))
    );
    assert_eq!((plan.credits.min, plan.credits.max), (4, 4));
    let missing: Vec<(&str, &str)> =
        plan.missing_components.iter().map(|m| (m.course_code.as_str(), m.kind.as_str())).collect();
    assert_eq!(missing, [("CS 18000", "lab")], "the online section is an alternative, not a part");

    // The overlapping lecture is refused with the exact message, and nothing changes.
    let response = f.add_raw(&token, &plan, &[cs182], false).await;
    assert_eq!(response.status(), 409);
    let refusal: ConflictRefusal = response.json().await.unwrap();
    assert_eq!(refusal.error.code, ErrorCode::ScheduleConflict);
    assert_eq!(refusal.conflicts.len(), 1);
    assert_eq!(refusal.conflicts[0].message, "CS 18000 L01 overlaps CS 18200 LE1 on Mon 11:00\u{2013}12:00");
    assert_eq!(refusal.conflicts[0].first.label(), "CS 18000 L01");
    let unchanged = f.primary(&token).await;
    assert_eq!(section_ids(&unchanged), [cs180]);
    assert_eq!(unchanged.updated_at, plan.updated_at);

    // Confirmed, it is kept, and the plan lists the overlap.
    let plan = f.add(&token, &plan, &[cs182], true).await;
    assert_eq!(section_ids(&plan), [cs180, cs182]);
    assert_eq!(plan.conflicts.len(), 1);
    assert_eq!(plan.conflicts[0].message, "CS 18000 L01 overlaps CS 18200 LE1 on Mon 11:00\u{2013}12:00");
    assert_eq!((plan.credits.min, plan.credits.max), (7, 7));

    // A lecture with its lab, together; a lab that clashes with a held lecture names the held one first.
    let cs240_lecture = f.section("CS 24000", "LE1").await;
    let cs240_lab = f.section("CS 24000", "L02").await;
    let plan = f.add(&token, &plan, &[cs240_lecture, cs240_lab], false).await;
    assert_eq!(plan.sections.len(), 4);
    let cs180_lab = f.section("CS 18000", "L04").await;
    let response = f.add_raw(&token, &plan, &[cs180_lab], false).await;
    let refusal: ConflictRefusal = response.json().await.unwrap();
    let messages: Vec<&str> = refusal.conflicts.iter().map(|c| c.message.as_str()).collect();
    assert_eq!(messages, ["CS 24000 LE1 overlaps CS 18000 L04 on Tue 09:50\u{2013}10:40"]);
    // Sections stay grouped by course in the order courses were first added.
    let plan = f.add(&token, &plan, &[cs180_lab], true).await;
    let order: Vec<String> =
        plan.sections.iter().map(|s| format!("{} {}", s.course_code, s.section.as_deref().unwrap_or(""))).collect();
    assert_eq!(order, ["CS 18000 L01", "CS 18000 L04", "CS 18200 LE1", "CS 24000 LE1", "CS 24000 L02"]);
    assert!(!plan.missing_components.iter().any(|m| m.course_code == "CS 18000"));

    // Refusals: too many at once, none, unknown ids, another term's section; nothing is added.
    let many: Vec<SectionId> = (0..11).map(|i| SectionId(900_000 + i)).collect();
    expect_error(f.add_raw(&token, &plan, &many, false).await, 422, ErrorCode::ValidationFailed).await;
    expect_error(f.add_raw(&token, &plan, &[], false).await, 422, ErrorCode::ValidationFailed).await;
    let body =
        expect_error(f.add_raw(&token, &plan, &[SectionId(999_999)], false).await, 422, ErrorCode::ValidationFailed)
            .await;
    assert_eq!(
        (body.error.fields[0].field.as_str(), body.error.fields[0].code.as_str()),
        ("section_ids", "unknown_section")
    );
    let umd_section = f.section_in(f.umd_term, "BMGT898", "0101").await;
    let cs250 = f.section("CS 25000", "LE1").await;
    let response = f.add_raw(&token, &plan, &[cs250, umd_section], true).await;
    let body = expect_error(response, 422, ErrorCode::ValidationFailed).await;
    assert_eq!(body.error.fields[0].code, "wrong_term");
    assert_eq!(f.primary(&token).await.sections.len(), 5, "all or nothing");

    // Removing is idempotent.
    let remove =
        || f.send(reqwest::Method::DELETE, &format!("/api/v1/timetables/{}/sections/{cs182}", plan.id), &token, None);
    let response = remove().await;
    assert_eq!(response.status(), 200);
    let after: Timetable = response.json().await.unwrap();
    assert!(!section_ids(&after).contains(&cs182));
    assert!(after.conflicts.iter().all(|c| !c.message.contains("CS 18200")));
    assert_eq!(remove().await.status(), 200);
    f.server.stop().await;
}
test_both_dbs!(
    test_conflicts_are_refused_with_the_exact_message_then_kept_on_confirm,
    conflicts_are_refused_with_the_exact_message_then_kept_on_confirm
);

async fn custom_blocks_take_part_in_conflicts(engine: Engine) {
    let f = fixture(engine).await;
    let token = f.student("blocks").await;
    let plan = f.primary(&token).await;
    let cs180 = f.section("CS 18000", "L01").await;
    let plan = f.add(&token, &plan, &[cs180], false).await;
    let path = format!("/api/v1/timetables/{}/blocks", plan.id);
    let block = |key: &str, confirm: bool| {
        json!({"label": " Library shift ", "days": "wm", "start": "11:30", "end": "13:00", "client_key": key,
               "confirm_conflicts": confirm})
    };

    let response = f.send(reqwest::Method::POST, &path, &token, Some(block("shift-1", false))).await;
    assert_eq!(response.status(), 409);
    let refusal: ConflictRefusal = response.json().await.unwrap();
    assert_eq!(refusal.conflicts[0].message, "CS 18000 L01 overlaps Library shift on Mon 11:30\u{2013}12:00");
    assert!(f.primary(&token).await.custom_blocks.is_empty());

    let response = f.send(reqwest::Method::POST, &path, &token, Some(block("shift-1", true))).await;
    assert_eq!(response.status(), 200);
    let plan: Timetable = response.json().await.unwrap();
    assert_eq!(plan.custom_blocks.len(), 1);
    let b = &plan.custom_blocks[0];
    assert_eq!(
        (b.label.as_str(), b.days.as_str(), b.start.as_str(), b.end.as_str()),
        ("Library shift", "MW", "11:30", "13:00")
    );
    assert_eq!(plan.conflicts.len(), 1);
    assert_eq!(
        plan.conflicts[0].second,
        pretzel_api::ConflictItem::Block { block_id: b.id, label: "Library shift".into() }
    );
    // The same client key again: still one block.
    let response = f.send(reqwest::Method::POST, &path, &token, Some(block("shift-1", true))).await;
    assert_eq!(response.json::<Timetable>().await.unwrap().custom_blocks.len(), 1);

    // A section added later that clashes with the block is refused naming the block first.
    let cs182_p = f.section("CS 18200", "P01").await;
    let evening = json!({"label": "Commute", "days": "MW", "start": "13:30", "end": "14:00", "client_key": "c-1"});
    let plan: Timetable = f.send(reqwest::Method::POST, &path, &token, Some(evening)).await.json().await.unwrap();
    let refusal: ConflictRefusal = f.add_raw(&token, &plan, &[cs182_p], false).await.json().await.unwrap();
    assert_eq!(refusal.conflicts[0].message, "Commute overlaps CS 18200 P01 on Mon 13:30\u{2013}14:00");

    // Validation names every bad field.
    let bad = json!({"label": "", "days": "MX", "start": "9:00", "end": "25:00", "client_key": ""});
    let body =
        expect_error(f.send(reqwest::Method::POST, &path, &token, Some(bad)).await, 422, ErrorCode::ValidationFailed)
            .await;
    let mut fields: Vec<&str> = body.error.fields.iter().map(|e| e.field.as_str()).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["client_key", "days", "end", "label", "start"]);
    let backwards = json!({"label": "x", "days": "M", "start": "10:00", "end": "10:00", "client_key": "b"});
    let body = expect_error(
        f.send(reqwest::Method::POST, &path, &token, Some(backwards)).await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert_eq!(body.error.fields[0].code, "before_start");

    // Removing is idempotent.
    let remove_path = format!("/api/v1/timetables/{}/blocks/{}", plan.id, b.id);
    let after: Timetable = f.send(reqwest::Method::DELETE, &remove_path, &token, None).await.json().await.unwrap();
    assert_eq!(after.custom_blocks.len(), 1);
    assert!(after.conflicts.is_empty());
    assert_eq!(f.send(reqwest::Method::DELETE, &remove_path, &token, None).await.status(), 200);
    f.server.stop().await;
}
test_both_dbs!(test_custom_blocks_take_part_in_conflicts, custom_blocks_take_part_in_conflicts);

async fn another_students_plan_is_not_found(engine: Engine) {
    let f = fixture(engine).await;
    let owner = f.student("owner").await;
    let other = f.student("other").await;
    let plan = f.primary(&owner).await;
    let cs180 = f.section("CS 18000", "L01").await;
    let id = plan.id;
    let attempts = [
        (reqwest::Method::PATCH, format!("/api/v1/timetables/{id}"), Some(json!({"name": "Mine now"}))),
        (reqwest::Method::DELETE, format!("/api/v1/timetables/{id}"), None),
        (reqwest::Method::POST, format!("/api/v1/timetables/{id}/sections"), Some(json!({"section_ids": [cs180]}))),
        (reqwest::Method::DELETE, format!("/api/v1/timetables/{id}/sections/{cs180}"), None),
        (
            reqwest::Method::POST,
            format!("/api/v1/timetables/{id}/blocks"),
            Some(json!({"label": "x", "days": "M", "start": "08:00", "end": "09:00", "client_key": "k"})),
        ),
        (reqwest::Method::DELETE, format!("/api/v1/timetables/{id}/blocks/1"), None),
        (reqwest::Method::GET, format!("/api/v1/timetables/{id}/calendar.ics"), None),
        (reqwest::Method::PUT, format!("/api/v1/timetables/{id}/subscription"), None),
        (reqwest::Method::DELETE, format!("/api/v1/timetables/{id}/subscription"), None),
        (
            reqwest::Method::POST,
            format!("/api/v1/terms/{}/timetables", f.term),
            Some(json!({"name": "Copy", "client_key": "c", "copy_from": id})),
        ),
    ];
    for (method, path, body) in attempts {
        let response = f.send(method.clone(), &path, &other, body).await;
        let status = response.status().as_u16();
        assert!(status == 404 || status == 422, "{method} {path}: {status}");
        let code = if status == 404 { ErrorCode::NotFound } else { ErrorCode::ValidationFailed };
        expect_error(response, status, code).await;
    }
    let after = f.primary(&owner).await;
    assert_eq!((after.name.as_str(), after.sections.len()), ("Plan A", 0), "nothing of the owner's changed");
    f.server.stop().await;
}
test_both_dbs!(test_another_students_plan_is_not_found, another_students_plan_is_not_found);

async fn dropped_section_stays_flagged_and_cannot_be_added(engine: Engine) {
    let f = fixture(engine).await;
    let token = f.student("dropped").await;
    let plan = f.primary(&token).await;
    let kept = f.section("CS 18000", "L01").await;
    let dropped_held = f.section("CS 18200", "LE1").await;
    let dropped_new = f.section("CS 25100", "LE1").await;
    let plan = f.add(&token, &plan, &[kept, dropped_held], true).await;

    // A later import of the term no longer lists two sections.
    let mut parsed = purdue_summer();
    for course in &mut parsed.records {
        course.sections.retain(|s| s.registration_id != "28883" && s.registration_id != "28888");
    }
    let db = pretzel_backend::open_storage(&f.storage.config()).await.unwrap();
    import(&db, "Purdue", "202130", Format::Banner8Html, &parsed).await;
    db.close().await;

    let after = f.primary(&token).await;
    assert_eq!(section_ids(&after), section_ids(&plan), "a dropped section stays in the plan");
    let flagged: Vec<(SectionId, bool)> =
        after.sections.iter().map(|s| (s.section_id, s.removed_at.is_some())).collect();
    assert_eq!(flagged, [(kept, false), (dropped_held, true)]);
    expect_error(f.add_raw(&token, &after, &[dropped_new], false).await, 410, ErrorCode::SectionGone).await;
    // All or nothing: a live section sent with a dropped one is not added either.
    let live = f.section("CS 24000", "LE1").await;
    expect_error(f.add_raw(&token, &after, &[live, dropped_new], true).await, 410, ErrorCode::SectionGone).await;
    assert_eq!(f.primary(&token).await.sections.len(), 2);
    // The student can still remove it.
    let path = format!("/api/v1/timetables/{}/sections/{dropped_held}", after.id);
    let removed: Timetable = f.send(reqwest::Method::DELETE, &path, &token, None).await.json().await.unwrap();
    assert_eq!(section_ids(&removed), [kept]);
    f.server.stop().await;
}
test_both_dbs!(
    test_dropped_section_stays_flagged_and_cannot_be_added,
    dropped_section_stays_flagged_and_cannot_be_added
);

async fn students_count_distinct_students_with_the_section_in_their_primary_plan(engine: Engine) {
    let f = fixture(engine).await;
    let alice = f.student("alice").await;
    let bob = f.student("bob").await;
    let cs180 = f.section("CS 18000", "L01").await;
    let cs250 = f.section("CS 25000", "LE1").await;
    let alice_plan = f.add(&alice, &f.primary(&alice).await, &[cs180], false).await;
    assert_eq!(alice_plan.sections[0].students, 1);

    let bob_primary = f.add(&bob, &f.primary(&bob).await, &[cs180], false).await;
    assert_eq!(bob_primary.sections[0].students, 2);
    // A second plan holding the same section does not count Bob twice; a section only in a
    // non-primary plan counts nobody.
    let response = f.create(&bob, "Plan B", "bob-b", Some(&bob_primary)).await;
    let bob_b: Timetable = response.json().await.unwrap();
    let bob_b = f.add(&bob, &bob_b, &[cs250], false).await;
    let counts: Vec<(SectionId, u32)> = bob_b.sections.iter().map(|s| (s.section_id, s.students)).collect();
    assert_eq!(counts, [(cs180, 2), (cs250, 0)]);
    assert_eq!(f.primary(&alice).await.sections[0].students, 2, "Alice sees Bob's interest");

    // Bob makes Plan B primary: CS 25000 gains him; CS 18000 still counts him once.
    let path = format!("/api/v1/timetables/{}", bob_b.id);
    let bob_b: Timetable =
        f.send(reqwest::Method::PATCH, &path, &bob, Some(json!({"primary": true}))).await.json().await.unwrap();
    let counts: Vec<(SectionId, u32)> = bob_b.sections.iter().map(|s| (s.section_id, s.students)).collect();
    assert_eq!(counts, [(cs180, 2), (cs250, 1)]);

    // Search results carry the same signal, for anyone (no sign-in needed).
    let url = f.server.url(&format!("/api/v1/terms/{}/search?q=cs18000", f.term));
    let found: pretzel_api::SearchResponse = f.server.http.get(url).send().await.unwrap().json().await.unwrap();
    let l01 = found.results.iter().find(|hit| hit.section_id == cs180).expect("CS 18000 L01 found");
    assert_eq!(l01.students, 2);
    assert!(found.results.iter().filter(|hit| hit.section_id != cs180).all(|hit| hit.students == 0));
    f.server.stop().await;
}
test_both_dbs!(
    test_students_count_distinct_students_with_the_section_in_their_primary_plan,
    students_count_distinct_students_with_the_section_in_their_primary_plan
);

async fn credits_and_visa_warning_follow_patch_me(engine: Engine) {
    let f = fixture(engine).await;
    let token = f.student("visa").await;
    let cs180 = f.section("CS 18000", "L01").await;
    let cs180_lab = f.section("CS 18000", "L04").await;
    let plan = f.add(&token, &f.primary(&token).await, &[cs180, cs180_lab], false).await;
    assert_eq!((plan.credits.min, plan.credits.max, plan.credits.visa_warning), (4, 4, false), "a course counts once");
    let other: Timetable = f.create(&token, "Plan B", "visa-b", Some(&plan)).await.json().await.unwrap();

    let patch_me = |body: Value| f.send(reqwest::Method::PATCH, "/api/v1/me", &token, Some(body));
    let response = patch_me(json!({"student_visa": true})).await;
    assert_eq!(response.status(), 200);
    let me: Me = response.json().await.unwrap();
    assert!(me.student_visa);
    assert_eq!(me.home_time_zone, None);
    let plans = f.plans(&token).await.timetables;
    let primary = plans.iter().find(|t| t.primary).unwrap();
    assert_eq!((primary.credits.max, primary.credits.full_time, primary.credits.visa_warning), (4, 12, true));
    let backup = plans.iter().find(|t| t.id == other.id).unwrap();
    assert!(!backup.credits.visa_warning, "only the primary plan warns");

    // Three more 3- and 4-credit lectures reach 12 (LE1 of CS 24000 is 3, CS 25000 4, CS 25100 3):
    // 4 + 3 + 4 + 3 = 14.
    let more =
        [f.section("CS 24000", "LE1").await, f.section("CS 25000", "LE1").await, f.section("CS 25100", "LE1").await];
    let full = f.add(&token, primary, &more, true).await;
    assert_eq!((full.credits.min, full.credits.max, full.credits.visa_warning), (14, 14, false));

    // Home time zone: IANA names, canonical spelling; "" clears; strangers are refused.
    let me: Me = patch_me(json!({"home_time_zone": "Asia/Seoul"})).await.json().await.unwrap();
    assert_eq!((me.home_time_zone.as_deref(), me.student_visa), (Some("Asia/Seoul"), true), "other fields stay");
    let body =
        expect_error(patch_me(json!({"home_time_zone": "Mars/Olympus_Mons"})).await, 422, ErrorCode::ValidationFailed)
            .await;
    assert_eq!(
        (body.error.fields[0].field.as_str(), body.error.fields[0].code.as_str()),
        ("home_time_zone", "unknown_time_zone")
    );
    let me: Me = f.send(reqwest::Method::GET, "/api/v1/me", &token, None).await.json().await.unwrap();
    assert_eq!(me.home_time_zone.as_deref(), Some("Asia/Seoul"), "a refused change changes nothing");
    let me: Me = patch_me(json!({"home_time_zone": "", "display_name": "  Min-jun  "})).await.json().await.unwrap();
    assert_eq!((me.home_time_zone, me.display_name.as_str()), (None, "Min-jun"));
    let me: Me = patch_me(json!({"student_visa": false})).await.json().await.unwrap();
    assert!(!me.student_visa);
    expect_error(patch_me(json!({"display_name": ""})).await, 422, ErrorCode::ValidationFailed).await;
    expect_error(patch_me(json!({"nickname": "x"})).await, 422, ErrorCode::InvalidBody).await;
    let unauthenticated =
        f.server.http.patch(f.server.url("/api/v1/me")).json(&json!({"student_visa": true})).send().await.unwrap();
    expect_error(unauthenticated, 401, ErrorCode::MissingToken).await;
    f.server.stop().await;
}
test_both_dbs!(test_credits_and_visa_warning_follow_patch_me, credits_and_visa_warning_follow_patch_me);

async fn timetable_routes_are_in_the_openapi_document(engine: Engine) {
    let f = fixture(engine).await;
    let doc: Value = f.server.http.get(f.server.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    for path in [
        "/api/v1/terms/{term_id}/timetables",
        "/api/v1/timetables/{id}",
        "/api/v1/timetables/{id}/sections",
        "/api/v1/timetables/{id}/blocks",
        "/api/v1/timetables/{id}/calendar.ics",
        "/api/v1/timetables/{id}/subscription",
        "/calendar/{token}.ics",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    assert!(doc["paths"]["/api/v1/me"]["patch"].is_object());
    assert!(doc["components"]["schemas"]["ConflictRefusal"]["properties"]["conflicts"].is_object());
    f.server.stop().await;
}
test_both_dbs!(test_timetable_routes_are_in_the_openapi_document, timetable_routes_are_in_the_openapi_document);
