//! Timetables over HTTP (the contract is `pretzel_api::timetable`): a student's plans per term, the
//! sections and custom blocks in them, and their calendar export and private feed.
//!
//! Every answer that changes a plan carries the whole [`Timetable`], recomputed from storage, so a
//! client never merges partial updates. A student only plans terms of their own university, and
//! another student's plan answers 404 exactly like a plan that does not exist, so ids reveal nothing.
//!
//! Chat rooms follow the courses of the primary plans, so every committed edit that can change them
//! tells the chat hub ([`crate::chat::ChatHub::membership_changed`]), and the student's open chat
//! connections re-read their rooms at once.

use crate::auth::AuthSession;
use crate::auth::tokens::{generate_refresh_token, hash_refresh_token};
use crate::calendar::{CalendarPlan, write_calendar};
use crate::db::DbError;
use crate::db::timetables::{AddOutcome, BlockOutcome, CreateOutcome, DeleteOutcome, NewBlock, StoredPlan, TermInfo};
use crate::db::users::UserRecord;
use crate::error::{ApiError, ApiJson, StateConflict};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use pretzel_api::timetable::{CUSTOM_BLOCK_LABEL_MAX_CHARS, TIMETABLE_NAME_MAX_CHARS};
use pretzel_api::{
    AddSections, CalendarSubscription, ConflictRefusal, CreateCustomBlock, CreateTimetable, CustomBlockId, ErrorBody,
    FieldError, MissingComponent, SectionId, TermId, TermTimetables, Timetable, TimetableId, University,
    UpdateTimetable,
};
use pretzel_schedule::clock::{days_to_letters, parse_days, parse_hhmm};
use pretzel_schedule::conflicts::plan_conflicts;
use pretzel_schedule::credits::credit_summary;
use std::collections::HashSet;

/// Most sections one request adds.
const MAX_SECTIONS_PER_ADD: usize = 10;
/// Longest idempotency key, in characters.
const CLIENT_KEY_MAX_CHARS: usize = 64;
/// Kinds that stand for the whole course rather than one part of it (an online section, independent
/// study, research, an internship): a course offering one is not missing it, and a plan holding one
/// misses nothing of that course.
const WHOLE_COURSE_KINDS: [&str; 4] = ["online", "independent_study", "research", "internship"];

fn field_error(field: &str, code: &str, message: impl Into<String>) -> FieldError {
    FieldError { field: field.to_owned(), code: code.to_owned(), message: message.into() }
}

/// An id from the path; one that is not a number names nothing, like an unknown one.
fn path_id(path: Result<Path<i64>, PathRejection>) -> Result<i64, ApiError> {
    path.map(|Path(id)| id).map_err(|_| ApiError::NotFound)
}

/// The signed-in student and their university.
async fn student(state: &AppState, session: &AuthSession) -> Result<(UserRecord, University), ApiError> {
    let user = state.db.user_by_id(session.user_id).await?.ok_or(ApiError::SessionRevoked)?;
    let university = state
        .db
        .university(user.university_id)
        .await?
        .ok_or_else(|| DbError::Corrupt(format!("user {} has no university", user.id)))?;
    Ok((user, university))
}

fn millis_to_time(ms: i64) -> Result<DateTime<Utc>, ApiError> {
    Ok(DateTime::from_timestamp_millis(ms).ok_or_else(|| DbError::Corrupt(format!("timestamp {ms}")))?)
}

/// A stored plan as the API shows it: its conflicts, credits and missing parts worked out.
fn assemble(plan: StoredPlan, full_time: u32, student_visa: bool) -> Result<Timetable, ApiError> {
    let conflicts = plan_conflicts(&plan.items_in_order());
    let StoredPlan { record, sections, blocks, offered_kinds } = plan;
    // Grouped by course, courses in the order their first section was added (sections come in order).
    let mut course_order: Vec<&str> = Vec::new();
    for (_, section) in &sections {
        if !course_order.contains(&section.course_code.as_str()) {
            course_order.push(&section.course_code);
        }
    }
    let mut missing_components = Vec::new();
    for course in &course_order {
        let held: HashSet<&str> =
            sections.iter().filter(|(_, s)| s.course_code == *course).map(|(_, s)| s.kind.as_str()).collect();
        if held.iter().any(|kind| WHOLE_COURSE_KINDS.contains(kind)) {
            continue;
        }
        for kind in offered_kinds.get(*course).into_iter().flatten() {
            if !WHOLE_COURSE_KINDS.contains(&kind.as_str()) && !held.contains(kind.as_str()) {
                missing_components.push(MissingComponent { course_code: (*course).to_owned(), kind: kind.clone() });
            }
        }
    }
    let mut ordered = Vec::with_capacity(sections.len());
    for course in &course_order {
        ordered.extend(sections.iter().filter(|(_, s)| s.course_code == *course).map(|(_, s)| s.clone()));
    }
    let credits = credit_summary(&ordered, full_time, record.primary, student_visa);
    Ok(Timetable {
        id: record.id,
        term_id: record.term_id,
        name: record.name,
        primary: record.primary,
        sections: ordered,
        custom_blocks: blocks.into_iter().map(|(_, block)| block).collect(),
        conflicts,
        credits,
        missing_components,
        updated_at: millis_to_time(record.updated_at)?,
    })
}

/// The student's plan `id` as the API shows it; 404 when it is not theirs.
async fn answer(state: &AppState, session: &AuthSession, id: TimetableId) -> Result<Timetable, ApiError> {
    let (user, university) = student(state, session).await?;
    let (plan, _) = state.db.plan(session.user_id, id).await?.ok_or(ApiError::NotFound)?;
    assemble(plan, university.full_time_credits, user.student_visa)
}

/// The term, when the student may plan it: it exists and belongs to their university.
async fn plannable_term(state: &AppState, university: &University, term: TermId) -> Result<TermInfo, ApiError> {
    match state.db.term_info(term).await? {
        Some(info) if info.university_id == university.id => Ok(info),
        _ => Err(ApiError::NotFound),
    }
}

fn check_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(field_error("name", "required", "Give the timetable a name."));
    }
    if name.chars().count() > TIMETABLE_NAME_MAX_CHARS {
        return Err(field_error("name", "too_long", format!("Use at most {TIMETABLE_NAME_MAX_CHARS} characters.")));
    }
    if name.chars().any(char::is_control) {
        return Err(field_error("name", "invalid", "The name cannot contain control characters."));
    }
    Ok(name.to_owned())
}

fn check_client_key(key: &str) -> Result<(), FieldError> {
    let length = key.chars().count();
    if length == 0 || length > CLIENT_KEY_MAX_CHARS || key.chars().any(char::is_control) {
        return Err(field_error(
            "client_key",
            "invalid",
            format!("A client key is 1 to {CLIENT_KEY_MAX_CHARS} characters without control characters."),
        ));
    }
    Ok(())
}

/// Every plan of the term, primary first; the first request for a term creates "Plan A".
#[utoipa::path(get, path = "/api/v1/terms/{term_id}/timetables", tag = "timetables", security(("bearer" = [])),
    params(("term_id" = i64, Path, description = "The term's id")),
    responses(
        (status = 200, body = TermTimetables),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such term at the student's university", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    session: AuthSession,
    term_id: Result<Path<i64>, PathRejection>,
) -> Result<Json<TermTimetables>, ApiError> {
    let term_id = TermId(path_id(term_id)?);
    let (user, university) = student(&state, &session).await?;
    let term = plannable_term(&state, &university, term_id).await?;
    let plans = state.db.term_plans(user.id, &term).await?;
    let timetables = plans
        .into_iter()
        .map(|plan| assemble(plan, university.full_time_credits, user.student_visa))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(TermTimetables {
        term_id,
        campus_time_zone: university.time_zone,
        start_date: term.start_date,
        end_date: term.end_date,
        full_time_credits: university.full_time_credits,
        timetables,
    }))
}

/// A new plan, optionally copying another plan of the term. Idempotent by `client_key`: a resend
/// answers 200 with the plan created the first time.
#[utoipa::path(post, path = "/api/v1/terms/{term_id}/timetables", tag = "timetables", security(("bearer" = [])),
    params(("term_id" = i64, Path, description = "The term's id")),
    request_body = CreateTimetable,
    responses(
        (status = 201, body = Timetable),
        (status = 200, description = "Already created with this client key", body = Timetable),
        (status = 404, description = "No such term at the student's university", body = ErrorBody),
        (status = 409, description = "state_conflict: the term holds the most plans", body = ErrorBody),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    session: AuthSession,
    term_id: Result<Path<i64>, PathRejection>,
    ApiJson(request): ApiJson<CreateTimetable>,
) -> Result<(StatusCode, Json<Timetable>), ApiError> {
    let term_id = TermId(path_id(term_id)?);
    let (_, university) = student(&state, &session).await?;
    plannable_term(&state, &university, term_id).await?;
    let mut fields = Vec::new();
    let name = check_name(&request.name).map_err(|e| fields.push(e)).ok();
    if let Err(problem) = check_client_key(&request.client_key) {
        fields.push(problem);
    }
    let (Some(name), true) = (name, fields.is_empty()) else {
        return Err(ApiError::Validation(fields));
    };
    let outcome = state.db.create_plan(session.user_id, term_id, &name, &request.client_key, request.copy_from).await?;
    let (status, id) = match outcome {
        CreateOutcome::Created(plan) => {
            if plan.primary {
                // The term's first plan; a copy is never the first, so this one is empty today.
                state.chat.membership_changed(session.user_id);
            }
            (StatusCode::CREATED, plan.id)
        }
        CreateOutcome::Existing(plan) => (StatusCode::OK, plan.id),
        CreateOutcome::TooMany => return Err(ApiError::StateConflict(StateConflict::TooManyTimetables)),
        CreateOutcome::UnknownSource => {
            return Err(ApiError::Validation(vec![field_error(
                "copy_from",
                "unknown_timetable",
                "There is no timetable of yours in this term with this id.",
            )]));
        }
    };
    Ok((status, Json(answer(&state, &session, id).await?)))
}

/// Renames a plan and/or makes it the primary one.
#[utoipa::path(patch, path = "/api/v1/timetables/{id}", tag = "timetables", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The timetable's id")),
    request_body = UpdateTimetable,
    responses(
        (status = 200, body = Timetable),
        (status = 404, body = ErrorBody),
        (status = 422, description = "validation_failed (a bad name, or `primary: false`)", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    session: AuthSession,
    id: Result<Path<i64>, PathRejection>,
    ApiJson(request): ApiJson<UpdateTimetable>,
) -> Result<Json<Timetable>, ApiError> {
    let id = TimetableId(path_id(id)?);
    let mut fields = Vec::new();
    let name = request.name.as_deref().map(check_name).transpose().map_err(|e| fields.push(e)).ok().flatten();
    if request.primary == Some(false) {
        fields.push(field_error("primary", "invalid", "Make another timetable primary instead."));
    }
    if !fields.is_empty() {
        return Err(ApiError::Validation(fields));
    }
    state
        .db
        .update_plan(session.user_id, id, name.as_deref(), request.primary == Some(true))
        .await?
        .ok_or(ApiError::NotFound)?;
    if request.primary == Some(true) {
        state.chat.membership_changed(session.user_id);
    }
    Ok(Json(answer(&state, &session, id).await?))
}

/// Deletes a plan; the term's last plan stays (409). When the primary goes, the oldest remaining
/// plan becomes primary.
#[utoipa::path(delete, path = "/api/v1/timetables/{id}", tag = "timetables", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The timetable's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, body = ErrorBody),
        (status = 409, description = "state_conflict: the term's only plan", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    session: AuthSession,
    id: Result<Path<i64>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let id = TimetableId(path_id(id)?);
    match state.db.delete_plan(session.user_id, id).await?.ok_or(ApiError::NotFound)? {
        DeleteOutcome::Deleted => {
            // Deleting the primary plan makes another one primary.
            state.chat.membership_changed(session.user_id);
            Ok(StatusCode::NO_CONTENT)
        }
        DeleteOutcome::LastOne => Err(ApiError::StateConflict(StateConflict::LastTimetable)),
    }
}

/// Adds sections of the plan's term together, all or none.
#[utoipa::path(post, path = "/api/v1/timetables/{id}/sections", tag = "timetables", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The timetable's id")),
    request_body = AddSections,
    responses(
        (status = 200, body = Timetable),
        (status = 404, body = ErrorBody),
        (status = 409, body = ConflictRefusal,
            description = "schedule_conflict (body: ConflictRefusal) or state_conflict (the plan is full)"),
        (status = 410, description = "section_gone: dropped from the catalog", body = ErrorBody),
        (status = 422, body = ErrorBody,
            description = "validation_failed: unknown sections, sections of another term, 0 or more than 10"),
    ))]
pub async fn add_sections(
    State(state): State<AppState>,
    session: AuthSession,
    id: Result<Path<i64>, PathRejection>,
    ApiJson(request): ApiJson<AddSections>,
) -> Result<Json<Timetable>, ApiError> {
    let id = TimetableId(path_id(id)?);
    if request.section_ids.is_empty() || request.section_ids.len() > MAX_SECTIONS_PER_ADD {
        return Err(ApiError::Validation(vec![field_error(
            "section_ids",
            "count",
            format!("Add 1 to {MAX_SECTIONS_PER_ADD} sections at a time."),
        )]));
    }
    let outcome = state
        .db
        .add_sections(session.user_id, id, &request.section_ids, request.confirm_conflicts)
        .await?
        .ok_or(ApiError::NotFound)?;
    let list = |ids: &[SectionId]| ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
    match outcome {
        AddOutcome::Added => Ok(Json(answered_after_section_edit(&state, &session, id).await?)),
        AddOutcome::Conflicts(conflicts) => Err(ApiError::ScheduleConflict(conflicts)),
        AddOutcome::Gone(_) => Err(ApiError::SectionGone),
        AddOutcome::TooManyItems => Err(ApiError::StateConflict(StateConflict::TooManyItems)),
        AddOutcome::Unknown(ids) => Err(ApiError::Validation(vec![field_error(
            "section_ids",
            "unknown_section",
            format!("There is no section with id {}.", list(&ids)),
        )])),
        AddOutcome::OtherTerm(ids) => Err(ApiError::Validation(vec![field_error(
            "section_ids",
            "wrong_term",
            format!("Section {} belongs to another term than this timetable.", list(&ids)),
        )])),
    }
}

/// Removes a section from a plan; removing one that is not there changes nothing.
#[utoipa::path(delete, path = "/api/v1/timetables/{id}/sections/{section_id}", tag = "timetables",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "The timetable's id"),
        ("section_id" = i64, Path, description = "The section's id"),
    ),
    responses((status = 200, body = Timetable), (status = 404, body = ErrorBody)))]
pub async fn remove_section(
    State(state): State<AppState>,
    session: AuthSession,
    ids: Result<Path<(i64, i64)>, PathRejection>,
) -> Result<Json<Timetable>, ApiError> {
    let Path((id, section)) = ids.map_err(|_| ApiError::NotFound)?;
    let id = TimetableId(id);
    state.db.remove_section(session.user_id, id, SectionId(section)).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(answered_after_section_edit(&state, &session, id).await?))
}

/// The plan after its sections changed, telling the chat hub when that can move the student's rooms:
/// only the primary plan's courses make rooms, so edits to Plan B leave them where they are.
async fn answered_after_section_edit(
    state: &AppState,
    session: &AuthSession,
    id: TimetableId,
) -> Result<Timetable, ApiError> {
    let plan = answer(state, session, id).await?;
    if plan.primary {
        state.chat.membership_changed(session.user_id);
    }
    Ok(plan)
}

/// Adds a custom block (a work shift, a commute); idempotent by `client_key`.
#[utoipa::path(post, path = "/api/v1/timetables/{id}/blocks", tag = "timetables", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The timetable's id")),
    request_body = CreateCustomBlock,
    responses(
        (status = 200, body = Timetable),
        (status = 404, body = ErrorBody),
        (status = 409, body = ConflictRefusal,
            description = "schedule_conflict (body: ConflictRefusal) or state_conflict (the plan is full)"),
        (status = 422, description = "validation_failed", body = ErrorBody),
    ))]
pub async fn create_block(
    State(state): State<AppState>,
    session: AuthSession,
    id: Result<Path<i64>, PathRejection>,
    ApiJson(request): ApiJson<CreateCustomBlock>,
) -> Result<Json<Timetable>, ApiError> {
    let id = TimetableId(path_id(id)?);
    let mut fields = Vec::new();
    let label = request.label.trim();
    if label.is_empty() {
        fields.push(field_error("label", "required", "Say what the block is, e.g. Library shift."));
    } else if label.chars().count() > CUSTOM_BLOCK_LABEL_MAX_CHARS {
        fields.push(field_error(
            "label",
            "too_long",
            format!("Use at most {CUSTOM_BLOCK_LABEL_MAX_CHARS} characters."),
        ));
    } else if label.chars().any(char::is_control) {
        fields.push(field_error("label", "invalid", "The label cannot contain control characters."));
    }
    let days = match parse_days(request.days.trim()) {
        Ok(days) if !days.is_empty() => Some(days_to_letters(&days)),
        _ => {
            fields.push(field_error("days", "invalid", "Days are letters of MTWRFSU, each once, e.g. MWF."));
            None
        }
    };
    let start = parse_hhmm(&request.start).ok().filter(|m| *m < 24 * 60);
    if start.is_none() {
        fields.push(field_error("start", "invalid", "A start time is HH:MM, from 00:00 to 23:59."));
    }
    let end = parse_hhmm(&request.end).ok();
    match (start, end) {
        (_, None) => fields.push(field_error("end", "invalid", "An end time is HH:MM, up to 24:00.")),
        (Some(start), Some(end)) if end <= start => {
            fields.push(field_error("end", "before_start", "The end must be later than the start."));
        }
        _ => {}
    }
    if let Err(problem) = check_client_key(&request.client_key) {
        fields.push(problem);
    }
    let (Some(days), Some(start), Some(end), true) = (days, start, end, fields.is_empty()) else {
        return Err(ApiError::Validation(fields));
    };
    let block = NewBlock { label, days: &days, start_minute: start, end_minute: end, client_key: &request.client_key };
    let outcome =
        state.db.add_block(session.user_id, id, &block, request.confirm_conflicts).await?.ok_or(ApiError::NotFound)?;
    match outcome {
        BlockOutcome::Added => Ok(Json(answer(&state, &session, id).await?)),
        BlockOutcome::Conflicts(conflicts) => Err(ApiError::ScheduleConflict(conflicts)),
        BlockOutcome::TooManyItems => Err(ApiError::StateConflict(StateConflict::TooManyItems)),
    }
}

/// Removes a custom block; removing one that is not there changes nothing.
#[utoipa::path(delete, path = "/api/v1/timetables/{id}/blocks/{block_id}", tag = "timetables",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "The timetable's id"),
        ("block_id" = i64, Path, description = "The block's id"),
    ),
    responses((status = 200, body = Timetable), (status = 404, body = ErrorBody)))]
pub async fn remove_block(
    State(state): State<AppState>,
    session: AuthSession,
    ids: Result<Path<(i64, i64)>, PathRejection>,
) -> Result<Json<Timetable>, ApiError> {
    let Path((id, block)) = ids.map_err(|_| ApiError::NotFound)?;
    let id = TimetableId(id);
    state.db.remove_block(session.user_id, id, CustomBlockId(block)).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(answer(&state, &session, id).await?))
}

/// The `.ics` answer for a plan.
async fn calendar_response(state: &AppState, plan: StoredPlan, term: &TermInfo) -> Result<Response, ApiError> {
    let user = state
        .db
        .user_by_id(plan.record.user_id)
        .await?
        .ok_or_else(|| DbError::Corrupt(format!("timetable {} has no student", plan.record.id)))?;
    let university = state
        .db
        .university(user.university_id)
        .await?
        .ok_or_else(|| DbError::Corrupt(format!("user {} has no university", user.id)))?;
    let zone: chrono_tz::Tz = university
        .time_zone
        .parse()
        .map_err(|_| DbError::Corrupt(format!("university {} time zone {:?}", university.id, university.time_zone)))?;
    let timetable_id = plan.record.id;
    let name = format!("{} \u{b7} {}", plan.record.name, term.name);
    let timetable = assemble(plan, university.full_time_credits, user.student_visa)?;
    let text = write_calendar(&CalendarPlan {
        timetable_id,
        name: &name,
        zone,
        term_start: term.start_date,
        term_end: term.end_date,
        sections: &timetable.sections,
        blocks: &timetable.custom_blocks,
        now: Utc::now(),
    });
    let mut response = text.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"timetable.ics\""));
    Ok(response)
}

/// The plan as an iCalendar file: one weekly event per meeting pattern, in the campus time zone.
#[utoipa::path(get, path = "/api/v1/timetables/{id}/calendar.ics", tag = "timetables", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The timetable's id")),
    responses(
        (status = 200, description = "RFC 5545 calendar", content_type = "text/calendar", body = String),
        (status = 404, body = ErrorBody),
    ))]
pub async fn calendar(
    State(state): State<AppState>,
    session: AuthSession,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = TimetableId(path_id(id)?);
    let (plan, term) = state.db.plan(session.user_id, id).await?.ok_or(ApiError::NotFound)?;
    calendar_response(&state, plan, &term).await
}

/// The base URL clients reached this server by: the `Host` header, over https when a proxy in front
/// says so with `X-Forwarded-Proto`.
fn public_base(headers: &HeaderMap) -> Option<(String, String)> {
    let host = headers.get(header::HOST)?.to_str().ok()?.trim();
    let well_formed = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    if !well_formed {
        return None;
    }
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
    Some((if https { "https" } else { "http" }.to_owned(), host.to_owned()))
}

/// Issues a new private feed URL for the plan; any earlier one stops working.
#[utoipa::path(put, path = "/api/v1/timetables/{id}/subscription", tag = "timetables", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The timetable's id")),
    responses((status = 200, body = CalendarSubscription), (status = 404, body = ErrorBody)))]
pub async fn subscribe(
    State(state): State<AppState>,
    session: AuthSession,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<CalendarSubscription>, ApiError> {
    let id = TimetableId(path_id(id)?);
    let (scheme, host) = public_base(&headers).ok_or_else(|| {
        ApiError::Validation(vec![field_error("host", "invalid", "The request's Host header is missing or malformed.")])
    })?;
    // Same shape as a refresh token: 256 random bits, base64url; only its SHA-256 is stored.
    let token = generate_refresh_token();
    let created = state.db.issue_feed_token(session.user_id, id, &hash_refresh_token(&token)).await?;
    let created_at = millis_to_time(created.ok_or(ApiError::NotFound)?)?;
    let path = format!("{host}/calendar/{token}.ics");
    Ok(Json(CalendarSubscription {
        url: format!("{scheme}://{path}"),
        webcal_url: format!("webcal://{path}"),
        created_at,
    }))
}

/// Revokes the plan's private feed URL.
#[utoipa::path(delete, path = "/api/v1/timetables/{id}/subscription", tag = "timetables", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The timetable's id")),
    responses((status = 204, description = "Revoked"), (status = 404, body = ErrorBody)))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    session: AuthSession,
    id: Result<Path<i64>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let id = TimetableId(path_id(id)?);
    state.db.revoke_feed_token(session.user_id, id).await?.ok_or(ApiError::NotFound)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The private feed: the token in the path is the secret, so no bearer token is needed. A revoked or
/// unknown token answers 404.
#[utoipa::path(get, path = "/calendar/{token}.ics", tag = "timetables",
    params(("token" = String, Path, description = "The feed's secret token")),
    responses(
        (status = 200, description = "RFC 5545 calendar", content_type = "text/calendar", body = String),
        (status = 404, body = ErrorBody),
    ))]
pub async fn feed(
    State(state): State<AppState>,
    file: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(file) = file.map_err(|_| ApiError::NotFound)?;
    let token = file.strip_suffix(".ics").ok_or(ApiError::NotFound)?;
    if token.is_empty() || token.len() > 128 {
        return Err(ApiError::NotFound);
    }
    let (plan, term) = state.db.plan_by_feed_token(&hash_refresh_token(token)).await?.ok_or(ApiError::NotFound)?;
    // Not cached anywhere: the URL is a secret, and a change to the plan shows at the next poll.
    calendar_response(&state, plan, &term).await
}
