//! EventBridge's state in one account and region: its buses (the `default` bus always exists)
//! and the rules on them.

use crate::ids::arn;
use std::collections::BTreeMap;

/// The bus every account and region has.
pub const DEFAULT_BUS: &str = "default";

#[derive(Debug, Clone, PartialEq)]
pub struct EventBus {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub created: f64,
    pub last_modified: f64,
    pub policy: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    pub arn: String,
    pub bus: String,
    pub event_pattern: Option<String>,
    pub schedule_expression: Option<String>,
    pub state: codemock_wire::events::RuleState,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub managed_by: Option<String>,
    pub created_by: String,
}

#[derive(Debug)]
pub struct State {
    /// Buses by name.
    pub buses: BTreeMap<String, EventBus>,
    /// Rules by (bus name, rule name): names are unique per bus.
    pub rules: BTreeMap<(String, String), Rule>,
}

impl State {
    pub fn new(account: &str, region: &str, now: f64) -> State {
        let default = EventBus {
            name: DEFAULT_BUS.into(),
            arn: arn("events", region, account, "event-bus/default"),
            description: None,
            created: now,
            last_modified: now,
            policy: None,
        };
        State {
            buses: BTreeMap::from([(DEFAULT_BUS.to_owned(), default)]),
            rules: BTreeMap::new(),
        }
    }
}

/// The bus name an `EventBusName` member refers to: a name or a bus ARN (AWS accepts both).
pub fn bus_name_from(name_or_arn: Option<&str>) -> String {
    match name_or_arn {
        None | Some("") => DEFAULT_BUS.to_owned(),
        Some(s) => match s.strip_prefix("arn:") {
            Some(_) => s.rsplit_once("event-bus/").map_or(s, |(_, n)| n).to_owned(),
            None => s.to_owned(),
        },
    }
}
