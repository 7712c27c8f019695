//! CodeBuild's operation handlers and the table that names them.

mod batches;
mod builds;
mod projects;

use crate::services::Api;
use batches::*;
use builds::*;
use projects::*;

/// The operations this service implements; the others answer 501.
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
        ..codemock_wire::codebuild::Handlers::NONE
    };
