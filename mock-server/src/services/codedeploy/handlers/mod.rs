//! CodeDeploy's operation handlers and the table that names them.

use crate::error::ServiceError;
use crate::services::pagination::paginate;
use crate::services::{typed, Call, Handler};
use codemock_wire::codedeploy::{ListApplicationsInput, ListApplicationsOutput};

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "ListApplications" => |c, v| typed(c, v, list_applications),
        _ => return None,
    })
}

fn list_applications(
    call: &mut Call<'_>,
    input: ListApplicationsInput,
) -> Result<ListApplicationsOutput, ServiceError> {
    let apps = &call.world.codedeploy.applications;
    // CodeDeploy returns application names in pages of 100.
    let names = apps.keys().map(|k| (k.as_str(), k));
    let page = paginate(names, input.next_token.as_deref(), 100).map_err(|_| {
        ServiceError::new(
            "InvalidNextTokenException",
            "The next token was specified in an invalid format.",
        )
    })?;
    Ok(ListApplicationsOutput {
        applications: Some(page.items),
        next_token: page.next_token,
    })
}
