//! Timetables through Pretzel's client core against the real backend, over a real catalog (Purdue
//! Summer 2021): search results and plans cached and served offline, edits queued in the outbox while
//! the backend is down, kept across a restart of the client and sent in order (once) when it is back,
//! queued changes the server refuses kept visible as failed, conflicts needing confirmation online
//! and offline, the week grid offline, calendar export and subscription, and the profile update.

use crate::common::{Engine, GOOD_PASSWORD, Storage, TestServer, client_on, fresh_email, purdue_summer};
use chrono::{Duration, NaiveDate};
use pretzel_api::shell::{
    ChangeOutcome, ChangeTimetable, CommandErrorKind, DisplayZone, PendingState, TimetableChange, TimetablesView,
    WeekView, WeekViewArgs,
};
use pretzel_api::{
    ErrorCode, SearchHit, SearchQuery, SectionId, SignupRequest, TermId, Timetable, TimetableId, UniversityId, UpdateMe,
};
use pretzel_backend::db::catalog::ImportOrigin;
use pretzel_backend::import::{Format, ParseReport};
use pretzel_client::cache::{CACHE_FILE_NAME, Cache};
use pretzel_client::outbox::QUEUE_TIMETABLE;
use pretzel_client::tokens::{FileTokenStore, TOKEN_FILE_NAME, TokenStore};
use pretzel_client::{Client, ClientError};

/// Imports `parsed` as Purdue's term 202130 (again) while the server may be running.
async fn import_purdue(storage: &Storage, parsed: &ParseReport) -> (UniversityId, TermId) {
    let db = pretzel_backend::open_storage(&storage.config()).await.unwrap();
    let university = db.find_university("Purdue").await.unwrap().unwrap().id;
    let sources = vec!["test".to_owned()];
    let origin = ImportOrigin { format: Format::Banner8Html, sources: &sources, started_at: 0 };
    let term = db.apply_import(university, "202130", parsed, &origin).await.unwrap().term_id;
    db.close().await;
    (university, term)
}

/// A server over a fresh database holding Purdue's summer term, and a Purdue student signed in on a
/// client with its own data directory.
struct Fixture {
    storage: Storage,
    server: TestServer,
    app_dir: tempfile::TempDir,
    client: Client,
    term: TermId,
}

impl Fixture {
    async fn new(engine: Engine) -> Self {
        let storage = Storage::new(engine).await;
        let (university, term) = import_purdue(&storage, &purdue_summer()).await;
        let server = TestServer::on(&storage).await;
        let app_dir = tempfile::tempdir().unwrap();
        let client = client_on(&server.base, app_dir.path());
        client
            .sign_up(SignupRequest {
                email: fresh_email("planner"),
                password: GOOD_PASSWORD.into(),
                display_name: "Ana".into(),
                university_id: university,
            })
            .await
            .unwrap();
        Self { storage, server, app_dir, client, term }
    }

    /// Stops the backend: from now on every request fails as offline.
    async fn go_offline(&mut self) {
        let stopped = std::mem::replace(&mut self.server, TestServer::on(&self.storage).await);
        // The replacement listens on another port the client does not know: stop the old one and
        // point nothing at the new one yet.
        let base = stopped.base.clone();
        stopped.stop().await;
        assert_eq!(self.client.settings().backend_url, base);
    }

    /// Points the client at the running server again.
    fn go_online(&self) {
        self.client.set_backend_url(&self.server.base).unwrap();
    }

    async fn plans(&self) -> TimetablesView {
        self.client.term_timetables(self.term).await.unwrap()
    }

    /// The student's plans as the server has them, read over plain HTTP.
    async fn server_plans(&self) -> Vec<Timetable> {
        let tokens = FileTokenStore::new(self.app_dir.path().join(TOKEN_FILE_NAME)).load().unwrap().unwrap();
        let response =
            self.server.get_authed(&format!("/api/v1/terms/{}/timetables", self.term), &tokens.access_token).await;
        assert_eq!(response.status(), 200);
        response.json::<pretzel_api::TermTimetables>().await.unwrap().timetables
    }

    /// Timed CS sections from a search (which also caches them for offline adds).
    async fn timed_sections(&self) -> Vec<SearchHit> {
        let query = SearchQuery { subject: Some("CS".into()), limit: Some(100), ..SearchQuery::default() };
        let results = self.client.search(self.term, &query).await.unwrap();
        assert!(!results.offline);
        results.response.results.into_iter().filter(|hit| !slots(hit).is_empty()).collect()
    }
}

/// (day letter, start minute, end minute) of every timed meeting of a hit.
fn slots(hit: &SearchHit) -> Vec<(char, u32, u32)> {
    let minutes = |clock: &str| {
        let (h, m) = clock.split_once(':').unwrap();
        h.parse::<u32>().unwrap() * 60 + m.parse::<u32>().unwrap()
    };
    hit.meetings
        .iter()
        .filter_map(|m| Some((m.days.clone(), minutes(m.start.as_deref()?), minutes(m.end.as_deref()?))))
        .flat_map(|(days, start, end)| days.chars().map(move |day| (day, start, end)).collect::<Vec<_>>())
        .collect()
}

fn overlap(a: &SearchHit, b: &SearchHit) -> bool {
    slots(a).iter().any(|(day, s1, e1)| slots(b).iter().any(|(d2, s2, e2)| day == d2 && s1 < e2 && s2 < e1))
}

/// Two sections of different courses that overlap, and a third that overlaps neither.
fn pick_sections(hits: &[SearchHit]) -> (SearchHit, SearchHit, SearchHit) {
    for a in hits {
        for b in hits.iter().filter(|b| b.course_code != a.course_code && overlap(a, b)) {
            if let Some(c) = hits.iter().find(|c| {
                c.course_code != a.course_code && c.course_code != b.course_code && !overlap(a, c) && !overlap(b, c)
            }) {
                return (a.clone(), b.clone(), c.clone());
            }
        }
    }
    panic!("the sample catalog has no two overlapping CS sections");
}

fn add(plan: TimetableId, sections: &[SectionId], confirm: bool) -> TimetableChange {
    TimetableChange::AddSections { timetable_id: plan, section_ids: sections.to_vec(), confirm_conflicts: confirm }
}

async fn change(client: &Client, term: TermId, change: TimetableChange) -> ChangeOutcome {
    client.change_timetable(ChangeTimetable { term_id: term, change }).await.unwrap()
}

fn applied(outcome: ChangeOutcome) -> TimetablesView {
    match outcome {
        ChangeOutcome::Applied { view } => view,
        other => panic!("expected the change to be applied, got {other:?}"),
    }
}

fn section_ids(plan: &Timetable) -> Vec<SectionId> {
    plan.sections.iter().map(|s| s.section_id).collect()
}

fn primary(view: &TimetablesView) -> &Timetable {
    view.data.timetables.iter().find(|plan| plan.primary).unwrap()
}

fn plan_named<'a>(plans: &'a [Timetable], name: &str) -> &'a Timetable {
    plans.iter().find(|plan| plan.name == name).unwrap_or_else(|| panic!("no plan named {name}"))
}

/// The first week (from the section's first meeting date, or the term's start) in which the plan
/// shows blocks.
async fn first_week_with_blocks(client: &Client, view: &TimetablesView, plan: TimetableId) -> WeekView {
    let section = &plan_by_id(view, plan).sections[0];
    let start: NaiveDate = section.meetings[0].start_date.or(view.data.start_date).unwrap();
    for week in 0..4 {
        let args = WeekViewArgs {
            term_id: view.data.term_id,
            timetable_id: plan,
            week_of: Some(start + Duration::days(7 * week)),
            zone: DisplayZone::Campus,
        };
        let shown = client.week_view(args).await.unwrap();
        if shown.days.iter().any(|day| !day.blocks.is_empty()) {
            return shown;
        }
    }
    panic!("no week with blocks in the first four weeks from {start}");
}

fn plan_by_id(view: &TimetablesView, id: TimetableId) -> &Timetable {
    view.data.timetables.iter().find(|plan| plan.id == id).unwrap()
}

#[tokio::test]
async fn test_search_results_and_terms_are_cached_and_served_offline() {
    let mut f = Fixture::new(Engine::Sqlite).await;
    let terms = f.client.terms().await.unwrap();
    assert!(terms.iter().any(|term| term.id == f.term));
    let query = SearchQuery { q: Some("CS 15900".into()), ..SearchQuery::default() };
    let online = f.client.search(f.term, &query).await.unwrap();
    assert!(!online.offline && online.response.total > 0);

    f.go_offline().await;
    // The same search, written differently, comes from the cache.
    let respelled = SearchQuery { q: Some("  cs 15900 ".into()), ..SearchQuery::default() };
    let offline = f.client.search(f.term, &respelled).await.unwrap();
    assert!(offline.offline);
    assert_eq!(offline.response, online.response);
    let never_run = SearchQuery { q: Some("algorithms".into()), ..SearchQuery::default() };
    let error = f.client.search(f.term, &never_run).await.unwrap_err();
    assert!(error.is_offline(), "{error:?}");
    assert_eq!(pretzel_api::shell::CommandError::from(error).kind, CommandErrorKind::Offline);
    assert_eq!(f.client.terms().await.unwrap(), terms);
}

async fn plans_are_cached_and_shown_offline_with_the_week(engine: Engine) {
    let mut f = Fixture::new(engine).await;
    let (a, _, _) = pick_sections(&f.timed_sections().await);
    let first = f.plans().await;
    assert!(!first.offline && first.pending.is_empty() && first.synced_at.is_some());
    assert_eq!(first.data.timetables.len(), 1);
    let plan_a = primary(&first).id;
    let view = applied(change(&f.client, f.term, add(plan_a, &[a.section_id], false)).await);
    assert!(!view.offline);
    assert_eq!(section_ids(primary(&view)), [a.section_id]);
    let online_week = first_week_with_blocks(&f.client, &view, plan_a).await;

    f.go_offline().await;
    let cached = f.plans().await;
    assert!(cached.offline);
    assert_eq!(cached.data, view.data);
    assert!(cached.pending.is_empty());
    let offline_week = f
        .client
        .week_view(WeekViewArgs {
            term_id: f.term,
            timetable_id: plan_a,
            week_of: Some(online_week.week_start),
            zone: DisplayZone::Home,
        })
        .await
        .unwrap();
    // No home zone is set: campus time stands in, and the grid is the one seen online.
    assert_eq!(offline_week, online_week);
    assert_eq!(offline_week.zone, DisplayZone::Campus);
    let block = offline_week.days.iter().flat_map(|day| &day.blocks).next().unwrap();
    assert_eq!(block.item.section_id, Some(a.section_id));
    assert_eq!(block.item.title, a.course_code);
}
test_both_dbs!(test_plans_are_cached_and_shown_offline_with_the_week, plans_are_cached_and_shown_offline_with_the_week);

#[tokio::test]
async fn test_offline_changes_survive_a_restart_and_are_sent_in_order_once() {
    let mut f = Fixture::new(Engine::Sqlite).await;
    let (a, _, c) = pick_sections(&f.timed_sections().await);
    let plan_a = primary(&f.plans().await).id;
    f.go_offline().await;

    // Offline: a new plan (copying Plan A), a section added to it, a block in Plan A, a rename.
    let created = applied(
        change(
            &f.client,
            f.term,
            TimetableChange::Create { term_id: f.term, name: "Plan B".into(), copy_from: Some(plan_a) },
        )
        .await,
    );
    assert!(created.offline);
    let plan_b = plan_named(&created.data.timetables, "Plan B").id;
    assert!(plan_b.0 < 0, "a queued plan has a temporary id");
    applied(change(&f.client, f.term, add(plan_b, &[a.section_id], false)).await);
    applied(
        change(
            &f.client,
            f.term,
            TimetableChange::AddBlock {
                timetable_id: plan_a,
                label: "Library shift".into(),
                days: "U".into(),
                start: "06:00".into(),
                end: "07:00".into(),
                confirm_conflicts: false,
            },
        )
        .await,
    );
    let renamed = applied(
        change(&f.client, f.term, TimetableChange::Rename { timetable_id: plan_b, name: "Plan C".into() }).await,
    );
    assert_eq!(renamed.pending.len(), 4);
    assert!(renamed.pending.iter().all(|p| p.state == PendingState::Waiting && p.error.is_none()));
    assert_eq!(section_ids(plan_named(&renamed.data.timetables, "Plan C")), [a.section_id]);
    assert_eq!(plan_by_id(&renamed, plan_a).custom_blocks[0].label, "Library shift");

    // The app restarts while still offline: the queue and its effect are still there.
    let dead_base = f.client.settings().backend_url;
    f.client = client_on(&dead_base, f.app_dir.path());
    let restarted = f.plans().await;
    assert!(restarted.offline);
    assert_eq!(restarted.pending, renamed.pending);
    assert_eq!(restarted.data, renamed.data);
    // Unrelated: an offline add of a section never seen in search results cannot be shown.
    let unseen = f
        .client
        .change_timetable(ChangeTimetable { term_id: f.term, change: add(plan_a, &[SectionId(i64::MAX)], false) })
        .await;
    assert!(matches!(unseen, Err(ClientError::NotAvailableOffline { .. })), "{unseen:?}");

    // The plan's creation reached the server but its answer was lost: the server holds Plan B
    // under the queued change's key already.
    let cache = Cache::open(&f.app_dir.path().join(CACHE_FILE_NAME)).unwrap();
    let queued = cache.outbox_entries(QUEUE_TIMETABLE, &f.term.0.to_string()).unwrap();
    let tokens = FileTokenStore::new(f.app_dir.path().join(TOKEN_FILE_NAME)).load().unwrap().unwrap();
    let response = f
        .server
        .http
        .post(f.server.url(&format!("/api/v1/terms/{}/timetables", f.term)))
        .bearer_auth(&tokens.access_token)
        .json(&serde_json::json!({"name": "Plan B", "client_key": queued[0].idempotency_key, "copy_from": plan_a}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);

    f.go_online();
    let mut events = f.client.subscribe_timetables();
    let synced = f.plans().await;
    assert!(!synced.offline && synced.pending.is_empty(), "{:?}", synced.pending);
    assert_eq!(events.try_recv().unwrap().term_id, f.term);
    let on_server = f.server_plans().await;
    assert_eq!(on_server.len(), 2, "the resent creation did not make a second plan");
    let plan_c = plan_named(&on_server, "Plan C");
    assert!(plan_c.id.0 > 0);
    assert_eq!(section_ids(plan_c), [a.section_id]);
    let server_a = on_server.iter().find(|plan| plan.id == plan_a).unwrap();
    assert_eq!(server_a.custom_blocks.len(), 1);
    assert_eq!(synced.data.timetables, on_server);
    assert!(cache.outbox_entries(QUEUE_TIMETABLE, &f.term.0.to_string()).unwrap().is_empty());

    // Online again, a change goes straight to the server.
    let direct = applied(change(&f.client, f.term, add(plan_a, &[c.section_id], false)).await);
    assert!(!direct.offline && direct.pending.is_empty());
    assert!(section_ids(plan_by_id(&direct, plan_a)).contains(&c.section_id));
}

#[tokio::test]
async fn test_a_queued_add_of_a_dropped_section_fails_and_stays_until_discarded() {
    let mut f = Fixture::new(Engine::Sqlite).await;
    let (a, _, c) = pick_sections(&f.timed_sections().await);
    let plan_a = primary(&f.plans().await).id;
    f.go_offline().await;
    applied(change(&f.client, f.term, add(plan_a, &[a.section_id], false)).await);
    let queued = applied(change(&f.client, f.term, add(plan_a, &[c.section_id], false)).await);
    assert_eq!(section_ids(plan_by_id(&queued, plan_a)), [a.section_id, c.section_id]);

    // Meanwhile the next catalog import drops section `a`.
    let mut parsed = purdue_summer();
    for course in &mut parsed.records {
        course.sections.retain(|s| s.registration_id != a.registration_id);
    }
    import_purdue(&f.storage, &parsed).await;

    f.go_online();
    let synced = f.plans().await;
    assert!(!synced.offline);
    assert_eq!(synced.pending.len(), 1, "the refused add stays visible");
    let failed = &synced.pending[0];
    assert_eq!(failed.state, PendingState::Failed);
    assert_eq!(failed.error.as_ref().and_then(|e| e.code), Some(ErrorCode::SectionGone));
    assert_eq!(failed.change, add(plan_a, &[a.section_id], false));
    // The change after it was still sent, and the refused one is not shown as applied.
    assert_eq!(section_ids(plan_by_id(&synced, plan_a)), [c.section_id]);
    // A failed change does not hold back new ones.
    let later =
        applied(change(&f.client, f.term, TimetableChange::Rename { timetable_id: plan_a, name: "Main".into() }).await);
    assert!(!later.offline);
    assert_eq!(plan_by_id(&later, plan_a).name, "Main");
    assert_eq!(later.pending.len(), 1);

    let discarded = f.client.discard_pending(f.term, failed.id).await.unwrap();
    assert!(discarded.pending.is_empty());
    // Still gone after a restart.
    let reopened = client_on(&f.server.base, f.app_dir.path());
    assert!(reopened.term_timetables(f.term).await.unwrap().pending.is_empty());
}

#[tokio::test]
async fn test_conflicts_need_confirmation_online_and_offline() {
    let mut f = Fixture::new(Engine::Sqlite).await;
    let (a, b, _) = pick_sections(&f.timed_sections().await);
    let plan_a = primary(&f.plans().await).id;
    applied(change(&f.client, f.term, add(plan_a, &[a.section_id], false)).await);

    // Online, the server refuses the overlap until the student confirms it.
    let refused = change(&f.client, f.term, add(plan_a, &[b.section_id], false)).await;
    let ChangeOutcome::NeedsConfirmation { conflicts: online_conflicts } = refused else { panic!("{refused:?}") };
    assert!(!online_conflicts.is_empty());
    assert_eq!(section_ids(primary(&f.plans().await)), [a.section_id], "nothing changed");

    // A second plan holding `a`, to try the same offline.
    let plan_b = applied(
        change(
            &f.client,
            f.term,
            TimetableChange::Create { term_id: f.term, name: "Plan B".into(), copy_from: Some(plan_a) },
        )
        .await,
    );
    let plan_b = plan_named(&plan_b.data.timetables, "Plan B").id;
    f.go_offline().await;
    let refused = change(&f.client, f.term, add(plan_b, &[b.section_id], false)).await;
    let ChangeOutcome::NeedsConfirmation { conflicts: offline_conflicts } = refused else { panic!("{refused:?}") };
    assert_eq!(offline_conflicts, online_conflicts, "the client's check says what the server says");
    assert!(f.plans().await.pending.is_empty(), "nothing was queued");

    let confirmed = applied(change(&f.client, f.term, add(plan_b, &[b.section_id], true)).await);
    assert!(confirmed.offline);
    assert_eq!(plan_by_id(&confirmed, plan_b).conflicts, online_conflicts);

    // Back online, the confirmed change is sent with its confirmation and accepted.
    f.go_online();
    let synced = f.plans().await;
    assert!(synced.pending.is_empty(), "{:?}", synced.pending);
    let server_b = plan_by_id(&synced, plan_b);
    assert_eq!(section_ids(server_b), [a.section_id, b.section_id]);
    assert_eq!(server_b.conflicts, online_conflicts);
    let week = first_week_with_blocks(&f.client, &synced, plan_b).await;
    assert!(week.days.iter().flat_map(|day| &day.blocks).any(|block| block.conflict));
}

#[tokio::test]
async fn test_calendar_export_subscription_and_home_time() {
    let f = Fixture::new(Engine::Sqlite).await;
    let (a, _, _) = pick_sections(&f.timed_sections().await);
    let plan_a = primary(&f.plans().await).id;
    let view = applied(change(&f.client, f.term, add(plan_a, &[a.section_id], false)).await);

    let path = f.client.export_calendar(plan_a).await.unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(written.starts_with("BEGIN:VCALENDAR"), "{written}");
    assert!(written.contains(&a.course_code), "{written}");
    assert!(path.file_name().unwrap().to_string_lossy().starts_with("Plan A"), "{path:?}");

    let subscription = f.client.subscribe_calendar(plan_a).await.unwrap();
    assert!(subscription.webcal_url.starts_with("webcal://"));
    let feed = f.server.http.get(&subscription.url).send().await.unwrap();
    assert_eq!(feed.status(), 200);
    f.client.revoke_calendar(plan_a).await.unwrap();
    assert_eq!(f.server.http.get(&subscription.url).send().await.unwrap().status(), 404);

    // With a home time zone, the week can be shown in it.
    let me = f
        .client
        .update_me(UpdateMe { home_time_zone: Some("Asia/Seoul".into()), ..UpdateMe::default() })
        .await
        .unwrap();
    assert_eq!(me.home_time_zone.as_deref(), Some("Asia/Seoul"));
    assert_eq!(f.client.cached_me().unwrap().home_time_zone.as_deref(), Some("Asia/Seoul"));
    let campus = first_week_with_blocks(&f.client, &view, plan_a).await;
    let home = f
        .client
        .week_view(WeekViewArgs {
            term_id: f.term,
            timetable_id: plan_a,
            week_of: Some(campus.week_start),
            zone: DisplayZone::Home,
        })
        .await
        .unwrap();
    assert_eq!((home.zone, home.time_zone.as_str()), (DisplayZone::Home, "Asia/Seoul"));
    let first_block = |week: &WeekView| week.days.iter().flat_map(|day| &day.blocks).next().unwrap().start.clone();
    assert_ne!(first_block(&home), first_block(&campus), "Seoul is 13 or 14 hours ahead of campus");
    let refused =
        f.client.update_me(UpdateMe { home_time_zone: Some("Mars/Olympus".into()), ..UpdateMe::default() }).await;
    assert_eq!(refused.unwrap_err().server_code(), Some(ErrorCode::ValidationFailed));
}

#[tokio::test]
async fn test_discarding_a_queued_plan_drops_the_changes_made_to_it() {
    let mut f = Fixture::new(Engine::Sqlite).await;
    let plan_a = primary(&f.plans().await).id;
    f.go_offline().await;
    let created = applied(
        change(&f.client, f.term, TimetableChange::Create { term_id: f.term, name: "Plan B".into(), copy_from: None })
            .await,
    );
    let plan_b = plan_named(&created.data.timetables, "Plan B").id;
    applied(change(&f.client, f.term, TimetableChange::Rename { timetable_id: plan_b, name: "Plan C".into() }).await);
    applied(change(&f.client, f.term, TimetableChange::Rename { timetable_id: plan_a, name: "Main".into() }).await);
    let queued = f.plans().await;
    assert_eq!(queued.pending.len(), 3);

    let left = f.client.discard_pending(f.term, queued.pending[0].id).await.unwrap();
    assert!(left.offline);
    assert_eq!(left.pending.len(), 1, "the rename of the dropped plan went with it");
    assert_eq!(left.pending[0].change, TimetableChange::Rename { timetable_id: plan_a, name: "Main".into() });
    assert_eq!(left.data.timetables.len(), 1);
    assert_eq!(left.data.timetables[0].name, "Main");

    f.go_online();
    let synced = f.plans().await;
    assert!(synced.pending.is_empty());
    assert_eq!(f.server_plans().await.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Main"]);
}
