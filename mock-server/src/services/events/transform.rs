//! What a target receives: the event itself, a constant `Input`, the part an `InputPath` selects,
//! or an `InputTransformer` output (user guide "Amazon EventBridge input transformation").
//!
//! Quoting follows the guide: a placeholder standing as a whole JSON value is replaced by the
//! value's JSON (strings keep their quotes); inside a JSON string it is replaced by the value's
//! text (a string without quotes, escaped so the string stays valid); in a template that is not
//! JSON at all (plain text) values are inserted as text. `<aws.events.rule-arn>`,
//! `<aws.events.rule-name>`, `<aws.events.event.ingestion-time>`, `<aws.events.event>` and
//! `<aws.events.event.json>` are always available.

use crate::protocol::timestamps::iso8601;
use codemock_wire::events as wire;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the guide reserves: these names cannot be keys of `InputPathsMap`.
const RESERVED_PREFIX: &str = "aws.events.";

/// Most `InputPathsMap` entries a target may have.
const MAX_PATHS: usize = 100;

/// The rule and moment a target is invoked for.
#[derive(Debug, Clone)]
pub struct InvocationContext<'a> {
    pub rule_arn: &'a str,
    pub rule_name: &'a str,
    /// Virtual epoch seconds the event was ingested at (formatted only when a template asks).
    pub ingestion_time: f64,
}

/// Selects a value by a JSON path of the subset EventBridge accepts: `$`, `.name`, `['name']` and
/// `[index]`. `None` when the path is malformed; `Some(None)` when nothing is there.
pub fn select<'v>(value: &'v Value, path: &str) -> Option<Option<&'v Value>> {
    let rest = path.trim().strip_prefix('$')?;
    let mut cur = Some(value);
    let mut chars = rest.char_indices().peekable();
    let bytes = rest;
    while let Some((i, c)) = chars.next() {
        match c {
            '.' => {
                let start = i + 1;
                let mut end = bytes.len();
                while let Some(&(j, c)) = chars.peek() {
                    if c == '.' || c == '[' {
                        end = j;
                        break;
                    }
                    chars.next();
                }
                let name = &bytes[start..end];
                if name.is_empty() {
                    return None;
                }
                cur = cur.and_then(|v| v.get(name));
            }
            '[' => {
                let close = bytes[i..].find(']')? + i;
                let inner = bytes[i + 1..close].trim();
                if let Some(name) = inner
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
                {
                    cur = cur.and_then(|v| v.get(name));
                } else {
                    let idx: usize = inner.parse().ok()?;
                    cur = cur.and_then(|v| v.get(idx));
                }
                while chars.peek().is_some_and(|&(j, _)| j <= close) {
                    chars.next();
                }
            }
            _ => return None,
        }
    }
    Some(cur)
}

/// Why a target's input settings were refused (PutTargets answers `ValidationException`).
#[derive(Debug, Clone, PartialEq)]
pub struct InputError(pub String);

/// Checks a target's input settings as PutTargets does.
pub fn validate_target_input(target: &wire::Target) -> Result<(), InputError> {
    let id = target.id.as_str();
    let given = [
        target.input.is_some(),
        target.input_path.is_some(),
        target.input_transformer.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        // AWS: only one of the three may be set on a target.
        return Err(InputError(format!(
            "Only one of Input, InputPath, or InputTransformer must be provided for target {id}."
        )));
    }
    if let Some(input) = &target.input {
        if serde_json::from_str::<Value>(input).is_err() {
            return Err(InputError(format!(
                "Input for target {id} must be a valid JSON text."
            )));
        }
    }
    if let Some(path) = &target.input_path {
        if select(&Value::Null, path).is_none() {
            return Err(InputError(format!("InputPath for target {id} is invalid.")));
        }
    }
    if let Some(t) = &target.input_transformer {
        validate_transformer(id, t)?;
    }
    Ok(())
}

fn validate_transformer(id: &str, t: &wire::InputTransformer) -> Result<(), InputError> {
    let paths = t.input_paths_map.clone().unwrap_or_default();
    if paths.len() > MAX_PATHS {
        return Err(InputError(format!(
            "InputPathsMap for target {id} has more than {MAX_PATHS} entries."
        )));
    }
    for (key, path) in &paths {
        let key_ok = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
        if !key_ok || key.starts_with(RESERVED_PREFIX) {
            return Err(InputError(format!(
                "InputPathsMap for target {id} contains invalid key {key}."
            )));
        }
        if select(&Value::Null, path).is_none() {
            return Err(InputError(format!(
                "InputPathsMap for target {id} contains invalid path {path}."
            )));
        }
    }
    let template = t.input_template.as_str();
    let pieces = split_template(template)
        .map_err(|m| InputError(format!("InputTemplate for target {id} is invalid: {m}")))?;
    for piece in &pieces {
        if let Piece::Placeholder { name, .. } = piece {
            if !paths.contains_key(name) && !is_builtin(name) {
                // AWS's wording, recorded: LocalStack's AWS-validated
                // test_put_events_with_input_transformer_missing_keys (test_events_inputs).
                return Err(InputError(format!(
                    "InputTemplate for target {id} contains invalid placeholder {name}."
                )));
            }
        }
    }
    // A JSON template must stay JSON whatever the values are: fill it with sample values of the
    // right kind and parse the result, as AWS does when it accepts the target.
    if looks_like_json(template) {
        let sample: String = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Placeholder {
                    in_string: true, ..
                } => "x".into(),
                Piece::Placeholder { .. } => "null".into(),
            })
            .collect();
        if serde_json::from_str::<Value>(&sample).is_err() {
            return Err(InputError(format!(
                "InputTemplate for target {id} is not a valid JSON text."
            )));
        }
    }
    Ok(())
}

fn is_builtin(name: &str) -> bool {
    matches!(
        name,
        "aws.events.rule-arn"
            | "aws.events.rule-name"
            | "aws.events.event.ingestion-time"
            | "aws.events.event"
            | "aws.events.event.json"
    )
}

fn looks_like_json(template: &str) -> bool {
    matches!(template.trim_start().chars().next(), Some('{' | '[' | '"'))
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Placeholder { name: String, in_string: bool },
}

/// Splits a template into text and `<name>` placeholders, noting which sit inside a JSON string.
/// In a plain-text template every placeholder counts as inside a string.
fn split_template(template: &str) -> Result<Vec<Piece>, String> {
    let json = looks_like_json(template);
    let mut out = Vec::new();
    let mut text = String::new();
    let mut in_string = !json;
    let mut escaped = false;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if json && in_string && escaped {
            escaped = false;
            text.push(c);
            continue;
        }
        match c {
            '\\' if json && in_string => {
                escaped = true;
                text.push(c);
            }
            '"' if json => {
                in_string = !in_string;
                text.push(c);
            }
            '<' => {
                let mut name = String::new();
                let mut closed = false;
                let mut lookahead = chars.clone();
                for n in lookahead.by_ref() {
                    if n == '>' {
                        closed = true;
                        break;
                    }
                    name.push(n);
                }
                let is_name = closed
                    && !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
                if is_name {
                    chars = lookahead;
                    out.push(Piece::Text(std::mem::take(&mut text)));
                    out.push(Piece::Placeholder { name, in_string });
                } else {
                    text.push(c);
                }
            }
            _ => text.push(c),
        }
    }
    if json && in_string {
        return Err("unterminated string".into());
    }
    out.push(Piece::Text(text));
    Ok(out)
}

/// The payload a target receives for `event`, whose JSON text is `event_text`: a target without
/// `Input`, `InputPath` or a transformer receives that text itself, shared rather than copied
/// (the delivery log and the SQS message it becomes hold the same text).
pub fn target_input(
    target: &wire::Target,
    event: &Value,
    event_text: &Arc<str>,
    ctx: &InvocationContext<'_>,
) -> Result<Arc<str>, InputError> {
    if let Some(input) = &target.input {
        return Ok(input.as_str().into());
    }
    if let Some(path) = &target.input_path {
        let selected = select(event, path)
            .ok_or_else(|| InputError(format!("InputPath {path} is invalid.")))?;
        return Ok(selected.cloned().unwrap_or(Value::Null).to_string().into());
    }
    if let Some(t) = &target.input_transformer {
        return transform(t, event, ctx).map(Arc::from);
    }
    Ok(event_text.clone())
}

fn transform(
    t: &wire::InputTransformer,
    event: &Value,
    ctx: &InvocationContext<'_>,
) -> Result<String, InputError> {
    let paths = t.input_paths_map.clone().unwrap_or_default();
    let mut values: BTreeMap<String, Option<Value>> = BTreeMap::new();
    for (key, path) in &paths {
        let v = select(event, path)
            .ok_or_else(|| InputError(format!("InputPathsMap path {path} is invalid.")))?;
        values.insert(key.clone(), v.cloned());
    }
    let builtin = |name: &str| -> Option<Value> {
        Some(match name {
            "aws.events.rule-arn" => Value::String(ctx.rule_arn.to_owned()),
            "aws.events.rule-name" => Value::String(ctx.rule_name.to_owned()),
            "aws.events.event.ingestion-time" => Value::String(iso8601(ctx.ingestion_time)),
            "aws.events.event" => envelope_without_detail(event),
            // The whole event, detail included, as a JSON value: unquoted in a JSON template it
            // is an object, inside a string it is the event's JSON text escaped.
            "aws.events.event.json" => event.clone(),
            _ => return None,
        })
    };
    let template = t.input_template.as_str();
    let json = looks_like_json(template);
    let pieces = split_template(template).map_err(InputError)?;
    let mut out = String::with_capacity(template.len() + 64);
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(&text),
            Piece::Placeholder { name, in_string } => {
                let value = match values.get(&name) {
                    Some(v) => v.clone(),
                    None => builtin(&name),
                };
                match (value, in_string) {
                    // Nothing at the path: AWS leaves an empty string inside text, null as a value.
                    (None, true) => {}
                    (None, false) => out.push_str("null"),
                    (Some(Value::String(s)), true) => {
                        if json {
                            out.push_str(&escape_in_string(&s));
                        } else {
                            out.push_str(&s);
                        }
                    }
                    (Some(v), true) => {
                        let text = v.to_string();
                        if json {
                            out.push_str(&escape_in_string(&text));
                        } else {
                            out.push_str(&text);
                        }
                    }
                    (Some(v), false) => out.push_str(&v.to_string()),
                }
            }
        }
    }
    Ok(out)
}

/// `<aws.events.event>`: the envelope without `detail`, with `detail-type` spelled
/// `detailType`. Recorded: LocalStack's AWS-validated
/// test_input_transformer_predefined_variables (test_events_inputs.snapshot.json), where
/// `{"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>}` delivered
/// `originalEvent` as `{id, account, detailType, time, source, region, resources, version}` and
/// `originalEventJson` as the whole event with `detail`. (The recording masks `originalEvent.time`
/// separately, so whether AWS puts the event's time or the ingestion time there is not known;
/// the event's own `time` is used.)
fn envelope_without_detail(event: &Value) -> Value {
    let Some(fields) = event.as_object() else {
        return event.clone();
    };
    let mut out = serde_json::Map::new();
    for (key, value) in fields {
        match key.as_str() {
            "detail" => {}
            "detail-type" => {
                out.insert("detailType".to_owned(), value.clone());
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

/// Text escaped for the inside of a JSON string (the quotes themselves are the template's).
fn escape_in_string(s: &str) -> String {
    let quoted = Value::String(s.to_owned()).to_string();
    quoted[1..quoted.len() - 1].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What `t` receives for `e` (whose text is serde_json's, as the delivery log makes it).
    fn input_for(t: &wire::Target, e: &Value) -> Result<String, InputError> {
        target_input(t, e, &Arc::from(e.to_string()), &ctx()).map(|s| s.to_string())
    }

    fn ctx() -> InvocationContext<'static> {
        InvocationContext {
            rule_arn: "arn:aws:events:us-east-1:000000000000:rule/r",
            rule_name: "r",
            ingestion_time: 1_704_067_200.0, // 2024-01-01T00:00:00Z
        }
    }

    fn transformer(paths: &[(&str, &str)], template: &str) -> wire::Target {
        wire::Target {
            id: "t".into(),
            arn: "arn:aws:sqs:us-east-1:000000000000:q".into(),
            input_transformer: Some(wire::InputTransformer {
                input_paths_map: Some(
                    paths
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                        .collect(),
                ),
                input_template: template.into(),
            }),
            ..Default::default()
        }
    }

    fn event() -> Value {
        json!({"source": "app", "detail": {"id": "i-1", "n": 3, "tags": ["a"], "q": "say \"hi\""}})
    }

    #[test]
    fn paths_select_nested_values() {
        let e = event();
        assert_eq!(select(&e, "$.detail.id"), Some(Some(&json!("i-1"))));
        assert_eq!(select(&e, "$.detail.tags[0]"), Some(Some(&json!("a"))));
        assert_eq!(select(&e, "$['detail']['n']"), Some(Some(&json!(3))));
        assert_eq!(select(&e, "$.detail.nope"), Some(None));
        assert_eq!(select(&e, "detail"), None);
        assert_eq!(select(&e, "$"), Some(Some(&e)));
    }

    #[test]
    fn placeholders_follow_the_quoting_rules() {
        let t = transformer(
            &[
                ("id", "$.detail.id"),
                ("n", "$.detail.n"),
                ("tags", "$.detail.tags"),
                ("q", "$.detail.q"),
            ],
            r#"{"id": <id>, "text": "instance <id> has <n>", "tags": <tags>, "q": "<q>", "rule": "<aws.events.rule-name>"}"#,
        );
        validate_target_input(&t).expect("valid");
        let out = input_for(&t, &event()).expect("transforms");
        let v: Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!(
            v,
            json!({"id": "i-1", "text": "instance i-1 has 3", "tags": ["a"], "q": "say \"hi\"", "rule": "r"})
        );
    }

    #[test]
    fn plain_text_and_quoted_string_templates() {
        let t = transformer(&[("id", "$.detail.id")], "<id> is here");
        assert_eq!(input_for(&t, &event()).expect("ok"), "i-1 is here");
        let t = transformer(&[("id", "$.detail.id")], r#""<id> is here""#);
        assert_eq!(input_for(&t, &event()).expect("ok"), r#""i-1 is here""#);
    }

    #[test]
    fn predefined_event_variables_are_json_values() {
        let e = json!({"version": "0", "id": "1", "detail-type": "t", "source": "app",
            "account": "111111111111", "time": "2024-01-01T00:00:00Z", "region": "us-east-1",
            "resources": [], "detail": {"n": 1}});
        let t = transformer(
            &[],
            r#"{"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>}"#,
        );
        validate_target_input(&t).expect("valid");
        let out: Value =
            serde_json::from_str(&input_for(&t, &e).expect("transforms")).expect("JSON");
        assert_eq!(out["originalEventJson"], e);
        assert_eq!(
            out["originalEvent"],
            json!({"version": "0", "id": "1", "detailType": "t", "source": "app",
                "account": "111111111111", "time": "2024-01-01T00:00:00Z", "region": "us-east-1",
                "resources": []})
        );
        // Inside a string the event is its JSON text, escaped so the string stays valid.
        let t = transformer(&[], r#"{"text": "<aws.events.event.json>"}"#);
        let out: Value =
            serde_json::from_str(&input_for(&t, &e).expect("transforms")).expect("JSON");
        let inner: Value =
            serde_json::from_str(out["text"].as_str().expect("string")).expect("JSON");
        assert_eq!(inner, e);
    }

    #[test]
    fn malformed_templates_are_refused() {
        let undefined = transformer(&[], r#"{"a": <missing>}"#);
        assert!(validate_target_input(&undefined).is_err());
        let broken = transformer(&[("id", "$.detail.id")], r#"{"a": <id>"#);
        assert!(validate_target_input(&broken).is_err());
        let reserved = transformer(&[("aws.events.x", "$.a")], r#"{"a": 1}"#);
        assert!(validate_target_input(&reserved).is_err());
        let bad_path = transformer(&[("a", "detail")], r#"{"a": <a>}"#);
        assert!(validate_target_input(&bad_path).is_err());
    }
}
