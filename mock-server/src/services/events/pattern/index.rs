//! Rule index: finds the rules whose patterns match an event without evaluating every rule.
//!
//! Almost every real pattern names exact `source` and/or `detail-type` values. Such a pattern
//! can only match events carrying one of those values, so it is filed under them and only
//! looked at for events that carry them. Patterns without such a requirement go to a fallback
//! list that is evaluated for every event. The candidates are then evaluated in full, so the
//! index only prunes; it never decides a match on its own.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use super::matcher;
use super::parser::{FieldPattern, Matcher, ObjectPattern};
use super::EventPattern;

const SOURCE: &str = "source";
const DETAIL_TYPE: &str = "detail-type";

/// Rules keyed by `K`, indexed by the exact `source` / `detail-type` values they require.
#[derive(Debug, Clone)]
pub struct PatternIndex<K> {
    pub(super) patterns: BTreeMap<K, EventPattern>,
    pub(super) by_source_and_type: HashMap<String, HashMap<String, BTreeSet<K>>>,
    pub(super) by_source: HashMap<String, BTreeSet<K>>,
    pub(super) by_type: HashMap<String, BTreeSet<K>>,
    pub(super) fallback: BTreeSet<K>,
}

impl<K: Clone + Ord> Default for PatternIndex<K> {
    fn default() -> Self {
        Self::new()
    }
}

/// The exact string values a pattern requires for a top-level field, if it requires any.
/// Only a top-level leaf made purely of exact strings qualifies: anything else (prefix,
/// anything-but, exists, a value inside `$or`) could match events without those values.
fn required_values(root: &ObjectPattern, field: &str) -> Option<Vec<String>> {
    let (_, pattern) = root.fields.iter().find(|(name, _)| name == field)?;
    let FieldPattern::Leaf(matchers) = pattern else {
        return None;
    };
    matchers
        .iter()
        .map(|m| match m {
            Matcher::ExactString(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// The string values an event carries at a top-level field (looking through an array).
fn event_strings<'a>(event: &'a Value, field: &str) -> Vec<&'a str> {
    fn collect<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::String(s) => out.push(s),
            Value::Array(items) => items.iter().for_each(|item| collect(item, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(value) = event.get(field) {
        collect(value, &mut out);
    }
    out
}

impl<K: Clone + Ord> PatternIndex<K> {
    pub fn new() -> Self {
        PatternIndex {
            patterns: BTreeMap::new(),
            by_source_and_type: HashMap::new(),
            by_source: HashMap::new(),
            by_type: HashMap::new(),
            fallback: BTreeSet::new(),
        }
    }

    /// Adds or replaces the pattern stored under `key`.
    pub fn insert(&mut self, key: K, pattern: EventPattern) {
        self.remove(&key);
        let sources = required_values(&pattern.root, SOURCE);
        let types = required_values(&pattern.root, DETAIL_TYPE);
        match (&sources, &types) {
            (Some(sources), Some(types)) => {
                for s in sources {
                    let by_type = self.by_source_and_type.entry(s.clone()).or_default();
                    for t in types {
                        by_type.entry(t.clone()).or_default().insert(key.clone());
                    }
                }
            }
            (Some(sources), None) => {
                for s in sources {
                    self.by_source
                        .entry(s.clone())
                        .or_default()
                        .insert(key.clone());
                }
            }
            (None, Some(types)) => {
                for t in types {
                    self.by_type
                        .entry(t.clone())
                        .or_default()
                        .insert(key.clone());
                }
            }
            (None, None) => {
                self.fallback.insert(key.clone());
            }
        }
        self.patterns.insert(key, pattern);
    }

    pub fn remove(&mut self, key: &K) {
        let Some(pattern) = self.patterns.remove(key) else {
            return;
        };
        let sources = required_values(&pattern.root, SOURCE);
        let types = required_values(&pattern.root, DETAIL_TYPE);
        match (sources, types) {
            (Some(sources), Some(types)) => {
                for s in &sources {
                    if let Some(by_type) = self.by_source_and_type.get_mut(s) {
                        for t in &types {
                            remove_from(by_type, t, key);
                        }
                        if by_type.is_empty() {
                            self.by_source_and_type.remove(s);
                        }
                    }
                }
            }
            (Some(sources), None) => {
                for s in &sources {
                    remove_from(&mut self.by_source, s, key);
                }
            }
            (None, Some(types)) => {
                for t in &types {
                    remove_from(&mut self.by_type, t, key);
                }
            }
            (None, None) => {
                self.fallback.remove(key);
            }
        }
    }

    /// Keys of the patterns that match `event`, in key order.
    pub fn matching(&self, event: &Value) -> Vec<K> {
        // Dotted event keys are expanded once here rather than once per candidate rule.
        let expanded = super::dotted::expand(event);
        let event: &Value = &expanded;
        let sources = event_strings(event, SOURCE);
        let types = event_strings(event, DETAIL_TYPE);
        // Buckets keyed by an event value already satisfy the fields they are keyed on, so
        // those fields are not compared again.
        let mut buckets: Vec<(&BTreeSet<K>, &[&str])> = Vec::new();
        for s in &sources {
            if let Some(by_type) = self.by_source_and_type.get(*s) {
                buckets.extend(
                    types
                        .iter()
                        .filter_map(|t| by_type.get(*t))
                        .map(|b| (b, &[SOURCE, DETAIL_TYPE][..])),
                );
            }
            buckets.extend(self.by_source.get(*s).map(|b| (b, &[SOURCE][..])));
        }
        buckets.extend(
            types
                .iter()
                .filter_map(|t| self.by_type.get(*t))
                .map(|b| (b, &[DETAIL_TYPE][..])),
        );
        buckets.push((&self.fallback, &[]));
        let mut matched: Vec<&K> = Vec::new();
        for (keys, skip) in buckets {
            for key in keys {
                if self
                    .patterns
                    .get(key)
                    .is_some_and(|p| matcher::matches_skipping(&p.root, event, skip))
                {
                    matched.push(key);
                }
            }
        }
        matched.sort();
        // An event whose source or detail-type is an array can reach one rule twice.
        matched.dedup();
        matched.into_iter().cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The pattern stored under `key`.
    pub fn get(&self, key: &K) -> Option<&EventPattern> {
        self.patterns.get(key)
    }
}

fn remove_from<K: Ord>(map: &mut HashMap<String, BTreeSet<K>>, value: &str, key: &K) {
    if let Some(keys) = map.get_mut(value) {
        keys.remove(key);
        if keys.is_empty() {
            map.remove(value);
        }
    }
}
