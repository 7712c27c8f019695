//! CodeBuild's operation handlers and the table that names them: every CodeBuild operation
//! has one.

mod batches;
mod builds;
mod credentials;
mod fleets;
mod misc;
mod projects;
mod reports;
mod sandboxes;

use crate::services::Api;
use batches::*;
use builds::*;
use projects::*;

/// The operations this service implements: all of them (the struct has no default, so an
/// operation AWS adds fails to compile here until it is handled or set to `None`, a 501).
pub const HANDLERS: codemock_wire::codebuild::Handlers<Api<super::state::State>> =
    codemock_wire::codebuild::Handlers {
        // Projects
        create_project: Some(create_project),
        update_project: Some(update_project),
        delete_project: Some(delete_project),
        batch_get_projects: Some(batch_get_projects),
        list_projects: Some(list_projects),
        create_webhook: Some(create_webhook),
        update_webhook: Some(update_webhook),
        delete_webhook: Some(delete_webhook),
        update_project_visibility: Some(update_project_visibility),
        // Builds
        start_build: Some(start_build),
        stop_build: Some(stop_build),
        retry_build: Some(retry_build),
        batch_get_builds: Some(batch_get_builds),
        list_builds: Some(list_builds),
        list_builds_for_project: Some(list_builds_for_project),
        batch_delete_builds: Some(batch_delete_builds),
        // Batch builds
        start_build_batch: Some(start_build_batch),
        stop_build_batch: Some(stop_build_batch),
        retry_build_batch: Some(retry_build_batch),
        batch_get_build_batches: Some(batch_get_build_batches),
        list_build_batches: Some(list_build_batches),
        list_build_batches_for_project: Some(list_build_batches_for_project),
        delete_build_batch: Some(delete_build_batch),
        // Report groups, reports, fleets, credentials and the rest (handlers below this line)
        // --- report groups, reports, fleets, credentials, policies, images (h-cbx) ---
        create_report_group: Some(reports::create_report_group),
        update_report_group: Some(reports::update_report_group),
        delete_report_group: Some(reports::delete_report_group),
        batch_get_report_groups: Some(reports::batch_get_report_groups),
        list_report_groups: Some(reports::list_report_groups),
        list_shared_report_groups: Some(reports::list_shared_report_groups),
        batch_get_reports: Some(reports::batch_get_reports),
        delete_report: Some(reports::delete_report),
        list_reports: Some(reports::list_reports),
        list_reports_for_report_group: Some(reports::list_reports_for_report_group),
        describe_test_cases: Some(reports::describe_test_cases),
        describe_code_coverages: Some(reports::describe_code_coverages),
        get_report_group_trend: Some(reports::get_report_group_trend),
        import_source_credentials: Some(credentials::import_source_credentials),
        list_source_credentials: Some(credentials::list_source_credentials),
        delete_source_credentials: Some(credentials::delete_source_credentials),
        put_resource_policy: Some(credentials::put_resource_policy),
        get_resource_policy: Some(credentials::get_resource_policy),
        delete_resource_policy: Some(credentials::delete_resource_policy),
        create_fleet: Some(fleets::create_fleet),
        update_fleet: Some(fleets::update_fleet),
        delete_fleet: Some(fleets::delete_fleet),
        batch_get_fleets: Some(fleets::batch_get_fleets),
        list_fleets: Some(fleets::list_fleets),
        list_curated_environment_images: Some(misc::list_curated_environment_images),
        list_shared_projects: Some(misc::list_shared_projects),
        invalidate_project_cache: Some(misc::invalidate_project_cache),
        // --- end h-cbx ---
        // Sandboxes and their command executions
        start_sandbox: Some(sandboxes::start_sandbox),
        stop_sandbox: Some(sandboxes::stop_sandbox),
        batch_get_sandboxes: Some(sandboxes::batch_get_sandboxes),
        list_sandboxes: Some(sandboxes::list_sandboxes),
        list_sandboxes_for_project: Some(sandboxes::list_sandboxes_for_project),
        start_sandbox_connection: Some(sandboxes::start_sandbox_connection),
        start_command_execution: Some(sandboxes::start_command_execution),
        batch_get_command_executions: Some(sandboxes::batch_get_command_executions),
        list_command_executions_for_sandbox: Some(sandboxes::list_command_executions_for_sandbox),
    };
