//! The AWS wire model of the services codemock emulates, generated from the botocore API models:
//! a static schema per service (operations, shapes, constraints, errors), typed Rust structures
//! and enums for every shape, the validator that checks inputs with AWS's messages, and the typed
//! dispatch with its fast path (typed decoding and constraint check, falling back to the validator).
//!
//! `generated/` is written by `codegen/generate.py`; everything else here is hand-written.

pub mod check;
pub mod dispatch;
pub mod generated;
pub mod schema;
pub mod types;
pub mod validate;

pub use generated::{codebuild, codedeploy, codepipeline, events, logs, sqs};

/// Every service's schema, in a fixed order.
pub fn services() -> [&'static schema::Service; 6] {
    [
        &codepipeline::SERVICE,
        &codebuild::SERVICE,
        &codedeploy::SERVICE,
        &events::SERVICE,
        &sqs::SERVICE,
        &logs::SERVICE,
    ]
}
