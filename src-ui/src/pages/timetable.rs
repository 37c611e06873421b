//! The Timetable tab: pick a term and a plan, search the catalog and add sections, see the week in
//! campus or home time, keep custom blocks, watch credits, and export or subscribe to the plan.
//!
//! The page owns every call to the shell for this screen and the state they fill; the pieces on
//! screen are components that only show what they are given and report taps. The shell keeps the
//! plans (with an offline cache and an outbox), so this page never retries anything itself: it
//! shows what `term_timetables` says, sends each edit through `change_timetable`, and refreshes
//! when the shell announces `timetables-changed`. Answers that arrive after a newer request was
//! made (a slow search, a refresh overtaken by an edit) are dropped by sequence number.

use crate::components::calendar_share::CalendarShare;
use crate::components::conflict_dialog::ConflictDialog;
use crate::components::credits_meter::CreditsMeter;
use crate::components::custom_block_form::{CustomBlocks, NewBlock};
use crate::components::icons::{Glyph, Icon};
use crate::components::pending_list::{PendingList, change_error};
use crate::components::plan_bar::PlanBar;
use crate::components::plan_sections::PlanSections;
use crate::components::section_search::{SearchFilters, SectionSearch};
use crate::components::section_sheet::{SectionDetails, SectionSheet};
use crate::components::term_picker::{TermPicker, newest_first};
use crate::components::timetable_format::{date_time, kind_label};
use crate::components::week_grid::{BlockFacts, WeekGrid};
use crate::components::week_list::{UnscheduledList, WeekList};
use crate::components::week_nav::WeekNav;
use crate::i18n::{Msg, t, use_i18n};
use crate::ipc;
use crate::session::use_session;
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pretzel_api::shell::{
    ChangeOutcome, ChangeTimetable, DiscardPending, DisplayZone, SearchResults, SearchSections, TermArgs,
    TimetableArgs, TimetableChange, TimetablesView, WeekItemRef, WeekView, WeekViewArgs,
};
use pretzel_api::timetable::{CalendarSubscription, Conflict, CreditSummary, Timetable};
use pretzel_api::{SectionId, Term, TermId, TimetableId};
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};

/// How long typing must pause before the search is sent.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(250);
/// The `localStorage` key of the last term the student looked at.
const TERM_KEY: &str = "pretzel.timetable.term";

/// Calls `localStorage.<method>(args…)`, if the web view has a usable `localStorage`.
fn local_storage_call(method: &str, args: &[&str]) -> Option<JsValue> {
    let window = web_sys::window()?;
    let storage = js_sys::Reflect::get(&window, &JsValue::from_str("localStorage")).ok()?;
    if storage.is_null() || storage.is_undefined() {
        return None;
    }
    let function =
        js_sys::Reflect::get(&storage, &JsValue::from_str(method)).ok()?.dyn_into::<js_sys::Function>().ok()?;
    let args: js_sys::Array = args.iter().map(|arg| JsValue::from_str(arg)).collect();
    function.apply(&storage, &args).ok()
}

/// The term chosen last time on this device.
fn remembered_term() -> Option<TermId> {
    local_storage_call("getItem", &[TERM_KEY])?.as_string()?.parse().ok().map(TermId)
}

/// Remembers the chosen term for the next visit (best effort: private modes may refuse).
fn remember_term(term: TermId) {
    let _ = local_storage_call("setItem", &[TERM_KEY, &term.to_string()]);
}

/// The term to open: the remembered one if it still exists, else the newest.
pub fn initial_term(terms: &[Term], remembered: Option<TermId>) -> Option<TermId> {
    remembered
        .filter(|id| terms.iter().any(|term| term.id == *id))
        .or_else(|| newest_first(terms.to_vec()).first().map(|term| term.id))
}

/// The plan to show: the chosen one while it exists, else the primary, else the first.
pub fn shown_plan(view: &TimetablesView, chosen: Option<TimetableId>) -> Option<Timetable> {
    let plans = &view.data.timetables;
    chosen
        .and_then(|id| plans.iter().find(|plan| plan.id == id))
        .or_else(|| plans.iter().find(|plan| plan.primary))
        .or_else(|| plans.first())
        .cloned()
}

/// The same change, now confirmed despite its conflicts.
pub fn confirmed(change: TimetableChange) -> TimetableChange {
    match change {
        TimetableChange::AddSections { timetable_id, section_ids, .. } => {
            TimetableChange::AddSections { timetable_id, section_ids, confirm_conflicts: true }
        }
        TimetableChange::AddBlock { timetable_id, label, days, start, end, .. } => {
            TimetableChange::AddBlock { timetable_id, label, days, start, end, confirm_conflicts: true }
        }
        other => other,
    }
}

/// The timetable tab's content.
#[component]
pub fn TimetablePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();

    let terms = RwSignal::new(Vec::<Term>::new());
    let term_id = RwSignal::new(None::<TermId>);
    let tt_view = RwSignal::new(None::<TimetablesView>);
    let chosen_plan = RwSignal::new(None::<TimetableId>);
    let loading = RwSignal::new(true);
    let load_error = RwSignal::new(None::<Msg>);
    let action_error = RwSignal::new(None::<Msg>);
    let changing = RwSignal::new(false);
    let awaiting = RwSignal::new(None::<(TermId, TimetableChange, Vec<Conflict>)>);
    let view_seq = StoredValue::new(0_u64);

    let week = RwSignal::new(None::<WeekView>);
    let week_of = RwSignal::new(None::<NaiveDate>);
    let zone = RwSignal::new(DisplayZone::Campus);
    let week_error = RwSignal::new(None::<Msg>);
    let week_seq = StoredValue::new(0_u64);

    let filters = RwSignal::new(SearchFilters::default());
    let results = RwSignal::new(None::<SearchResults>);
    let searching = RwSignal::new(false);
    let search_error = RwSignal::new(None::<Msg>);
    let search_seq = StoredValue::new(0_u64);
    let search_timer = StoredValue::new(None::<TimeoutHandle>);

    let sheet = RwSignal::new(None::<SectionDetails>);
    let exported = RwSignal::new(None::<String>);
    let subscription = RwSignal::new(None::<CalendarSubscription>);
    let exporting = RwSignal::new(false);
    let subscribing = RwSignal::new(false);

    let plan =
        Memo::new(move |_| tt_view.with(|view| view.as_ref().and_then(|view| shown_plan(view, chosen_plan.get()))));
    let plan_id = Memo::new(move |_| plan.with(|plan| plan.as_ref().map(|plan| plan.id)));
    let home_zone = Memo::new(move |_| session.me().and_then(|me| me.home_time_zone).filter(|zone| !zone.is_empty()));
    let in_plan = Signal::derive(move || {
        plan.with(|plan| {
            plan.as_ref().map(|plan| plan.sections.iter().map(|s| s.section_id).collect()).unwrap_or_default()
        })
    });
    let missing = Signal::derive(move || {
        plan.with(|plan| plan.as_ref().map(|plan| plan.missing_components.clone()).unwrap_or_default())
    });

    // Loads (or reloads) the term's plans; an answer overtaken by a newer load or an edit is dropped.
    let load_view = move |term: TermId| {
        // Also called after awaits (a discard, a shell event): the page may be gone by then.
        let Some(seq) = view_seq.try_update_value(|seq| {
            *seq += 1;
            *seq
        }) else {
            return;
        };
        spawn_local(async move {
            let answer = ipc::term_timetables(TermArgs { term_id: term }).await;
            if view_seq.try_get_value() != Some(seq) {
                return;
            }
            loading.set(false);
            match answer {
                Ok(view) => {
                    load_error.set(None);
                    tt_view.set(Some(view));
                }
                Err(error) => load_error.set(Some(change_error(&error))),
            }
        });
    };

    // Terms first; then the remembered (or newest) term.
    spawn_local(async move {
        match ipc::list_terms().await {
            Ok(list) => {
                let first = initial_term(&list, remembered_term());
                terms.set(list);
                if first.is_none() {
                    loading.set(false);
                }
                term_id.set(first);
            }
            Err(error) => {
                loading.set(false);
                load_error.set(Some(change_error(&error)));
            }
        }
    });

    Effect::new(move |_| {
        let Some(term) = term_id.get() else { return };
        remember_term(term);
        untrack(|| {
            loading.set(true);
            tt_view.set(None);
            chosen_plan.set(None);
            week.set(None);
            week_of.set(None);
            sheet.set(None);
            action_error.set(None);
        });
        load_view(term);
    });

    // The shell says the term's plans changed (the outbox synced or failed): show the new state.
    let changes = StoredValue::new_local(None::<ipc::Subscription>);
    spawn_local(async move {
        let listening = ipc::on_timetables_changed(move |event| {
            if term_id.try_get_untracked().flatten() == Some(event.term_id) {
                load_view(event.term_id);
            }
        })
        .await;
        match listening {
            Ok(live) => {
                // The page may already be gone; then the subscription is dropped here.
                let _ = changes.try_set_value(Some(live));
            }
            Err(error) if ipc::is_missing_shell(&error) => {}
            Err(error) => leptos::logging::warn!("not following timetable changes: {error}"),
        }
    });

    // Export and feed belong to one plan: forget them when another is shown.
    Effect::new(move |_| {
        plan_id.track();
        exported.set(None);
        subscription.set(None);
    });

    // The week follows the plan's contents, the week asked for and the clock.
    Effect::new(move |_| {
        let Some(term) = term_id.get() else { return };
        let Some(timetable_id) = plan.with(|plan| plan.as_ref().map(|plan| plan.id)) else { return };
        plan.track();
        home_zone.track();
        let args = WeekViewArgs { term_id: term, timetable_id, week_of: week_of.get(), zone: zone.get() };
        week_seq.update_value(|seq| *seq += 1);
        let seq = week_seq.get_value();
        spawn_local(async move {
            let answer = ipc::week_view(args).await;
            if week_seq.try_get_value() != Some(seq) {
                return;
            }
            match answer {
                Ok(shown) => {
                    week_error.set(None);
                    week.set(Some(shown));
                }
                Err(error) => week_error.set(Some(change_error(&error))),
            }
        });
    });

    // Search as the student types, once typing pauses; only the newest answer is shown.
    Effect::new(move |_| {
        let query = filters.get();
        let term = term_id.get();
        if let Some(timer) = search_timer.get_value() {
            timer.clear();
        }
        search_seq.update_value(|seq| *seq += 1);
        let seq = search_seq.get_value();
        let Some(term) = term.filter(|_| !query.is_blank()) else {
            searching.set(false);
            search_error.set(None);
            results.set(None);
            return;
        };
        searching.set(true);
        let timer = set_timeout_with_handle(
            move || {
                spawn_local(async move {
                    let answer = ipc::search_sections(SearchSections { term_id: term, query: query.to_query() }).await;
                    if search_seq.try_get_value() != Some(seq) {
                        return;
                    }
                    searching.set(false);
                    match answer {
                        Ok(found) => {
                            search_error.set(None);
                            results.set(Some(found));
                        }
                        Err(error) => search_error.set(Some(change_error(&error))),
                    }
                });
            },
            SEARCH_DEBOUNCE,
        );
        search_timer.set_value(timer.ok());
    });
    on_cleanup(move || {
        if let Some(Some(timer)) = search_timer.try_get_value() {
            timer.clear();
        }
    });

    // Sends one edit. A new plan becomes the shown one; conflicts wait for the student's answer.
    let send = move |change: TimetableChange| {
        let Some(term) = term_id.get_untracked() else { return };
        if changing.get_untracked() {
            return;
        }
        changing.set(true);
        action_error.set(None);
        let before: Vec<TimetableId> = tt_view.with_untracked(|view| {
            view.as_ref().map(|view| view.data.timetables.iter().map(|plan| plan.id).collect()).unwrap_or_default()
        });
        let is_create = matches!(change, TimetableChange::Create { .. });
        // A refresh already on its way predates this edit.
        view_seq.update_value(|seq| *seq += 1);
        spawn_local(async move {
            let answer = ipc::change_timetable(ChangeTimetable { term_id: term, change: change.clone() }).await;
            let _ = changing.try_set(false);
            if term_id.try_get_untracked().flatten() != Some(term) {
                return;
            }
            match answer {
                Ok(ChangeOutcome::Applied { view }) => {
                    awaiting.set(None);
                    if is_create && let Some(new) = view.data.timetables.iter().find(|plan| !before.contains(&plan.id))
                    {
                        chosen_plan.set(Some(new.id));
                    }
                    tt_view.set(Some(view));
                }
                Ok(ChangeOutcome::NeedsConfirmation { conflicts }) => awaiting.set(Some((term, change, conflicts))),
                Err(error) => {
                    awaiting.set(None);
                    action_error.set(Some(change_error(&error)));
                }
            }
        });
    };

    let add_section = Callback::new(move |section_id: SectionId| {
        if let Some(timetable_id) = plan_id.get_untracked() {
            send(TimetableChange::AddSections {
                timetable_id,
                section_ids: vec![section_id],
                confirm_conflicts: false,
            });
        }
    });
    let remove_section = Callback::new(move |section_id: SectionId| {
        if let Some(timetable_id) = plan_id.get_untracked() {
            send(TimetableChange::RemoveSection { timetable_id, section_id });
        }
    });
    let open_section = Callback::new(move |section_id: SectionId| {
        let details = plan.with_untracked(|plan| {
            plan.as_ref()
                .and_then(|plan| plan.sections.iter().find(|s| s.section_id == section_id))
                .map(SectionDetails::from)
        });
        sheet.set(details);
    });
    let open_item = Callback::new(move |item: WeekItemRef| {
        if let Some(section_id) = item.section_id {
            open_section.run(section_id);
        }
    });
    let find_course = Callback::new(move |course: String| {
        sheet.set(None);
        filters.update(|f| *f = SearchFilters { q: course, ..SearchFilters::default() });
        if let Some(input) = document().get_element_by_id("section-search") {
            input.scroll_into_view();
        }
    });

    let on_confirm = Callback::new(move |()| {
        if let Some((term, change, _)) = awaiting.get_untracked()
            && term_id.get_untracked() == Some(term)
        {
            send(confirmed(change));
        }
    });
    let on_cancel = Callback::new(move |()| awaiting.set(None));

    // Escape closes the sheet, or declines the conflicts (unless the confirmed change is on its way).
    let escape = window_event_listener(leptos::ev::keydown, move |event| {
        if event.key() != "Escape" {
            return;
        }
        if awaiting.with_untracked(Option::is_some) {
            if !changing.get_untracked() {
                awaiting.set(None);
            }
        } else {
            sheet.set(None);
        }
    });
    on_cleanup(move || escape.remove());

    let on_add_block = Callback::new(move |block: NewBlock| {
        if let Some(timetable_id) = plan_id.get_untracked() {
            let NewBlock { label, days, start, end } = block;
            send(TimetableChange::AddBlock { timetable_id, label, days, start, end, confirm_conflicts: false });
        }
    });
    let on_remove_block = Callback::new(move |block_id| {
        if let Some(timetable_id) = plan_id.get_untracked() {
            send(TimetableChange::RemoveBlock { timetable_id, block_id });
        }
    });

    let discarding = RwSignal::new(false);
    let on_discard = Callback::new(move |id: i64| {
        let Some(term) = term_id.get_untracked() else { return };
        discarding.set(true);
        spawn_local(async move {
            let answer = ipc::discard_pending_change(DiscardPending { term_id: term, id }).await;
            let _ = discarding.try_set(false);
            match answer {
                Ok(view) if term_id.try_get_untracked().flatten() == Some(term) => {
                    // A refresh already on its way predates the discard.
                    let _ = view_seq.try_update_value(|seq| *seq += 1);
                    let _ = tt_view.try_set(Some(view));
                }
                Ok(_) => {}
                Err(error) => {
                    let _ = action_error.try_set(Some(change_error(&error)));
                }
            }
        });
    });

    let on_export = Callback::new(move |()| {
        let Some(timetable_id) = plan_id.get_untracked() else { return };
        exporting.set(true);
        action_error.set(None);
        spawn_local(async move {
            let answer = ipc::export_calendar(TimetableArgs { timetable_id }).await;
            let _ = exporting.try_set(false);
            match answer {
                Ok(file) => exported.set(Some(file.path)),
                Err(error) => action_error.set(Some(change_error(&error))),
            }
        });
    });
    let on_subscribe = Callback::new(move |()| {
        let Some(timetable_id) = plan_id.get_untracked() else { return };
        subscribing.set(true);
        action_error.set(None);
        spawn_local(async move {
            let answer = ipc::subscribe_calendar(TimetableArgs { timetable_id }).await;
            let _ = subscribing.try_set(false);
            match answer {
                Ok(feed) => subscription.set(Some(feed)),
                Err(error) => action_error.set(Some(change_error(&error))),
            }
        });
    });
    let on_revoke = Callback::new(move |()| {
        let Some(timetable_id) = plan_id.get_untracked() else { return };
        subscribing.set(true);
        spawn_local(async move {
            let answer = ipc::revoke_calendar(TimetableArgs { timetable_id }).await;
            let _ = subscribing.try_set(false);
            match answer {
                Ok(()) => subscription.set(None),
                Err(error) => action_error.set(Some(change_error(&error))),
            }
        });
    });

    let banner = move |msg: RwSignal<Option<Msg>>, id: &'static str| {
        move || {
            msg.get().map(|msg| {
                view! {
                    <div id=id class="banner form-error" role="alert">
                        <Glyph icon=Icon::Alert />
                        <span>{i18n.msg(&msg)}</span>
                    </div>
                }
            })
        }
    };
    let offline_banner = move || {
        let (offline, synced) = tt_view.with(|view| {
            view.as_ref().map_or((false, None), |view| (view.offline, view.synced_at.map(|at| at.timestamp_millis())))
        });
        offline.then(|| {
            let synced =
                synced.map(|at| format!(" {} {}", i18n.t("timetable-synced-at"), date_time(i18n.locale(), at)));
            view! {
                <div id="offline-banner" class="banner tt-offline" role="status">
                    <Glyph icon=Icon::Offline />
                    <span>{t("timetable-offline")} {synced}</span>
                </div>
            }
        })
    };
    let plans = Signal::derive(move || {
        tt_view.with(|view| view.as_ref().map(|v| v.data.timetables.clone()).unwrap_or_default())
    });
    let pending =
        Signal::derive(move || tt_view.with(|view| view.as_ref().map(|v| v.pending.clone()).unwrap_or_default()));
    // Queued changes name sections by id; the plans (with those changes applied) know their labels.
    let section_labels = Signal::derive(move || {
        plans.with(|plans| {
            plans
                .iter()
                .flat_map(|plan| &plan.sections)
                .map(|s| {
                    let label = match &s.section {
                        Some(code) => format!("{} {code}", s.course_code),
                        None => s.course_code.clone(),
                    };
                    (s.section_id, label)
                })
                .collect::<Vec<_>>()
        })
    });
    let credits = Signal::derive(move || {
        plan.with(|plan| plan.as_ref().map(|plan| plan.credits.clone())).unwrap_or(CreditSummary {
            min: 0,
            max: 0,
            full_time: 0,
            visa_warning: false,
        })
    });
    let shown_week = move || week.get();
    // The shell's subtitles are English; the plan knows each section's kind, so say it in the UI's language.
    let facts = Signal::derive(move || {
        let locale = i18n.locale();
        plan.with(|plan| {
            plan.iter()
                .flat_map(|plan| &plan.sections)
                .map(|s| BlockFacts {
                    section_id: s.section_id,
                    registration_id: s.registration_id.clone(),
                    subtitle: s
                        .section
                        .iter()
                        .cloned()
                        .chain([kind_label(locale, &s.kind)])
                        .filter(|part| !part.is_empty())
                        .collect::<Vec<_>>()
                        .join(" · "),
                })
                .collect::<Vec<_>>()
        })
    });
    let week_body = move || {
        shown_week().map(|shown| {
            let unscheduled = shown.unscheduled.clone();
            let shown = Signal::derive(move || shown.clone());
            view! {
                <div class="tt-grid-wrap">
                    <WeekGrid week=shown on_open=open_item facts=facts />
                </div>
                <WeekList week=shown on_open=open_item facts=facts />
                <UnscheduledList items=Signal::derive(move || unscheduled.clone()) on_open=open_item />
            }
        })
    };
    let has_plan = move || plan.with(Option::is_some);
    let plan_sections =
        Signal::derive(move || plan.with(|p| p.as_ref().map(|p| p.sections.clone()).unwrap_or_default()));
    let plan_blocks =
        Signal::derive(move || plan.with(|p| p.as_ref().map(|p| p.custom_blocks.clone()).unwrap_or_default()));
    let open_hit = Callback::new(move |hit: pretzel_api::SearchHit| sheet.set(Some(SectionDetails::from(&hit))));
    let conflicts = Signal::derive(move || awaiting.with(|a| a.as_ref().map(|(_, _, conflicts)| conflicts.clone())));
    let no_terms = move || !loading.get() && terms.with(Vec::is_empty) && load_error.with(Option::is_none);

    view! {
        <section class="page tt-page" data-page="timetable">
            <article class="card tt-toolbar">
                <TermPicker
                    terms=terms
                    value=term_id
                    on_change=Callback::new(move |id| term_id.set(Some(id)))
                />
                <PlanBar
                    plans=plans
                    active=plan_id
                    busy=changing
                    on_select=Callback::new(move |id| chosen_plan.set(Some(id)))
                    on_create=Callback::new(move |(name, copy): (String, bool)| {
                        if let Some(term_id) = term_id.get_untracked() {
                            let copy_from = if copy { plan_id.get_untracked() } else { None };
                            send(TimetableChange::Create { term_id, name, copy_from });
                        }
                    })
                    on_rename=Callback::new(move |(timetable_id, name)| {
                        send(TimetableChange::Rename { timetable_id, name });
                    })
                    on_make_primary=Callback::new(move |timetable_id| {
                        send(TimetableChange::MakePrimary { timetable_id });
                    })
                    on_delete=Callback::new(move |timetable_id| send(TimetableChange::Delete { timetable_id }))
                />
            </article>
            {banner(load_error, "tt-load-error")}
            {banner(action_error, "tt-action-error")}
            {offline_banner}
            <PendingList pending=pending busy=discarding on_discard=on_discard section_labels=section_labels />
            <Show when=no_terms>
                <p id="no-terms" class="card tt-empty">{t("timetable-no-terms")}</p>
            </Show>
            <Show when=move || loading.get()>
                <p class="tt-loading" role="status">
                    <span class="spinner" aria-hidden="true"></span>
                    {t("timetable-loading")}
                </p>
            </Show>
            <Show when=has_plan>
                <div class="tt-layout">
                    <div class="tt-main">
                        <article class="card tt-week-card">
                            <WeekNav
                                week=week
                                zone=zone
                                home_zone=home_zone
                                on_week=Callback::new(move |date| week_of.set(date))
                                on_zone=Callback::new(move |picked| zone.set(picked))
                            />
                            {banner(week_error, "week-error")}
                            {week_body}
                        </article>
                        <article class="card tt-summary">
                            <CreditsMeter credits=credits />
                            <PlanSections
                                sections=plan_sections
                                missing=missing
                                busy=changing
                                on_open=open_section
                                on_remove=remove_section
                                on_find=find_course
                            />
                        </article>
                    </div>
                    <div class="tt-side">
                        <article class="card tt-search-card">
                            <h2 class="card-title">{t("timetable-search-title")}</h2>
                            <SectionSearch
                                filters=filters
                                results=results
                                searching=searching
                                error=Signal::derive(move || search_error.with(|e| e.as_ref().map(|msg| i18n.msg(msg))))
                                in_plan=in_plan
                                on_open=open_hit
                                on_add=add_section
                                on_remove=remove_section
                            />
                        </article>
                        <article class="card tt-blocks-card">
                            <h2 class="card-title">{t("timetable-blocks-title")}</h2>
                            <CustomBlocks
                                blocks=plan_blocks
                                busy=changing
                                on_add=on_add_block
                                on_remove=on_remove_block
                            />
                        </article>
                        <article class="card tt-share-card">
                            <h2 class="card-title">{t("timetable-calendar-title")}</h2>
                            <CalendarShare
                                exported=exported
                                subscription=subscription
                                exporting=exporting
                                subscribing=subscribing
                                on_export=on_export
                                on_subscribe=on_subscribe
                                on_revoke=on_revoke
                            />
                        </article>
                    </div>
                </div>
            </Show>
            <SectionSheet
                details=sheet
                in_plan=in_plan
                missing=missing
                on_add=Callback::new(move |id| {
                    add_section.run(id);
                })
                on_remove=remove_section
                on_find=find_course
                on_close=Callback::new(move |()| sheet.set(None))
            />
            <ConflictDialog
                conflicts=conflicts
                busy=changing
                on_confirm=on_confirm
                on_cancel=on_cancel
            />
        </section>
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;
    use pretzel_api::UniversityId;
    use pretzel_api::timetable::TermTimetables;

    fn term(id: i64, code: &str) -> Term {
        Term {
            id: TermId(id),
            university_id: UniversityId(1),
            code: code.into(),
            name: code.into(),
            start_date: None,
            end_date: None,
            section_count: 1,
        }
    }

    fn plan(id: i64, primary: bool) -> Timetable {
        Timetable {
            id: TimetableId(id),
            term_id: TermId(1),
            name: format!("Plan {id}"),
            primary,
            sections: Vec::new(),
            custom_blocks: Vec::new(),
            conflicts: Vec::new(),
            credits: CreditSummary { min: 0, max: 0, full_time: 12, visa_warning: false },
            missing_components: Vec::new(),
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn test_the_remembered_term_wins_while_it_exists() {
        let terms = vec![term(1, "2025-fa"), term(2, "2026-sp")];
        assert_eq!(initial_term(&terms, Some(TermId(1))), Some(TermId(1)));
        assert_eq!(initial_term(&terms, Some(TermId(9))), Some(TermId(2)));
        assert_eq!(initial_term(&terms, None), Some(TermId(2)));
        assert_eq!(initial_term(&[], Some(TermId(1))), None);
    }

    #[test]
    fn test_the_shown_plan_falls_back_to_the_primary() {
        let view = TimetablesView {
            data: TermTimetables {
                term_id: TermId(1),
                campus_time_zone: "America/Chicago".into(),
                start_date: None,
                end_date: None,
                full_time_credits: 12,
                timetables: vec![plan(1, false), plan(2, true)],
            },
            offline: false,
            synced_at: None,
            pending: Vec::new(),
        };
        assert_eq!(shown_plan(&view, Some(TimetableId(1))).map(|p| p.id), Some(TimetableId(1)));
        assert_eq!(shown_plan(&view, Some(TimetableId(7))).map(|p| p.id), Some(TimetableId(2)));
        assert_eq!(shown_plan(&view, None).map(|p| p.id), Some(TimetableId(2)));
    }

    #[test]
    fn test_confirming_sets_the_flag_only_on_changes_that_can_conflict() {
        let add = TimetableChange::AddSections {
            timetable_id: TimetableId(1),
            section_ids: vec![SectionId(3)],
            confirm_conflicts: false,
        };
        assert!(matches!(confirmed(add), TimetableChange::AddSections { confirm_conflicts: true, .. }));
        let rename = TimetableChange::Rename { timetable_id: TimetableId(1), name: "B".into() };
        assert_eq!(confirmed(rename.clone()), rename);
    }
}

/// The whole tab against a scripted stand-in for the shell (`components::fake_shell`), so the glue
/// between the shell's answers and the components is exercised: loading, the debounced search,
/// the conflict confirmation round trip, and the offline state.
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::fake_shell::{FakeShell, click, wait_for};
    use crate::components::test_support::{find, mount, text};
    use chrono::DateTime;
    use pretzel_api::shell::{PendingChange, PendingState, WeekBlock, WeekDay};
    use pretzel_api::timetable::{ConflictItem, Meeting, TermTimetables, TimetableSection};
    use pretzel_api::{SearchHit, SearchMeeting, SearchResponse, UniversityId};
    use serde_json::json;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn section(id: i64, code: &str, kind: &str) -> TimetableSection {
        TimetableSection {
            section_id: SectionId(id),
            registration_id: format!("3{id:04}"),
            course_code: code.into(),
            title: "Data Structures".into(),
            section: Some("AL1".into()),
            kind: kind.into(),
            instructors: vec!["Ada Lovelace".into()],
            credits: Some("4".into()),
            meetings: vec![Meeting {
                days: "MWF".into(),
                start: Some("10:00".into()),
                end: Some("10:50".into()),
                location: Some("Siebel 1404".into()),
                start_date: None,
                end_date: None,
            }],
            students: 3,
            removed_at: None,
        }
    }

    fn view(sections: Vec<TimetableSection>, credits: (u32, u32), offline: bool) -> TimetablesView {
        let plan = |id: i64, name: &str, primary: bool, sections: Vec<TimetableSection>| Timetable {
            id: TimetableId(id),
            term_id: TermId(2),
            name: name.into(),
            primary,
            sections,
            custom_blocks: Vec::new(),
            conflicts: Vec::new(),
            credits: CreditSummary { min: credits.0, max: credits.1, full_time: 12, visa_warning: false },
            missing_components: Vec::new(),
            updated_at: DateTime::UNIX_EPOCH,
        };
        TimetablesView {
            data: TermTimetables {
                term_id: TermId(2),
                campus_time_zone: "America/Chicago".into(),
                start_date: None,
                end_date: None,
                full_time_credits: 12,
                timetables: vec![plan(10, "Plan A", true, sections), plan(11, "Plan B", false, Vec::new())],
            },
            offline,
            synced_at: None,
            pending: if offline {
                vec![PendingChange {
                    id: 1,
                    change: TimetableChange::AddSections {
                        timetable_id: TimetableId(10),
                        section_ids: vec![SectionId(2)],
                        confirm_conflicts: true,
                    },
                    state: PendingState::Waiting,
                    error: None,
                }]
            } else {
                Vec::new()
            },
        }
    }

    fn week() -> WeekView {
        let monday = chrono::NaiveDate::from_ymd_opt(2026, 8, 31).expect("date");
        let block = WeekBlock {
            item: WeekItemRef {
                section_id: Some(SectionId(1)),
                block_id: None,
                title: "CS 225".into(),
                subtitle: "AL1 · Lecture".into(),
                color: 2,
            },
            start_minute: 600,
            end_minute: 650,
            start: "10:00".into(),
            end: "10:50".into(),
            location: Some("Siebel 1404".into()),
            conflict: false,
            removed: false,
        };
        WeekView {
            time_zone: "America/Chicago".into(),
            zone: DisplayZone::Campus,
            week_start: monday,
            previous_week: None,
            next_week: None,
            days: (0..7u64)
                .map(|offset| WeekDay {
                    date: monday.checked_add_days(chrono::Days::new(offset)).expect("date"),
                    blocks: if offset % 2 == 0 && offset < 5 { vec![block.clone()] } else { Vec::new() },
                })
                .collect(),
            first_hour: 9,
            last_hour: 12,
            unscheduled: Vec::new(),
            offset_changes: Vec::new(),
        }
    }

    fn hit() -> SearchHit {
        SearchHit {
            section_id: SectionId(2),
            registration_id: "30002".into(),
            course_code: "MATH 241".into(),
            title: "Calculus III".into(),
            section: Some("BL2".into()),
            kind: "lecture".into(),
            instructors: Vec::new(),
            credits: Some("4".into()),
            open_seats: Some(5),
            meetings: vec![SearchMeeting {
                days: "MWF".into(),
                start: Some("10:00".into()),
                end: Some("10:50".into()),
                location: None,
                start_date: None,
                end_date: None,
            }],
            students: 0,
        }
    }

    fn install_fake_shell() -> FakeShell {
        let term = |id: i64, code: &str| Term {
            id: TermId(id),
            university_id: UniversityId(1),
            code: code.into(),
            name: format!("Term {code}"),
            start_date: None,
            end_date: None,
            section_count: 100,
        };
        let conflict = Conflict {
            first: ConflictItem::Section { section_id: SectionId(1), label: "CS 225 AL1".into() },
            second: ConflictItem::Section { section_id: SectionId(2), label: "MATH 241 BL2".into() },
            day: "M".into(),
            start: "10:00".into(),
            end: "10:50".into(),
            message: "CS 225 AL1 overlaps MATH 241 BL2 on Mon 10:00–10:50".into(),
        };
        let answers = json!({
            "list_terms": [term(1, "2025-fa"), term(2, "2026-sp")],
            "term_timetables": view(vec![section(1, "CS 225", "lecture")], (4, 4), false),
            "week_view": week(),
            "search_sections": SearchResults {
                response: SearchResponse { total: 1, total_is_lower_bound: false, results: vec![hit()] },
                offline: false,
            },
            "change_timetable": [
                ChangeOutcome::NeedsConfirmation { conflicts: vec![conflict] },
                ChangeOutcome::Applied {
                    view: view(vec![section(1, "CS 225", "lecture"), section(2, "MATH 241", "lecture")], (8, 8), true),
                },
            ],
        });
        FakeShell::install(&answers, &["change_timetable"])
    }

    #[wasm_bindgen_test]
    async fn test_timetable_tab_loads_searches_and_confirms_conflicts() {
        let _ = local_storage_call("removeItem", &[TERM_KEY]);
        let shell = install_fake_shell();
        let root = mount(TimetablePage);

        wait_for(&root, "#week-grid .week-block[data-section-id='1']").await;
        assert_eq!(root.query_selector_all(".week-block[data-registration-id='30001']").expect("query").length(), 3);
        let picker = find(&root, "select#term-picker").expect("term picker");
        let picker = picker.dyn_into::<web_sys::HtmlSelectElement>().expect("select");
        assert_eq!(picker.value(), "2", "the newest term opens first");
        assert_eq!(remembered_term(), Some(TermId(2)));
        assert_eq!(shell.calls("term_timetables"), vec![json!({ "args": { "term_id": 2 } })]);
        assert_eq!(shell.calls("week_view")[0]["args"]["timetable_id"], json!(10), "the primary plan is shown");
        assert!(text(&root, "#plan-tabs [data-plan-id='10']").expect("tab").contains('★'));
        assert_eq!(text(&root, "#credits-total").as_deref(), Some("4 credits"));
        assert!(find(&root, "#offline-banner").is_none());

        let search = find(&root, "input#section-search").expect("search box");
        let search = search.dyn_into::<web_sys::HtmlInputElement>().expect("input");
        for typed in ["m", "ma", "math"] {
            search.set_value(typed);
            search.dispatch_event(&web_sys::Event::new("input").expect("event")).expect("dispatch");
        }
        let add = wait_for(&root, "[data-registration-id='30002'] button.add-section").await;
        let searches = shell.calls("search_sections");
        assert_eq!(searches.len(), 1, "typing quickly sends one search: {searches:?}");
        assert_eq!(searches[0]["args"]["query"]["q"], json!("math"));
        assert_eq!(searches[0]["args"]["term_id"], json!(2));

        click(add);
        wait_for(&root, "#conflict-dialog").await;
        let dialog = text(&root, "#conflict-dialog").expect("dialog");
        assert!(dialog.contains("CS 225 AL1") && dialog.contains("MATH 241 BL2") && dialog.contains("Mon 10:00–10:50"));
        click(find(&root, "#confirm-conflicts").expect("confirm"));
        wait_for(&root, "#offline-banner").await;
        let changes = shell.calls("change_timetable");
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0]["args"]["change"]["confirm_conflicts"], json!(false));
        assert_eq!(changes[1]["args"]["change"]["confirm_conflicts"], json!(true));
        assert_eq!(changes[1]["args"]["change"]["section_ids"], json!([2]));
        assert!(find(&root, "#conflict-dialog").is_none());
        assert!(find(&root, "[data-section-id='2'] button.remove-section").is_some());
        assert_eq!(text(&root, "#credits-total").as_deref(), Some("8 credits"));
        assert!(find(&root, "#pending-changes [data-pending-state=waiting]").is_some());

        let _ = local_storage_call("removeItem", &[TERM_KEY]);
    }
}
