//! CodeDeploy: applications, deployment groups, deployments and their lifecycle.

pub mod handlers;
pub mod state;
