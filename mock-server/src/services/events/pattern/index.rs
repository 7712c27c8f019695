//! Rule index: finds the rules whose patterns match an event without evaluating every rule.
//!
//! Almost every real pattern names exact `source` and/or `detail-type` values. Such a pattern
//! can only match events carrying one of those values, so it is filed under them and only
//! looked at for events that carry them. Patterns without such a requirement go to a fallback
//! bucket that is looked at for every event. Within each bucket, a pattern that also requires
//! exact values of one more leaf (the first other leaf made only of exact strings or numeric
//! equalities, `detail.pipeline` say) is filed under those values: many rules on one source
//! (every CodePipeline rule has `aws.codepipeline`) are told apart without evaluating each.
//! The candidates are then evaluated in full, so the index only prunes; it never decides a
//! match on its own.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use super::matcher;
use super::parser::{FieldPattern, Matcher, NumericRange, ObjectPattern};
use super::EventPattern;

const SOURCE: &str = "source";
const DETAIL_TYPE: &str = "detail-type";

/// Rules keyed by `K`, indexed by the exact `source` / `detail-type` values they require.
#[derive(Debug, Clone)]
pub struct PatternIndex<K> {
    pub(super) patterns: BTreeMap<K, EventPattern>,
    pub(super) by_source_and_type: HashMap<String, HashMap<String, Bucket<K>>>,
    pub(super) by_source: HashMap<String, Bucket<K>>,
    pub(super) by_type: HashMap<String, Bucket<K>>,
    pub(super) fallback: Bucket<K>,
}

/// A value a leaf can be looked up by: an exact string, or a number in the matcher's own
/// fixed-point form (so that `5`, `5.0` and `{"numeric": ["=", 5]}` meet).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum LeafValue {
    Text(String),
    Micros(i64),
}

/// A leaf at which every event a pattern matches carries one of these values: the keys from
/// the root, and the values.
type Leaf = (Vec<String>, Vec<LeafValue>);

/// The value a matcher requires exactly, if it requires one.
fn leaf_value(m: &Matcher) -> Option<LeafValue> {
    match m {
        Matcher::ExactString(s) => Some(LeafValue::Text(s.clone())),
        Matcher::Numeric(NumericRange {
            lower: Some((lo, true)),
            upper: Some((hi, true)),
        }) if lo == hi => Some(LeafValue::Micros(*lo)),
        _ => None,
    }
}

/// The first leaf (depth first, in the pattern's field order) made only of exact values, other
/// than the top-level `source` and `detail-type` the outer index already uses. Only plain
/// fields count: a leaf inside `$or` is not required.
fn exact_leaf(root: &ObjectPattern) -> Option<Leaf> {
    fn walk(p: &ObjectPattern, path: &mut Vec<String>) -> Option<Leaf> {
        for (name, field) in &p.fields {
            match field {
                FieldPattern::Leaf(_)
                    if path.is_empty() && (name == SOURCE || name == DETAIL_TYPE) => {}
                FieldPattern::Leaf(matchers) => {
                    let values: Option<Vec<LeafValue>> = matchers.iter().map(leaf_value).collect();
                    if let Some(values) = values.filter(|v| !v.is_empty()) {
                        let mut keys = path.clone();
                        keys.push(name.clone());
                        return Some((keys, values));
                    }
                }
                FieldPattern::Object(inner) => {
                    path.push(name.clone());
                    if let Some(leaf) = walk(inner, path) {
                        return Some(leaf);
                    }
                    path.pop();
                }
            }
        }
        None
    }
    walk(root, &mut Vec::new())
}

/// The values an event carries at `keys`, looking through arrays at every level as the
/// matcher does; strings as text, numbers as the matcher reads them.
fn event_leaf_values(event: &Value, keys: &[String], out: &mut Vec<LeafValue>) {
    match event {
        Value::Array(items) => items
            .iter()
            .for_each(|item| event_leaf_values(item, keys, out)),
        Value::Object(map) => {
            if let Some((first, rest)) = keys.split_first() {
                if let Some(child) = map.get(first) {
                    event_leaf_values(child, rest, out);
                }
            }
        }
        Value::String(s) if keys.is_empty() => out.push(LeafValue::Text(s.clone())),
        Value::Number(_) if keys.is_empty() => {
            out.extend(matcher::event_micros(event).map(LeafValue::Micros));
        }
        _ => {}
    }
}

/// The patterns of one outer index entry: those with an exact leaf under its values, the
/// others apart.
#[derive(Debug, Clone)]
pub(super) struct Bucket<K> {
    unkeyed: BTreeSet<K>,
    by_leaf: BTreeMap<Vec<String>, HashMap<LeafValue, BTreeSet<K>>>,
}

impl<K> Default for Bucket<K> {
    fn default() -> Self {
        Bucket {
            unkeyed: BTreeSet::new(),
            by_leaf: BTreeMap::new(),
        }
    }
}

impl<K: Clone + Ord> Bucket<K> {
    fn insert(&mut self, key: &K, leaf: Option<&Leaf>) {
        match leaf {
            None => {
                self.unkeyed.insert(key.clone());
            }
            Some((keys, values)) => {
                let by_value = self.by_leaf.entry(keys.clone()).or_default();
                for v in values {
                    by_value.entry(v.clone()).or_default().insert(key.clone());
                }
            }
        }
    }

    fn remove(&mut self, key: &K, leaf: Option<&Leaf>) {
        match leaf {
            None => {
                self.unkeyed.remove(key);
            }
            Some((keys, values)) => {
                if let Some(by_value) = self.by_leaf.get_mut(keys) {
                    for v in values {
                        if let Some(set) = by_value.get_mut(v) {
                            set.remove(key);
                            if set.is_empty() {
                                by_value.remove(v);
                            }
                        }
                    }
                    if by_value.is_empty() {
                        self.by_leaf.remove(keys);
                    }
                }
            }
        }
    }

    /// How many patterns it holds (a pattern with several leaf values counts once per value).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.unkeyed.len()
            + self
                .by_leaf
                .values()
                .flat_map(HashMap::values)
                .map(BTreeSet::len)
                .sum::<usize>()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.unkeyed.is_empty() && self.by_leaf.is_empty()
    }

    /// The patterns that may match `event` (possibly twice; the caller sorts and dedups).
    fn candidates<'a>(&'a self, event: &Value, out: &mut Vec<&'a K>) {
        out.extend(self.unkeyed.iter());
        let mut values = Vec::new();
        for (keys, by_value) in &self.by_leaf {
            values.clear();
            event_leaf_values(event, keys, &mut values);
            for v in &values {
                if let Some(set) = by_value.get(v) {
                    out.extend(set.iter());
                }
            }
        }
    }
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
            fallback: Bucket::default(),
        }
    }

    /// Adds or replaces the pattern stored under `key`.
    pub fn insert(&mut self, key: K, pattern: EventPattern) {
        self.remove(&key);
        let sources = required_values(&pattern.root, SOURCE);
        let types = required_values(&pattern.root, DETAIL_TYPE);
        let leaf = exact_leaf(&pattern.root);
        let leaf = leaf.as_ref();
        match (&sources, &types) {
            (Some(sources), Some(types)) => {
                for s in sources {
                    let by_type = self.by_source_and_type.entry(s.clone()).or_default();
                    for t in types {
                        by_type.entry(t.clone()).or_default().insert(&key, leaf);
                    }
                }
            }
            (Some(sources), None) => {
                for s in sources {
                    self.by_source
                        .entry(s.clone())
                        .or_default()
                        .insert(&key, leaf);
                }
            }
            (None, Some(types)) => {
                for t in types {
                    self.by_type
                        .entry(t.clone())
                        .or_default()
                        .insert(&key, leaf);
                }
            }
            (None, None) => self.fallback.insert(&key, leaf),
        }
        self.patterns.insert(key, pattern);
    }

    pub fn remove(&mut self, key: &K) {
        let Some(pattern) = self.patterns.remove(key) else {
            return;
        };
        let sources = required_values(&pattern.root, SOURCE);
        let types = required_values(&pattern.root, DETAIL_TYPE);
        let leaf = exact_leaf(&pattern.root);
        let leaf = leaf.as_ref();
        match (sources, types) {
            (Some(sources), Some(types)) => {
                for s in &sources {
                    if let Some(by_type) = self.by_source_and_type.get_mut(s) {
                        for t in &types {
                            remove_from(by_type, t, key, leaf);
                        }
                        if by_type.is_empty() {
                            self.by_source_and_type.remove(s);
                        }
                    }
                }
            }
            (Some(sources), None) => {
                for s in &sources {
                    remove_from(&mut self.by_source, s, key, leaf);
                }
            }
            (None, Some(types)) => {
                for t in &types {
                    remove_from(&mut self.by_type, t, key, leaf);
                }
            }
            (None, None) => self.fallback.remove(key, leaf),
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
        let mut buckets: Vec<(&Bucket<K>, &[&str])> = Vec::new();
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
        let mut candidates = Vec::new();
        for (bucket, skip) in buckets {
            candidates.clear();
            bucket.candidates(event, &mut candidates);
            for key in candidates.iter().copied() {
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
        // An event whose source, detail-type or indexed leaf is an array can reach one rule
        // twice.
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

fn remove_from<K: Clone + Ord>(
    map: &mut HashMap<String, Bucket<K>>,
    value: &str,
    key: &K,
    leaf: Option<&Leaf>,
) {
    if let Some(bucket) = map.get_mut(value) {
        bucket.remove(key, leaf);
        if bucket.is_empty() {
            map.remove(value);
        }
    }
}
