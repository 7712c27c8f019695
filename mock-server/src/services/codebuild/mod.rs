//! CodeBuild: projects and their builds.

pub mod handlers;
pub mod state;
