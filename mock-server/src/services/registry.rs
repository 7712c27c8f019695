//! The one table of services. Each line names a service's kind, its folder under `services/` and
//! its generated wire module; everything the engine needs per service comes from it: the
//! [`ServiceKind`] the router and gateway use, the partition [`World`], the typed dispatch of
//! operations, and the [`Command`] and [`Timer`] enums that carry messages to each service's
//! ports and timers.
//!
//! Adding a service is: a folder under `services/`, one line in [`services!`] below, one line in
//! `codegen/generate.py`'s service list. The folder provides:
//!
//! - `state::State`, the service's state in one partition, implementing [`PartitionState`];
//! - `HANDLERS`, the generated `Handlers` table with the operations it implements filled in;
//! - `ports::Command` and `ports::on_command`, what other services may ask of it;
//! - `Timer` and `on_timer`, its wake-ups on virtual time;
//! - `async_handler`, the operations that may wait (SQS long polling), usually none.
//!
//! Services that keep their own front end (S3's REST-XML) are listed after the `;`: they have
//! state, ports and timers, but no generated operation table.

/// A service's state in one account and region, created with the partition.
pub trait PartitionState {
    fn new(account: &str, region: &str, now: f64) -> Self;
}

impl<T: Default> PartitionState for T {
    fn new(_account: &str, _region: &str, _now: f64) -> Self {
        T::default()
    }
}

/// Declares the services (see the module docs). Invoked once below for the real services, and
/// by tests for toy ones.
macro_rules! services {
    (
        $( $kind:ident => $m:ident / $w:ident ),* $(,)? ;
        $( $fkind:ident => $fm:ident ),* $(,)?
    ) => {
        /// A service codemock serves over a JSON or CBOR protocol.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ServiceKind {
            $( $kind, )*
        }

        impl ServiceKind {
            pub const ALL: &'static [ServiceKind] = &[ $( ServiceKind::$kind, )* ];

            /// The API model of the service.
            pub fn schema(self) -> &'static codemock_wire::schema::Service {
                match self {
                    $( ServiceKind::$kind => &wire::$w::SERVICE, )*
                }
            }

            /// The Smithy namespace of the service's shapes (for full shape ids in errors).
            pub fn namespace(self) -> &'static str {
                self.schema().namespace
            }

            /// The service whose `X-Amz-Target` prefix is `prefix`.
            pub fn by_target_prefix(prefix: &str) -> Option<ServiceKind> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|s| s.schema().target_prefix == prefix)
            }

            /// The service an RPC v2 CBOR path names (only services whose model offers it).
            pub fn by_rpc_v2_name(name: &str) -> Option<ServiceKind> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|s| s.schema().supports_cbor && s.schema().target_prefix == name)
            }

            /// Whether codemock has a handler for `operation` (else it answers 501).
            pub fn implements(self, operation: &str) -> bool {
                match self {
                    $( ServiceKind::$kind => $m::HANDLERS.implements(operation), )*
                }
            }

            /// Whether `operation` is served at all (typed or waiting handler).
            pub fn handles(self, operation: &str) -> bool {
                self.implements(operation) || self.async_handler(operation).is_some()
            }

            /// The handler of an operation that may wait, if it is one.
            pub fn async_handler(self, operation: &str) -> Option<$crate::services::AsyncHandler> {
                match self {
                    $( ServiceKind::$kind => $m::async_handler(operation), )*
                }
            }
        }

        /// Everything one account and region holds, across services.
        #[derive(Debug)]
        pub struct World {
            pub account_id: String,
            pub region: String,
            $( pub $m: $m::state::State, )*
            $( pub $fm: $fm::state::State, )*
        }

        impl World {
            pub fn new(account_id: &str, region: &str, now: f64) -> World {
                use $crate::services::registry::PartitionState as _;
                World {
                    account_id: account_id.to_owned(),
                    region: region.to_owned(),
                    $( $m: $m::state::State::new(account_id, region, now), )*
                    $( $fm: $fm::state::State::new(account_id, region, now), )*
                }
            }
        }

        /// A message to one service's port.
        #[derive(Debug)]
        pub enum Command {
            $( $kind($m::ports::Command), )*
            $( $fkind($fm::ports::Command), )*
        }

        $( impl From<$m::ports::Command> for Command {
            fn from(c: $m::ports::Command) -> Command { Command::$kind(c) }
        } )*
        $( impl From<$fm::ports::Command> for Command {
            fn from(c: $fm::ports::Command) -> Command { Command::$fkind(c) }
        } )*

        /// A wake-up one service asked for.
        #[derive(Debug)]
        pub enum Timer {
            $( $kind($m::Timer), )*
            $( $fkind($fm::Timer), )*
        }

        $( impl From<$m::Timer> for Timer {
            fn from(t: $m::Timer) -> Timer { Timer::$kind(t) }
        } )*
        $( impl From<$fm::Timer> for Timer {
            fn from(t: $fm::Timer) -> Timer { Timer::$fkind(t) }
        } )*

        /// Runs `operation` of `kind` on the partition's world: `None` when it has no handler.
        #[allow(clippy::too_many_arguments)] // the parts of one call, passed through unchanged
        pub fn call_operation<E: codemock_wire::dispatch::Encode>(
            kind: ServiceKind,
            operation: &str,
            world: &mut World,
            ctx: &$crate::core::RequestContext,
            core: &$crate::core::Env,
            effects: &mut $crate::effects::Effects,
            input: serde_json::Value,
            encoder: E,
        ) -> Option<Result<E::Output, $crate::error::ServiceError>> {
            match kind {
                $( ServiceKind::$kind => {
                    let mut call = $crate::services::Call { ctx, state: &mut world.$m, core, effects };
                    $m::HANDLERS.call(operation, &mut call, input, encoder)
                } )*
            }
        }

        /// The awsJson fast path of `operation` of `kind` (see `codemock_wire::dispatch`): the
        /// body decodes into the typed input and passes the typed check outside the partition
        /// lock, and only then does the handler run under it. `Err(Deferred)`: nothing ran, and
        /// the request goes the validated-value way ([`call_operation`]). `None`: no handler.
        #[allow(clippy::type_complexity, reason = "the handler's result, or the encoder back")]
        pub fn call_operation_json<E: codemock_wire::dispatch::Encode, L: $crate::services::WorldLock<World>>(
            kind: ServiceKind,
            operation: &str,
            lock: L,
            body: &[u8],
            encoder: E,
        ) -> Option<Result<Result<E::Output, $crate::error::ServiceError>, codemock_wire::dispatch::Deferred<E>>> {
            match kind {
                $( ServiceKind::$kind => {
                    let enter = $crate::services::Locked { lock, pick: |w: &mut World| &mut w.$m };
                    $m::HANDLERS.call_json(operation, body, enter, encoder)
                } )*
            }
        }

        /// Delivers a command to its service's port in the partition's world.
        pub fn on_command(
            world: &mut World,
            ctx: &$crate::core::RequestContext,
            core: &$crate::core::Env,
            effects: &mut $crate::effects::Effects,
            command: Command,
        ) -> Result<serde_json::Value, $crate::error::ServiceError> {
            match command {
                $( Command::$kind(c) => {
                    let mut call = $crate::services::Call { ctx, state: &mut world.$m, core, effects };
                    $m::ports::on_command(&mut call, c)
                } )*
                $( Command::$fkind(c) => {
                    let mut call = $crate::services::Call { ctx, state: &mut world.$fm, core, effects };
                    $fm::ports::on_command(&mut call, c)
                } )*
            }
        }

        /// Runs a timer that came due in the partition's world.
        pub fn on_timer(
            world: &mut World,
            ctx: &$crate::core::RequestContext,
            core: &$crate::core::Env,
            effects: &mut $crate::effects::Effects,
            timer: Timer,
        ) {
            match timer {
                $( Timer::$kind(t) => {
                    let mut call = $crate::services::Call { ctx, state: &mut world.$m, core, effects };
                    $m::on_timer(&mut call, t)
                } )*
                $( Timer::$fkind(t) => {
                    let mut call = $crate::services::Call { ctx, state: &mut world.$fm, core, effects };
                    $fm::on_timer(&mut call, t)
                } )*
            }
        }
    };
}

#[allow(unused_imports, reason = "for toy registries in tests")]
pub(crate) use services;

use crate::services::{codebuild, codedeploy, codepipeline, events, logs, s3, sqs};
use codemock_wire::generated as wire;

services! {
    CodePipeline => codepipeline / codepipeline,
    CodeBuild => codebuild / codebuild,
    CodeDeploy => codedeploy / codedeploy,
    Events => events / events,
    Sqs => sqs / sqs,
    Logs => logs / logs;
    S3 => s3,
}

/// A toy service added the way the module docs say: its folder (here the `toy` module, with
/// the table `codegen` would generate for it in `wire::toy`) and one line in `services!`.
#[cfg(test)]
#[allow(
    dead_code,
    reason = "the toy registry has items only real services use"
)]
mod toy_registry {
    use crate::core::{Core, RequestContext};
    use codemock_wire::dispatch::{Encode, Handling};

    /// What the generator would write for a one-operation model.
    mod wire {
        pub mod toy {
            use codemock_wire::schema as s;

            static PATTERNS: codemock_wire::validate::PatternCache =
                codemock_wire::validate::PatternCache::new();

            pub static SERVICE: s::Service = s::Service {
                name: "toy",
                service_id: "Toy",
                target_prefix: "Toy_20260101",
                namespace: "com.amazonaws.toy",
                signing_name: "toy",
                json_version: "1.1",
                supports_cbor: false,
                api_version: "2026-01-01",
                aws_query_compatible: false,
                operations: &[
                    s::Operation {
                        name: "Bump",
                        input: None,
                        output: None,
                        errors: &[],
                        deprecated: false,
                    },
                    s::Operation {
                        name: "Unbuilt",
                        input: None,
                        output: None,
                        errors: &[],
                        deprecated: false,
                    },
                ],
                shapes: &[],
                patterns: &PATTERNS,
            };

            type Slot<X> = Option<
                codemock_wire::dispatch::HandlerFn<
                    X,
                    codemock_wire::types::Empty,
                    codemock_wire::types::Empty,
                >,
            >;

            pub struct Handlers<X: codemock_wire::dispatch::Handling> {
                pub bump: Slot<X>,
                pub unbuilt: Slot<X>,
            }

            impl<X: codemock_wire::dispatch::Handling> Handlers<X> {
                pub const NONE: Self = Self {
                    bump: None,
                    unbuilt: None,
                };

                pub fn implements(&self, operation: &str) -> bool {
                    match operation {
                        "Bump" => self.bump.is_some(),
                        "Unbuilt" => self.unbuilt.is_some(),
                        _ => false,
                    }
                }

                pub fn call<E: codemock_wire::dispatch::Encode>(
                    &self,
                    operation: &str,
                    cx: &mut X::Cx<'_>,
                    input: serde_json::Value,
                    encoder: E,
                ) -> Option<Result<E::Output, X::Error>> {
                    match operation {
                        "Bump" => self
                            .bump
                            .map(|h| codemock_wire::dispatch::run(h, cx, input, encoder)),
                        "Unbuilt" => self
                            .unbuilt
                            .map(|h| codemock_wire::dispatch::run(h, cx, input, encoder)),
                        _ => None,
                    }
                }

                #[allow(clippy::type_complexity, reason = "as generated")]
                pub fn call_json<
                    E: codemock_wire::dispatch::Encode,
                    N: codemock_wire::dispatch::Enter<X>,
                >(
                    &self,
                    operation: &str,
                    body: &[u8],
                    enter: N,
                    encoder: E,
                ) -> Option<Result<Result<E::Output, X::Error>, codemock_wire::dispatch::Deferred<E>>>
                {
                    match operation {
                        "Bump" => self.bump.map(|h| {
                            codemock_wire::dispatch::run_json(
                                h, &SERVICE, None, body, enter, encoder,
                            )
                        }),
                        "Unbuilt" => self.unbuilt.map(|h| {
                            codemock_wire::dispatch::run_json(
                                h, &SERVICE, None, body, enter, encoder,
                            )
                        }),
                        _ => None,
                    }
                }
            }
        }
    }

    /// The toy service's folder.
    mod toy {
        use crate::error::ServiceError;
        use codemock_wire::types::Empty;

        pub mod state {
            #[derive(Debug, Default)]
            pub struct State {
                pub bumps: u32,
            }
        }

        pub mod ports {
            /// Others may bump it too.
            #[derive(Debug)]
            pub enum Command {
                Bump,
            }

            pub fn on_command(
                call: &mut super::Call<'_>,
                command: Command,
            ) -> Result<serde_json::Value, crate::error::ServiceError> {
                match command {
                    Command::Bump => call.state.bumps += 1,
                }
                Ok(serde_json::Value::Null)
            }
        }

        pub type Call<'a> = crate::services::Call<'a, state::State>;

        #[derive(Debug)]
        pub enum Timer {
            Bump,
        }

        pub fn on_timer(call: &mut Call<'_>, timer: Timer) {
            match timer {
                Timer::Bump => call.state.bumps += 10,
            }
        }

        pub use crate::services::no_async_handler as async_handler;

        fn bump(call: &mut Call<'_>, _: Empty) -> Result<Empty, ServiceError> {
            call.state.bumps += 1;
            Ok(Empty {})
        }

        pub const HANDLERS: super::wire::toy::Handlers<crate::services::Api<state::State>> =
            super::wire::toy::Handlers {
                bump: Some(bump),
                ..super::wire::toy::Handlers::NONE
            };
    }

    crate::services::registry::services! {
        Toy => toy / toy;
    }

    struct Json;

    impl Encode for Json {
        type Output = String;

        fn encode<T: serde::Serialize>(self, value: &T) -> String {
            serde_json::to_string(value).unwrap_or_default()
        }
    }

    #[test]
    fn a_toy_service_takes_one_registry_line() {
        assert_eq!(ServiceKind::ALL, &[ServiceKind::Toy]);
        assert_eq!(
            ServiceKind::by_target_prefix("Toy_20260101"),
            Some(ServiceKind::Toy)
        );
        assert_eq!(ServiceKind::Toy.namespace(), "com.amazonaws.toy");
        assert!(ServiceKind::Toy.implements("Bump"));
        assert!(!ServiceKind::Toy.handles("Unbuilt"), "no handler: a 501");
        let mut world = World::new("1", "r", 0.0);
        let core = Core::new(Default::default());
        let ctx = RequestContext::internal("1", "r", 0.0);
        let mut effects = crate::effects::Effects::new();
        let out = call_operation(
            ServiceKind::Toy,
            "Bump",
            &mut world,
            &ctx,
            core.env(),
            &mut effects,
            serde_json::json!({}),
            Json,
        );
        assert_eq!(out.map(|r| r.ok()), Some(Some("{}".to_owned())));
        on_command(
            &mut world,
            &ctx,
            core.env(),
            &mut effects,
            toy::ports::Command::Bump.into(),
        )
        .expect("a command");
        on_timer(
            &mut world,
            &ctx,
            core.env(),
            &mut effects,
            toy::Timer::Bump.into(),
        );
        assert_eq!(world.toy.bumps, 12);
        assert!(
            <crate::services::Api<toy::state::State> as Handling>::bad_input("x".into()).status
                == 400
        );
    }
}
