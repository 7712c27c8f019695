//! The architecture rule that services talk to each other only through ports: no module under
//! `mock-server/src/services/<svc>/` may import another service's `state` module or reach into
//! another service's field of the partition `World` (`world.sqs` inside `services/events/`).
//! The check reads the source files, so it runs with `make test` like any other test.

use regex::Regex;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Known violations, as (file under `services/`, pattern): none since the engine rework moved
/// EventBridge delivery onto the SQS and Logs ports. Never add one: send the other service a
/// command through its `ports.rs` instead (the test also fails while a stale entry remains).
const ALLOWED_TODAY: &[(&str, &str)] = &[];

/// One place where a service uses another service's internals.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Finding {
    /// The normalised pattern: `<other>::state` or `world.<other>`.
    pattern: String,
    line: usize,
}

/// The source with comments, string and char literals blanked out (newlines kept, so line numbers
/// stay right): a doc comment or a URL that mentions `world.sqs` is not a violation.
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    // Blanks chars[from..to], keeping newlines.
    let blank = |out: &mut String, from: usize, to: usize| {
        for c in &chars[from..to.min(chars.len())] {
            out.push(if *c == '\n' { '\n' } else { ' ' });
        }
    };
    let starts_identifier =
        |i: usize| i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            let end = (i..chars.len())
                .find(|&j| chars[j] == '\n')
                .unwrap_or(chars.len());
            blank(&mut out, i, end);
            i = end;
        } else if c == '/' && next == Some('*') {
            let end = (i + 2..chars.len())
                .find(|&j| chars[j - 1] == '*' && chars[j] == '/')
                .map_or(chars.len(), |j| j + 1);
            blank(&mut out, i, end);
            i = end;
        } else if c == 'r'
            && (starts_identifier(i) || (chars[i - 1] == 'b' && starts_identifier(i - 1)))
            && matches!(next, Some('#') | Some('"'))
        {
            // A raw string r"..." or r#"..."#: it ends at a quote followed by as many hashes.
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let body = i + 2 + hashes;
            let end = (body..chars.len())
                .find(|&j| {
                    chars[j] == '"'
                        && chars[j + 1..]
                            .iter()
                            .take(hashes)
                            .filter(|c| **c == '#')
                            .count()
                            == hashes
                })
                .map_or(chars.len(), |j| j + 1 + hashes);
            blank(&mut out, i, end);
            i = end;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if c == '\'' && next == Some('\\') {
            // An escaped char literal ('\'', '\\', '\u{..}'): its closing quote comes after the escape.
            let end = (i + 3..chars.len())
                .find(|&j| chars[j] == '\'')
                .map_or(chars.len(), |j| j + 1);
            blank(&mut out, i, end);
            i = end;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            // A plain char literal ('"'); a lifetime ('a) has no closing quote and stays.
            blank(&mut out, i, i + 3);
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The violations in one file of service `own`, given every service's name. Paths and field
/// accesses may be split over lines (`world\n    .sqs`), as rustfmt writes long chains.
fn scan(own: &str, services: &[String], source: &str) -> Vec<Finding> {
    let others: Vec<&str> = services
        .iter()
        .map(String::as_str)
        .filter(|s| *s != own)
        .collect();
    if others.is_empty() {
        return Vec::new();
    }
    let alternatives = others.join("|");
    // `sqs::state`, `services::sqs::state::Outgoing`, `sqs::{state::Outgoing, ..}`.
    let state_path = Regex::new(&format!(
        r"\b({alternatives})\s*::\s*(?:\{{[^;{{}}]*?\b)?state\b"
    ))
    .expect("state path regex");
    // `world.sqs`, `call.world.sqs`, `world\n.sqs`, and `partition.lock().sqs`.
    let world_field = Regex::new(&format!(
        r"(?:\bworld|\block\(\))\s*\.\s*({alternatives})\b"
    ))
    .expect("world field regex");
    let code = code_only(source);
    let line_of = |offset: usize| code[..offset].matches('\n').count() + 1;
    let mut findings = Vec::new();
    for caps in state_path.captures_iter(&code) {
        findings.push(Finding {
            pattern: format!("{}::state", &caps[1]),
            line: line_of(caps.get(0).map_or(0, |m| m.start())),
        });
    }
    for caps in world_field.captures_iter(&code) {
        findings.push(Finding {
            pattern: format!("world.{}", &caps[1]),
            line: line_of(caps.get(0).map_or(0, |m| m.start())),
        });
    }
    findings.sort();
    findings
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_service_reaches_into_another_services_state() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/services");
    // A service is a folder under services/ (services/mod.rs, the registry, is not one).
    let mut services: Vec<String> = std::fs::read_dir(&root)
        .expect("services/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .collect();
    services.sort();
    assert!(
        services.iter().any(|s| s == "events") && services.iter().any(|s| s == "sqs"),
        "services found: {services:?}"
    );

    let mut violations = Vec::new();
    let mut seen = BTreeSet::new();
    for service in &services {
        let mut files = Vec::new();
        rust_files(&root.join(service), &mut files);
        files.sort();
        for file in files {
            let source = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let relative = file
                .strip_prefix(&root)
                .expect("under services/")
                .to_string_lossy()
                .replace('\\', "/");
            for finding in scan(service, &services, &source) {
                seen.insert((relative.clone(), finding.pattern.clone()));
                if !ALLOWED_TODAY
                    .iter()
                    .any(|(f, p)| *f == relative && *p == finding.pattern)
                {
                    violations.push(format!(
                        "services/{relative}:{}: {} (use the other service's ports)",
                        finding.line, finding.pattern
                    ));
                }
            }
        }
    }
    let stale: Vec<String> = ALLOWED_TODAY
        .iter()
        .filter(|(f, p)| !seen.contains(&((*f).to_owned(), (*p).to_owned())))
        .map(|(f, p)| format!("services/{f}: {p}"))
        .collect();
    assert!(
        violations.is_empty(),
        "a service reaches into another service's state:\n{}",
        violations.join("\n")
    );
    assert!(
        stale.is_empty(),
        "ALLOWED_TODAY in tests/architecture.rs names violations that are gone; delete these entries:\n{}",
        stale.join("\n")
    );
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn the_scanner_catches_imports_and_world_fields_of_other_services() {
    let services = names(&["events", "logs", "sqs"]);
    let source = r#"
use crate::services::sqs::state::Outgoing;
use crate::services::{logs::state as logs_state, events::state::Rule};
use super::super::sqs::{ports::SendMessage, state::Queue};
use super::state::Rule as Own;

fn deliver(world: &mut World, call: &Call) {
    world.sqs.send_from_service();
    let q = &mut call.world.sqs;
    world
        .logs
        .put_from_service();
    partition.lock().sqs.notify();
    world.events.rules.clear();
    let region = &world.region;
}
"#;
    let found: Vec<(String, usize)> = scan("events", &services, source)
        .into_iter()
        .map(|f| (f.pattern, f.line))
        .collect();
    let expected: Vec<(String, usize)> = [
        ("logs::state", 3),
        ("sqs::state", 2),
        ("sqs::state", 4),
        ("world.logs", 10),
        ("world.sqs", 8),
        ("world.sqs", 9),
        ("world.sqs", 13),
    ]
    .into_iter()
    .map(|(p, l)| (p.to_owned(), l))
    .collect();
    assert_eq!(found, expected);
}

#[test]
fn the_scanner_ignores_own_state_comments_and_strings() {
    let services = names(&["events", "sqs"]);
    let source = r#"
//! Delivers to queues; this used to call `world.sqs.send_from_service` and `sqs::state`.
use crate::services::sqs::ports::SendMessage;
use crate::services::events::state::Rule;
/* world.sqs was here */
fn f(world: &mut World) {
    let url = "http://sqs.localhost/world.sqs"; // world.sqs
    world.events.rules.clear();
    let sqs_state = 1;
    let quote = '"';
    let raw = r"world.sqs";
    let slash = '\\';
    let bytes = br"sqs::state";
    let escaped = "a \" world.sqs";
}
fn g<'a>(world: &'a World) -> &'a str { &world.region }
"#;
    assert_eq!(scan("events", &services, source), Vec::new());
}
