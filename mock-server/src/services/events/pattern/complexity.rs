//! The wildcard complexity limit: EventBridge refuses a pattern whose wildcards could keep too
//! many partial matches alive at once ("Rule is too complex - try using fewer wildcard
//! characters or fewer repeating character sequences after a wildcard character").
//!
//! The measure is the one of the rule engine EventBridge runs (aws/event-ruler,
//! MachineComplexityEvaluator and its README section on machine complexity): over every possible
//! input value, the largest number of wildcard-pattern prefixes that match that value at once,
//! summed over the wildcard patterns (`wildcard` and `anything-but` `wildcard`) of one field.
//! Here it is computed by exploring the sets of matching prefixes reachable on any input (a
//! subset construction over the patterns' bytes); the unit tests below check it against the
//! values event-ruler's own tests expect.
//!
//! The threshold EventBridge applies is not published. The AWS-validated LocalStack templates
//! bound it: `*:*:*:*:*:event-bus/*` (complexity 11) is refused
//! (content_wildcard_complex_EXC) and `/Users/*/dir/dir/dir/dir/dir/doc.txt` (complexity 7) is
//! accepted (content_wildcard_repeating). We refuse only above 10, the most lenient limit those
//! recordings allow.

use std::collections::HashSet;

use super::parser::Wildcard;

/// Largest complexity accepted (see the module comment for how it was bounded).
pub(super) const MAX_COMPLEXITY: usize = 10;

/// Distinct prefix sets explored before giving up; a pattern that needs more is accepted,
/// since refusing what AWS might accept is the worse mistake.
const EXPLORATION_LIMIT: usize = 20_000;

pub(super) const TOO_COMPLEX: &str = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Token {
    Byte(u8),
    Star,
}

fn tokens(w: &Wildcard) -> Vec<Token> {
    let mut out = Vec::new();
    for (i, part) in w.parts.iter().enumerate() {
        if i > 0 {
            out.push(Token::Star);
        }
        out.extend(part.bytes().map(Token::Byte));
    }
    out
}

/// A set of matching prefixes: `(pattern, length)` means the first `length` tokens of that
/// pattern match the input seen so far. Kept sorted so equal sets compare equal.
type PrefixSet = Vec<(usize, usize)>;

/// Adds the prefixes that end in a star which can match nothing more.
fn close(patterns: &[Vec<Token>], set: &mut PrefixSet) {
    let mut i = 0;
    while i < set.len() {
        let (p, j) = set[i];
        if patterns[p].get(j) == Some(&Token::Star) && !set.contains(&(p, j + 1)) {
            set.push((p, j + 1));
        }
        i += 1;
    }
    set.sort_unstable();
    set.dedup();
}

fn step(patterns: &[Vec<Token>], set: &PrefixSet, byte: u8) -> PrefixSet {
    let mut next = Vec::with_capacity(set.len());
    for &(p, j) in set {
        let toks = &patterns[p];
        if toks.get(j) == Some(&Token::Byte(byte)) {
            next.push((p, j + 1));
        }
        // A prefix ending in a star still matches after any further byte.
        if j > 0 && toks[j - 1] == Token::Star {
            next.push((p, j));
        }
    }
    close(patterns, &mut next);
    next
}

/// The complexity of one field's wildcard patterns, or `None` if exploring it was cut short.
/// Stops early once the limit is exceeded, returning the first size above it.
pub(super) fn complexity(wildcards: &[&Wildcard]) -> Option<usize> {
    let patterns: Vec<Vec<Token>> = wildcards.iter().map(|w| tokens(w)).collect();
    let mut alphabet: Vec<u8> = patterns
        .iter()
        .flatten()
        .filter_map(|t| match t {
            Token::Byte(b) => Some(*b),
            Token::Star => None,
        })
        .collect();
    alphabet.sort_unstable();
    alphabet.dedup();
    // One byte that no pattern names stands for every such byte.
    if let Some(other) = (0..=u8::MAX).find(|b| !alphabet.contains(b)) {
        alphabet.push(other);
    }
    let mut start: PrefixSet = (0..patterns.len()).map(|p| (p, 0)).collect();
    close(&patterns, &mut start);
    let counted = |set: &PrefixSet| set.iter().filter(|(_, j)| *j > 0).count();
    let mut most = counted(&start);
    let mut seen: HashSet<PrefixSet> = HashSet::new();
    let mut todo = vec![start.clone()];
    seen.insert(start);
    while let Some(set) = todo.pop() {
        for &byte in &alphabet {
            let next = step(&patterns, &set, byte);
            if next.is_empty() || seen.contains(&next) {
                continue;
            }
            most = most.max(counted(&next));
            if most > MAX_COMPLEXITY {
                return Some(most);
            }
            if seen.len() >= EXPLORATION_LIMIT {
                return None;
            }
            seen.insert(next.clone());
            todo.push(next);
        }
    }
    Some(most)
}

/// Whether one field's wildcard patterns exceed the limit EventBridge enforces.
pub(super) fn too_complex(wildcards: &[&Wildcard]) -> bool {
    complexity(wildcards).is_some_and(|c| c > MAX_COMPLEXITY)
}

#[cfg(test)]
mod tests {
    use super::super::parser::parse_wildcard;
    use super::*;

    fn of(patterns: &[&str]) -> usize {
        let parsed: Vec<Wildcard> = patterns
            .iter()
            .map(|p| parse_wildcard(p).expect("valid wildcard"))
            .collect();
        let refs: Vec<&Wildcard> = parsed.iter().collect();
        complexity(&refs).expect("explored fully")
    }

    /// The single-pattern expectations of event-ruler's MachineComplexityEvaluatorTest.
    #[test]
    fn complexity_agrees_with_the_rule_engine_on_single_patterns() {
        let expected = [
            ("*", 1),
            ("abc", 1),
            ("*ab", 2),
            ("*aa", 3),
            ("a*b", 2),
            ("aa*", 2),
            ("a*bc", 2),
            ("a*bb", 3),
            ("a*bcb", 3),
            ("a*bbb", 4),
            ("*ab*ad", 4),
            ("*ab*d", 3),
            ("*aba*", 4),
            ("a*b*bb", 5),
            ("a*b*cb", 4),
            ("a*b*cd", 3),
            ("a*b*b", 4),
            ("a*bb*", 4),
            ("ab*b*", 3),
        ];
        for (pattern, want) in expected {
            assert_eq!(of(&[pattern]), want, "{pattern}");
        }
    }

    /// Patterns of one field add up (event-ruler's MachineComplexityEvaluatorTest pairs).
    #[test]
    fn complexity_sums_over_the_patterns_of_one_field() {
        assert_eq!(of(&["*", "ab*c"]), 3);
        assert_eq!(of(&["ab*c", "x*xx"]), 3);
        assert_eq!(of(&["*abc", "*abcde"]), 4);
        assert_eq!(of(&["a*bcd", "ab*cd"]), 4);
        assert_eq!(of(&["a*bc", "a*bcde"]), 4);
    }

    #[test]
    fn recorded_patterns_fall_on_the_recorded_side_of_the_limit() {
        // Refused by AWS (content_wildcard_complex_EXC).
        assert!(of(&["*:*:*:*:*:event-bus/*"]) > MAX_COMPLEXITY);
        // Accepted by AWS (content_wildcard_repeating, content_wildcard_simplified,
        // content_wildcard_nonrepeating, content_anything_wildcard_list).
        assert!(of(&["/Users/*/dir/dir/dir/dir/dir/doc.txt"]) <= MAX_COMPLEXITY);
        assert!(of(&["arn:aws:events:us-east-1:*:event-bus/*"]) <= MAX_COMPLEXITY);
        assert!(of(&["/Users/*/doc.txt"]) <= MAX_COMPLEXITY);
        assert!(of(&["*/init/*", "*/dir/*"]) <= MAX_COMPLEXITY);
    }

    #[test]
    fn escaped_stars_are_literal_bytes() {
        assert_eq!(of(&["a\\*b"]), 1);
    }
}
