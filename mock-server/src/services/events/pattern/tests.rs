//! Runs the fixture table and checks the index against brute-force evaluation.

use serde_json::{json, Value};

use super::fixtures::{fixtures, Expect};
use super::parser::{to_micros, NumberError};
use super::{EventPattern, PatternIndex};

fn event(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture event is valid JSON")
}

#[test]
fn fixture_table() {
    let mut failures = Vec::new();
    let table = fixtures();
    for (row, fixture) in table.iter().enumerate() {
        let parsed = EventPattern::parse(&fixture.pattern);
        let outcome = match (&fixture.expect, parsed) {
            (Expect::Invalid(reason), Err(err)) => {
                if err
                    .message
                    .starts_with("Event pattern is not valid. Reason: ")
                    && err.message.contains(reason.as_str())
                {
                    None
                } else {
                    Some(format!("wrong error: {}", err.message))
                }
            }
            (Expect::Invalid(_), Ok(_)) => Some("accepted an invalid pattern".to_owned()),
            (_, Err(err)) => Some(format!("rejected: {}", err.message)),
            (expect, Ok(pattern)) => {
                let want = matches!(expect, Expect::Match);
                let got = pattern.matches(&event(&fixture.event));
                (got != want).then(|| format!("expected match={want}, got {got}"))
            }
        };
        if let Some(problem) = outcome {
            failures.push(format!(
                "row {row}: {problem}\n  pattern: {}\n  event:   {}",
                fixture.pattern, fixture.event
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

#[test]
fn fixture_table_is_large_enough() {
    let n = fixtures().len();
    assert!(n >= 150, "only {n} fixtures");
}

#[test]
fn micros_conversion_is_exact() {
    assert_eq!(to_micros("0.1"), Ok(100_000));
    assert_eq!(to_micros("3.018e2"), Ok(301_800_000));
    assert_eq!(to_micros("-1.5"), Ok(-1_500_000));
    assert_eq!(to_micros("1.500000000"), Ok(1_500_000));
    assert_eq!(to_micros("0e99999"), Ok(0));
    assert_eq!(to_micros("5000000000"), Ok(5_000_000_000_000_000));
    assert_eq!(to_micros("5000000000.000001"), Err(NumberError::OutOfRange));
    assert_eq!(to_micros("1e-7"), Err(NumberError::TooPrecise));
    assert_eq!(to_micros("1e400"), Err(NumberError::OutOfRange));
    assert_eq!(to_micros("abc"), Err(NumberError::Malformed));
    assert_eq!(to_micros(""), Err(NumberError::Malformed));
}

#[test]
fn hostile_inputs_do_not_panic() {
    let patterns = [
        "",
        "\u{0}",
        "{\"a\":[{\"wildcard\":\"\\\\\"}]}",
        "{\"a\":[{\"numeric\":[\">\",1e308]}]}",
        "{\"a\":[{\"numeric\":[\">\",-1e-308]}]}",
        "{\"a\":[{\"cidr\":\"/\"}]}",
        "{\"a\":[{\"cidr\":\"::/99999999999999999999\"}]}",
        "{\"a\":[{\"wildcard\":\"\u{e9}*\u{e9}\"}]}",
    ];
    for p in patterns {
        let _ = EventPattern::parse(p).map(|pat| pat.matches(&json!({"a": "\u{e9}x\u{e9}"})));
    }
    let pattern = EventPattern::parse(r#"{"a":[{"numeric":[">",0]},{"wildcard":"*"}]}"#)
        .expect("valid pattern");
    for ev in [
        json!(null),
        json!([]),
        json!("x"),
        json!({"a": [[[[]]]]}),
        json!({"a": 1e300}),
    ] {
        let _ = pattern.matches(&ev);
    }
}

fn rule(i: usize) -> String {
    match i % 8 {
        // Exact leaves below the root: filed under their values within their bucket.
        5 => format!(
            r#"{{"source":["aws.codepipeline"],"detail":{{"pipeline":["p{}"],"state":["FAILED"]}}}}"#,
            i % 10
        ),
        6 => format!(r#"{{"detail":{{"n":[{{"numeric":["=",{}]}}]}}}}"#, i % 20),
        7 => format!(
            r#"{{"source":["aws.codepipeline"],"detail-type":["type-{}"],"detail":{{"tags":{{"team":["t{}","x"]}}}}}}"#,
            i % 7,
            i % 4
        ),
        0 => format!(r#"{{"source":["app.{i}"]}}"#),
        1 => format!(
            r#"{{"source":["aws.codepipeline"],"detail-type":["type-{}"]}}"#,
            i % 7
        ),
        2 => format!(
            r#"{{"detail-type":["type-{}"],"detail":{{"n":[{{"numeric":[">",{i}]}}]}}}}"#,
            i % 7
        ),
        3 => format!(r#"{{"source":[{{"prefix":"app."}}],"detail":{{"n":[{i}]}}}}"#),
        _ => format!(
            r#"{{"$or":[{{"source":["app.{i}"]}},{{"detail":{{"n":[{{"numeric":["<",{i}]}}]}}}}]}}"#
        ),
    }
}

fn sample_events() -> Vec<Value> {
    let mut events = Vec::new();
    for i in 0..60 {
        events.push(json!({
            "source": if i % 3 == 0 { "aws.codepipeline".to_owned() } else { format!("app.{i}") },
            "detail-type": format!("type-{}", i % 7),
            "detail": {"n": i * 3}
        }));
    }
    events
        .push(json!({"source": ["app.10", "app.20"], "detail-type": "type-1", "detail": {"n": 0}}));
    events.push(json!({"detail": {}}));
    for i in 0..24 {
        events.push(json!({
            "source": "aws.codepipeline",
            "detail-type": format!("type-{}", i % 7),
            "detail": {
                "pipeline": format!("p{}", i % 10),
                "state": if i % 2 == 0 { "FAILED" } else { "SUCCEEDED" },
                "n": if i % 3 == 0 { json!(i as f64) } else { json!(i) },
                "tags": if i % 2 == 0 { json!({"team": format!("t{}", i % 4)}) } else { json!([{"team": "x"}, {"team": ["t1"]}]) }
            }
        }));
    }
    // Leaves reached through arrays of objects, and a number where a string is required.
    events.push(
        json!({"source": "aws.codepipeline", "detail": [{"pipeline": "p3", "state": ["FAILED"]}]}),
    );
    events.push(json!({"detail": [{"n": 4}, {"n": 12.0}]}));
    events
        .push(json!({"source": "aws.codepipeline", "detail": {"pipeline": 3, "state": "FAILED"}}));
    events
}

#[test]
fn index_agrees_with_brute_force() {
    let mut index = PatternIndex::new();
    let mut patterns = Vec::new();
    for i in 0..300 {
        let pattern = EventPattern::parse(&rule(i)).expect("generated rule is valid");
        index.insert(i, pattern.clone());
        patterns.push((i, pattern));
    }
    assert_eq!(index.len(), 300);
    let mut leaf_indexed_hits = [0; 3];
    for ev in sample_events() {
        let expected: Vec<usize> = patterns
            .iter()
            .filter(|(_, p)| p.matches(&ev))
            .map(|(k, _)| *k)
            .collect();
        let got = index.matching(&ev);
        assert_eq!(got, expected, "event {ev}");
        for k in got.iter().filter(|k| *k % 8 >= 5) {
            leaf_indexed_hits[k % 8 - 5] += 1;
        }
    }
    // Each kind of pattern filed under an inner leaf was found somewhere.
    assert!(
        leaf_indexed_hits.iter().all(|n| *n > 0),
        "{leaf_indexed_hits:?}"
    );
}

#[test]
fn index_prunes_by_source_and_detail_type() {
    let mut index = PatternIndex::new();
    index.insert(
        "a",
        EventPattern::parse(r#"{"source":["aws.codepipeline"]}"#).expect("valid"),
    );
    index.insert(
        "b",
        EventPattern::parse(r#"{"source":["aws.codebuild"],"detail-type":["Build State Change"]}"#)
            .expect("valid"),
    );
    index.insert(
        "c",
        EventPattern::parse(r#"{"detail-type":["Build State Change"]}"#).expect("valid"),
    );
    index.insert(
        "d",
        EventPattern::parse(r#"{"account":["1"]}"#).expect("valid"),
    );
    index.insert(
        "e",
        EventPattern::parse(r#"{"detail":{"n":[{"numeric":["=",7]}]}}"#).expect("valid"),
    );
    assert_eq!(index.by_source.len(), 1);
    assert_eq!(index.by_source_and_type.len(), 1);
    assert_eq!(index.by_type.len(), 1);
    assert_eq!(index.fallback.len(), 2);
    let ev =
        json!({"source": "aws.codebuild", "detail-type": "Build State Change", "account": "1"});
    assert_eq!(index.matching(&ev), vec!["b", "c", "d"]);
    // A numeric equality is looked up by value: 7.0 meets 7.
    let ev = json!({"source": "x", "detail": {"n": 7.0}});
    assert_eq!(index.matching(&ev), vec!["e"]);
    let ev = json!({"source": "aws.codepipeline", "detail-type": "x"});
    assert_eq!(index.matching(&ev), vec!["a"]);
}

#[test]
fn index_remove_and_replace() {
    let mut index = PatternIndex::new();
    let ev = json!({"source": "s", "detail-type": "t"});
    index.insert(
        1,
        EventPattern::parse(r#"{"source":["s"]}"#).expect("valid"),
    );
    index.insert(
        2,
        EventPattern::parse(r#"{"source":["s"],"detail-type":["t"]}"#).expect("valid"),
    );
    index.insert(
        3,
        EventPattern::parse(r#"{"detail-type":["t"]}"#).expect("valid"),
    );
    index.insert(
        4,
        EventPattern::parse(r#"{"region":[{"exists":false}]}"#).expect("valid"),
    );
    assert_eq!(index.matching(&ev), vec![1, 2, 3, 4]);
    index.remove(&2);
    index.remove(&4);
    index.remove(&99);
    assert_eq!(index.len(), 2);
    assert_eq!(index.matching(&ev), vec![1, 3]);
    // Re-inserting a key replaces its pattern and moves it to the right bucket.
    index.insert(
        1,
        EventPattern::parse(r#"{"source":["other"]}"#).expect("valid"),
    );
    assert_eq!(index.matching(&ev), vec![3]);
    assert_eq!(index.len(), 2);
    index.remove(&1);
    index.remove(&3);
    assert!(index.is_empty());
    assert!(index.by_source.is_empty());
    assert!(index.by_source_and_type.is_empty());
    assert!(index.by_type.is_empty());
    assert!(index.fallback.is_empty());
}

#[test]
fn index_with_many_rules_on_one_source() {
    let mut index = PatternIndex::new();
    for i in 0..1000 {
        let state = if i % 2 == 0 { "FAILED" } else { "SUCCEEDED" };
        let pattern = format!(
            r#"{{"source":["aws.codepipeline"],"detail-type":["CodePipeline Pipeline Execution State Change"],"detail":{{"state":["{state}"],"pipeline":["p{}"]}}}}"#,
            i % 10
        );
        index.insert(i, EventPattern::parse(&pattern).expect("valid"));
    }
    let ev = json!({
        "source": "aws.codepipeline",
        "detail-type": "CodePipeline Pipeline Execution State Change",
        "detail": {"state": "FAILED", "pipeline": "p4"}
    });
    let hits = index.matching(&ev);
    assert_eq!(hits.len(), 100);
    assert!(hits.iter().all(|i| i % 10 == 4));
    assert!(hits.windows(2).all(|w| w[0] < w[1]));
}
