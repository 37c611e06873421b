//! Timetables on the client: a term's plans fetched and cached, edits sent at once or queued in the
//! outbox while the backend is out of reach, the week grid computed from the cached plan, and the
//! calendar export and subscription.
//!
//! The cache keeps the plans exactly as the server last sent them; what the student sees is that
//! copy with the still-waiting changes of the outbox replayed on top (a queued new plan gets a
//! temporary negative id, the queue entry's id negated). Replaying on every read, instead of editing
//! the cached copy, keeps the two apart: a refused change simply stops being replayed, and a fresh
//! copy from the server never has a change applied twice. Offline adds are checked for conflicts
//! with the same rules the server uses (`pretzel_schedule::conflicts`).

use crate::cache::{decode, encode};
use crate::client::Client;
use crate::error::ClientError;
use crate::http::ApiRequest;
use crate::outbox::{EntryState, OutboxEntry, QUEUE_TIMETABLE};
use chrono::Utc;
use chrono_tz::Tz;
use pretzel_api::shell::{
    ChangeOutcome, ChangeTimetable, CommandError, CommandErrorKind, DisplayZone, PendingChange, PendingState,
    TimetableChange, TimetablesChanged, TimetablesView, WeekView, WeekViewArgs,
};
use pretzel_api::{
    AddSections, CalendarSubscription, CreateCustomBlock, CreateTimetable, CustomBlock, CustomBlockId, SectionId,
    TermId, TermTimetables, Timetable, TimetableId, TimetableSection, UpdateTimetable,
};
use pretzel_schedule::conflicts::{PlanItem, new_conflicts, plan_conflicts};
use pretzel_schedule::credits::credit_summary;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A timetable change as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct QueuedChange {
    /// The change as the student made it (temporary ids replaced by real ones once known).
    change: TimetableChange,
    /// For added sections, their details as known when queued, so the plan shows them before the
    /// server confirms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sections: Vec<TimetableSection>,
}

/// What flushing one term's queue did.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TermFlush {
    pub(crate) sent: usize,
    pub(crate) failed: usize,
    /// The backend was unreachable or busy: later entries still wait.
    pub(crate) stopped: bool,
}

impl Client {
    /// The term's plans: fresh from the server after sending any queued changes, or, with the backend
    /// unreachable, the cached copy with the queued changes applied and `offline: true`.
    pub async fn term_timetables(&self, term: TermId) -> Result<TimetablesView, ClientError> {
        let _order = self.inner.outbox_lock.lock().await;
        self.flush_timetable_changes(term, false).await?;
        match self.fetch_term_timetables(term).await {
            Ok(_) => self.local_view(term, false),
            Err(error) if error.is_offline() => match self.local_view(term, true) {
                Ok(view) => Ok(view),
                Err(ClientError::NotAvailableOffline { .. }) => Err(error),
                Err(other) => Err(other),
            },
            Err(error) => Err(error),
        }
    }

    /// Applies one edit. Online, with nothing queued before it, it goes straight to the server;
    /// a conflict it would create comes back as [`ChangeOutcome::NeedsConfirmation`]. With the
    /// backend unreachable (or earlier changes still waiting) it is checked locally the same way,
    /// queued, and shown at once with `offline: true`.
    pub async fn change_timetable(&self, request: ChangeTimetable) -> Result<ChangeOutcome, ClientError> {
        let ChangeTimetable { term_id: term, change } = request;
        let _order = self.inner.outbox_lock.lock().await;
        let flush = self.flush_timetable_changes(term, true).await?;
        let earlier_waiting = flush.stopped
            || self
                .inner
                .cache
                .outbox_entries(QUEUE_TIMETABLE, &term.0.to_string())?
                .iter()
                .any(|entry| entry.state == EntryState::Waiting);
        if !earlier_waiting {
            let key = uuid::Uuid::new_v4().to_string();
            match self.send_change(term, &change, &key).await {
                Ok(answer) => {
                    if let Err(error) = self.fetch_term_timetables(term).await {
                        tracing::info!(%error, "could not refetch the plans after a change; patching the cache");
                        self.patch_cached(term, &change, answer)?;
                    }
                    return Ok(ChangeOutcome::Applied { view: self.local_view(term, false)? });
                }
                Err(ClientError::ScheduleConflict { conflicts, .. }) => {
                    return Ok(ChangeOutcome::NeedsConfirmation { conflicts });
                }
                Err(error) if error.is_offline() => {}
                Err(error) => return Err(error),
            }
        }
        self.queue_change(term, change)
    }

    /// Drops a queued (waiting or failed) change, with the queued changes that depend on it (edits
    /// of a plan whose creation is dropped), and answers the term's plans as they are then.
    pub async fn discard_pending(&self, term: TermId, id: i64) -> Result<TimetablesView, ClientError> {
        {
            let _order = self.inner.outbox_lock.lock().await;
            let entries = self.inner.cache.outbox_entries(QUEUE_TIMETABLE, &term.0.to_string())?;
            if let Some(entry) = entries.iter().find(|entry| entry.id == id) {
                let created = queued_of(entry).map(|queued| match queued.change {
                    TimetableChange::Create { .. } => (Some(TimetableId(-id)), None),
                    TimetableChange::AddBlock { timetable_id, .. } => (None, Some((timetable_id, CustomBlockId(-id)))),
                    _ => (None, None),
                });
                self.inner.cache.outbox_remove(id)?;
                if let Some((plan, block)) = created {
                    for later in entries.iter().filter(|later| later.id > id) {
                        let Some(queued) = queued_of(later) else { continue };
                        let depends = plan.is_some_and(|plan| queued.change.timetable_id() == Some(plan))
                            || block.is_some_and(|(plan, block)| {
                                queued.change == TimetableChange::RemoveBlock { timetable_id: plan, block_id: block }
                            });
                        if depends {
                            self.inner.cache.outbox_remove(later.id)?;
                        }
                    }
                }
            }
        }
        self.term_timetables(term).await
    }

    /// One plan laid out on a week of real dates, from the cached plans (so it works offline; they
    /// are fetched first if this term was never loaded).
    pub async fn week_view(&self, args: WeekViewArgs) -> Result<WeekView, ClientError> {
        let view = match self.local_view(args.term_id, false) {
            Ok(view) => view,
            Err(ClientError::NotAvailableOffline { .. }) => self.term_timetables(args.term_id).await?,
            Err(error) => return Err(error),
        };
        let timetable = view
            .data
            .timetables
            .iter()
            .find(|plan| plan.id == args.timetable_id)
            .ok_or(ClientError::UnknownTimetable { id: args.timetable_id })?;
        let campus: Tz = view.data.campus_time_zone.parse().unwrap_or(Tz::UTC);
        let home = self.cached_me().and_then(|me| me.home_time_zone).and_then(|zone| zone.parse::<Tz>().ok());
        let (zone, kind) = match (args.zone, home) {
            (DisplayZone::Home, Some(home)) => (home, DisplayZone::Home),
            _ => (campus, DisplayZone::Campus),
        };
        let today = Utc::now().with_timezone(&zone).date_naive();
        Ok(pretzel_schedule::week::week_view(&view.data, timetable, zone, kind, args.week_of, today))
    }

    /// Downloads the plan's calendar (`.ics`) and writes it to the Downloads folder (else the data
    /// folder), named after the plan; answers the file's path.
    pub async fn export_calendar(&self, timetable: TimetableId) -> Result<PathBuf, ClientError> {
        let answer =
            self.send_authorized_raw(&ApiRequest::get(format!("/timetables/{timetable}/calendar.ics"))).await?;
        let name = self
            .inner
            .cache
            .all_term_timetables()?
            .into_iter()
            .flat_map(|data| data.timetables)
            .find(|plan| plan.id == timetable)
            .map_or_else(|| format!("Timetable {timetable}"), |plan| plan.name);
        let folder = dirs::download_dir().filter(|dir| dir.is_dir()).unwrap_or_else(|| self.data_dir().to_owned());
        let path = free_path(&folder, &file_stem(&name));
        tokio::fs::write(&path, &answer.bytes)
            .await
            .map_err(|source| ClientError::Io { path: path.clone(), source })?;
        Ok(path)
    }

    /// Issues a private calendar feed URL for the plan (any earlier one stops working).
    pub async fn subscribe_calendar(&self, timetable: TimetableId) -> Result<CalendarSubscription, ClientError> {
        self.send_authorized(&ApiRequest::put_empty(format!("/timetables/{timetable}/subscription"))).await
    }

    /// Revokes the plan's calendar feed URL.
    pub async fn revoke_calendar(&self, timetable: TimetableId) -> Result<(), ClientError> {
        self.send_authorized_empty(&ApiRequest::delete(format!("/timetables/{timetable}/subscription"))).await
    }

    /// Sends the term's waiting changes in order (the caller holds the outbox lock). Stops at the first
    /// network failure; marks changes the server refuses for good as failed. When anything was sent
    /// or refused, the plans are fetched again (with `refetch`) and the change is announced.
    pub(crate) async fn flush_timetable_changes(&self, term: TermId, refetch: bool) -> Result<TermFlush, ClientError> {
        let scope = term.0.to_string();
        let mut flush = TermFlush::default();
        loop {
            let entries = self.inner.cache.outbox_entries(QUEUE_TIMETABLE, &scope)?;
            let Some(entry) = entries.iter().find(|entry| entry.state == EntryState::Waiting) else { break };
            let Some(queued) = queued_of(entry) else {
                // Written by another version of Pretzel or damaged: it can never be sent, so it
                // must not block the changes after it.
                let error = CommandError {
                    kind: CommandErrorKind::Storage,
                    code: None,
                    message: "This queued change could not be read; discard it.".into(),
                    fields: Vec::new(),
                };
                self.inner.cache.outbox_fail(entry.id, &error)?;
                flush.failed += 1;
                continue;
            };
            match self.send_change(term, &queued.change, &entry.idempotency_key).await {
                Ok(answer) => {
                    self.inner.cache.outbox_remove(entry.id)?;
                    flush.sent += 1;
                    if let Some(plan) = answer {
                        self.give_real_ids(&entries, entry, &queued.change, &plan)?;
                    }
                }
                Err(error) if error.is_permanent_refusal() => {
                    tracing::info!(%error, id = entry.id, "the server refused a queued timetable change");
                    self.inner.cache.outbox_fail(entry.id, &CommandError::from(error))?;
                    flush.failed += 1;
                }
                Err(error @ (ClientError::NotSignedIn | ClientError::SessionEnded { .. })) => return Err(error),
                Err(error) => {
                    tracing::debug!(%error, "queued timetable changes wait for the backend");
                    flush.stopped = true;
                    break;
                }
            }
        }
        if flush.sent + flush.failed > 0 {
            if refetch && let Err(error) = self.fetch_term_timetables(term).await {
                tracing::info!(%error, "could not refetch the plans after sending queued changes");
            }
            // Nobody listening (tests, a closed window) is fine.
            let _ = self.inner.timetable_events.send(TimetablesChanged { term_id: term });
        }
        Ok(flush)
    }

    /// GETs the term's plans and caches them as the server's copy.
    async fn fetch_term_timetables(&self, term: TermId) -> Result<TermTimetables, ClientError> {
        let data: TermTimetables = self.send_authorized(&ApiRequest::get(format!("/terms/{term}/timetables"))).await?;
        self.inner.cache.save_term_timetables(&data, Utc::now())?;
        Ok(data)
    }

    /// Sends one change; answers the plan the server returned (none for a deletion).
    async fn send_change(
        &self,
        term: TermId,
        change: &TimetableChange,
        key: &str,
    ) -> Result<Option<Timetable>, ClientError> {
        let request = match change {
            TimetableChange::Create { name, copy_from, .. } => ApiRequest::post(
                format!("/terms/{term}/timetables"),
                &CreateTimetable { name: name.clone(), client_key: key.to_owned(), copy_from: *copy_from },
            )?,
            TimetableChange::Rename { timetable_id, name } => ApiRequest::patch(
                format!("/timetables/{timetable_id}"),
                &UpdateTimetable { name: Some(name.clone()), primary: None },
            )?,
            TimetableChange::MakePrimary { timetable_id } => ApiRequest::patch(
                format!("/timetables/{timetable_id}"),
                &UpdateTimetable { name: None, primary: Some(true) },
            )?,
            TimetableChange::Delete { timetable_id } => {
                self.send_authorized_empty(&ApiRequest::delete(format!("/timetables/{timetable_id}"))).await?;
                return Ok(None);
            }
            TimetableChange::AddSections { timetable_id, section_ids, confirm_conflicts } => ApiRequest::post(
                format!("/timetables/{timetable_id}/sections"),
                &AddSections { section_ids: section_ids.clone(), confirm_conflicts: *confirm_conflicts },
            )?,
            TimetableChange::RemoveSection { timetable_id, section_id } => {
                ApiRequest::delete(format!("/timetables/{timetable_id}/sections/{section_id}"))
            }
            TimetableChange::AddBlock { timetable_id, label, days, start, end, confirm_conflicts } => ApiRequest::post(
                format!("/timetables/{timetable_id}/blocks"),
                &CreateCustomBlock {
                    label: label.clone(),
                    days: days.clone(),
                    start: start.clone(),
                    end: end.clone(),
                    client_key: key.to_owned(),
                    confirm_conflicts: *confirm_conflicts,
                },
            )?,
            TimetableChange::RemoveBlock { timetable_id, block_id } => {
                ApiRequest::delete(format!("/timetables/{timetable_id}/blocks/{block_id}"))
            }
        };
        self.send_authorized(&request).await.map(Some)
    }

    /// Checks a change against the local copy and queues it; answers the plans with it applied.
    fn queue_change(&self, term: TermId, change: TimetableChange) -> Result<ChangeOutcome, ClientError> {
        let view = self.local_view(term, true)?;
        let plan = match change.timetable_id() {
            Some(id) => Some(
                view.data.timetables.iter().find(|plan| plan.id == id).ok_or(ClientError::UnknownTimetable { id })?,
            ),
            None => None,
        };
        let mut queued = QueuedChange { change, sections: Vec::new() };
        let added = match (&queued.change, plan) {
            (TimetableChange::AddSections { section_ids, confirm_conflicts, .. }, Some(plan)) => {
                for id in section_ids {
                    if plan.sections.iter().any(|s| s.section_id == *id)
                        || queued.sections.iter().any(|s| s.section_id == *id)
                    {
                        continue;
                    }
                    let section = self
                        .known_section(term, &view.data, *id)?
                        .ok_or(ClientError::NotAvailableOffline { what: "section's details" })?;
                    queued.sections.push(section);
                }
                (!confirm_conflicts).then(|| queued.sections.iter().map(PlanItem::section).collect::<Vec<_>>())
            }
            (TimetableChange::AddBlock { label, days, start, end, confirm_conflicts, .. }, Some(_)) => {
                // The server has not numbered the block yet; a conflict names it by its label.
                let block = CustomBlock {
                    id: CustomBlockId(0),
                    label: label.clone(),
                    days: days.clone(),
                    start: start.clone(),
                    end: end.clone(),
                };
                (!confirm_conflicts).then(|| vec![PlanItem::block(&block)])
            }
            _ => None,
        };
        if let (Some(added), Some(plan)) = (added, plan) {
            let conflicts = new_conflicts(&plan_items(plan), &added);
            if !conflicts.is_empty() {
                return Ok(ChangeOutcome::NeedsConfirmation { conflicts });
            }
        }
        self.inner.cache.outbox_push(QUEUE_TIMETABLE, &term.0.to_string(), &queued)?;
        // The retry loop may be idle (the outbox was empty): it now has something to retry.
        self.inner.outbox_wakeup.notify_one();
        Ok(ChangeOutcome::Applied { view: self.local_view(term, true)? })
    }

    /// A section's details: from a plan of the term that holds it, else from cached search results.
    fn known_section(
        &self,
        term: TermId,
        data: &TermTimetables,
        id: SectionId,
    ) -> Result<Option<TimetableSection>, ClientError> {
        let in_plan = data.timetables.iter().flat_map(|plan| &plan.sections).find(|s| s.section_id == id);
        match in_plan {
            Some(section) => Ok(Some(section.clone())),
            None => self.cached_section(term, id),
        }
    }

    /// The cached server copy with the waiting changes replayed, and every queued change listed.
    fn local_view(&self, term: TermId, offline: bool) -> Result<TimetablesView, ClientError> {
        let (mut data, synced_at) = self
            .inner
            .cache
            .term_timetables(term)?
            .ok_or(ClientError::NotAvailableOffline { what: "timetables of this term" })?;
        let student_visa = self.cached_me().is_some_and(|me| me.student_visa);
        let mut pending = Vec::new();
        for entry in self.inner.cache.outbox_entries(QUEUE_TIMETABLE, &term.0.to_string())? {
            let Some(queued) = queued_of(&entry) else { continue };
            let state = match entry.state {
                EntryState::Waiting => {
                    apply_change(&mut data, &entry, &queued, student_visa);
                    PendingState::Waiting
                }
                EntryState::Failed => PendingState::Failed,
            };
            pending.push(PendingChange { id: entry.id, change: queued.change, state, error: entry.error });
        }
        Ok(TimetablesView { data, offline, synced_at: Some(synced_at), pending })
    }

    /// After a queued creation was accepted, rewrites the later queued changes that name the plan
    /// or block by its temporary id to its real one, so they survive a restart before being sent.
    fn give_real_ids(
        &self,
        entries: &[OutboxEntry],
        sent: &OutboxEntry,
        change: &TimetableChange,
        answer: &Timetable,
    ) -> Result<(), ClientError> {
        let temporary = -sent.id;
        let block = match change {
            TimetableChange::AddBlock { label, days, start, end, .. } => answer
                .custom_blocks
                .iter()
                .filter(|b| (&b.label, &b.days, &b.start, &b.end) == (label, days, start, end))
                .map(|b| b.id)
                .max(),
            _ => None,
        };
        for later in entries.iter().filter(|later| later.id > sent.id) {
            let Some(mut queued) = queued_of(later) else { continue };
            let changed = match (change, block) {
                (TimetableChange::Create { .. }, _) => {
                    remap_timetable(&mut queued.change, TimetableId(temporary), answer.id)
                }
                (TimetableChange::AddBlock { .. }, Some(real)) => {
                    remap_block(&mut queued.change, CustomBlockId(temporary), real)
                }
                _ => false,
            };
            if changed {
                self.inner.cache.outbox_set_payload(later.id, &encode("outbox entry", &queued)?)?;
            }
        }
        Ok(())
    }

    /// Folds a change the server accepted into the cached copy when the plans could not be fetched
    /// again right after it.
    fn patch_cached(
        &self,
        term: TermId,
        change: &TimetableChange,
        answer: Option<Timetable>,
    ) -> Result<(), ClientError> {
        let Some((mut data, synced_at)) = self.inner.cache.term_timetables(term)? else { return Ok(()) };
        match (change, answer) {
            (TimetableChange::Delete { timetable_id }, _) => data.timetables.retain(|plan| plan.id != *timetable_id),
            (_, Some(plan)) => {
                if plan.primary {
                    data.timetables.iter_mut().for_each(|other| other.primary = false);
                }
                match data.timetables.iter_mut().find(|other| other.id == plan.id) {
                    Some(slot) => *slot = plan,
                    None => data.timetables.push(plan),
                }
            }
            (_, None) => {}
        }
        self.inner.cache.save_term_timetables(&data, synced_at)
    }
}

/// The queued change of an entry, or `None` (logged) when its payload cannot be read.
fn queued_of(entry: &OutboxEntry) -> Option<QueuedChange> {
    decode::<QueuedChange>("queued timetable change", &entry.payload)
        .inspect_err(|error| tracing::warn!(%error, id = entry.id, "unreadable outbox entry"))
        .ok()
}

/// The plan a change edits; `None` for a creation.
fn remap_timetable(change: &mut TimetableChange, from: TimetableId, to: TimetableId) -> bool {
    match change.named_plan_mut() {
        Some(slot) if *slot == from => {
            *slot = to;
            true
        }
        _ => false,
    }
}

fn remap_block(change: &mut TimetableChange, from: CustomBlockId, to: CustomBlockId) -> bool {
    match change {
        TimetableChange::RemoveBlock { block_id, .. } if *block_id == from => {
            *block_id = to;
            true
        }
        _ => false,
    }
}

/// The plan's items in the conflict check's terms: sections, then custom blocks.
fn plan_items(plan: &Timetable) -> Vec<PlanItem> {
    plan.sections.iter().map(PlanItem::section).chain(plan.custom_blocks.iter().map(PlanItem::block)).collect()
}

/// Replays one waiting change on the local copy, as the server would apply it. A change whose plan
/// is gone is skipped: the server will refuse it, and the entry then shows as failed.
fn apply_change(data: &mut TermTimetables, entry: &OutboxEntry, queued: &QueuedChange, student_visa: bool) {
    let full_time = data.full_time_credits;
    let edited = match &queued.change {
        TimetableChange::Create { term_id, name, copy_from } => {
            let source = copy_from.and_then(|id| data.timetables.iter().find(|plan| plan.id == id));
            let mut plan = Timetable {
                id: TimetableId(-entry.id),
                term_id: *term_id,
                name: name.trim().to_owned(),
                primary: data.timetables.is_empty(),
                sections: source.map(|s| s.sections.clone()).unwrap_or_default(),
                custom_blocks: source.map(|s| s.custom_blocks.clone()).unwrap_or_default(),
                conflicts: Vec::new(),
                credits: credit_summary(&[], full_time, false, student_visa),
                missing_components: source.map(|s| s.missing_components.clone()).unwrap_or_default(),
                updated_at: entry.created_at,
            };
            refresh_derived(&mut plan, full_time, student_visa);
            data.timetables.push(plan);
            return;
        }
        TimetableChange::MakePrimary { timetable_id } => {
            if !data.timetables.iter().any(|plan| plan.id == *timetable_id) {
                return;
            }
            for plan in &mut data.timetables {
                plan.primary = plan.id == *timetable_id;
                plan.credits = credit_summary(&plan.sections, full_time, plan.primary, student_visa);
            }
            // Primary first, as the server lists them.
            data.timetables.sort_by_key(|plan| !plan.primary);
            return;
        }
        TimetableChange::Delete { timetable_id } => {
            if data.timetables.len() > 1 {
                let was_primary = data.timetables.iter().any(|plan| plan.id == *timetable_id && plan.primary);
                data.timetables.retain(|plan| plan.id != *timetable_id);
                if was_primary && let Some(first) = data.timetables.first_mut() {
                    first.primary = true;
                    first.credits = credit_summary(&first.sections, full_time, true, student_visa);
                }
            }
            return;
        }
        other => other.timetable_id(),
    };
    let Some(plan) = data.timetables.iter_mut().find(|plan| Some(plan.id) == edited) else { return };
    match &queued.change {
        TimetableChange::Rename { name, .. } => plan.name = name.trim().to_owned(),
        TimetableChange::AddSections { .. } => {
            for section in &queued.sections {
                if !plan.sections.iter().any(|s| s.section_id == section.section_id) {
                    plan.missing_components.retain(|missing| {
                        !(missing.course_code == section.course_code && missing.kind == section.kind)
                    });
                    plan.sections.push(section.clone());
                }
            }
        }
        TimetableChange::RemoveSection { section_id, .. } => plan.sections.retain(|s| s.section_id != *section_id),
        TimetableChange::AddBlock { label, days, start, end, .. } => plan.custom_blocks.push(CustomBlock {
            id: CustomBlockId(-entry.id),
            label: label.trim().to_owned(),
            days: days.clone(),
            start: start.clone(),
            end: end.clone(),
        }),
        TimetableChange::RemoveBlock { block_id, .. } => plan.custom_blocks.retain(|b| b.id != *block_id),
        TimetableChange::Create { .. } | TimetableChange::MakePrimary { .. } | TimetableChange::Delete { .. } => {}
    }
    plan.updated_at = entry.created_at.max(plan.updated_at);
    refresh_derived(plan, full_time, student_visa);
}

/// Recomputes what follows from a plan's items: its conflicts and credits.
fn refresh_derived(plan: &mut Timetable, full_time: u32, student_visa: bool) {
    plan.conflicts = plan_conflicts(&plan_items(plan));
    plan.credits = credit_summary(&plan.sections, full_time, plan.primary, student_visa);
}

/// A file name from a plan's name: characters file systems refuse become `_`.
fn file_stem(name: &str) -> String {
    let cleaned: String =
        name.trim()
            .chars()
            .map(|c| {
                if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                    '_'
                } else {
                    c
                }
            })
            .collect();
    let cleaned = cleaned.trim_matches(['.', ' ']).to_owned();
    if cleaned.is_empty() { "Timetable".to_owned() } else { cleaned }
}

/// `folder/stem.ics`, or `stem (2).ics`… when that exists: an export never overwrites a file.
fn free_path(folder: &Path, stem: &str) -> PathBuf {
    let first = folder.join(format!("{stem}.ics"));
    if !first.exists() {
        return first;
    }
    (2..).map(|n| folder.join(format!("{stem} ({n}).ics"))).find(|path| !path.exists()).unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use pretzel_api::{CreditSummary, Meeting};

    fn epoch() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH
    }

    fn section(id: i64, code: &str, days: &str, start: &str, end: &str) -> TimetableSection {
        TimetableSection {
            section_id: SectionId(id),
            registration_id: id.to_string(),
            course_code: code.into(),
            title: code.into(),
            section: Some("A".into()),
            kind: "lecture".into(),
            instructors: vec![],
            credits: Some("3".into()),
            meetings: vec![Meeting {
                days: days.into(),
                start: Some(start.into()),
                end: Some(end.into()),
                location: None,
                start_date: None,
                end_date: None,
            }],
            students: 0,
            removed_at: None,
        }
    }

    fn data() -> TermTimetables {
        TermTimetables {
            term_id: TermId(4),
            campus_time_zone: "America/Chicago".into(),
            start_date: None,
            end_date: None,
            full_time_credits: 12,
            timetables: vec![Timetable {
                id: TimetableId(10),
                term_id: TermId(4),
                name: "Plan A".into(),
                primary: true,
                sections: vec![section(1, "CS 225", "MW", "10:00", "10:50")],
                custom_blocks: vec![],
                conflicts: vec![],
                credits: CreditSummary { min: 3, max: 3, full_time: 12, visa_warning: false },
                missing_components: vec![],
                updated_at: epoch(),
            }],
        }
    }

    fn entry(id: i64, queued: &QueuedChange) -> OutboxEntry {
        OutboxEntry {
            id,
            queue: QUEUE_TIMETABLE.into(),
            scope: "4".into(),
            payload: serde_json::to_string(queued).expect("encode"),
            idempotency_key: format!("key-{id}"),
            state: EntryState::Waiting,
            error: None,
            created_at: epoch(),
        }
    }

    #[test]
    fn test_queued_changes_replay_with_temporary_ids_conflicts_and_credits() {
        let mut data = data();
        let create = QueuedChange {
            change: TimetableChange::Create {
                term_id: TermId(4),
                name: " Plan B ".into(),
                copy_from: Some(TimetableId(10)),
            },
            sections: vec![],
        };
        apply_change(&mut data, &entry(3, &create), &create, true);
        assert_eq!(data.timetables[1].id, TimetableId(-3));
        assert_eq!(data.timetables[1].name, "Plan B");
        assert!(!data.timetables[1].primary);
        let add = QueuedChange {
            change: TimetableChange::AddSections {
                timetable_id: TimetableId(-3),
                section_ids: vec![SectionId(2)],
                confirm_conflicts: true,
            },
            sections: vec![section(2, "MATH 241", "M", "10:30", "11:20")],
        };
        apply_change(&mut data, &entry(4, &add), &add, true);
        let plan_b = &data.timetables[1];
        assert_eq!(plan_b.sections.len(), 2);
        assert_eq!(plan_b.conflicts.len(), 1);
        assert_eq!(plan_b.conflicts[0].message, "CS 225 A overlaps MATH 241 A on Mon 10:30–10:50");
        assert_eq!((plan_b.credits.min, plan_b.credits.max, plan_b.credits.visa_warning), (6, 6, false));
        let primary =
            QueuedChange { change: TimetableChange::MakePrimary { timetable_id: TimetableId(-3) }, sections: vec![] };
        apply_change(&mut data, &entry(5, &primary), &primary, true);
        assert_eq!(data.timetables[0].id, TimetableId(-3));
        assert!(data.timetables[0].primary && !data.timetables[1].primary);
        assert!(data.timetables[0].credits.visa_warning, "6 credits are below the full-time 12");
        let gone = QueuedChange {
            change: TimetableChange::Rename { timetable_id: TimetableId(99), name: "X".into() },
            sections: vec![],
        };
        let before = data.clone();
        apply_change(&mut data, &entry(6, &gone), &gone, true);
        assert_eq!(data, before, "a change of a plan that is not there is skipped");
    }

    #[test]
    fn test_temporary_ids_are_remapped_in_later_changes() {
        let mut change = TimetableChange::AddBlock {
            timetable_id: TimetableId(-3),
            label: "Work".into(),
            days: "F".into(),
            start: "08:00".into(),
            end: "09:00".into(),
            confirm_conflicts: false,
        };
        assert!(remap_timetable(&mut change, TimetableId(-3), TimetableId(42)));
        assert_eq!(change.timetable_id(), Some(TimetableId(42)));
        assert!(!remap_timetable(&mut change, TimetableId(-3), TimetableId(43)));
        let mut remove = TimetableChange::RemoveBlock { timetable_id: TimetableId(42), block_id: CustomBlockId(-7) };
        assert!(remap_block(&mut remove, CustomBlockId(-7), CustomBlockId(70)));
        assert_eq!(remove, TimetableChange::RemoveBlock { timetable_id: TimetableId(42), block_id: CustomBlockId(70) });
    }

    #[test]
    fn test_export_file_names_are_safe_and_never_overwrite() {
        assert_eq!(file_stem("Plan A"), "Plan A");
        assert_eq!(file_stem(" ../Fall: plan?*"), "_Fall_ plan__");
        assert_eq!(file_stem(" .. "), "Timetable");
        let dir = tempfile::tempdir().expect("temp dir");
        let first = free_path(dir.path(), "Plan A");
        assert_eq!(first, dir.path().join("Plan A.ics"));
        std::fs::write(&first, "x").expect("write");
        assert_eq!(free_path(dir.path(), "Plan A"), dir.path().join("Plan A (2).ics"));
    }
}
