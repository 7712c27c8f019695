//! CodeDeploy's operation handlers and the table that names them. Resource families live in
//! their own files; shared errors and ARNs are here.

mod applications;
mod deployments;
mod groups;
mod instances;

pub(crate) use applications::{content_of, normalize_revision, record_revision};
pub(crate) use deployments::no_deployment;
pub(crate) use groups::config;
pub(crate) use instances::select as select_instances;

use crate::error::ServiceError;
use crate::services::codedeploy::Call;
use crate::services::Api;

/// The operations this service implements (all 47).
pub const HANDLERS: codemock_wire::codedeploy::Handlers<Api<super::state::State>> =
    codemock_wire::codedeploy::Handlers {
        create_application: Some(applications::create_application),
        get_application: Some(applications::get_application),
        batch_get_applications: Some(applications::batch_get_applications),
        list_applications: Some(applications::list_applications),
        update_application: Some(applications::update_application),
        delete_application: Some(applications::delete_application),
        register_application_revision: Some(applications::register_application_revision),
        get_application_revision: Some(applications::get_application_revision),
        batch_get_application_revisions: Some(applications::batch_get_application_revisions),
        list_application_revisions: Some(applications::list_application_revisions),
        tag_resource: Some(applications::tag_resource),
        untag_resource: Some(applications::untag_resource),
        list_tags_for_resource: Some(applications::list_tags_for_resource),
        list_git_hub_account_token_names: Some(applications::list_git_hub_account_token_names),
        delete_git_hub_account_token: Some(applications::delete_git_hub_account_token),
        delete_resources_by_external_id: Some(applications::delete_resources_by_external_id),
        get_deployment_config: Some(groups::get_deployment_config),
        list_deployment_configs: Some(groups::list_deployment_configs),
        create_deployment_config: Some(groups::create_deployment_config),
        delete_deployment_config: Some(groups::delete_deployment_config),
        create_deployment_group: Some(groups::create_deployment_group),
        get_deployment_group: Some(groups::get_deployment_group),
        batch_get_deployment_groups: Some(groups::batch_get_deployment_groups),
        list_deployment_groups: Some(groups::list_deployment_groups),
        update_deployment_group: Some(groups::update_deployment_group),
        delete_deployment_group: Some(groups::delete_deployment_group),
        register_on_premises_instance: Some(instances::register_on_premises_instance),
        deregister_on_premises_instance: Some(instances::deregister_on_premises_instance),
        get_on_premises_instance: Some(instances::get_on_premises_instance),
        batch_get_on_premises_instances: Some(instances::batch_get_on_premises_instances),
        list_on_premises_instances: Some(instances::list_on_premises_instances),
        add_tags_to_on_premises_instances: Some(instances::add_tags_to_on_premises_instances),
        remove_tags_from_on_premises_instances: Some(
            instances::remove_tags_from_on_premises_instances,
        ),
        create_deployment: Some(deployments::create_deployment),
        get_deployment: Some(deployments::get_deployment),
        batch_get_deployments: Some(deployments::batch_get_deployments),
        list_deployments: Some(deployments::list_deployments),
        stop_deployment: Some(deployments::stop_deployment),
        list_deployment_targets: Some(deployments::list_deployment_targets),
        get_deployment_target: Some(deployments::get_deployment_target),
        batch_get_deployment_targets: Some(deployments::batch_get_deployment_targets),
        list_deployment_instances: Some(deployments::list_deployment_instances),
        get_deployment_instance: Some(deployments::get_deployment_instance),
        batch_get_deployment_instances: Some(deployments::batch_get_deployment_instances),
        put_lifecycle_event_hook_execution_status: Some(
            deployments::put_lifecycle_event_hook_execution_status,
        ),
        continue_deployment: Some(deployments::continue_deployment),
        skip_wait_time_for_instance_termination: Some(
            deployments::skip_wait_time_for_instance_termination,
        ),
    };

pub(crate) fn err(code: &str, message: impl Into<String>) -> ServiceError {
    ServiceError::new(code, message)
}

pub(crate) fn no_application(name: &str) -> ServiceError {
    // AWS: "No application found for name: <name>" (AWS CLI output).
    err(
        "ApplicationDoesNotExistException",
        format!("No application found for name: {name}"),
    )
}

pub(crate) fn no_group(name: &str) -> ServiceError {
    err(
        "DeploymentGroupDoesNotExistException",
        format!("No Deployment Group found for name: {name}"),
    )
}

pub(crate) fn no_config(name: &str) -> ServiceError {
    err(
        "DeploymentConfigDoesNotExistException",
        format!("No deployment configuration found for name: {name}"),
    )
}

pub(crate) fn bad_token() -> ServiceError {
    err(
        "InvalidNextTokenException",
        "The next token was specified in an invalid format.",
    )
}

pub(crate) fn batch_limit() -> ServiceError {
    err(
        "BatchLimitExceededException",
        "The maximum number of names or IDs allowed for this request (100) was exceeded.",
    )
}

pub(crate) fn arn(call: &Call<'_>, rest: &str) -> String {
    format!(
        "arn:aws:codedeploy:{}:{}:{rest}",
        call.ctx.region, call.ctx.account_id
    )
}
