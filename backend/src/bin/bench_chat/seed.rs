//! Seeding the server under test the way students would: through the REST API, sign up N students
//! (one access token each), and put a section of course r into the primary timetable of every student
//! i with i % R = r, which makes them members of that course's room. The room ids then come from the
//! chat itself: one connection per room reads its `welcome` and checks the room's course and member
//! count.

use super::loadgen::Load;
use anyhow::{Context, Result, anyhow, bail};
use pretzel_api::chat::{ClientFrame, RoomSummary, ServerFrame, WS_PATH};
use pretzel_api::{
    API_PREFIX, AddSections, RoomId, SearchHit, SearchQuery, SearchResponse, SignupRequest, Term, TermTimetables,
    Timetable, TokenResponse, University, UniversityId,
};
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tungstenite::Message;
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::http::header::AUTHORIZATION;

/// Requests in flight while seeding: sign-up hashes a password on the server's blocking pool, so a
/// few at once keep its core busy without queueing for long.
const SEED_CONCURRENCY: usize = 8;

/// What the load generator needs from the seeded server.
pub struct Seeded {
    /// Access token of connection i's student, in connection order.
    pub tokens: Vec<String>,
    /// Room id of room r, in room order.
    pub room_ids: Vec<RoomId>,
    /// The term whose courses make the rooms, for the log.
    pub term_name: String,
}

/// Sends `request` and reads its JSON answer; any other status is an error naming `what`.
async fn call<T: DeserializeOwned>(request: reqwest::RequestBuilder, what: &str) -> Result<T> {
    let response = request.send().await.with_context(|| format!("{what}: no answer"))?;
    let status = response.status();
    if !status.is_success() {
        let body = response.text().await.unwrap_or_default();
        bail!("{what}: {status}: {body}");
    }
    response.json().await.with_context(|| format!("{what}: unexpected answer"))
}

/// The term with the most sections over every university, with its university.
async fn largest_term(client: &reqwest::Client, api: &str) -> Result<(UniversityId, Term)> {
    let universities: Vec<University> = call(client.get(format!("{api}/universities")), "listing universities").await?;
    let mut best: Option<Term> = None;
    for university in universities {
        let terms: Vec<Term> =
            call(client.get(format!("{api}/universities/{}/terms", university.id.0)), "listing terms").await?;
        for term in terms {
            if best.as_ref().is_none_or(|b| term.section_count > b.section_count) {
                best = Some(term);
            }
        }
    }
    let term = best.context("the server has no catalog term (are the sample catalogs loaded?)")?;
    Ok((term.university_id, term))
}

/// One section each of `count` different courses of `term`, in course-code order.
async fn sections_of_distinct_courses(
    client: &reqwest::Client,
    api: &str,
    term: &Term,
    count: usize,
) -> Result<Vec<SearchHit>> {
    const PAGE: u32 = 100;
    let mut courses = HashSet::new();
    let mut picked = Vec::with_capacity(count);
    let mut offset = 0;
    while picked.len() < count {
        let query = SearchQuery { limit: Some(PAGE), offset: Some(offset), ..SearchQuery::default() };
        let page: SearchResponse =
            call(client.get(format!("{api}/terms/{}/search", term.id.0)).query(&query), "listing the term's sections")
                .await?;
        if page.results.is_empty() || offset >= 10_000 {
            bail!("{} offers only {} courses; {count} rooms need as many (use bigger rooms)", term.name, picked.len());
        }
        for hit in page.results {
            if picked.len() < count && courses.insert(hit.course_code.clone()) {
                picked.push(hit);
            }
        }
        offset += PAGE;
    }
    Ok(picked)
}

/// Signs up student `i` and adds `section` to their primary plan of `term`; returns the access token.
async fn seed_student(
    client: &reqwest::Client,
    api: &str,
    i: usize,
    university: UniversityId,
    term: &Term,
    section: &SearchHit,
) -> Result<String> {
    let signup = SignupRequest {
        email: format!("student{i}@bench.pretzel.test"),
        password: format!("bench-{i}-pretzel-pass"),
        display_name: format!("Student {i}"),
        university_id: university,
    };
    let tokens: TokenResponse = call(client.post(format!("{api}/auth/signup")).json(&signup), "sign-up").await?;
    let token = tokens.access_token;
    let plans: TermTimetables =
        call(client.get(format!("{api}/terms/{}/timetables", term.id.0)).bearer_auth(&token), "reading the timetables")
            .await?;
    let primary = plans.timetables.iter().find(|t| t.primary).context("the term has no primary timetable")?;
    let add = AddSections { section_ids: vec![section.section_id], confirm_conflicts: true };
    let _: Timetable = call(
        client.post(format!("{api}/timetables/{}/sections", primary.id.0)).bearer_auth(&token).json(&add),
        "adding the course section",
    )
    .await?;
    Ok(token)
}

/// Connects to the chat as the holder of `token` and returns the rooms of its `welcome`.
fn welcome_rooms(addr: &str, token: &str) -> Result<Vec<RoomSummary>> {
    let stream = std::net::TcpStream::connect(addr).with_context(|| format!("cannot connect to {addr}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut request = format!("ws://{addr}{WS_PATH}").into_client_request()?;
    request.headers_mut().insert(AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {token}"))?);
    let (mut socket, _) = tungstenite::client(request, stream).map_err(|e| anyhow!("chat upgrade failed: {e}"))?;
    socket.send(Message::text(serde_json::to_string(&ClientFrame::Hello { resume: Vec::new() })?))?;
    loop {
        match socket.read()? {
            Message::Text(text) => {
                if let ServerFrame::Welcome { rooms, .. } = serde_json::from_str(text.as_str())? {
                    let _ = socket.close(None);
                    return Ok(rooms);
                }
            }
            Message::Close(frame) => bail!("the chat closed before its welcome: {frame:?}"),
            _ => {}
        }
    }
}

/// Seeds `load.conns` students in `load.rooms` rooms on the server at `addr`.
pub async fn seed(addr: &str, load: &Load) -> Result<Seeded> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(120)).build()?;
    let api = format!("http://{addr}{API_PREFIX}");
    let (university, term) = largest_term(&client, &api).await?;
    let sections = sections_of_distinct_courses(&client, &api, &term, load.rooms).await?;

    eprintln!("==> signing up {} students in {} courses of {}", load.conns, load.rooms, term.name);
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let shared = Arc::new((client, api, term, sections));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..SEED_CONCURRENCY {
        let next = next.clone();
        let shared = shared.clone();
        let (conns, rooms) = (load.conns, load.rooms);
        workers.spawn(async move {
            let (client, api, term, sections) = &*shared;
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= conns {
                    return Ok::<_, anyhow::Error>(done);
                }
                let token = seed_student(client, api, i, university, term, &sections[i % rooms])
                    .await
                    .with_context(|| format!("seeding student {i}"))?;
                if (i + 1).is_multiple_of(250) {
                    eprintln!("    {} students seeded ({:.0?})", i + 1, started.elapsed());
                }
                done.push((i, token));
            }
        });
    }
    let mut tokens = vec![String::new(); load.conns];
    while let Some(joined) = workers.join_next().await {
        for (i, token) in joined.context("a seeding task failed")?? {
            tokens[i] = token;
        }
    }
    eprintln!("    seeded in {:.0?}", started.elapsed());

    let (_, _, term, sections) = &*shared;
    let mut room_ids = Vec::with_capacity(load.rooms);
    for (r, section) in sections.iter().enumerate() {
        // Connection r is the first member of room r.
        let (addr, token) = (addr.to_owned(), tokens[r].clone());
        let rooms = tokio::task::spawn_blocking(move || welcome_rooms(&addr, &token)).await??;
        let members = (r..load.conns).step_by(load.rooms).count();
        let [room] = rooms.as_slice() else {
            bail!("student {r} should be in exactly one room, the chat lists {}", rooms.len());
        };
        if room.course_code != section.course_code || room.member_count as usize != members {
            bail!(
                "room {r} should be {} with {members} members, the chat says {} with {}",
                section.course_code,
                room.course_code,
                room.member_count
            );
        }
        room_ids.push(room.room_id);
    }
    Ok(Seeded { tokens, room_ids, term_name: term.name.clone() })
}
