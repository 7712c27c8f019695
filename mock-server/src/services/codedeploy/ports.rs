//! What other services may ask of CodeDeploy: creating a deployment (CodePipeline's CodeDeploy
//! action) and being told when it ends, stopping one; and the answers that come back to it (a
//! revision bundle read from S3). One read query: a deployment's targets
//! ([`deployment_targets`], for CodePipeline's ListDeployActionExecutionTargets).

use super::runner::{self, NewDeployment};
use super::Call;
use crate::effects::Notify;
use crate::error::ServiceError;
use codemock_wire::codedeploy::{BundleType, RevisionLocation, RevisionLocationType, S3Location};
use serde_json::{json, Value};

/// The commands CodeDeploy accepts from other services.
#[derive(Debug)]
pub enum Command {
    /// Creates a deployment as `CreateDeployment` does; answers `{"deploymentId": "d-..."}`.
    CreateDeployment(Box<CreateDeployment>),
    /// Stops a deployment as `StopDeployment` does.
    StopDeployment { deployment_id: String },
    /// S3's answer to the read of a deployment's revision bundle.
    BundleRead {
        deployment_id: String,
        bundle_type: String,
        result: Result<Vec<u8>, String>,
    },
}

/// A deployment another service creates.
#[derive(Debug)]
pub struct CreateDeployment {
    pub application: String,
    pub deployment_group: String,
    /// The revision: an S3 bundle.
    pub bucket: String,
    pub key: String,
    /// `zip`, `tar`, `tgz`, `YAML` or `JSON`.
    pub bundle_type: String,
    pub version: Option<String>,
    pub etag: Option<String>,
    pub description: Option<String>,
    /// `DeploymentCreator`, e.g. `user` or `CodeDeploy`.
    pub creator: String,
    /// Fired once when the deployment ends (Succeeded, Failed or Stopped).
    pub on_finish: Option<Notify<DeploymentFinished>>,
}

/// How a deployment ended.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentFinished {
    pub deployment_id: String,
    /// `Succeeded`, `Failed` or `Stopped`.
    pub status: String,
    /// `errorInformation` (code, message) when it did not succeed.
    pub error: Option<(String, String)>,
}

pub fn on_command(call: &mut Call<'_>, command: Command) -> Result<Value, ServiceError> {
    match command {
        Command::CreateDeployment(c) => {
            let c = *c;
            let bundle_type = BundleType::from_name(&c.bundle_type).ok_or_else(|| {
                ServiceError::new(
                    "InvalidRevisionException",
                    format!("The bundle type {} is not valid.", c.bundle_type),
                )
            })?;
            let revision = RevisionLocation {
                revision_type: Some(RevisionLocationType::S3),
                s3_location: Some(S3Location {
                    bucket: Some(c.bucket),
                    key: Some(c.key),
                    bundle_type: Some(bundle_type),
                    version: c.version,
                    e_tag: c.etag,
                }),
                ..RevisionLocation::default()
            };
            let id = runner::create(
                call,
                NewDeployment {
                    application: Some(c.application),
                    group: Some(c.deployment_group),
                    revision: Some(revision),
                    config: None,
                    description: c.description,
                    creator: c.creator,
                    ignore_application_stop_failures: false,
                    file_exists_behavior: None,
                    auto_rollback: None,
                    on_finish: c.on_finish,
                    rollback_of: None,
                    target_instances: None,
                    override_alarms: None,
                },
            )?;
            Ok(json!({ "deploymentId": id }))
        }
        Command::StopDeployment { deployment_id } => {
            runner::stop(call, &deployment_id, false)?;
            Ok(json!({ "status": "Pending" }))
        }
        Command::BundleRead {
            deployment_id,
            bundle_type,
            result,
        } => {
            runner::bundle_read(call, &deployment_id, &bundle_type, result);
            Ok(Value::Null)
        }
    }
}

/// One target of a deployment as another service may read it.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetView {
    pub id: String,
    /// CodeDeploy's `DeploymentTargetType`: `InstanceTarget`, `LambdaTarget`, `ECSTarget`.
    pub target_type: &'static str,
    /// `Pending`, `InProgress`, `Succeeded`, `Failed`, `Skipped`.
    pub status: &'static str,
    pub start: Option<f64>,
    pub end: Option<f64>,
    pub events: Vec<TargetEventView>,
}

/// One lifecycle event of a target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetEventView {
    pub name: String,
    pub status: &'static str,
    pub start: Option<f64>,
    pub end: Option<f64>,
    /// The event's diagnostics message, if it has one.
    pub message: Option<String>,
}

/// The targets of deployment `deployment_id` in this partition (`None`: no such deployment). A
/// read of CodeDeploy's state under the caller's lock of the partition: no command, no effect.
pub fn deployment_targets(
    state: &super::state::State,
    deployment_id: &str,
) -> Option<Vec<TargetView>> {
    use super::state::TargetKind;
    let d = state.deployments.get(deployment_id)?;
    let target_type = match d.kind {
        TargetKind::Instance => "InstanceTarget",
        TargetKind::Lambda => "LambdaTarget",
        TargetKind::Ecs => "ECSTarget",
    };
    Some(
        d.machine
            .targets
            .iter()
            .map(|t| TargetView {
                id: t.id.clone(),
                target_type,
                status: t.status.as_str(),
                start: t.events.iter().filter_map(|e| e.start).reduce(f64::min),
                // Only a target that has ended has an end.
                end: matches!(t.status.as_str(), "Succeeded" | "Failed" | "Skipped")
                    .then(|| t.events.iter().filter_map(|e| e.end).reduce(f64::max))
                    .flatten(),
                events: t
                    .events
                    .iter()
                    .map(|e| TargetEventView {
                        name: e.name.clone(),
                        status: e.status.as_str(),
                        start: e.start,
                        end: e.end,
                        message: e.diagnostics.as_ref().map(|d| d.message.clone()),
                    })
                    .collect(),
            })
            .collect(),
    )
}
