//! The scheduled catalog refresh against a publisher on a loopback port: the first tick imports the
//! term, a changed document marks the vanished section removed (and flags the timetable holding it),
//! failing downloads and unusable documents leave the catalog as it was until a good tick restores
//! it, and the server stops promptly with a download hanging. The publisher is a few lines of HTTP/1.1
//! over a `TcpListener`, so it can also drop connections and stall, which a framework would not do.

use crate::common::{Engine, GOOD_PASSWORD, Storage, TestServer, fresh_email};
use pretzel_api::{SearchResponse, SectionId, SignupRequest, Term, TermTimetables, TokenResponse, University};
use pretzel_backend::config::CatalogSource;
use pretzel_backend::import::Format;
use serde_json::json;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TERM: &str = "2025-wi";

/// What the publisher does with the next request.
#[derive(Clone)]
enum Behaviour {
    /// 200 with this body.
    Serve(Arc<Vec<u8>>),
    /// 503 with a `Retry-After: 0`.
    Unavailable,
    /// Reads the request and closes the connection without a word.
    Drop,
    /// Reads the request and never answers.
    Hang,
}

/// A loopback catalog publisher whose behaviour the test switches.
#[derive(Clone)]
struct Publisher {
    url: String,
    behaviour: Arc<Mutex<Behaviour>>,
    /// Requests answered with a body.
    served: Arc<AtomicUsize>,
    /// Requests answered with 503, dropped or left hanging.
    refused: Arc<AtomicUsize>,
    /// The last request's User-Agent.
    user_agent: Arc<Mutex<String>>,
}

impl Publisher {
    async fn start(body: Vec<u8>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let publisher = Self {
            url: format!("http://{}/schedule/{TERM}.csv", listener.local_addr().unwrap()),
            behaviour: Arc::new(Mutex::new(Behaviour::Serve(Arc::new(body)))),
            served: Arc::default(),
            refused: Arc::default(),
            user_agent: Arc::default(),
        };
        let this = publisher.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(this.clone().answer(stream));
            }
        });
        publisher
    }

    fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().unwrap() = behaviour;
    }

    async fn answer(self, mut stream: TcpStream) {
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        if let Some(agent) =
            head.lines().find_map(|l| l.strip_prefix("user-agent: ").or(l.strip_prefix("User-Agent: ")))
        {
            *self.user_agent.lock().unwrap() = agent.to_owned();
        }
        let behaviour = self.behaviour.lock().unwrap().clone();
        match behaviour {
            Behaviour::Serve(body) => {
                let header = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                if stream.write_all(header.as_bytes()).await.is_ok() && stream.write_all(&body).await.is_ok() {
                    let _ = stream.shutdown().await;
                    self.served.fetch_add(1, Ordering::SeqCst);
                }
            }
            Behaviour::Unavailable => {
                self.refused.fetch_add(1, Ordering::SeqCst);
                let response = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nContent-Length: 0\r\n\
                                Connection: close\r\n\r\n";
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            }
            Behaviour::Drop => {
                self.refused.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
            Behaviour::Hang => {
                self.refused.fetch_add(1, Ordering::SeqCst);
                std::future::pending::<()>().await;
                drop(stream);
            }
        }
    }
}

/// Polls `check` until it holds; panics with `what` after a generous deadline.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..600 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}

/// Waits until the publisher has refused `count` more requests than `before`. A refresh tries a
/// download at most four times, so five refusals in a row mean at least one whole refresh failed.
async fn refused_more(publisher: &Publisher, before: usize, count: usize) {
    eventually("the publisher refused a whole refresh", || async {
        publisher.refused.load(Ordering::SeqCst) >= before + count
    })
    .await;
}

fn original_csv() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/catalogs/uiuc/2025-wi.csv")).unwrap()
}

/// The catalog without ADV 150 (its one section, CRN 10104, is the file's first row).
fn without_adv_150(original: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(original.to_vec()).unwrap();
    let kept: Vec<&str> =
        text.split_inclusive('\n').filter(|line| !line.starts_with("2025,Winter,2025-wi,ADV,150,")).collect();
    assert_eq!(kept.len() + 1, text.split_inclusive('\n').count(), "exactly one row removed");
    kept.concat().into_bytes()
}

/// The catalog with every row cut short: each is malformed, far past the importer's threshold.
fn mangled(original: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(original.to_vec()).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for line in lines {
        out.push_str(&line.split(',').take(5).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    let error = Format::UiucCsv.importer().parse(out.as_bytes()).expect_err("mangled rows are refused");
    assert!(matches!(error, pretzel_backend::import::ImportError::TooManyBad { .. }), "{error}");
    out.into_bytes()
}

fn section_count(csv: &[u8]) -> u32 {
    u32::try_from(Format::UiucCsv.importer().parse(csv).unwrap().section_count()).unwrap()
}

fn source(publisher: &Publisher) -> CatalogSource {
    CatalogSource {
        university: "UIUC".into(),
        term: TERM.into(),
        format: Format::UiucCsv,
        urls: vec![publisher.url.clone()],
        every_minutes: None,
        every_secs: Some(1),
    }
}

async fn uiuc(server: &TestServer) -> University {
    let all: Vec<University> =
        server.http.get(server.url("/api/v1/universities")).send().await.unwrap().json().await.unwrap();
    all.into_iter().find(|u| u.short_name == "UIUC").unwrap()
}

async fn term(server: &TestServer, university: &University) -> Option<Term> {
    let path = format!("/api/v1/universities/{}/terms", university.id);
    let terms: Vec<Term> = server.http.get(server.url(&path)).send().await.unwrap().json().await.unwrap();
    terms.into_iter().find(|t| t.code == TERM)
}

/// Sections of `course` the term's search finds, as (section id, registration id).
async fn search(server: &TestServer, term: &Term, course: &str) -> Vec<(SectionId, String)> {
    let query = course.replace(' ', "%20");
    let path = format!("/api/v1/terms/{}/search?q={query}&limit=100", term.id);
    let response = server.http.get(server.url(&path)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let found: SearchResponse = response.json().await.unwrap();
    found
        .results
        .into_iter()
        .filter(|hit| hit.course_code == course)
        .map(|hit| (hit.section_id, hit.registration_id))
        .collect()
}

/// The student's plan as (section id, flagged as removed) pairs.
async fn plan(server: &TestServer, term: &Term, token: &str) -> Vec<(SectionId, bool)> {
    let path = format!("/api/v1/terms/{}/timetables", term.id);
    let response = server.get_authed(&path, token).await;
    assert_eq!(response.status(), 200);
    let plans: TermTimetables = response.json().await.unwrap();
    let primary = plans.timetables.into_iter().find(|t| t.primary).unwrap();
    primary.sections.iter().map(|s| (s.section_id, s.removed_at.is_some())).collect()
}

async fn catalog_refresh_follows_the_publisher(engine: Engine) {
    let original = original_csv();
    let reduced = without_adv_150(&original);
    let (full, fewer) = (section_count(&original), section_count(&reduced));
    assert_eq!(fewer + 1, full);
    let publisher = Publisher::start(original.clone()).await;
    let storage = Storage::new(engine).await;
    let config = pretzel_backend::config::Config { catalog_sources: vec![source(&publisher)], ..storage.config() };
    let server = TestServer::start(config).await;
    let university = uiuc(&server).await;

    // The first tick imports the term.
    eventually("the term is imported", || async {
        term(&server, &university).await.is_some_and(|t| t.section_count == full)
    })
    .await;
    let stored = term(&server, &university).await.unwrap();
    assert!(publisher.user_agent.lock().unwrap().starts_with("Pretzel-catalog-importer/"));
    let adv_150 = search(&server, &stored, "ADV 150").await;
    assert_eq!(adv_150.iter().map(|(_, crn)| crn.as_str()).collect::<Vec<_>>(), ["10104"]);
    let dropped = adv_150[0].0;
    let kept = search(&server, &stored, "ADV 175").await[0].0;

    // A student plans both sections.
    let signup = SignupRequest {
        email: fresh_email("refresh"),
        password: GOOD_PASSWORD.into(),
        display_name: "Refresh Student".into(),
        university_id: university.id,
    };
    let response = server.post_json("/api/v1/auth/signup", &serde_json::to_value(&signup).unwrap()).await;
    assert_eq!(response.status(), 201);
    let token = response.json::<TokenResponse>().await.unwrap().access_token;
    let plans: TermTimetables =
        server.get_authed(&format!("/api/v1/terms/{}/timetables", stored.id), &token).await.json().await.unwrap();
    let plan_id = plans.timetables[0].id;
    let response = server
        .http
        .post(server.url(&format!("/api/v1/timetables/{plan_id}/sections")))
        .bearer_auth(&token)
        .json(&json!({"section_ids": [kept, dropped], "confirm_conflicts": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());

    // The publisher drops ADV 150: the next tick marks it removed and flags the plan's entry.
    publisher.set(Behaviour::Serve(Arc::new(reduced)));
    eventually("ADV 150 is marked removed", || async {
        search(&server, &stored, "ADV 150").await.is_empty()
            && term(&server, &university).await.is_some_and(|t| t.section_count == fewer)
    })
    .await;
    let mut flagged = plan(&server, &stored, &token).await;
    flagged.sort();
    let mut expected = vec![(kept, false), (dropped, true)];
    expected.sort();
    assert_eq!(flagged, expected);

    // Failing downloads and unusable documents leave the catalog as it was, and the server serving.
    let failures: [(Behaviour, usize); 5] = [
        (Behaviour::Unavailable, 5),
        (Behaviour::Drop, 5),
        (Behaviour::Serve(Arc::new(b"<html>Scheduled maintenance</html>".to_vec())), 2),
        (Behaviour::Serve(Arc::new(mangled(&original))), 2),
        // The header alone: a well-formed catalog of nothing, which would mark the whole term removed.
        (Behaviour::Serve(Arc::new(original.split_inclusive(|b| *b == b'\n').next().unwrap().to_vec())), 2),
    ];
    for (behaviour, ticks) in failures {
        let refusals = matches!(behaviour, Behaviour::Unavailable | Behaviour::Drop);
        let (refused, served) = (publisher.refused.load(Ordering::SeqCst), publisher.served.load(Ordering::SeqCst));
        publisher.set(behaviour);
        if refusals {
            refused_more(&publisher, refused, ticks).await;
        } else {
            // A body is downloaded once per tick; the second one is surely a whole refresh's.
            eventually("the unusable document was read twice", || async {
                publisher.served.load(Ordering::SeqCst) >= served + ticks
            })
            .await;
        }
        let response = server.http.get(server.url("/readyz")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(term(&server, &university).await.map(|t| t.section_count), Some(fewer));
        assert_eq!(search(&server, &stored, "ADV 175").await.len(), 1, "the catalog is still searchable");
        assert!(search(&server, &stored, "ADV 150").await.is_empty());
    }

    // A good tick restores the section, and the plan's entry is no longer flagged.
    publisher.set(Behaviour::Serve(Arc::new(original)));
    eventually("ADV 150 is back", || async {
        term(&server, &university).await.is_some_and(|t| t.section_count == full)
    })
    .await;
    assert_eq!(search(&server, &stored, "ADV 150").await, adv_150, "the same section, under its old id");
    let mut restored = plan(&server, &stored, &token).await;
    restored.sort();
    let mut expected = vec![(kept, false), (dropped, false)];
    expected.sort();
    assert_eq!(restored, expected);
    server.stop().await;
}

test_both_dbs!(test_catalog_refresh_follows_the_publisher, catalog_refresh_follows_the_publisher);

/// The server stops promptly while a refresh waits on a download that never finishes (the download's
/// own timeout is two minutes, so only cancelling the refresh can stop in time).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_server_stops_promptly_with_a_refresh_in_flight() {
    let publisher = Publisher::start(Vec::new()).await;
    publisher.set(Behaviour::Hang);
    let storage = Storage::new(Engine::Sqlite).await;
    let config = pretzel_backend::config::Config { catalog_sources: vec![source(&publisher)], ..storage.config() };
    let server = TestServer::start(config).await;
    refused_more(&publisher, 0, 1).await;
    tokio::time::timeout(Duration::from_secs(30), server.stop()).await.expect("the server stopped within 30 s");
    assert_eq!(publisher.served.load(Ordering::SeqCst), 0);
}
