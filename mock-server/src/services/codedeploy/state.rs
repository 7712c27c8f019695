//! CodeDeploy's state in one account and region.

use codemock_wire::codedeploy::ApplicationInfo;
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct State {
    /// Applications by name.
    pub applications: BTreeMap<String, ApplicationInfo>,
}
