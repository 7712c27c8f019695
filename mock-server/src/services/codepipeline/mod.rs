//! CodePipeline: pipelines, their executions and actions.

pub mod handlers;
pub mod state;
