//! CodeBuild's operation handlers and the table that names them.

use crate::error::ServiceError;
use crate::services::pagination::paginate;
use crate::services::{typed, Call, Handler};
use codemock_wire::codebuild::{
    ListProjectsInput, ListProjectsOutput, ProjectSortByType, SortOrderType,
};

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "ListProjects" => |c, v| typed(c, v, list_projects),
        _ => return None,
    })
}

fn list_projects(
    call: &mut Call<'_>,
    input: ListProjectsInput,
) -> Result<ListProjectsOutput, ServiceError> {
    let projects = &call.world.codebuild.projects;
    // CodeBuild sorts by name (or by created/modified time) and pages at 100 names.
    let mut names: Vec<(&str, &String)> = projects.keys().map(|k| (k.as_str(), k)).collect();
    match input.sort_by {
        Some(ProjectSortByType::CreatedTime) => names.sort_by(|a, b| {
            let t = |n: &str| {
                projects
                    .get(n)
                    .and_then(|p| p.created.clone())
                    .map(|t| t.as_secs_f64())
                    .unwrap_or(0.0)
            };
            t(a.0).total_cmp(&t(b.0)).then(a.0.cmp(b.0))
        }),
        Some(ProjectSortByType::LastModifiedTime) => names.sort_by(|a, b| {
            let t = |n: &str| {
                projects
                    .get(n)
                    .and_then(|p| p.last_modified.clone())
                    .map(|t| t.as_secs_f64())
                    .unwrap_or(0.0)
            };
            t(a.0).total_cmp(&t(b.0)).then(a.0.cmp(b.0))
        }),
        _ => {}
    }
    if matches!(input.sort_order, Some(SortOrderType::Descending)) {
        names.reverse();
    }
    let page = paginate(names, input.next_token.as_deref(), 100)
        .map_err(|_| ServiceError::new("InvalidInputException", "Invalid next token"))?;
    Ok(ListProjectsOutput {
        projects: Some(page.items),
        next_token: page.next_token,
    })
}
