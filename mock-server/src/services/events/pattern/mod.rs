//! The EventBridge event-pattern language: parsing with AWS's validation, matching, and an index
//! that picks candidate rules for an event without evaluating every rule on the bus.
//!
//! Behaviour follows the EventBridge user guide pages "Event patterns", "Comparison operators",
//! "Content filtering", "Arrays in event patterns" and "Matching null values and empty strings".
//! Validation messages use the reasons EventBridge reports in `InvalidEventPatternException`.

mod complexity;
mod dotted;
mod index;
mod jackson;
mod matcher;
mod parser;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;

use std::fmt;

pub use index::PatternIndex;

/// Longest `EventPattern` PutRule accepts (API reference: length constraint 4096). The default
/// account quota is lower (2048) but adjustable, so callers decide which one to enforce.
pub const MAX_EVENT_PATTERN_LENGTH: usize = 4096;

/// A parsed, validated event pattern.
#[derive(Debug, Clone)]
pub struct EventPattern {
    root: parser::ObjectPattern,
}

/// Why a pattern was rejected; `message` is the text of `InvalidEventPatternException`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternError {
    pub message: String,
}

impl PatternError {
    fn invalid(reason: &str) -> Self {
        PatternError {
            message: format!("Event pattern is not valid. Reason: {reason}"),
        }
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PatternError {}

impl EventPattern {
    /// Parses and validates pattern JSON as PutRule / TestEventPattern do.
    pub fn parse(pattern_json: &str) -> Result<EventPattern, PatternError> {
        Ok(EventPattern {
            root: parser::parse(pattern_json)?,
        })
    }

    /// Whether the event (the full envelope: version, id, detail-type, source, account, time,
    /// region, resources, detail) matches.
    pub fn matches(&self, event: &serde_json::Value) -> bool {
        matcher::matches(&self.root, &dotted::expand(event))
    }
}
