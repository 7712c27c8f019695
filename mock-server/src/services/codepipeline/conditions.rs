//! Stage conditions at run time: a check of a stage's `beforeEntry`, `onSuccess` or `onFailure`
//! conditions runs every rule of every condition (a rule execution each, for
//! ListRuleExecutions and GetPipelineState), and once a condition fails, or all succeed, hands
//! the engine its [`Verdict`]. The rules, as the CodePipeline rule reference describes them:
//!
//! - `VariableCheck`: `Variable` (a `#{ns.name}` reference) compared with `Value` by `Operator`
//!   (`EQ`, `NE`, `CONTAINS`, `MATCHES` a regular expression);
//! - `DeploymentWindow`: succeeds inside the window a Quartz-style `Cron` (seconds first, year
//!   optional) describes in `TimeZone` (UTC by default), and otherwise waits, on the virtual
//!   clock, until the window opens;
//! - `CloudWatchAlarm`: fails while alarm `AlarmName` is in one of `AlarmStates`, after waiting
//!   up to `WaitTime` minutes for it to leave them;
//! - `LambdaInvoke`: invokes `FunctionName` (recorded in the invocation log) and succeeds or fails
//!   from the response.
//!
//! AWS publishes no EventBridge event for conditions or rules (reference/events-and-states.md
//! §1 lists pipeline, stage and action events only), so none is emitted.

use super::execution::{Cond, Engage, Gates, OnFailure, Out, Verdict};
use super::state::{CheckRecord, ConditionRecord, RuleRecord};
use super::{actions::timer_key, Call, Timer};
use crate::error::ServiceError;
use crate::invocations::{InvocationResponse, InvocationType, InvokeRequest};
use crate::services::events::ports::Schedule;
use codemock_wire::codepipeline::{
    ArtifactDetail, Condition, ResultShape, RuleExecutionInput, S3Location, StageDeclaration,
    StageRetryMode,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// How often a waiting CloudWatchAlarm rule looks at its alarm again (virtual seconds).
const ALARM_RECHECK_SECONDS: f64 = 60.0;

/// The engine's gates of a stage declaration.
pub fn gates_of(s: &StageDeclaration) -> Gates {
    let has = |c: &Option<Vec<Condition>>| c.as_ref().is_some_and(|c| !c.is_empty());
    let on_failure = match &s.on_failure {
        None => OnFailure::Fail,
        Some(f) if has(&f.conditions) => OnFailure::Conditions,
        Some(f) => match f.result {
            Some(ResultShape::Retry) => OnFailure::Retry {
                all: f.retry_configuration.as_ref().and_then(|r| r.retry_mode)
                    == Some(StageRetryMode::AllActions),
            },
            Some(ResultShape::Rollback) => OnFailure::Rollback,
            _ => OnFailure::Fail,
        },
    };
    Gates {
        before_entry: s
            .before_entry
            .as_ref()
            .is_some_and(|b| !b.conditions.is_empty()),
        on_success: s
            .on_success
            .as_ref()
            .is_some_and(|b| !b.conditions.is_empty()),
        on_failure,
    }
}

/// The conditions of kind `cond` a stage declares.
pub fn conditions_of(s: &StageDeclaration, cond: Cond) -> Vec<Condition> {
    match cond {
        Cond::BeforeEntry => s.before_entry.as_ref().map(|b| b.conditions.clone()),
        Cond::OnSuccess => s.on_success.as_ref().map(|b| b.conditions.clone()),
        Cond::OnFailure => s.on_failure.as_ref().and_then(|b| b.conditions.clone()),
    }
    .unwrap_or_default()
}

/// The result a condition of kind `cond` engages when it states none (unconfirmed: the user
/// guide names FAIL for entry conditions and ROLLBACK for onFailure ones as their results).
pub fn default_result(cond: Cond) -> ResultShape {
    match cond {
        Cond::BeforeEntry | Cond::OnSuccess => ResultShape::Fail,
        Cond::OnFailure => ResultShape::Rollback,
    }
}

fn engage(result: &str) -> Engage {
    match result {
        "SKIP" => Engage::Skip,
        "ROLLBACK" => Engage::Rollback,
        "RETRY" => Engage::Retry,
        _ => Engage::Fail,
    }
}

/// Where a rule stands after a look.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Succeeded(String),
    /// (`FailureType`-like code, message).
    Failed(String, String),
    /// Look again at this virtual time.
    WaitUntil(f64, String),
}

/// Starts the check of the conditions of kind `cond` of `stage` for execution `exec`.
pub fn start(call: &mut Call<'_>, pipeline: &str, exec: &str, stage: &str, cond: Cond) -> Vec<Out> {
    let now = call.core.clock.now();
    let region = call.ctx.region.clone();
    let Some(p) = call.state.pipelines.get(pipeline) else {
        return vec![];
    };
    let Some(er) = p.executions.get(exec) else {
        return vec![];
    };
    let version = er.version;
    let d = p.versions.get(&version).unwrap_or(&p.declaration);
    let Some(decl) = d.stages.iter().find(|s| s.name == stage) else {
        return vec![];
    };
    let namespaces = er.namespaces.clone();
    let artifacts = er.artifacts.clone();
    let conditions = conditions_of(decl, cond);
    let mut check = CheckRecord {
        exec_id: exec.to_owned(),
        stage: stage.to_owned(),
        cond,
        status: "InProgress".into(),
        summary: None,
        updated: now,
        conditions: Vec::new(),
    };
    let mut rules = Vec::new();
    for c in &conditions {
        let result = c.result.unwrap_or_else(|| default_result(cond));
        let mut ids = Vec::new();
        for r in c.rules.iter().flatten() {
            let id = call.core.ids.uuid();
            let config = r.configuration.clone().unwrap_or_default();
            let resolved: BTreeMap<String, String> = config
                .iter()
                .map(|(k, v)| {
                    let v = super::variables::resolve(v, &namespaces).unwrap_or_else(|_| v.clone());
                    (k.clone(), v)
                })
                .collect();
            let inputs = r
                .input_artifacts
                .iter()
                .flatten()
                .filter_map(|a| {
                    let name = a.name.clone();
                    let (b, k) = artifacts.get(&name)?.clone();
                    Some(ArtifactDetail {
                        name: Some(name),
                        s3location: Some(S3Location {
                            bucket: Some(b),
                            key: Some(k),
                        }),
                    })
                })
                .collect();
            rules.push(RuleRecord {
                exec_id: exec.to_owned(),
                id: id.clone(),
                stage: stage.to_owned(),
                rule: r.name.clone(),
                cond,
                version,
                start: now,
                updated: now,
                status: "InProgress".into(),
                summary: None,
                external_id: None,
                error: None,
                input: RuleExecutionInput {
                    rule_type_id: Some(r.rule_type_id.clone()),
                    configuration: Some(config),
                    resolved_configuration: Some(resolved),
                    role_arn: r.role_arn.clone(),
                    region: Some(r.region.clone().unwrap_or_else(|| region.clone())),
                    input_artifacts: Some(inputs),
                },
            });
            ids.push(id);
        }
        check.conditions.push(ConditionRecord {
            result: result.as_str().to_owned(),
            status: "InProgress".into(),
            summary: None,
            updated: now,
            rules: ids,
        });
    }
    let ids: Vec<String> = rules.iter().map(|r| r.id.clone()).collect();
    let Some(p) = call.state.pipelines.get_mut(pipeline) else {
        return vec![];
    };
    p.checks.push(check);
    p.rules.extend(rules);
    for id in &ids {
        look(call, pipeline, id, true);
    }
    settle(call, pipeline, exec, stage, cond)
}

/// A waiting rule's timer fired: look again, and settle its check.
pub fn recheck(call: &mut Call<'_>, pipeline: &str, rule_execution_id: &str) {
    let Some(r) = call
        .state
        .pipelines
        .get(pipeline)
        .and_then(|p| p.rules.iter().rev().find(|r| r.id == rule_execution_id))
        .cloned()
    else {
        return;
    };
    if r.status != "InProgress" {
        return;
    }
    look(call, pipeline, rule_execution_id, false);
    let outs = settle(call, pipeline, &r.exec_id, &r.stage, r.cond);
    super::runtime::drive(call, pipeline, outs);
}

/// Evaluates one rule and records where it stands (arming a timer when it waits).
fn look(call: &mut Call<'_>, pipeline: &str, id: &str, first: bool) {
    let now = call.core.clock.now();
    let Some(p) = call.state.pipelines.get(pipeline) else {
        return;
    };
    let Some(r) = p.rules.iter().rev().find(|r| r.id == id).cloned() else {
        return;
    };
    let namespaces = p
        .executions
        .get(&r.exec_id)
        .map(|e| e.namespaces.clone())
        .unwrap_or_default();
    let arn = p.arn.clone();
    let provider = r
        .input
        .rule_type_id
        .as_ref()
        .map(|t| t.provider.clone())
        .unwrap_or_default();
    let config = r.input.configuration.clone().unwrap_or_default();
    let resolved = r.input.resolved_configuration.clone().unwrap_or_default();
    let get = |k: &str| resolved.get(k).cloned().unwrap_or_default();
    let step = match provider.as_str() {
        "VariableCheck" => {
            // The variable is resolved when the rule runs; a reference without a value fails it.
            match super::variables::resolve(
                config.get("Variable").map(String::as_str).unwrap_or(""),
                &namespaces,
            ) {
                Ok(value) => variable_check(&value, &get("Operator"), &get("Value")),
                Err(reference) => Step::Failed(
                    "ConfigurationError".into(),
                    format!("Unable to resolve variable reference '#{{{reference}}}'"),
                ),
            }
        }
        "DeploymentWindow" => {
            let tz = resolved.get("TimeZone").cloned();
            deployment_window(&get("Cron"), tz.as_deref(), now)
        }
        "CloudWatchAlarm" => {
            let state = alarm_state(call, &get("AlarmName"));
            let wait_minutes = get("WaitTime")
                .trim()
                .parse::<f64>()
                .unwrap_or(0.0)
                .max(0.0);
            alarm_check(
                &state,
                resolved.get("AlarmStates").map(String::as_str),
                r.start + wait_minutes * 60.0,
                now,
            )
        }
        "LambdaInvoke" if first => {
            let function = get("FunctionName");
            // Unconfirmed: the rule reference does not show the event a LambdaInvoke rule sends;
            // this one names the pipeline, stage, rule and execution and carries the rule's
            // resolved configuration.
            let payload = json!({
                "pipelineName": pipeline,
                "pipelineArn": arn,
                "stageName": r.stage,
                "ruleName": r.rule,
                "pipelineExecutionId": r.exec_id,
                "ruleExecutionId": r.id,
                "configuration": resolved,
            });
            let response = call.core.invocations.invoke(InvokeRequest {
                function: function.clone(),
                invocation_type: InvocationType::RequestResponse,
                payload: payload.to_string(),
                source: "codepipeline".into(),
                source_arn: Some(arn.clone()),
                account: call.ctx.account_id.clone(),
                region: call.ctx.region.clone(),
                time: now,
            });
            lambda_step(&function, &response)
        }
        "LambdaInvoke" => return,
        "Commands" => commands_step(call, pipeline, &arn, &r.rule),
        other => Step::Failed(
            "ConfigurationError".into(),
            format!("codemock does not run rules of provider '{other}'"),
        ),
    };
    let Some(r) = call
        .state
        .pipelines
        .get_mut(pipeline)
        .and_then(|p| p.rules.iter_mut().rev().find(|r| r.id == id))
    else {
        return;
    };
    r.updated = now;
    match step {
        Step::Succeeded(summary) => {
            r.status = "Succeeded".into();
            r.summary = Some(summary);
        }
        Step::Failed(code, message) => {
            r.status = "Failed".into();
            r.summary = Some(message.clone());
            r.error = Some((code, message));
        }
        Step::WaitUntil(at, summary) => {
            r.summary = Some(summary);
            let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
            call.effects.arm_keyed(
                timer_key("rule", id),
                at,
                &account,
                &region,
                Timer::RuleCheck {
                    pipeline: pipeline.to_owned(),
                    rule_execution_id: id.to_owned(),
                },
            );
        }
    }
}

/// Looks at the check's rules: once a condition failed (its result engaged) or all succeeded,
/// records the check's end, abandons the rules still waiting and gives the engine its verdict.
fn settle(call: &mut Call<'_>, pipeline: &str, exec: &str, stage: &str, cond: Cond) -> Vec<Out> {
    let now = call.core.clock.now();
    let Some(p) = call.state.pipelines.get_mut(pipeline) else {
        return vec![];
    };
    let Some(ci) = p
        .checks
        .iter()
        .rposition(|c| c.exec_id == exec && c.stage == stage && c.cond == cond)
    else {
        return vec![];
    };
    if p.checks[ci].status != "InProgress" {
        return vec![];
    }
    let status_of = |id: &String| {
        p.rules
            .iter()
            .rev()
            .find(|r| &r.id == id)
            .map(|r| (r.status.clone(), r.summary.clone()))
            .unwrap_or_else(|| ("Succeeded".into(), None))
    };
    let mut verdict = Some(Verdict::Met);
    let mut summary = None;
    let mut updates = Vec::new();
    for (k, c) in p.checks[ci].conditions.iter().enumerate() {
        let states: Vec<(String, Option<String>)> = c.rules.iter().map(status_of).collect();
        if let Some((_, s)) = states.iter().find(|(st, _)| st == "Failed") {
            updates.push((k, "Failed", s.clone()));
            if !matches!(verdict, Some(Verdict::Failed(_))) {
                verdict = Some(Verdict::Failed(engage(&c.result)));
                summary = s.clone();
            }
        } else if states.iter().all(|(st, _)| st == "Succeeded") {
            updates.push((k, "Succeeded", None));
        } else if verdict == Some(Verdict::Met) {
            verdict = None;
        }
    }
    for (k, status, s) in updates {
        let c = &mut p.checks[ci].conditions[k];
        c.status = status.into();
        c.summary = s;
        c.updated = now;
    }
    let Some(verdict) = verdict else {
        return vec![];
    };
    let check = &mut p.checks[ci];
    for c in &mut check.conditions {
        if c.status == "InProgress" {
            c.status = "Cancelled".into();
            c.updated = now;
        }
    }
    check.status = match verdict {
        Verdict::Failed(_) => "Failed",
        _ => "Succeeded",
    }
    .into();
    check.summary = summary;
    check.updated = now;
    let pending: Vec<String> = check
        .conditions
        .iter()
        .flat_map(|c| c.rules.clone())
        .collect();
    abandon_rules(call, pipeline, &pending, "Abandoned");
    let Some(p) = call.state.pipelines.get_mut(pipeline) else {
        return vec![];
    };
    p.runs
        .condition_done(exec, stage, cond, verdict)
        .unwrap_or_default()
}

/// Ends the rules in `ids` that still run with `status`, and their timers.
fn abandon_rules(call: &mut Call<'_>, pipeline: &str, ids: &[String], status: &str) {
    let now = call.core.clock.now();
    let Some(p) = call.state.pipelines.get_mut(pipeline) else {
        return;
    };
    for r in p.rules.iter_mut().filter(|r| ids.contains(&r.id)) {
        if r.status == "InProgress" {
            r.status = status.into();
            r.updated = now;
            call.effects.cancel(timer_key("rule", &r.id));
        }
    }
}

/// The execution stopped while the check ran: its rules are abandoned, the check cancelled.
pub fn abandon(call: &mut Call<'_>, pipeline: &str, exec: &str, stage: &str, cond: Cond) {
    end_check(call, pipeline, exec, stage, cond, "Cancelled", None);
}

fn end_check(
    call: &mut Call<'_>,
    pipeline: &str,
    exec: &str,
    stage: &str,
    cond: Cond,
    status: &str,
    summary: Option<String>,
) -> bool {
    let now = call.core.clock.now();
    let Some(p) = call.state.pipelines.get_mut(pipeline) else {
        return false;
    };
    let Some(check) = p
        .checks
        .iter_mut()
        .rev()
        .find(|c| c.exec_id == exec && c.stage == stage && c.cond == cond)
    else {
        return false;
    };
    if check.status != "InProgress" {
        return false;
    }
    check.status = status.into();
    check.summary = summary;
    check.updated = now;
    let mut ids = Vec::new();
    for c in &mut check.conditions {
        if c.status == "InProgress" {
            c.status = status.into();
            c.updated = now;
        }
        ids.extend(c.rules.clone());
    }
    abandon_rules(call, pipeline, &ids, "Abandoned");
    true
}

/// OverrideStageCondition: a check in progress of `stage`'s `cond` conditions ends Overridden
/// and the execution goes on as if they were met.
pub fn override_check(
    call: &mut Call<'_>,
    pipeline: &str,
    exec: &str,
    stage: &str,
    cond: Cond,
) -> Result<(), ServiceError> {
    let checking = call
        .state
        .pipelines
        .get(pipeline)
        .and_then(|p| p.runs.get(exec))
        .is_some_and(|e| {
            matches!(e.at, super::execution::At::Checking(s, c) if c == cond && e.stages[s].name == stage)
        });
    if !checking {
        return Err(ServiceError::new(
            "ConditionNotOverridableException",
            format!("Stage '{stage}' of pipeline execution '{exec}' has no condition in progress to override"),
        ));
    }
    end_check(
        call,
        pipeline,
        exec,
        stage,
        cond,
        "Overridden",
        Some("The condition was overridden".into()),
    );
    let outs = call
        .state
        .pipelines
        .get_mut(pipeline)
        .map(|p| {
            p.runs
                .condition_done(exec, stage, cond, Verdict::Overridden)
                .unwrap_or_default()
        })
        .unwrap_or_default();
    super::runtime::drive(call, pipeline, outs);
    Ok(())
}

/// VariableCheck: `value` against `expected` by `operator` (the rule reference lists EQ, NE,
/// CONTAINS and MATCHES; MATCHES takes a regular expression that must match the whole value, as
/// Java's `String.matches` does).
/// A Commands rule: its shell commands run on CodeBuild compute in AWS; codemock simulates the
/// run, which succeeds unless an outcome rule (service `codepipeline`, resource the pipeline's
/// name or ARN, step the rule's name) says otherwise. A `seconds` in the outcome rule is not
/// waited for: the rule's verdict is immediate.
fn commands_step(call: &Call<'_>, pipeline: &str, arn: &str, rule: &str) -> Step {
    use crate::outcomes::{Outcome as O, OutcomeQuery};
    let decision = call.core.outcomes.decide(
        &OutcomeQuery::new("codepipeline")
            .name(pipeline)
            .name(arn)
            .step(rule),
    );
    match decision {
        None => Step::Succeeded("The commands succeeded (simulated)".into()),
        Some(d) => match d.outcome {
            O::Succeeded => Step::Succeeded("The commands succeeded (simulated)".into()),
            _ => Step::Failed(
                d.code.clone().unwrap_or_else(|| "JobFailed".into()),
                d.message
                    .clone()
                    .unwrap_or_else(|| "The commands failed (codemock outcome rule)".into()),
            ),
        },
    }
}

pub fn variable_check(value: &str, operator: &str, expected: &str) -> Step {
    let ok = match operator {
        "EQ" => value == expected,
        "NE" => value != expected,
        "CONTAINS" => value.contains(expected),
        "MATCHES" => match regex::Regex::new(&format!("^(?:{expected})$")) {
            Ok(re) => re.is_match(value),
            Err(_) => {
                return Step::Failed(
                    "ConfigurationError".into(),
                    format!("The value '{expected}' is not a valid regular expression"),
                )
            }
        },
        other => {
            return Step::Failed(
                "ConfigurationError".into(),
                format!("The operator '{other}' is not valid: use EQ, NE, CONTAINS or MATCHES"),
            )
        }
    };
    let text = format!("Variable value '{value}' {operator} '{expected}'");
    if ok {
        Step::Succeeded(format!("{text}: true"))
    } else {
        Step::Failed("JobFailed".into(), format!("{text}: false"))
    }
}

/// DeploymentWindow: inside the window now, or wait until it opens.
pub fn deployment_window(cron: &str, tz: Option<&str>, now: f64) -> Step {
    let fields: Vec<&str> = cron.split_whitespace().collect();
    // Quartz order: seconds, minutes, hours, day-of-month, month, day-of-week, [year]. Windows
    // are whole minutes, so the seconds field is not used.
    let rest = match fields.len() {
        6 => format!("{} *", fields[1..].join(" ")),
        7 => fields[1..].join(" "),
        _ => String::new(),
    };
    let Ok(schedule) = Schedule::parse(&format!("cron({rest})")) else {
        return Step::Failed(
            "ConfigurationError".into(),
            format!("The cron expression '{cron}' is not valid"),
        );
    };
    let tz = tz.unwrap_or("UTC");
    let Some(offset) = tz_offset(tz, now) else {
        return Step::Failed(
            "ConfigurationError".into(),
            format!("codemock does not know the time zone '{tz}' (use UTC, a UTC offset such as UTC+02:00, or a common Region/City zone)"),
        );
    };
    let local = now + offset as f64;
    let minute = (local / 60.0).floor() * 60.0;
    if schedule.next_after(minute - 1.0) == Some(minute) {
        return Step::Succeeded("The deployment window is open".into());
    }
    match schedule.next_after(local) {
        // Back to UTC with the offset in force then (a DST change in between moves it).
        Some(open_local) => {
            let guess = open_local - offset as f64;
            let at = open_local - tz_offset(tz, guess).unwrap_or(offset) as f64;
            Step::WaitUntil(
                at.max(now),
                "Waiting for the deployment window to open".into(),
            )
        }
        None => Step::Failed(
            "JobFailed".into(),
            "The deployment window never opens again".into(),
        ),
    }
}

/// The offset from UTC, in seconds, of time zone `tz` at `utc`: UTC, fixed offsets
/// (`UTC+2`, `UTC-05:30`, `+02:00`), and a table of common IANA zones with the US and EU
/// daylight-saving rules. Other zones are unknown (codemock has no time zone database).
pub fn tz_offset(tz: &str, utc: f64) -> Option<i64> {
    let t = tz.trim();
    if matches!(t, "UTC" | "GMT" | "Etc/UTC" | "Etc/GMT" | "Z") {
        return Some(0);
    }
    let fixed = t
        .strip_prefix("UTC")
        .or_else(|| t.strip_prefix("GMT"))
        .unwrap_or(t);
    if let Some(sign) = fixed.chars().next().filter(|c| *c == '+' || *c == '-') {
        let body = &fixed[1..];
        let (h, m) = match body.split_once(':') {
            Some((h, m)) => (h.parse::<i64>().ok()?, m.parse::<i64>().ok()?),
            None if body.len() == 4 => (body[..2].parse().ok()?, body[2..].parse().ok()?),
            None => (body.parse().ok()?, 0),
        };
        if h > 14 || m > 59 {
            return None;
        }
        let s = (h * 3600 + m * 60) * if sign == '-' { -1 } else { 1 };
        return Some(s);
    }
    const H: i64 = 3600;
    let (standard, dst) = match t {
        "America/New_York" | "America/Toronto" | "America/Detroit" | "US/Eastern" => {
            (-5 * H, Dst::Us)
        }
        "America/Chicago" | "US/Central" => (-6 * H, Dst::Us),
        "America/Denver" | "US/Mountain" => (-7 * H, Dst::Us),
        "America/Los_Angeles" | "America/Vancouver" | "US/Pacific" => (-8 * H, Dst::Us),
        "America/Anchorage" => (-9 * H, Dst::Us),
        "America/Phoenix" => (-7 * H, Dst::None),
        "Pacific/Honolulu" => (-10 * H, Dst::None),
        "America/Sao_Paulo" => (-3 * H, Dst::None),
        "Europe/London" | "Europe/Dublin" | "Europe/Lisbon" => (0, Dst::Eu),
        "Europe/Paris" | "Europe/Berlin" | "Europe/Madrid" | "Europe/Rome" | "Europe/Amsterdam"
        | "Europe/Brussels" | "Europe/Vienna" | "Europe/Zurich" | "Europe/Stockholm"
        | "Europe/Oslo" | "Europe/Copenhagen" | "Europe/Warsaw" | "Europe/Prague" => (H, Dst::Eu),
        "Europe/Helsinki" | "Europe/Athens" | "Europe/Bucharest" | "Europe/Kiev"
        | "Europe/Kyiv" => (2 * H, Dst::Eu),
        "Asia/Dubai" => (4 * H, Dst::None),
        "Asia/Kolkata" | "Asia/Calcutta" => (5 * H + 1800, Dst::None),
        "Asia/Singapore" | "Asia/Shanghai" | "Asia/Hong_Kong" | "Asia/Taipei" => (8 * H, Dst::None),
        "Asia/Tokyo" | "Asia/Seoul" => (9 * H, Dst::None),
        "Australia/Brisbane" => (10 * H, Dst::None),
        _ => return None,
    };
    Some(standard + if dst.active(utc, standard) { H } else { 0 })
}

#[derive(Debug, Clone, Copy)]
enum Dst {
    None,
    /// Second Sunday of March 02:00 local to first Sunday of November 02:00 local.
    Us,
    /// Last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC.
    Eu,
}

impl Dst {
    fn active(self, utc: f64, standard: i64) -> bool {
        use crate::protocol::timestamps::{civil_from_days, days_from_civil};
        let t = utc as i64;
        let (year, _, _) = civil_from_days(t.div_euclid(86_400));
        // Day number of the `n`th (1-based; 0 = last) Sunday of `month`.
        let sunday = |month: u32, n: u32| -> i64 {
            let first = days_from_civil(year, month, 1);
            // 1970-01-01 (day 0) was a Thursday: weekday 0 = Sunday.
            let wd = (first + 4).rem_euclid(7);
            let first_sunday = first + (7 - wd) % 7;
            if n == 0 {
                let next = if month == 12 {
                    days_from_civil(year + 1, 1, 1)
                } else {
                    days_from_civil(year, month + 1, 1)
                };
                let mut d = first_sunday;
                while d + 7 < next {
                    d += 7;
                }
                d
            } else {
                first_sunday + 7 * i64::from(n - 1)
            }
        };
        match self {
            Dst::None => false,
            Dst::Us => {
                let start = sunday(3, 2) * 86_400 + 2 * 3600 - standard;
                let end = sunday(11, 1) * 86_400 + 2 * 3600 - (standard + 3600);
                (start..end).contains(&t)
            }
            Dst::Eu => {
                let start = sunday(3, 0) * 86_400 + 3600;
                let end = sunday(10, 0) * 86_400 + 3600;
                (start..end).contains(&t)
            }
        }
    }
}

/// CloudWatchAlarm: the rule fails while the alarm is in one of `states` (a comma-separated
/// list; ALARM when not given, unconfirmed), once `deadline` (the rule's start plus WaitTime)
/// has passed; before that it looks again every minute.
pub fn alarm_check(state: &str, states: Option<&str>, deadline: f64, now: f64) -> Step {
    let monitored: Vec<&str> = states
        .unwrap_or("ALARM")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if !monitored.contains(&state) {
        return Step::Succeeded(format!("The alarm is in state {state}"));
    }
    if now < deadline {
        return Step::WaitUntil(
            (now + ALARM_RECHECK_SECONDS).min(deadline),
            format!("The alarm is in state {state}; waiting for it to change"),
        );
    }
    Step::Failed("JobFailed".into(), format!("The alarm is in state {state}"))
}

/// The state of CloudWatch alarm `name` (`OK`, `ALARM`, `INSUFFICIENT_DATA`), from the one
/// server-wide store of alarm states a test sets (`POST /_codemock/cloudwatch/alarms`,
/// `MockServer::codedeploy().set_alarm_state`), which CodeDeploy's alarm stops read too.
pub fn alarm_state(call: &Call<'_>, name: &str) -> String {
    call.core.codedeploy_alarms.state(name)
}

/// LambdaInvoke: a failed invocation, or a function error (a payload with `errorMessage`, as
/// Lambda reports an unhandled error), fails the rule; any other answer succeeds it
/// (unconfirmed: the rule reference does not describe how the answer is read).
pub fn lambda_step(function: &str, response: &InvocationResponse) -> Step {
    match response {
        InvocationResponse::Error { code, message } => {
            Step::Failed("JobFailed".into(), format!("{code}: {message}"))
        }
        InvocationResponse::Payload(v) => match v.get("errorMessage").and_then(Value::as_str) {
            Some(m) => Step::Failed(
                "JobFailed".into(),
                format!("The Lambda function {function} failed: {m}"),
            ),
            None => Step::Succeeded(format!("The Lambda function {function} succeeded")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JAN_1_2024: f64 = 1_704_067_200.0; // a Monday, 00:00 UTC

    fn ok(s: &Step) -> bool {
        matches!(s, Step::Succeeded(_))
    }

    #[test]
    fn variable_checks_compare_as_the_operator_says() {
        assert!(ok(&variable_check("main", "EQ", "main")));
        assert!(!ok(&variable_check("main", "EQ", "dev")));
        assert!(ok(&variable_check("main", "NE", "dev")));
        assert!(ok(&variable_check("feature/x", "CONTAINS", "feat")));
        assert!(ok(&variable_check("v1.2.3", "MATCHES", r"v\d+\.\d+\.\d+")));
        // MATCHES is a whole-value match.
        assert!(!ok(&variable_check(
            "xv1.2.3",
            "MATCHES",
            r"v\d+\.\d+\.\d+"
        )));
        assert!(matches!(
            variable_check("a", "GT", "b"),
            Step::Failed(code, _) if code == "ConfigurationError"
        ));
        assert!(matches!(
            variable_check("a", "MATCHES", "("),
            Step::Failed(code, _) if code == "ConfigurationError"
        ));
    }

    #[test]
    fn a_deployment_window_is_open_inside_and_waits_outside() {
        // 09:00-17:59 on weekdays, UTC.
        let cron = "* * 9-17 ? * MON-FRI";
        let ten = JAN_1_2024 + 10.0 * 3600.0;
        assert!(ok(&deployment_window(cron, None, ten)));
        assert_eq!(
            deployment_window(cron, None, JAN_1_2024),
            Step::WaitUntil(
                JAN_1_2024 + 9.0 * 3600.0,
                "Waiting for the deployment window to open".into()
            )
        );
        // In UTC+02:00 the window opens at 07:00 UTC.
        assert!(matches!(
            deployment_window(cron, Some("UTC+02:00"), JAN_1_2024),
            Step::WaitUntil(at, _) if at == JAN_1_2024 + 7.0 * 3600.0
        ));
        // The seven-field form (with a year) and bad input.
        assert!(ok(&deployment_window(
            "0 * 9-17 ? * MON-FRI 2024",
            None,
            ten
        )));
        assert!(matches!(
            deployment_window("* * 25 ? * *", None, ten),
            Step::Failed(code, _) if code == "ConfigurationError"
        ));
        assert!(matches!(
            deployment_window(cron, Some("Mars/Olympus"), ten),
            Step::Failed(code, _) if code == "ConfigurationError"
        ));
    }

    #[test]
    fn time_zones_follow_their_daylight_saving_rules() {
        // 1 July 2024 12:00 UTC: summer time in New York and Paris.
        let july = 1_719_835_200.0;
        assert_eq!(tz_offset("America/New_York", JAN_1_2024), Some(-5 * 3600));
        assert_eq!(tz_offset("America/New_York", july), Some(-4 * 3600));
        assert_eq!(tz_offset("Europe/Paris", JAN_1_2024), Some(3600));
        assert_eq!(tz_offset("Europe/Paris", july), Some(7200));
        assert_eq!(tz_offset("Asia/Kolkata", july), Some(19_800));
        assert_eq!(tz_offset("UTC-05:30", july), Some(-19_800));
        assert_eq!(tz_offset("Nowhere/City", july), None);
    }

    #[test]
    fn an_alarm_rule_waits_for_the_alarm_to_clear_then_fails() {
        assert!(ok(&alarm_check("OK", None, 0.0, 10.0)));
        assert_eq!(
            alarm_check("ALARM", None, 300.0, 0.0),
            Step::WaitUntil(
                60.0,
                "The alarm is in state ALARM; waiting for it to change".into()
            )
        );
        assert!(matches!(
            alarm_check("ALARM", None, 300.0, 300.0),
            Step::Failed(..)
        ));
        assert!(ok(&alarm_check(
            "ALARM",
            Some("INSUFFICIENT_DATA"),
            0.0,
            0.0
        )));
    }

    #[test]
    fn a_lambda_rule_fails_on_an_invoke_error_or_a_function_error() {
        assert!(ok(&lambda_step(
            "f",
            &InvocationResponse::Payload(Value::Null)
        )));
        assert!(!ok(&lambda_step(
            "f",
            &InvocationResponse::Payload(json!({"errorMessage": "boom"}))
        )));
        assert!(!ok(&lambda_step(
            "f",
            &InvocationResponse::Error {
                code: "ResourceNotFoundException".into(),
                message: "no".into()
            }
        )));
    }
}
