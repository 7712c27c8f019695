//! CodePipeline's state in one account and region.

use codemock_wire::codepipeline::PipelineSummary;
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct State {
    /// Pipelines by name (sorted, as ListPipelines returns them).
    pub pipelines: BTreeMap<String, PipelineSummary>,
}
