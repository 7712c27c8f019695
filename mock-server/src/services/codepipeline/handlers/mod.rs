//! CodePipeline's operation handlers and the table that names them.

use crate::error::ServiceError;
use crate::services::codepipeline::Call;
use crate::services::pagination::paginate;
use crate::services::Api;
use codemock_wire::codepipeline::{ListPipelinesInput, ListPipelinesOutput};

/// The operations this service implements; the others answer 501.
pub const HANDLERS: codemock_wire::codepipeline::Handlers<Api<super::state::State>> =
    codemock_wire::codepipeline::Handlers {
        list_pipelines: Some(list_pipelines),
        ..codemock_wire::codepipeline::Handlers::NONE
    };

fn invalid_token() -> ServiceError {
    ServiceError::new("InvalidNextTokenException", "The next token is not valid.")
}

fn list_pipelines(
    call: &mut Call<'_>,
    input: ListPipelinesInput,
) -> Result<ListPipelinesOutput, ServiceError> {
    // AWS pages ListPipelines at 100 by default, 1000 at most (maxResults' documented range).
    let limit = input.max_results.unwrap_or(100) as usize;
    let pipelines = &call.state.pipelines;
    let page = paginate(
        pipelines.iter().map(|(k, v)| (k.as_str(), v)),
        input.next_token.as_deref(),
        limit,
    )
    .map_err(|_| invalid_token())?;
    Ok(ListPipelinesOutput {
        pipelines: Some(page.items),
        next_token: page.next_token,
    })
}
