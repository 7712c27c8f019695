//! Rules, their targets, and TestEventPattern.

use super::buses::apply_tags;
use super::{bus_not_found, page, rule_not_found, Empty};
use crate::error::ServiceError;
use crate::ids::arn;
use crate::ids::split_arn;
use crate::services::events::delivery::arm_schedule;
use crate::services::events::pattern::EventPattern;
use crate::services::events::schedule::Schedule;
use crate::services::events::state::{bus_name_from, Rule, DEFAULT_BUS};
use crate::services::events::transform::validate_target_input;
use crate::services::events::Call;
use codemock_wire::events as wire;
use serde_json::Value;

/// Most targets a rule may have.
const MAX_TARGETS: usize = 5;

fn invalid_pattern(message: String) -> ServiceError {
    ServiceError::new("InvalidEventPatternException", message)
}

/// Parses a pattern as PutRule, CreateArchive and TestEventPattern do. Its length limit (the API's
/// 4096 characters, `pattern::MAX_EVENT_PATTERN_LENGTH`; the account quota of 2048 is adjustable, so the API limit is the one
/// enforced) is checked by the wire validator before a handler runs, with AWS's
/// `ValidationException` text.
pub(super) fn parse_pattern(text: &str) -> Result<EventPattern, ServiceError> {
    EventPattern::parse(text).map_err(|e| invalid_pattern(e.message))
}

/// A managed rule (created by another AWS service) changes only with `Force`.
fn check_managed(rule: &Rule, force: bool) -> Result<(), ServiceError> {
    match &rule.managed_by {
        Some(by) if !force => Err(ServiceError::new(
            "ManagedRuleException",
            format!(
                "Rule {} is managed by {by} and cannot be modified without Force.",
                rule.name
            ),
        )),
        _ => Ok(()),
    }
}

fn rule_arn(call: &Call<'_>, bus: &str, name: &str) -> String {
    let resource = if bus == DEFAULT_BUS {
        format!("rule/{name}")
    } else {
        format!("rule/{bus}/{name}")
    };
    arn("events", &call.ctx.region, &call.ctx.account_id, &resource)
}

fn existing_bus(call: &Call<'_>, bus: Option<&str>) -> Result<String, ServiceError> {
    let bus = bus_name_from(bus);
    if call.state.buses.contains_key(&bus) {
        Ok(bus)
    } else {
        Err(bus_not_found(&bus))
    }
}

pub(super) fn put_rule(
    call: &mut Call<'_>,
    input: wire::PutRuleRequest,
) -> Result<wire::PutRuleResponse, ServiceError> {
    let name = input.name;
    let bus = existing_bus(call, input.event_bus_name.as_deref())?;
    // An empty pattern or schedule string counts as none: clients that build PutRule from one
    // template send `"EventPattern": ""` beside a schedule and the reverse (moto's test suite
    // does), and accepting it is the lenient side of AWS's behaviour.
    let event_pattern = input.event_pattern.filter(|p| !p.trim().is_empty());
    let schedule_expression = input.schedule_expression.filter(|s| !s.trim().is_empty());
    if event_pattern.is_none() && schedule_expression.is_none() {
        return Err(ServiceError::validation(
            "Parameter(s) EventPattern or ScheduleExpression must be specified.",
        ));
    }
    if let Some(p) = &event_pattern {
        parse_pattern(p)?;
    }
    if let Some(s) = &schedule_expression {
        if bus != DEFAULT_BUS {
            return Err(ServiceError::validation(
                "ScheduleExpression is supported only on the default event bus.",
            ));
        }
        Schedule::parse(s).map_err(ServiceError::validation)?;
    }
    let key = (bus.clone(), name.clone());
    let previous = call.state.rules.get(&key);
    if let Some(r) = previous {
        check_managed(r, false)?;
    }
    let targets = previous.map(|r| r.targets.clone()).unwrap_or_default();
    let generation = call.state.next_schedule_generation();
    // PutRule replaces the rule: omitted members are not kept, and the state defaults to ENABLED.
    let rule = Rule {
        arn: rule_arn(call, &bus, &name),
        name: name.clone(),
        bus: bus.clone(),
        event_pattern,
        schedule_expression,
        state: input.state.unwrap_or(wire::RuleState::Enabled),
        description: input.description,
        role_arn: input.role_arn,
        managed_by: None,
        created_by: call.ctx.account_id.clone(),
        targets,
        schedule_generation: generation,
    };
    let rule_arn = rule.arn.clone();
    arm_schedule(
        call.effects,
        &call.ctx.account_id,
        &call.ctx.region,
        &rule,
        call.ctx.received_at,
    );
    call.state.rules.insert(key, rule);
    call.state.reindex(&bus, &name);
    apply_tags(call, &rule_arn, input.tags);
    Ok(wire::PutRuleResponse {
        rule_arn: Some(rule_arn),
    })
}

fn get_rule<'c>(
    call: &'c Call<'_>,
    name: Option<&str>,
    bus: Option<&str>,
) -> Result<&'c Rule, ServiceError> {
    let bus = existing_bus(call, bus)?;
    let name = name.unwrap_or_default();
    call.state
        .rules
        .get(&(bus.clone(), name.to_owned()))
        .ok_or_else(|| rule_not_found(name, &bus))
}

pub(super) fn describe_rule(
    call: &mut Call<'_>,
    input: wire::DescribeRuleRequest,
) -> Result<wire::DescribeRuleResponse, ServiceError> {
    let r = get_rule(
        call,
        Some(input.name.as_str()),
        input.event_bus_name.as_deref(),
    )?;
    Ok(wire::DescribeRuleResponse {
        name: Some(r.name.clone()),
        arn: Some(r.arn.clone()),
        event_pattern: r.event_pattern.clone(),
        schedule_expression: r.schedule_expression.clone(),
        state: Some(r.state),
        description: r.description.clone(),
        role_arn: r.role_arn.clone(),
        managed_by: r.managed_by.clone(),
        event_bus_name: Some(r.bus.clone()),
        created_by: Some(r.created_by.clone()),
    })
}

pub(super) fn delete_rule(
    call: &mut Call<'_>,
    input: wire::DeleteRuleRequest,
) -> Result<Empty, ServiceError> {
    let bus = existing_bus(call, input.event_bus_name.as_deref())?;
    let key = (bus.clone(), input.name);
    let state = &mut call.state;
    // Deleting a rule that does not exist succeeds, as in AWS.
    let Some(rule) = state.rules.get(&key) else {
        return Ok(Empty {});
    };
    check_managed(rule, input.force == Some(true))?;
    if !rule.targets.is_empty() {
        return Err(ServiceError::validation(
            "Rule can't be deleted since it has targets.",
        ));
    }
    if let Some(r) = state.rules.remove(&key) {
        state.tags.remove(&r.arn);
    }
    state.reindex(&bus, &key.1);
    Ok(Empty {})
}

fn set_state(
    call: &mut Call<'_>,
    name: Option<String>,
    bus: Option<String>,
    to: wire::RuleState,
) -> Result<Empty, ServiceError> {
    let bus = existing_bus(call, bus.as_deref())?;
    let name = name.unwrap_or_default();
    let now = call.ctx.received_at;
    let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
    let generation = call.state.next_schedule_generation();
    let rule = call
        .state
        .rules
        .get_mut(&(bus.clone(), name.clone()))
        .ok_or_else(|| rule_not_found(&name, &bus))?;
    check_managed(rule, false)?;
    let was_enabled = rule.enabled();
    rule.state = to;
    if rule.enabled() != was_enabled {
        // A re-enabled schedule starts counting again from now; a disabled one stops.
        rule.schedule_generation = generation;
        arm_schedule(call.effects, &account, &region, rule, now);
    }
    call.state.reindex(&bus, &name);
    Ok(Empty {})
}

pub(super) fn enable_rule(
    call: &mut Call<'_>,
    input: wire::EnableRuleRequest,
) -> Result<Empty, ServiceError> {
    set_state(
        call,
        Some(input.name),
        input.event_bus_name,
        wire::RuleState::Enabled,
    )
}

pub(super) fn disable_rule(
    call: &mut Call<'_>,
    input: wire::DisableRuleRequest,
) -> Result<Empty, ServiceError> {
    set_state(
        call,
        Some(input.name),
        input.event_bus_name,
        wire::RuleState::Disabled,
    )
}

pub(super) fn list_rules(
    call: &mut Call<'_>,
    input: wire::ListRulesRequest,
) -> Result<wire::ListRulesResponse, ServiceError> {
    let bus = existing_bus(call, input.event_bus_name.as_deref())?;
    let prefix = input.name_prefix.unwrap_or_default();
    let rules = call
        .state
        .rules
        .range((bus.clone(), String::new())..)
        .take_while(|((b, _), _)| *b == bus)
        .filter(|((_, n), _)| n.starts_with(&prefix))
        .map(|((_, n), r)| (n.as_str(), r));
    let (items, next_token) = page(rules, input.next_token.as_deref(), input.limit)?;
    Ok(wire::ListRulesResponse {
        rules: Some(
            items
                .iter()
                .map(|r| wire::Rule {
                    name: Some(r.name.clone()),
                    arn: Some(r.arn.clone()),
                    event_pattern: r.event_pattern.clone(),
                    schedule_expression: r.schedule_expression.clone(),
                    state: Some(r.state),
                    description: r.description.clone(),
                    role_arn: r.role_arn.clone(),
                    managed_by: r.managed_by.clone(),
                    event_bus_name: Some(r.bus.clone()),
                })
                .collect(),
        ),
        next_token,
    })
}

fn check_target(t: &wire::Target) -> Result<(), ServiceError> {
    let id = t.id.as_str();
    let arn = t.arn.as_str();
    let Some((service, _, _, resource)) =
        split_arn(arn).filter(|p| !p.0.is_empty() && !p.3.is_empty())
    else {
        return Err(ServiceError::validation(format!(
            "Parameter {arn} is not valid. Reason: Provided Arn is not in correct format."
        )));
    };
    if service == "sqs"
        && resource.ends_with(".fifo")
        && t.sqs_parameters
            .as_ref()
            .and_then(|p| p.message_group_id.as_ref())
            .is_none()
    {
        return Err(ServiceError::validation(format!(
            "Parameter(s) SqsParameters must be specified for target: {id}."
        )));
    }
    if let Some(dlq) = t.dead_letter_config.as_ref().and_then(|d| d.arn.as_deref()) {
        if !matches!(split_arn(dlq), Some(("sqs", _, _, q)) if !q.is_empty()) {
            return Err(ServiceError::validation(format!(
                "Parameter DeadLetterConfig.Arn is not valid. Reason: {dlq} is not a valid SQS queue ARN."
            )));
        }
    }
    validate_target_input(t).map_err(|e| ServiceError::validation(e.0))
}

pub(super) fn put_targets(
    call: &mut Call<'_>,
    input: wire::PutTargetsRequest,
) -> Result<wire::PutTargetsResponse, ServiceError> {
    let bus = existing_bus(call, input.event_bus_name.as_deref())?;
    let name = input.rule;
    let targets = input.targets;
    for t in &targets {
        check_target(t)?;
    }
    let rule = call
        .state
        .rules
        .get_mut(&(bus.clone(), name.clone()))
        .ok_or_else(|| rule_not_found(&name, &bus))?;
    check_managed(rule, false)?;
    let mut ids: std::collections::BTreeSet<&str> =
        rule.targets.keys().map(String::as_str).collect();
    ids.extend(targets.iter().map(|t| t.id.as_str()));
    if ids.len() > MAX_TARGETS {
        return Err(ServiceError::new(
            "LimitExceededException",
            "The requested resource exceeds the maximum number allowed.",
        ));
    }
    for t in targets {
        let id = t.id.clone();
        rule.targets.insert(id, t);
    }
    Ok(wire::PutTargetsResponse {
        failed_entry_count: Some(0),
        failed_entries: Some(Vec::new()),
    })
}

pub(super) fn remove_targets(
    call: &mut Call<'_>,
    input: wire::RemoveTargetsRequest,
) -> Result<wire::RemoveTargetsResponse, ServiceError> {
    let bus = existing_bus(call, input.event_bus_name.as_deref())?;
    let name = input.rule;
    let rule = call
        .state
        .rules
        .get_mut(&(bus.clone(), name.clone()))
        .ok_or_else(|| rule_not_found(&name, &bus))?;
    check_managed(rule, input.force == Some(true))?;
    // Removing an id the rule does not have is not an error in AWS: the target is gone either way.
    for id in input.ids {
        rule.targets.remove(&id);
    }
    Ok(wire::RemoveTargetsResponse {
        failed_entry_count: Some(0),
        failed_entries: Some(Vec::new()),
    })
}

pub(super) fn list_targets_by_rule(
    call: &mut Call<'_>,
    input: wire::ListTargetsByRuleRequest,
) -> Result<wire::ListTargetsByRuleResponse, ServiceError> {
    let rule = get_rule(
        call,
        Some(input.rule.as_str()),
        input.event_bus_name.as_deref(),
    )?;
    let targets = rule.targets.iter().map(|(id, t)| (id.as_str(), t));
    let (items, next_token) = page(targets, input.next_token.as_deref(), input.limit)?;
    Ok(wire::ListTargetsByRuleResponse {
        targets: Some(items),
        next_token,
    })
}

pub(super) fn list_rule_names_by_target(
    call: &mut Call<'_>,
    input: wire::ListRuleNamesByTargetRequest,
) -> Result<wire::ListRuleNamesByTargetResponse, ServiceError> {
    let bus = existing_bus(call, input.event_bus_name.as_deref())?;
    let target = input.target_arn;
    let names: Vec<(String, String)> = call
        .state
        .rules
        .range((bus.clone(), String::new())..)
        .take_while(|((b, _), _)| *b == bus)
        .filter(|(_, r)| r.targets.values().any(|t| t.arn.as_str() == target))
        .map(|((_, n), _)| (n.clone(), n.clone()))
        .collect();
    let (items, next_token) = page(
        names.iter().map(|(k, v)| (k.as_str(), v)),
        input.next_token.as_deref(),
        input.limit,
    )?;
    Ok(wire::ListRuleNamesByTargetResponse {
        rule_names: Some(items),
        next_token,
    })
}

/// The members TestEventPattern requires of the event. The API reference also lists
/// `resources`, but AWS does not enforce it: LocalStack's AWS-validated pattern templates send
/// events without `resources` and get a result, and its test_invalid_event_payload names these
/// six as the mandatory ones. Only presence is checked; whether AWS also checks their types
/// (a well-formed `time`, say) is not recorded, so any value is accepted.
const REQUIRED_EVENT_FIELDS: [&str; 6] =
    ["id", "account", "source", "time", "region", "detail-type"];

pub(super) fn test_event_pattern(
    _call: &mut Call<'_>,
    input: wire::TestEventPatternRequest,
) -> Result<wire::TestEventPatternResponse, ServiceError> {
    let pattern = parse_pattern(input.event_pattern.as_str())?;
    // AWS's message is exactly this, with no reason after it, whether the event is not JSON,
    // not an object, or lacks a mandatory field (recorded: test_events_patterns.snapshot.json,
    // test_plain_string_payload, test_array_event_payload, test_invalid_event_payload).
    let not_valid = || ServiceError::validation("Parameter Event is not valid.");
    let event: Value = serde_json::from_str(input.event.as_str()).map_err(|_| not_valid())?;
    let Some(fields) = event.as_object() else {
        return Err(not_valid());
    };
    if REQUIRED_EVENT_FIELDS
        .iter()
        .any(|f| !fields.contains_key(*f))
    {
        return Err(not_valid());
    }
    Ok(wire::TestEventPatternResponse {
        result: Some(pattern.matches(&event)),
    })
}
