//! codemock: a local emulator of AWS CodePipeline, CodeBuild, CodeDeploy and EventBridge, with the
//! slices of S3, CloudWatch Logs and SQS that make them work together. It speaks the real wire
//! protocols on one port, keeps state in memory, and runs on a virtual clock.
//!
//! A tour, along the path of a request:
//! [`server`] (listener, runtime, the in-process API) -> `gateway` -> `router` ->
//! `protocol` (awsJson, RPC v2 CBOR, SigV4 scope) -> [`services`] (typed handlers over one
//! service's state in a partition of the [`store`]) -> [`effects`] (commands to other services'
//! ports, timers and `jobs`, applied by [`core`] after the lock is released). Time comes from
//! [`clock`] only, timers from `scheduler`, ids from `ids`; `control` is the `/_codemock` API.
//!
//! ```no_run
//! # async fn demo() {
//! let server = codemock::MockServer::start().await;
//! // Point any AWS SDK at it (with the `sdk` feature, `server.sdk_config()` does it for the Rust SDK).
//! let url = format!("{}/_codemock/health", server.uri());
//! # let _ = url;
//! // Virtual time only moves when the test says so.
//! server.clock().advance(std::time::Duration::from_secs(300)).await;
//! server.reset().await;
//! # }
//! ```

pub mod clock;
pub(crate) mod control;
pub mod core;
pub mod effects;
pub mod error;
pub mod faults;
pub(crate) mod gateway;
pub(crate) mod ids;
pub mod invocations;
pub(crate) mod jobs;
pub(crate) mod notifications;
pub mod outcomes;
pub(crate) mod protocol;
pub(crate) mod router;
pub(crate) mod scheduler;
pub(crate) mod selector;
pub mod server;
pub mod services;
pub mod store;

pub use clock::ClockMode;
pub use faults::FaultRule;
pub use invocations::{Invocation, InvocationResponse, ResponseRule};
pub use outcomes::{Outcome, OutcomeRule};
pub use server::{MockServer, MockServerBuilder};
