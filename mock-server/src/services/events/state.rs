//! EventBridge's state in one account and region: buses (the `default` bus always exists), rules
//! and their targets, the per-bus pattern index, archives and replays, connections and API
//! destinations, global endpoints, partner event sources, and tags.
//!
//! Targets, dead-letter and retry settings are kept as their wire structures: EventBridge stores
//! target parameters verbatim and `ListTargetsByRule` must return every one of them unchanged, so a
//! separate domain copy would only be a lossy mirror.

use super::pattern::{EventPattern, PatternIndex};
use crate::ids::arn;
use codemock_wire::events as wire;
use serde_json::Value;
use std::collections::BTreeMap;

/// The bus every account and region has.
pub const DEFAULT_BUS: &str = "default";

#[derive(Debug, Clone, PartialEq)]
pub struct EventBus {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub kms_key_identifier: Option<String>,
    pub dead_letter_config: Option<wire::DeadLetterConfig>,
    pub log_config: Option<wire::LogConfig>,
    pub created: f64,
    pub last_modified: f64,
    /// The resource policy document (JSON text), built by PutPermission or set whole.
    pub policy: Option<String>,
    /// The partner event source a partner bus receives from.
    pub event_source_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    pub arn: String,
    pub bus: String,
    pub event_pattern: Option<String>,
    pub schedule_expression: Option<String>,
    pub state: wire::RuleState,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub managed_by: Option<String>,
    pub created_by: String,
    /// Targets by id (ids are unique per rule).
    pub targets: BTreeMap<String, wire::Target>,
    /// Renewed whenever the schedule changes, so a timer armed for an older schedule is ignored.
    pub schedule_generation: u64,
}

impl Rule {
    /// Whether the rule takes events (`ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` is enabled
    /// too: it only widens which CloudTrail events reach the bus).
    pub fn enabled(&self) -> bool {
        self.state != wire::RuleState::Disabled
    }
}

/// One archived event: when it was archived and the envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchivedEvent {
    pub time: f64,
    pub event: Value,
}

#[derive(Debug, Clone)]
pub struct Archive {
    pub name: String,
    pub arn: String,
    pub event_source_arn: String,
    pub description: Option<String>,
    pub event_pattern: Option<String>,
    pub pattern: Option<EventPattern>,
    pub retention_days: i32,
    pub kms_key_identifier: Option<String>,
    pub created: f64,
    pub events: Vec<ArchivedEvent>,
}

impl Archive {
    pub fn size_bytes(&self) -> i64 {
        self.events
            .iter()
            .map(|e| e.event.to_string().len() as i64)
            .sum()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub state: wire::ReplayState,
    pub state_reason: Option<String>,
    pub event_source_arn: String,
    pub destination: wire::ReplayDestination,
    pub event_start_time: f64,
    pub event_end_time: f64,
    pub event_last_replayed_time: Option<f64>,
    pub replay_start_time: f64,
    pub replay_end_time: Option<f64>,
}

/// How a connection authorizes calls, with the secrets AWS keeps in Secrets Manager.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectionAuth {
    Basic {
        username: String,
        password: String,
    },
    ApiKey {
        name: String,
        value: String,
    },
    OAuth {
        client_id: String,
        client_secret: String,
        authorization_endpoint: String,
        http_method: wire::ConnectionOAuthHttpMethod,
        http_parameters: Option<wire::ConnectionHttpParameters>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub state: wire::ConnectionState,
    pub authorization_type: wire::ConnectionAuthorizationType,
    pub auth: Option<ConnectionAuth>,
    pub invocation_http_parameters: Option<wire::ConnectionHttpParameters>,
    pub secret_arn: String,
    pub kms_key_identifier: Option<String>,
    pub created: f64,
    pub last_modified: f64,
    pub last_authorized: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiDestination {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub connection_arn: String,
    pub invocation_endpoint: String,
    pub http_method: wire::ApiDestinationHttpMethod,
    pub invocation_rate_limit_per_second: Option<i32>,
    pub created: f64,
    pub last_modified: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub routing_config: wire::RoutingConfig,
    pub replication_config: Option<wire::ReplicationConfig>,
    pub event_buses: Vec<wire::EndpointEventBus>,
    pub role_arn: Option<String>,
    pub endpoint_id: String,
    pub endpoint_url: String,
    pub created: f64,
    pub last_modified: f64,
}

/// A partner event source as the partner (the SaaS account) sees it: which accounts it serves.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerSource {
    pub name: String,
    pub arn: String,
    /// The customer account it was created for, and when.
    pub account: String,
    pub created: f64,
}

/// A partner event source as the customer account sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSource {
    pub name: String,
    pub arn: String,
    pub created_by: String,
    pub created: f64,
    pub state: wire::EventSourceState,
}

#[derive(Debug)]
pub struct State {
    /// Buses by name.
    pub buses: BTreeMap<String, EventBus>,
    /// Rules by (bus name, rule name): names are unique per bus.
    pub rules: BTreeMap<(String, String), Rule>,
    /// Per bus, the patterns of its enabled pattern rules, keyed by rule name.
    pub indexes: BTreeMap<String, PatternIndex<String>>,
    pub archives: BTreeMap<String, Archive>,
    pub replays: BTreeMap<String, Replay>,
    pub connections: BTreeMap<String, Connection>,
    pub api_destinations: BTreeMap<String, ApiDestination>,
    pub endpoints: BTreeMap<String, Endpoint>,
    /// Sources this account created as a partner, by name.
    pub partner_sources: BTreeMap<String, PartnerSource>,
    /// Partner sources offered to this account, by name.
    pub event_sources: BTreeMap<String, EventSource>,
    /// Tags by resource ARN.
    pub tags: BTreeMap<String, BTreeMap<String, String>>,
    /// The last schedule generation handed out. One counter for all rules, so that a rule
    /// deleted and created again never matches a timer armed for its predecessor.
    pub schedule_generations: u64,
}

impl State {
    pub fn new(account: &str, region: &str, now: f64) -> State {
        let default = EventBus {
            name: DEFAULT_BUS.into(),
            arn: arn("events", region, account, "event-bus/default"),
            description: None,
            kms_key_identifier: None,
            dead_letter_config: None,
            log_config: None,
            created: now,
            last_modified: now,
            policy: None,
            event_source_name: None,
        };
        State {
            buses: BTreeMap::from([(DEFAULT_BUS.to_owned(), default)]),
            rules: BTreeMap::new(),
            indexes: BTreeMap::new(),
            archives: BTreeMap::new(),
            replays: BTreeMap::new(),
            connections: BTreeMap::new(),
            api_destinations: BTreeMap::new(),
            endpoints: BTreeMap::new(),
            partner_sources: BTreeMap::new(),
            event_sources: BTreeMap::new(),
            tags: BTreeMap::new(),
            schedule_generations: 0,
        }
    }

    /// A schedule generation no timer armed so far carries.
    pub fn next_schedule_generation(&mut self) -> u64 {
        self.schedule_generations += 1;
        self.schedule_generations
    }

    /// Creates (or replaces) a rule managed by another AWS service (`managed_by`, e.g.
    /// `codepipeline.amazonaws.com`), as services create their own rules on a customer's bus.
    /// Users can read it but change or delete it only with `Force`, as in AWS.
    pub fn put_managed_rule(
        &mut self,
        bus: &str,
        name: &str,
        event_pattern: &str,
        managed_by: &str,
    ) -> Result<String, super::pattern::PatternError> {
        EventPattern::parse(event_pattern)?;
        let Some(bus_arn) = self.buses.get(bus).map(|b| b.arn.clone()) else {
            return Err(super::pattern::PatternError {
                message: format!("Event bus {bus} does not exist."),
            });
        };
        let resource = if bus == DEFAULT_BUS {
            format!("rule/{name}")
        } else {
            format!("rule/{bus}/{name}")
        };
        // The bus ARN's prefix (`arn:aws:events:<region>:<account>:`) is the rule's too.
        let prefix = bus_arn
            .rsplit_once(":event-bus/")
            .map_or(bus_arn.as_str(), |(p, _)| p);
        let account = prefix.rsplit(':').next().unwrap_or_default().to_owned();
        let key = (bus.to_owned(), name.to_owned());
        let targets = self
            .rules
            .get(&key)
            .map(|r| r.targets.clone())
            .unwrap_or_default();
        let generation = self.next_schedule_generation();
        let rule = Rule {
            name: name.to_owned(),
            arn: format!("{prefix}:{resource}"),
            bus: bus.to_owned(),
            event_pattern: Some(event_pattern.to_owned()),
            schedule_expression: None,
            state: codemock_wire::events::RuleState::Enabled,
            description: None,
            role_arn: None,
            managed_by: Some(managed_by.to_owned()),
            created_by: account,
            targets,
            schedule_generation: generation,
        };
        let arn = rule.arn.clone();
        self.rules.insert(key, rule);
        self.reindex(bus, name);
        Ok(arn)
    }

    /// Files (or unfiles) a rule in its bus's pattern index after any change to it.
    pub fn reindex(&mut self, bus: &str, name: &str) {
        let key = (bus.to_owned(), name.to_owned());
        let pattern = self.rules.get(&key).and_then(|r| {
            if !r.enabled() {
                return None;
            }
            r.event_pattern
                .as_deref()
                .and_then(|p| EventPattern::parse(p).ok())
        });
        let index = self.indexes.entry(bus.to_owned()).or_default();
        match pattern {
            Some(p) => index.insert(name.to_owned(), p),
            None => index.remove(&name.to_owned()),
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

impl crate::services::registry::PartitionState for State {
    fn new(account: &str, region: &str, now: f64) -> State {
        State::new(account, region, now)
    }
}
