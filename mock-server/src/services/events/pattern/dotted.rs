//! Dotted field names in events: EventBridge names every event field by its dot-joined path, so
//! an event key `"state.status"` is the same field as `"status"` inside `"state"`.
//!
//! Recorded: LocalStack's AWS-validated dot_joining_event template (a nested pattern
//! `{"state": {"status": ["running"]}}` matches an event `{"state.status": "running"}`), and
//! test_event_with_large_and_complex_payload (a pattern key `"payload.nested.another-level.deep"`
//! reaching into an event that spells part of that path with dots and part with nesting).
//! The parser splits pattern keys the same way, so both sides compare the same paths.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// The event with every dotted key expanded into nested objects. Most events have no dotted
/// key, so they are borrowed as they are.
pub(super) fn expand(event: &Value) -> Cow<'_, Value> {
    if has_dotted_key(event) {
        Cow::Owned(expanded(event))
    } else {
        Cow::Borrowed(event)
    }
}

fn has_dotted_key(value: &Value) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains('.') || has_dotted_key(v)),
        Value::Array(items) => items.iter().any(has_dotted_key),
        _ => false,
    }
}

fn expanded(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, child) in map {
                let segments: Vec<&str> = key.split('.').collect();
                insert(&mut out, &segments, expanded(child));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(expanded).collect()),
        scalar => scalar.clone(),
    }
}

/// Puts `value` at `path` under `map`, merging with what is already there.
fn insert(map: &mut Map<String, Value>, path: &[&str], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let value = if rest.is_empty() {
        value
    } else {
        let mut inner = Map::new();
        insert(&mut inner, rest, value);
        Value::Object(inner)
    };
    match map.remove(*first) {
        None => {
            map.insert((*first).to_owned(), value);
        }
        Some(existing) => {
            map.insert((*first).to_owned(), merge(existing, value));
        }
    }
}

/// Two values for one path. Objects merge key by key. Otherwise both are kept side by side in
/// an array: arrays are transparent to matching, so each value still matches as a leaf (or an
/// object) at that path, which is what the rule engine sees when both spellings are present.
fn merge(existing: Value, new: Value) -> Value {
    match (existing, new) {
        (Value::Object(mut a), Value::Object(b)) => {
            for (k, v) in b {
                insert(&mut a, &[k.as_str()], v);
            }
            Value::Object(a)
        }
        (existing, new) => {
            let mut items = match existing {
                Value::Array(items) => items,
                other => vec![other],
            };
            match new {
                Value::Array(more) => items.extend(more),
                other => items.push(other),
            }
            Value::Array(items)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_event_keys_become_nested_objects() {
        let event = json!({"detail": {"state.status": "running", "state": {"code": 16}}});
        assert_eq!(
            *expand(&event),
            json!({"detail": {"state": {"status": "running", "code": 16}}})
        );
    }

    #[test]
    fn events_without_dotted_keys_are_borrowed() {
        let event = json!({"detail": {"state": "running"}, "resources": [{"a": 1}]});
        assert!(matches!(expand(&event), Cow::Borrowed(_)));
    }

    #[test]
    fn a_scalar_and_a_dotted_child_at_one_path_are_both_kept() {
        let event = json!({"a": 1, "a.b": 2});
        assert_eq!(*expand(&event), json!({"a": [1, {"b": 2}]}));
    }
}
