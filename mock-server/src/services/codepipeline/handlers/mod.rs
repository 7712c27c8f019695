//! CodePipeline's operation handlers and the table that names them.

use crate::error::ServiceError;
use crate::services::pagination::paginate;
use crate::services::{typed, Call, Handler};
use codemock_wire::codepipeline::{ListPipelinesInput, ListPipelinesOutput};

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "ListPipelines" => |c, v| typed(c, v, list_pipelines),
        _ => return None,
    })
}

fn invalid_token() -> ServiceError {
    ServiceError::new("InvalidNextTokenException", "The next token is not valid.")
}

fn list_pipelines(
    call: &mut Call<'_>,
    input: ListPipelinesInput,
) -> Result<ListPipelinesOutput, ServiceError> {
    // AWS pages ListPipelines at 100 by default, 1000 at most (maxResults' documented range).
    let limit = input.max_results.unwrap_or(100) as usize;
    let pipelines = &call.world.codepipeline.pipelines;
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
