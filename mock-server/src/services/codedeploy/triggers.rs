//! Deployment-group triggers (`triggerConfigurations`): the SNS notifications CodeDeploy
//! publishes when a deployment or an instance changes state, recorded in the server's
//! `SnsNotifications` (`notifications.rs`) with AWS's message body (user
//! guide, "JSON data formats for CodeDeploy triggers": epoch times as strings with milliseconds,
//! overview counts as strings, capitalised `ErrorCode` / `ErrorMessage` and lifecycle keys).

use super::deployment::Target;
use super::handlers::arn;
use super::runner::wire_status;
use super::state::{Deployment, TargetKind};
use super::Call;
use crate::notifications::SnsNotification;
use codemock_wire::codedeploy::{TriggerConfig, TriggerEventType};
use serde_json::{json, Map, Value};

/// AWS writes trigger times as epoch seconds with milliseconds, in a string.
fn epoch(t: f64) -> String {
    format!("{t:.3}")
}

/// The subject line of the notification. Unconfirmed wording: the guide shows only bodies.
fn subject(word: &str, d: &Deployment, region: &str) -> String {
    format!(
        "{word}: AWS CodeDeploy {} in {region} to {}",
        d.id, d.application
    )
}

fn triggers_for(call: &Call<'_>, d: &Deployment, event: TriggerEventType) -> Vec<TriggerConfig> {
    call.state
        .groups
        .get(&(d.application.clone(), d.group.clone()))
        .and_then(|g| g.info.trigger_configurations.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|t| {
            t.trigger_events
                .as_deref()
                .unwrap_or_default()
                .contains(&event)
        })
        .collect()
}

fn publish(call: &mut Call<'_>, topic: String, subject: String, message: Value) {
    let n = SnsNotification {
        time: call.ctx.received_at,
        message_id: call.core.ids.uuid(),
        topic_arn: topic,
        subject,
        message: message.to_string(),
        source: "codedeploy".into(),
        account: call.ctx.account_id.clone(),
        region: call.ctx.region.clone(),
    };
    call.core.sns_notifications.publish(n);
}

/// A deployment state change (`START`, `SUCCESS`, `FAILURE`, `STOP`, `READY`), or `ROLLBACK`
/// when the deployment was rolled back.
pub fn deployment(call: &mut Call<'_>, id: &str, state: &str) {
    let (event, word) = match state {
        "START" => (TriggerEventType::DeploymentStart, "STARTED"),
        "SUCCESS" => (TriggerEventType::DeploymentSuccess, "SUCCEEDED"),
        "FAILURE" => (TriggerEventType::DeploymentFailure, "FAILED"),
        "STOP" => (TriggerEventType::DeploymentStop, "STOPPED"),
        "READY" => (TriggerEventType::DeploymentReady, "READY"),
        "ROLLBACK" => (TriggerEventType::DeploymentRollback, "ROLLED BACK"),
        _ => return,
    };
    let Some(d) = call.state.deployments.get(id) else {
        return;
    };
    let triggers = triggers_for(call, d, event);
    if triggers.is_empty() {
        return;
    }
    let o = d.machine.overview();
    let mut body = Map::new();
    body.insert("region".into(), json!(call.ctx.region));
    body.insert("accountId".into(), json!(call.ctx.account_id));
    body.insert("applicationName".into(), json!(d.application));
    body.insert("deploymentId".into(), json!(d.id));
    body.insert("deploymentGroupName".into(), json!(d.group));
    body.insert("createTime".into(), json!(epoch(d.create_time)));
    if let Some(end) = d.machine.end {
        body.insert("completeTime".into(), json!(epoch(end)));
    }
    body.insert(
        "deploymentOverview".into(),
        json!({
            "Failed": o.failed.to_string(),
            "InProgress": o.in_progress.to_string(),
            "Pending": o.pending.to_string(),
            "Skipped": o.skipped.to_string(),
            "Succeeded": o.succeeded.to_string(),
        }),
    );
    body.insert(
        "status".into(),
        json!(wire_status(d.machine.status).as_str()),
    );
    if let Some(f) = d.machine.failure.as_ref().filter(|_| {
        !matches!(
            d.machine.status,
            super::deployment::Status::Succeeded | super::deployment::Status::InProgress
        )
    }) {
        body.insert(
            "errorInformation".into(),
            json!({"ErrorCode": f.code, "ErrorMessage": f.message}),
        );
    }
    let subject = subject(word, d, &call.ctx.region);
    for t in triggers {
        let mut b = body.clone();
        b.insert("eventTriggerName".into(), json!(t.trigger_name));
        publish(
            call,
            t.trigger_target_arn.unwrap_or_default(),
            subject.clone(),
            Value::Object(b),
        );
    }
}

fn lifecycle(t: &Target) -> Vec<Value> {
    t.events
        .iter()
        .filter(|e| e.start.is_some())
        .map(|e| {
            let mut v = Map::new();
            v.insert("LifecycleEvent".into(), json!(e.name));
            v.insert("LifecycleEventStatus".into(), json!(e.status.as_str()));
            if let Some(s) = e.start {
                v.insert("StartTime".into(), json!(epoch(s)));
            }
            if let Some(s) = e.end {
                v.insert("EndTime".into(), json!(epoch(s)));
            }
            Value::Object(v)
        })
        .collect()
}

/// An instance state change (`START`, `SUCCESS`, `FAILURE`, `READY`) of an EC2/on-premises target.
pub fn instance(call: &mut Call<'_>, id: &str, target: usize, state: &str) {
    let (event, word) = match state {
        "START" => (TriggerEventType::InstanceStart, "STARTED"),
        "SUCCESS" => (TriggerEventType::InstanceSuccess, "SUCCEEDED"),
        "FAILURE" => (TriggerEventType::InstanceFailure, "FAILED"),
        "READY" => (TriggerEventType::InstanceReady, "READY"),
        _ => return,
    };
    let Some(d) = call.state.deployments.get(id) else {
        return;
    };
    if d.kind != TargetKind::Instance {
        return;
    }
    let Some(t) = d.machine.targets.get(target) else {
        return;
    };
    let triggers = triggers_for(call, d, event);
    if triggers.is_empty() {
        return;
    }
    let body = json!({
        "region": call.ctx.region,
        "accountId": call.ctx.account_id,
        "deploymentId": d.id,
        "instanceId": arn(call, &format!("instance/{}", t.id)),
        "lastUpdatedAt": epoch(t.updated),
        "instanceStatus": t.status.as_str(),
        "lifecycleEvents": lifecycle(t),
    });
    let subject = subject(word, d, &call.ctx.region);
    for tr in triggers {
        let mut b = body.clone();
        b["eventTriggerName"] = json!(tr.trigger_name);
        publish(
            call,
            tr.trigger_target_arn.unwrap_or_default(),
            subject.clone(),
            b,
        );
    }
}
