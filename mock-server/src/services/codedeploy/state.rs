//! CodeDeploy's state in one account and region: applications, deployment groups, custom
//! deployment configurations, on-premises instances, registered revisions, deployments and the
//! Lambda/ECS hook executions waiting for their status.
//!
//! Resource descriptions are kept in their wire shapes (what Get* answers is what was stored,
//! every field); deployments keep their own domain state around the pure machine.

use super::appspec::AppSpec;
use super::deployment::Machine;
use super::ports::DeploymentFinished;
use crate::effects::Notify;
use codemock_wire::codedeploy::{
    AlarmConfiguration, ApplicationInfo, AutoRollbackConfiguration,
    BlueGreenDeploymentConfiguration, ComputePlatform, DeploymentConfigInfo, DeploymentGroupInfo,
    GenericRevisionInfo, InstanceInfo, RevisionLocation, RollbackInfo, Tag, TargetInstances,
};
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct State {
    /// Applications by name.
    pub applications: BTreeMap<String, Application>,
    /// Deployment groups by (application, group name).
    pub groups: BTreeMap<(String, String), Group>,
    /// Custom deployment configurations by name (the predefined ones live in `configs`).
    pub configs: BTreeMap<String, DeploymentConfigInfo>,
    /// On-premises instances by name (deregistered ones stay, with their deregister time).
    pub instances: BTreeMap<String, InstanceInfo>,
    /// Deployments by id.
    pub deployments: BTreeMap<String, Deployment>,
    /// Deployment ids, oldest first.
    pub deployment_order: Vec<String>,
    /// Hook executions waiting for `PutLifecycleEventHookExecutionStatus`, by execution id.
    pub hook_executions: BTreeMap<String, HookExecution>,
}

#[derive(Debug, Clone)]
pub struct Application {
    pub info: ApplicationInfo,
    pub tags: Vec<Tag>,
    /// Registered revisions, oldest first.
    pub revisions: Vec<Revision>,
}

#[derive(Debug, Clone)]
pub struct Revision {
    pub location: RevisionLocation,
    pub info: GenericRevisionInfo,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub info: DeploymentGroupInfo,
    pub tags: Vec<Tag>,
}

/// What a target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Instance,
    Lambda,
    Ecs,
}

#[derive(Debug)]
pub struct Deployment {
    pub id: String,
    pub application: String,
    pub group: String,
    pub group_id: String,
    pub config_name: String,
    pub compute_platform: ComputePlatform,
    pub revision: RevisionLocation,
    pub previous_revision: Option<RevisionLocation>,
    pub description: Option<String>,
    /// `DeploymentCreator`.
    pub creator: String,
    pub create_time: f64,
    pub ignore_application_stop_failures: bool,
    pub file_exists_behavior: Option<String>,
    pub auto_rollback: Option<AutoRollbackConfiguration>,
    pub kind: TargetKind,
    pub machine: Machine,
    pub appspec: Option<AppSpec>,
    /// Lambda: the traffic weight of the target version (percent).
    pub weight: f64,
    pub on_finish: Option<Notify<DeploymentFinished>>,
    /// Instance tags by target, as the targets were chosen (outcome tags).
    pub target_tags: Vec<Vec<Tag>>,
    /// `rollbackInfo`: the rollback this one caused, or the deployment this one rolls back.
    pub rollback_info: Option<RollbackInfo>,
    /// `StopDeployment` with `autoRollbackEnabled`.
    pub rollback_on_stop: bool,
    /// Blue/green: the replacement instances asked for (`targetInstances`).
    pub target_instances: Option<TargetInstances>,
    /// Blue/green: the group's configuration when the deployment was created.
    pub blue_green_config: Option<BlueGreenDeploymentConfiguration>,
    /// `overrideAlarmConfiguration`: the alarms watched instead of the group's.
    pub override_alarms: Option<AlarmConfiguration>,
}

/// A Lambda/ECS hook invoked and waiting for its status.
#[derive(Debug, Clone)]
pub struct HookExecution {
    pub deployment_id: String,
    pub target: usize,
    pub event: usize,
    /// Set once a status was put (or the hook timed out).
    pub done: bool,
}
