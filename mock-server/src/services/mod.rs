//! The emulated services: which exist, what state each keeps per account and region, which
//! operations have handlers, and how domain events and timers reach them.
//!
//! A handler is a plain function over the partition's [`World`]; it never sees HTTP. Operations
//! without a handler answer 501 `NotImplementedException` (decided by the router, before any
//! validation), never a made-up success.

pub mod codebuild;
pub mod codedeploy;
pub mod codepipeline;
pub mod events;
pub mod logs;
pub mod pagination;
pub mod s3;
pub mod sqs;

use crate::bus::Outbox;
use crate::core::{Core, RequestContext};
use crate::error::ServiceError;
use codemock_wire::schema::Service;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

/// A service codemock serves over a JSON or CBOR protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceKind {
    CodePipeline,
    CodeBuild,
    CodeDeploy,
    Events,
    Sqs,
    Logs,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 6] = [
        ServiceKind::CodePipeline,
        ServiceKind::CodeBuild,
        ServiceKind::CodeDeploy,
        ServiceKind::Events,
        ServiceKind::Sqs,
        ServiceKind::Logs,
    ];

    /// The API model of the service.
    pub fn schema(self) -> &'static Service {
        match self {
            ServiceKind::CodePipeline => &codemock_wire::codepipeline::SERVICE,
            ServiceKind::CodeBuild => &codemock_wire::codebuild::SERVICE,
            ServiceKind::CodeDeploy => &codemock_wire::codedeploy::SERVICE,
            ServiceKind::Events => &codemock_wire::events::SERVICE,
            ServiceKind::Sqs => &codemock_wire::sqs::SERVICE,
            ServiceKind::Logs => &codemock_wire::logs::SERVICE,
        }
    }

    /// The Smithy namespace of the service's shapes (for full shape ids in errors).
    pub fn namespace(self) -> &'static str {
        match self {
            ServiceKind::CodePipeline => "com.amazonaws.codepipeline",
            ServiceKind::CodeBuild => "com.amazonaws.codebuild",
            ServiceKind::CodeDeploy => "com.amazonaws.codedeploy",
            ServiceKind::Events => "com.amazonaws.eventbridge",
            ServiceKind::Sqs => "com.amazonaws.sqs",
            ServiceKind::Logs => "com.amazonaws.cloudwatchlogs",
        }
    }

    /// The service whose `X-Amz-Target` prefix is `prefix`.
    pub fn by_target_prefix(prefix: &str) -> Option<ServiceKind> {
        Self::ALL
            .into_iter()
            .find(|s| s.schema().target_prefix == prefix)
    }

    /// The service an RPC v2 CBOR path names (only services whose model offers the protocol).
    pub fn by_rpc_v2_name(name: &str) -> Option<ServiceKind> {
        Self::ALL
            .into_iter()
            .find(|s| s.schema().supports_cbor && s.schema().target_prefix == name)
    }

    /// The handler of `operation`, if codemock implements it.
    pub fn handler(self, operation: &str) -> Option<Handler> {
        match self {
            ServiceKind::CodePipeline => codepipeline::handlers::handler(operation),
            ServiceKind::CodeBuild => codebuild::handlers::handler(operation),
            ServiceKind::CodeDeploy => codedeploy::handlers::handler(operation),
            ServiceKind::Events => events::handlers::handler(operation),
            ServiceKind::Sqs => sqs::handlers::handler(operation),
            ServiceKind::Logs => logs::handlers::handler(operation),
        }
    }

    /// The asynchronous handler of `operation`, for the few operations that wait (SQS long
    /// polling). They take no lock across an `.await`: they lock, look, release, and wait.
    pub fn async_handler(self, operation: &str) -> Option<AsyncHandler> {
        match self {
            ServiceKind::Sqs => sqs::handlers::async_handler(operation),
            _ => None,
        }
    }
}

/// Everything one account and region holds, across services.
#[derive(Debug)]
pub struct World {
    pub account_id: String,
    pub region: String,
    pub codepipeline: codepipeline::state::State,
    pub codebuild: codebuild::state::State,
    pub codedeploy: codedeploy::state::State,
    pub events: events::state::State,
    pub sqs: sqs::state::State,
    pub logs: logs::state::State,
    pub s3: s3::state::State,
}

impl World {
    pub fn new(account_id: &str, region: &str, now: f64) -> World {
        World {
            account_id: account_id.to_owned(),
            region: region.to_owned(),
            codepipeline: Default::default(),
            codebuild: Default::default(),
            codedeploy: Default::default(),
            events: events::state::State::new(account_id, region, now),
            sqs: Default::default(),
            logs: Default::default(),
            s3: Default::default(),
        }
    }
}

/// A change one service announces for others (an EventBridge event, a build to start...),
/// delivered by the bus after the partition lock is released.
#[derive(Debug, Clone, PartialEq)]
pub enum DomainEvent {
    /// An event for an EventBridge bus of `account`/`region` (the envelope is complete).
    EventBridge {
        account: String,
        region: String,
        bus: String,
        event: Value,
    },
    /// An event EventBridge routes itself: forwarded by a bus target (one hop), a rule's
    /// scheduled event, or a replayed one.
    EventBridgeDispatch(Box<events::delivery::Dispatch>),
    /// A partner event source offered to (or withdrawn from) a customer account.
    EventBridgePartnerSource(Box<events::delivery::PartnerSourceOffer>),
}

/// Work a state machine asked to do at a virtual instant.
#[derive(Debug, Clone, PartialEq)]
pub enum TimerJob {
    /// The next second of an SQS message move task.
    SqsMoveStep {
        account: String,
        region: String,
        handle: String,
    },
    /// A scheduled rule's next occurrence.
    EventsSchedule(Box<events::delivery::ScheduleTick>),
    /// Another attempt at a target invocation that failed.
    EventsRetry(Box<events::delivery::Attempt>),
    /// The next step of a replay (STARTING -> RUNNING -> COMPLETED).
    EventsReplay {
        account: String,
        region: String,
        name: String,
    },
}

/// What a handler gets: the request, the partition's world, the server's shared parts, and the
/// outbox for events it causes.
pub struct Call<'a> {
    pub ctx: &'a RequestContext,
    pub world: &'a mut World,
    pub core: &'a Core,
    pub outbox: &'a mut Outbox<DomainEvent>,
}

/// A handler: validated input JSON in, output JSON out.
pub type Handler = fn(&mut Call<'_>, Value) -> Result<Value, ServiceError>;

/// A handler that may wait: it gets the engine and the request, and locks partitions itself.
pub type AsyncHandler = fn(
    std::sync::Arc<Core>,
    RequestContext,
    Value,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Value, ServiceError>> + Send>,
>;

/// Runs a typed handler: the validated input is deserialized into the generated wire type and the
/// output serialized back.
pub fn typed<I, O>(
    call: &mut Call<'_>,
    input: Value,
    f: fn(&mut Call<'_>, I) -> Result<O, ServiceError>,
) -> Result<Value, ServiceError>
where
    I: DeserializeOwned,
    O: Serialize,
{
    let input: I = serde_json::from_value(input)
        .map_err(|e| ServiceError::new("SerializationException", e.to_string()))?;
    let output = f(call, input)?;
    serde_json::to_value(output).map_err(|e| ServiceError::internal(e.to_string()))
}

/// Delivers one domain event; returns the events its delivery caused.
pub async fn deliver(core: &std::sync::Arc<Core>, event: DomainEvent) -> Vec<DomainEvent> {
    match event {
        DomainEvent::EventBridge {
            account,
            region,
            bus,
            event,
        } => events::delivery::deliver(core, &account, &region, &bus, event).await,
        DomainEvent::EventBridgeDispatch(d) => events::delivery::dispatch(core, *d).await,
        DomainEvent::EventBridgePartnerSource(o) => {
            events::delivery::offer_partner_source(core, *o)
        }
    }
}

/// Runs one timer that came due.
pub async fn on_timer(core: &std::sync::Arc<Core>, job: TimerJob) -> Vec<DomainEvent> {
    match job {
        TimerJob::SqsMoveStep {
            account,
            region,
            handle,
        } => {
            sqs::move_tasks::on_timer(core, &account, &region, &handle);
            Vec::new()
        }
        TimerJob::EventsSchedule(tick) => events::delivery::on_schedule(core, *tick),
        TimerJob::EventsRetry(attempt) => events::delivery::retry(core, *attempt).await,
        TimerJob::EventsReplay {
            account,
            region,
            name,
        } => events::delivery::on_replay(core, &account, &region, &name),
    }
}
