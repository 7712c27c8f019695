//! What outcome rules, fault rules and invocation responses share: `*`/`?` globs over names and
//! ARNs, and a book of rules with deterministic ids where the newest matching rule wins and a
//! counted rule is gone once it has been used up.

use serde::Serialize;

/// Whether `text` matches `pattern`, where `*` is any run of characters (crossing `:` and `/`,
/// so `arn:aws:codebuild:*:project/my-*` works) and `?` is any one character. Everything else
/// is literal and case-sensitive, as AWS names and ARNs are.
///
/// A hand-rolled matcher rather than `globset`: globset gives `[`, `{` and `\` meanings that ARNs
/// and names do not need, and it would turn a pattern typo into an error a test must handle.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matching with one backtrack point (the last `*`): linear in practice, and never
    // exponential on hostile patterns like `*a*a*a*a*b`.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A rule kept in a [`Book`], with the id it was given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stored<R> {
    pub id: String,
    #[serde(flatten)]
    pub rule: R,
}

/// A rule that may be limited to a number of uses.
pub trait Counted {
    /// Uses left (`None`: unlimited).
    fn remaining(&mut self) -> &mut Option<u32>;
}

/// Rules in the order they were added, with ids `<prefix>-1`, `<prefix>-2`... that restart only
/// when the server is reset (clearing the rules does not reuse ids, so a test never confuses an
/// old rule with a new one).
#[derive(Debug)]
pub struct Book<R> {
    prefix: &'static str,
    next: u64,
    rules: Vec<Stored<R>>,
}

impl<R: Clone + Counted> Book<R> {
    pub fn new(prefix: &'static str) -> Book<R> {
        Book {
            prefix,
            next: 1,
            rules: Vec::new(),
        }
    }

    pub fn add(&mut self, rule: R) -> Stored<R> {
        let stored = Stored {
            id: format!("{}-{}", self.prefix, self.next),
            rule,
        };
        self.next += 1;
        self.rules.push(stored.clone());
        stored
    }

    /// Oldest first, as they were added.
    pub fn list(&self) -> Vec<Stored<R>> {
        self.rules.clone()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// Forgets the rules and restarts the ids.
    pub fn reset(&mut self) {
        self.rules.clear();
        self.next = 1;
    }

    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        self.rules.len() != before
    }

    /// The newest rule `matches` accepts, used once: its count goes down and a rule whose count
    /// reaches 0 is removed. Returns the rule as it was before this use.
    pub fn take(&mut self, mut matches: impl FnMut(&R) -> bool) -> Option<Stored<R>> {
        let index = self.rules.iter().rposition(|r| matches(&r.rule))?;
        let used = self.rules[index].clone();
        let exhausted = match self.rules[index].rule.remaining() {
            Some(n) => {
                *n = n.saturating_sub(1);
                *n == 0
            }
            None => false,
        };
        if exhausted {
            self.rules.remove(index);
        }
        Some(used)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_crosses_colons_and_slashes() {
        assert!(glob_match(
            "arn:aws:codebuild:*:project/my-*",
            "arn:aws:codebuild:us-east-1:000000000000:project/my-app"
        ));
        assert!(glob_match("*", ""));
        assert!(glob_match("*", "a:b/c"));
        assert!(glob_match("my-*-prod", "my-app-prod"));
        assert!(!glob_match("my-*-prod", "my-app-dev"));
    }

    #[test]
    fn question_mark_is_one_character_and_the_rest_is_literal() {
        assert!(glob_match("build-?", "build-1"));
        assert!(!glob_match("build-?", "build-12"));
        assert!(!glob_match("build-?", "build-"));
        assert!(glob_match("a[1]{x}", "a[1]{x}"));
        assert!(!glob_match("App", "app"), "case-sensitive");
        assert!(!glob_match("abc", "abcd"), "the whole text must match");
    }

    #[test]
    fn hostile_patterns_stay_fast() {
        let text = "a".repeat(10_000);
        assert!(!glob_match("*a*a*a*a*a*a*a*a*b", &text));
    }

    #[derive(Debug, Clone, PartialEq)]
    struct R(&'static str, Option<u32>);
    impl Counted for R {
        fn remaining(&mut self) -> &mut Option<u32> {
            &mut self.1
        }
    }

    #[test]
    fn newest_matching_rule_wins_and_counted_rules_run_out() {
        let mut book = Book::new("r");
        book.add(R("x", None));
        let counted = book.add(R("x", Some(2)));
        assert_eq!(counted.id, "r-2");
        assert_eq!(book.take(|r| r.0 == "x").map(|s| s.id), Some("r-2".into()));
        assert_eq!(book.list()[1].rule.1, Some(1), "the count went down");
        assert_eq!(book.take(|r| r.0 == "x").map(|s| s.id), Some("r-2".into()));
        assert_eq!(book.list().len(), 1, "used up and gone");
        assert_eq!(book.take(|r| r.0 == "x").map(|s| s.id), Some("r-1".into()));
        assert_eq!(book.take(|r| r.0 == "y"), None);
    }

    #[test]
    fn ids_survive_clear_and_restart_on_reset() {
        let mut book = Book::new("r");
        book.add(R("x", None));
        book.clear();
        assert_eq!(book.add(R("x", None)).id, "r-2");
        assert!(book.remove("r-2"));
        assert!(!book.remove("r-2"));
        book.reset();
        assert_eq!(book.add(R("x", None)).id, "r-1");
    }
}
