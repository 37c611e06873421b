//! The real `pretzel-backend import` binary: the `--dry-run --json` contract, the human summary, and
//! writing imports to a real SQLite data directory with the added/changed/removed report.

use crate::common::{catalog, read};
use crate::loopback::{Loopback, Reply};
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Output;

/// The binary run in an empty folder (so anything it wrote would show), with no config from the
/// environment.
fn import_command(args: &[&str], dir: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_pretzel-backend"));
    command.arg("import").args(args).current_dir(dir).env("PRETZEL_LOG", "info");
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("PRETZEL_") && k != "PRETZEL_LOG") {
        command.env_remove(key);
    }
    command
}

fn path(relative: &str) -> String {
    catalog(relative).to_str().expect("utf-8 path").to_owned()
}

fn stdout_json(output: &Output) -> Value {
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout.clone()).expect("utf-8 stdout");
    // Exactly one JSON object: one line, and nothing else around it.
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    serde_json::from_str(&stdout).expect("stdout is one JSON object")
}

fn keys(value: &Value) -> BTreeSet<&str> {
    value.as_object().expect("an object").keys().map(String::as_str).collect()
}

/// Checks every record and meeting against the contract's keys and value shapes.
fn assert_contract(report: &Value) {
    assert_eq!(keys(report), BTreeSet::from(["courses", "sections", "meetings", "skipped", "records"]));
    let record_keys = BTreeSet::from([
        "registration_id",
        "course_code",
        "title",
        "section",
        "kind",
        "instructors",
        "credits",
        "meetings",
    ]);
    let day_names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let is_hh_mm = |v: &Value| {
        v.is_null()
            || v.as_str()
                .is_some_and(|s| s.len() == 5 && s.as_bytes()[2] == b':' && s[..2].parse::<u8>().is_ok_and(|h| h < 24))
    };
    let records = report["records"].as_array().expect("records");
    assert_eq!(records.len() as u64, report["sections"].as_u64().expect("sections"));
    let mut meetings = 0;
    for record in records {
        assert_eq!(keys(record), record_keys, "{record}");
        assert!(record["registration_id"].as_str().is_some_and(|s| !s.is_empty()), "{record}");
        assert!(record["instructors"].as_array().is_some_and(|a| a.iter().all(Value::is_string)), "{record}");
        for meeting in record["meetings"].as_array().expect("meetings") {
            meetings += 1;
            assert_eq!(keys(meeting), BTreeSet::from(["days", "start", "end", "location"]), "{meeting}");
            let days = meeting["days"].as_array().expect("days");
            assert!(days.iter().all(|d| d.as_str().is_some_and(|d| day_names.contains(&d))), "{meeting}");
            assert!(is_hh_mm(&meeting["start"]) && is_hh_mm(&meeting["end"]), "{meeting}");
            assert_eq!(meeting["start"].is_null(), meeting["end"].is_null(), "{meeting}");
        }
    }
    assert_eq!(meetings, report["meetings"].as_u64().expect("meetings"));
}

fn record<'a>(report: &'a Value, registration_id: &str) -> &'a Value {
    report["records"]
        .as_array()
        .and_then(|records| records.iter().find(|r| r["registration_id"] == registration_id))
        .unwrap_or_else(|| panic!("no record {registration_id}"))
}

#[test]
fn test_cli_dry_run_json_on_the_umd_sample() {
    let dir = tempfile::tempdir().expect("tempdir");
    let args = ["--format", "umdio-json", "--university", "Nowhere U", "--term", "201905", "--dry-run", "--json"];
    let output = import_command(&args, dir.path()).arg(path("umd/201905.json")).output().expect("runs");
    let report = stdout_json(&output);
    assert_contract(&report);
    assert_eq!(
        (&report["courses"], &report["sections"], &report["meetings"]),
        (&1203.into(), &1793.into(), &2022.into())
    );
    assert_eq!(report["skipped"], serde_json::json!([]));
    assert_eq!(
        record(&report, "AASP100-0201"),
        &serde_json::json!({
            "registration_id": "AASP100-0201",
            "course_code": "AASP100",
            "title": "Introduction to African American Studies",
            "section": "0201",
            "kind": "lecture",
            "instructors": ["Jason Nichols"],
            "credits": "3",
            "meetings": [{"days": ["Tue", "Wed", "Thu"], "start": "10:00", "end": "12:15", "location": "TYD 1132"}]
        })
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("parsed"), "logs go to stderr");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0, "a dry run writes nothing");
}

#[test]
fn test_cli_dry_run_json_on_the_uiuc_and_banner_samples() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |format: &str, file: &str| {
        let args = ["--format", format, "--university", "X", "--term", "T", "--dry-run", "--json"];
        stdout_json(&import_command(&args, dir.path()).arg(path(file)).output().expect("runs"))
    };
    let uiuc = run("uiuc-csv", "uiuc/2025-su.csv");
    assert_contract(&uiuc);
    assert_eq!((&uiuc["courses"], &uiuc["sections"], &uiuc["meetings"]), (&1047.into(), &1638.into(), &1684.into()));
    assert_eq!(
        record(&uiuc, "33933"),
        &serde_json::json!({
            "registration_id": "33933",
            "course_code": "AFST 231",
            "title": "Elementary Swahili I",
            "section": "C1",
            "kind": "lecture",
            "instructors": ["Martins, M", "Muga, M", "Saadah, E"],
            "credits": "5",
            "meetings": [
                {
                    "days": ["Mon", "Tue", "Wed", "Thu", "Fri"],
                    "start": "09:00",
                    "end": "10:50",
                    "location": "G52 Literatures, Cultures, & Ling"
                },
                {
                    "days": ["Mon", "Tue", "Wed", "Thu", "Fri"],
                    "start": "12:00",
                    "end": "13:50",
                    "location": "G52 Literatures, Cultures, & Ling"
                }
            ]
        })
    );
    assert_eq!(record(&uiuc, "10141")["section"], Value::Null);
    let cs = run("banner8-html", "purdue/202130.CS.bwckschd.p_get_crse_unsec.html");
    assert_contract(&cs);
    assert_eq!((&cs["courses"], &cs["sections"], &cs["meetings"]), (&27.into(), &287.into(), &287.into()));
    assert_eq!(
        record(&cs, "28820"),
        &serde_json::json!({
            "registration_id": "28820",
            "course_code": "CS 15900",
            "title": "C Programming",
            "section": "LE1",
            "kind": "lecture",
            "instructors": ["William N Crum", "Xiaojin Liu"],
            "credits": "3",
            "meetings": [{
                "days": ["Mon", "Tue", "Wed", "Thu"],
                "start": "09:50",
                "end": "10:40",
                "location": "Wilmeth Active Learning Center 1018"
            }]
        })
    );
    let empty = run("banner8-html", "purdue/empty_bwckschd.p_get_crse_unsec.html");
    assert_eq!(empty, serde_json::json!({"courses": 0, "sections": 0, "meetings": 0, "skipped": [], "records": []}));
}

#[test]
fn test_cli_json_lists_skipped_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from_utf8(read("uiuc/2025-wi.csv")).expect("utf-8");
    text.push_str("2025,Winter,2025-wi,ADV,999,Cut off here\n");
    let file = dir.path().join("cut.csv");
    std::fs::write(&file, text).expect("write");
    let args = ["--format", "uiuc-csv", "--university", "UIUC", "--term", "2025-wi", "--dry-run", "--json"];
    let output = import_command(&args, dir.path()).arg(&file).output().expect("runs");
    let report = stdout_json(&output);
    assert_eq!(
        report["skipped"],
        serde_json::json!([{"location": "line 68", "reason": "expected 27 fields, found 6"}])
    );
    assert_eq!(report["sections"], 66);
}

#[test]
fn test_cli_human_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = path("uiuc/2025-wi.csv");
    let args = ["--format", "uiuc-csv", "--university", "UIUC", "--term", "2025-wi", "--dry-run"];
    let output = import_command(&args, dir.path()).arg(&file).output().expect("runs");
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(
        stdout,
        format!(
            "{file} (uiuc-csv): 64 courses, 66 sections, 66 meetings (0 with times), 0 skipped\n\
             dry run: nothing was written\n"
        )
    );
}

/// `text` with `from` replaced by `to`, which must occur exactly once (so the edit is the one meant).
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from} must occur exactly once");
    text.replacen(from, to, 1)
}

/// The binary writing to a SQLite database in `data`.
fn write_command(args: &[&str], dir: &std::path::Path, data: &std::path::Path) -> std::process::Command {
    let mut command = import_command(args, dir);
    command.env("PRETZEL_DATA_DIR", data);
    command
}

fn report_of(output: &Output) -> Value {
    let json = stdout_json(output);
    assert_eq!(
        keys(&json),
        BTreeSet::from(["courses", "sections", "meetings", "skipped", "records", "report"]),
        "the dry-run object plus the report"
    );
    json["report"].clone()
}

fn changes(courses: [u64; 3], sections: [u64; 3]) -> Value {
    let counts = |[added, changed, removed]: [u64; 3]| serde_json::json!({"added": added, "changed": changed, "removed": removed});
    serde_json::json!({"courses": counts(courses), "sections": counts(sections)})
}

#[test]
fn test_cli_writes_an_import_and_reports_what_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let args = ["--format", "umdio-json", "--university", "UMD", "--term", "201912", "--json"];
    let run = |file: &str| write_command(&args, dir.path(), &data).arg(file).output().expect("runs");

    let first = run(&path("umd/201912.json"));
    let json = stdout_json(&first);
    assert_eq!((&json["courses"], &json["sections"]), (&476.into(), &587.into()));
    assert_eq!(report_of(&first), changes([476, 0, 0], [587, 0, 0]));
    assert!(data.join("pretzel.sqlite3").is_file(), "the configured data dir holds the database");

    assert_eq!(report_of(&run(&path("umd/201912.json"))), changes([0, 0, 0], [0, 0, 0]), "idempotent");

    // One section renamed (removed + added), one course retitled, one section's seats changed.
    let mut text = String::from_utf8(read("umd/201912.json")).expect("utf-8");
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
    let modified = dir.path().join("201912-modified.json");
    std::fs::write(&modified, text).expect("write");
    let output = run(modified.to_str().expect("utf-8 path"));
    assert_eq!(report_of(&output), changes([0, 1, 0], [1, 1, 1]));

    // The human summary names what changed; the original file brings the removed section back.
    let args = ["--format", "umdio-json", "--university", "umd", "--term", "201912"];
    let output = write_command(&args, dir.path(), &data).arg(path("umd/201912.json")).output().expect("runs");
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(
        stdout,
        format!(
            "{} (umdio-json): 476 courses, 587 sections, 630 meetings (131 with times), 0 skipped\n\
             wrote UMD 201912 (Winter 2019–20): courses 0 added, 1 changed, 0 removed; \
             sections 1 added, 1 changed, 1 removed\n  \
             courses changed: BMGT898\n  \
             sections added: BMGT828-0101\n  \
             sections changed: BMGT898-0101\n  \
             sections removed: BMGT828-0199\n",
            path("umd/201912.json")
        )
    );
}

#[test]
fn test_cli_joins_a_terms_pages_into_one_import() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let args = ["--format", "banner8-html", "--university", "purdue", "--term", "202130", "--json"];
    let cs = path("purdue/202130.CS.bwckschd.p_get_crse_unsec.html");
    let com = path("purdue/202130.COM.bwckschd.p_get_crse_unsec.html");
    let output = write_command(&args, dir.path(), &data).args([&cs, &com]).output().expect("runs");
    let json = stdout_json(&output);
    assert_eq!(json["sections"], 287 + 159);
    let report = report_of(&output);
    assert_eq!(report["sections"], serde_json::json!({"added": 446, "changed": 0, "removed": 0}));

    // One page alone is the whole term as far as the import knows: the other subject is removed.
    let output = write_command(&args, dir.path(), &data).arg(&cs).output().expect("runs");
    assert_eq!(report_of(&output)["sections"], serde_json::json!({"added": 0, "changed": 0, "removed": 159}));
}

#[test]
fn test_cli_takes_a_university_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let args = ["--format", "uiuc-csv", "--university", "1", "--term", "2025-wi"];
    let output = write_command(&args, dir.path(), &data).arg(path("uiuc/2025-wi.csv")).output().expect("runs");
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert!(
        stdout.contains("wrote UIUC 2025-wi (Winter 2025): courses 64 added, 0 changed, 0 removed; sections 66 added"),
        "{stdout}"
    );
}

#[test]
fn test_cli_refuses_an_unknown_university() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    for university in ["MIT", "999"] {
        let args = ["--format", "uiuc-csv", "--university", university, "--term", "2025-wi", "--json"];
        let output = write_command(&args, dir.path(), &data).arg(path("uiuc/2025-wi.csv")).output().expect("runs");
        assert!(!output.status.success());
        assert!(output.stdout.is_empty(), "nothing on stdout");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&format!("unknown university \"{university}\"")), "{stderr}");
        assert!(stderr.contains("Purdue (3), UIUC (1), UMD (2)"), "names the known ones: {stderr}");
    }
}

#[test]
fn test_cli_reports_a_source_that_cannot_be_imported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let args = ["--format", "banner8-html", "--university", "Purdue", "--term", "202210", "--dry-run", "--json"];
    let output =
        import_command(&args, dir.path()).arg(path("purdue/bwckschd.p_disp_dyn_sched.html")).output().expect("runs");
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a Banner Class Schedule Listing"));
    let output = import_command(&args, dir.path()).arg("no-such-file.html").output().expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-file.html"));
}

#[tokio::test]
async fn test_cli_imports_from_a_url() {
    let server = Loopback::start(|path, nth| match (path, nth) {
        ("/201912.json", 1) => Reply::Status(503),
        ("/201912.json", _) => Reply::Body(read("umd/201912.json")),
        _ => Reply::Status(404),
    })
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let args = ["--format", "umdio-json", "--university", "UMD", "--term", "201912", "--dry-run", "--json"];
    let mut command = tokio::process::Command::from(import_command(&args, dir.path()));
    command.arg(server.url("/201912.json")).env("PRETZEL_IMPORT_CONTACT", "mailto:ops@pretzel.example");
    let output = command.output().await.expect("runs");
    let report = stdout_json(&output);
    assert_contract(&report);
    assert_eq!((&report["courses"], &report["sections"], &report["meetings"]), (&476.into(), &587.into(), &630.into()));
    assert_eq!(server.hits("/201912.json"), 2, "retried once after the 503");
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        server
            .user_agents()
            .iter()
            .all(|ua| *ua == format!("Pretzel-catalog-importer/{version} (+mailto:ops@pretzel.example)"))
    );
}
