//! CodeBuild's operation handlers and the table that names them.

pub mod credentials;
pub mod fleets;
pub mod misc;
pub mod reports;

use crate::error::ServiceError;
use crate::services::codebuild::Call;
use crate::services::pagination::{paginate_ordered, Order};
use crate::services::Api;
use codemock_wire::codebuild::{
    ListProjectsInput, ListProjectsOutput, ProjectSortByType, SortOrderType,
};

/// The operations this service implements; the others answer 501.
pub const HANDLERS: codemock_wire::codebuild::Handlers<Api<super::state::State>> =
    codemock_wire::codebuild::Handlers {
        list_projects: Some(list_projects),
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
        ..codemock_wire::codebuild::Handlers::NONE
    };

fn list_projects(
    call: &mut Call<'_>,
    input: ListProjectsInput,
) -> Result<ListProjectsOutput, ServiceError> {
    let projects = &call.state.projects;
    // CodeBuild sorts by name, or by created or modified time (ties by name), and pages at 100
    // names. A sort key that embeds the time keeps page tokens valid as projects come and go.
    let time_key = |secs: Option<f64>, name: &str| format!("{:020.6}|{name}", secs.unwrap_or(0.0));
    let mut names: Vec<(String, &String)> = projects
        .iter()
        .map(|(name, p)| {
            let key = match input.sort_by {
                Some(ProjectSortByType::CreatedTime) => {
                    time_key(p.created.map(|t| t.as_secs_f64()), name)
                }
                Some(ProjectSortByType::LastModifiedTime) => {
                    time_key(p.last_modified.map(|t| t.as_secs_f64()), name)
                }
                _ => name.clone(),
            };
            (key, name)
        })
        .collect();
    names.sort();
    let order = if matches!(input.sort_order, Some(SortOrderType::Descending)) {
        names.reverse();
        Order::Descending
    } else {
        Order::Ascending
    };
    let names = names.iter().map(|(k, n)| (k.as_str(), *n));
    let page = paginate_ordered(names, input.next_token.as_deref(), 100, order)
        .map_err(|_| ServiceError::new("InvalidInputException", "Invalid next token"))?;
    Ok(ListProjectsOutput {
        projects: Some(page.items),
        next_token: page.next_token,
    })
}
