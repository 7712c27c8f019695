//! CodeDeploy's operation handlers and the table that names them.

use crate::error::ServiceError;
use crate::services::codedeploy::Call;
use crate::services::pagination::paginate;
use crate::services::Api;
use codemock_wire::codedeploy::{ListApplicationsInput, ListApplicationsOutput};

/// The operations this service implements; the others answer 501.
pub const HANDLERS: codemock_wire::codedeploy::Handlers<Api<super::state::State>> =
    codemock_wire::codedeploy::Handlers {
        list_applications: Some(list_applications),
        ..codemock_wire::codedeploy::Handlers::NONE
    };

fn list_applications(
    call: &mut Call<'_>,
    input: ListApplicationsInput,
) -> Result<ListApplicationsOutput, ServiceError> {
    let apps = &call.state.applications;
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
