//! CodeBuild's resources beside projects and builds: report groups and reports, fleets, source
//! credentials, sandboxes and resource policies.

/// The state of those resources in one partition.
#[derive(Debug, Default)]
pub struct Resources {}
