//! CodeBuild's state in one account and region.

use codemock_wire::codebuild::Project;
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct State {
    /// Projects by name.
    pub projects: BTreeMap<String, Project>,
    /// Report groups, reports, fleets, credentials, sandboxes, policies.
    pub resources: super::resources::Resources,
}
