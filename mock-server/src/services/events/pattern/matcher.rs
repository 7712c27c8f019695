//! Evaluates a parsed pattern against an event.
//!
//! Semantics follow the EventBridge user guide ("Event patterns", "Comparison operators",
//! "Arrays in event patterns", "Matching null values and empty strings") and, where the guide is
//! silent, the rule engine EventBridge runs:
//! - arrays in the event are transparent: a leaf matches when any element matches, and fields
//!   of one object pattern must all be satisfied by the same array element;
//! - only scalar values (string, number, boolean, null) are leaves; an object where the pattern
//!   expects a leaf is not a value, so `exists: true` fails and `exists: false` holds there;
//! - `exists: false` means no leaf at that path anywhere in the event;
//! - string operators (prefix, suffix, wildcard, cidr, ...) only match strings, numeric only
//!   numbers; `anything-but` matches any present leaf that its operand does not describe.

use serde_json::{Map, Value};

use super::parser::{
    parse_ip, to_micros, AnythingBut, FieldPattern, IpAddr, IpRange, Matcher, NumericRange,
    ObjectPattern, Wildcard, MAX_MAGNITUDE_MICROS,
};

/// The chain of field names from the event root to the current field, kept on the stack so
/// matching allocates nothing unless `exists: false` needs the whole path.
struct Path<'a> {
    key: &'a str,
    parent: Option<&'a Path<'a>>,
}

impl Path<'_> {
    fn keys(&self) -> Vec<&str> {
        let mut keys = vec![self.key];
        let mut cur = self.parent;
        while let Some(p) = cur {
            keys.push(p.key);
            cur = p.parent;
        }
        keys.reverse();
        keys
    }
}

pub(super) fn matches(pattern: &ObjectPattern, event: &Value) -> bool {
    match_value(pattern, Some(event), None, event)
}

/// Like `matches`, but leaves out the named top-level leaf fields, which the caller has
/// already established match (the index does this for `source` and `detail-type`).
pub(super) fn matches_skipping(pattern: &ObjectPattern, event: &Value, skip: &[&str]) -> bool {
    match event {
        Value::Object(map) => match_object(pattern, Some(map), None, event, skip),
        _ => matches(pattern, event),
    }
}

/// An object pattern against whatever the event holds at this place.
fn match_value(
    pattern: &ObjectPattern,
    value: Option<&Value>,
    path: Option<&Path<'_>>,
    root: &Value,
) -> bool {
    match value {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .any(|item| match_value(pattern, Some(item), path, root)),
        Some(Value::Object(map)) => match_object(pattern, Some(map), path, root, &[]),
        // Missing, scalar or empty array: no fields here, which only absence patterns satisfy.
        _ => match_object(pattern, None, path, root, &[]),
    }
}

fn match_object(
    pattern: &ObjectPattern,
    object: Option<&Map<String, Value>>,
    path: Option<&Path<'_>>,
    root: &Value,
    skip: &[&str],
) -> bool {
    for (name, field) in &pattern.fields {
        if skip.contains(&name.as_str()) && matches!(field, FieldPattern::Leaf(_)) {
            continue;
        }
        let child = object.and_then(|o| o.get(name));
        let child_path = Path {
            key: name,
            parent: path,
        };
        let ok = match field {
            FieldPattern::Object(inner) => match_value(inner, child, Some(&child_path), root),
            FieldPattern::Leaf(matchers) => matchers
                .iter()
                .any(|m| match_leaf(m, child, &child_path, root)),
        };
        if !ok {
            return false;
        }
    }
    pattern.ors.iter().all(|branches| {
        branches
            .iter()
            .any(|branch| match_object(branch, object, path, root, &[]))
    })
}

fn match_leaf(matcher: &Matcher, value: Option<&Value>, path: &Path<'_>, root: &Value) -> bool {
    match matcher {
        Matcher::Exists(true) => value.is_some_and(|v| any_scalar(v, &mut |_| true)),
        Matcher::Exists(false) => !leaf_anywhere(root, &path.keys()),
        _ => value.is_some_and(|v| any_scalar(v, &mut |s| scalar_matches(matcher, s))),
    }
}

/// Calls `f` on each scalar in `value`, looking through arrays; true as soon as `f` is.
fn any_scalar(value: &Value, f: &mut dyn FnMut(&Value) -> bool) -> bool {
    match value {
        Value::Array(items) => items.iter().any(|item| any_scalar(item, f)),
        Value::Object(_) => false,
        scalar => f(scalar),
    }
}

/// Whether the event has any scalar at `keys`, through every array on the way.
fn leaf_anywhere(value: &Value, keys: &[&str]) -> bool {
    match value {
        Value::Array(items) => items.iter().any(|item| leaf_anywhere(item, keys)),
        Value::Object(map) => match keys.split_first() {
            Some((first, rest)) => map.get(*first).is_some_and(|v| leaf_anywhere(v, rest)),
            None => false,
        },
        _ => keys.is_empty(),
    }
}

pub(super) fn event_micros(value: &Value) -> Option<i64> {
    let Value::Number(n) = value else {
        return None;
    };
    // Integers, the common case, convert without formatting (numeric matching runs once per
    // candidate rule, so this is hot); other numbers take the exact decimal path.
    if let Some(i) = n.as_i64() {
        return i
            .checked_mul(1_000_000)
            .filter(|m| m.unsigned_abs() <= MAX_MAGNITUDE_MICROS.unsigned_abs());
    }
    to_micros(&n.to_string()).ok()
}

fn scalar_matches(matcher: &Matcher, value: &Value) -> bool {
    match matcher {
        Matcher::ExactString(s) => value.as_str() == Some(s.as_str()),
        Matcher::ExactIp(ip) => value.as_str().and_then(parse_ip) == Some(*ip),
        Matcher::ExactNumber { text, micros } => match value {
            Value::Number(n) => {
                let event_text = n.to_string();
                event_text == *text || (micros.is_some() && to_micros(&event_text).ok() == *micros)
            }
            _ => false,
        },
        Matcher::ExactBool(b) => value.as_bool() == Some(*b),
        Matcher::ExactNull => value.is_null(),
        Matcher::Prefix(p) => value.as_str().is_some_and(|s| s.starts_with(p.as_str())),
        Matcher::PrefixIgnoreCase(p) => value
            .as_str()
            .is_some_and(|s| s.to_lowercase().starts_with(p.as_str())),
        Matcher::Suffix(p) => value.as_str().is_some_and(|s| s.ends_with(p.as_str())),
        Matcher::SuffixIgnoreCase(p) => value
            .as_str()
            .is_some_and(|s| s.to_lowercase().ends_with(p.as_str())),
        Matcher::EqualsIgnoreCase(p) => value.as_str().is_some_and(|s| s.to_lowercase() == *p),
        Matcher::Wildcard(w) => value.as_str().is_some_and(|s| wildcard_matches(w, s)),
        Matcher::Numeric(range) => event_micros(value).is_some_and(|n| in_range(range, n)),
        Matcher::Cidr(range) => value
            .as_str()
            .and_then(parse_ip)
            .is_some_and(|ip| in_cidr(range, ip)),
        Matcher::AnythingBut(excluded) => !excluded_by(excluded, value),
        // Handled by match_leaf before scalars are visited.
        Matcher::Exists(_) => false,
    }
}

/// Whether an anything-but operand describes this scalar (so anything-but does not match it).
fn excluded_by(excluded: &AnythingBut, value: &Value) -> bool {
    match excluded {
        AnythingBut::Strings(list) => value.as_str().is_some_and(|s| list.iter().any(|x| x == s)),
        AnythingBut::Numbers(list) => event_micros(value).is_some_and(|n| list.contains(&n)),
        AnythingBut::Prefix(list) => value
            .as_str()
            .is_some_and(|s| list.iter().any(|p| s.starts_with(p.as_str()))),
        AnythingBut::Suffix(list) => value
            .as_str()
            .is_some_and(|s| list.iter().any(|p| s.ends_with(p.as_str()))),
        AnythingBut::IgnoreCase(list) => value.as_str().is_some_and(|s| {
            let lower = s.to_lowercase();
            list.contains(&lower)
        }),
        AnythingBut::Wildcard(list) => value
            .as_str()
            .is_some_and(|s| list.iter().any(|w| wildcard_matches(w, s))),
    }
}

fn in_range(range: &NumericRange, n: i64) -> bool {
    let above = match range.lower {
        Some((lo, inclusive)) => n > lo || (inclusive && n == lo),
        None => true,
    };
    let below = match range.upper {
        Some((hi, inclusive)) => n < hi || (inclusive && n == hi),
        None => true,
    };
    above && below
}

fn in_cidr(range: &IpRange, ip: IpAddr) -> bool {
    match (range, ip) {
        (IpRange::V4(lo, hi), IpAddr::V4(a)) => *lo <= a && a <= *hi,
        (IpRange::V6(lo, hi), IpAddr::V6(a)) => *lo <= a && a <= *hi,
        _ => false,
    }
}

/// `*` matches any run of characters (including none). With only one kind of wildcard the
/// leftmost placement of each middle part is always safe, so this is linear-ish, not
/// backtracking.
pub(super) fn wildcard_matches(w: &Wildcard, s: &str) -> bool {
    let parts = &w.parts;
    let (first, last) = match (parts.first(), parts.last()) {
        (Some(f), Some(l)) => (f.as_str(), l.as_str()),
        _ => return false,
    };
    if parts.len() == 1 {
        return s == first;
    }
    let Some(rest) = s.strip_prefix(first) else {
        return false;
    };
    let Some(mut middle) = rest.strip_suffix(last) else {
        return false;
    };
    for part in &parts[1..parts.len() - 1] {
        match middle.find(part.as_str()) {
            Some(at) => middle = &middle[at + part.len()..],
            None => return false,
        }
    }
    true
}
