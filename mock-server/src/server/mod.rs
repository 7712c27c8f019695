//! The server: [`MockServer`] for Rust tests (its own thread and runtime, shut down on drop) and
//! the pieces the `codemock` binary shares with it.

pub mod listener;

use crate::clock::ClockMode;
use crate::core::{Config, Core, RequestRecord};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::oneshot;

/// A codemock server running in the background of a test.
///
/// It runs on its own thread with its own runtime, so a test's runtime (current-thread, paused
/// time) cannot stall it. Dropping it shuts it down.
pub struct MockServer {
    core: Arc<Core>,
    addr: SocketAddr,
    runtime: tokio::runtime::Handle,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .finish()
    }
}

/// Options for a [`MockServer`]: `MockServer::builder().region("eu-west-1").start().await`.
#[derive(Debug, Clone, Default)]
pub struct MockServerBuilder {
    config: Config,
    port: u16,
}

impl MockServerBuilder {
    /// The account used when a request's access key is not a 12-digit account id.
    pub fn account_id(mut self, account: impl Into<String>) -> Self {
        self.config.account_id = account.into();
        self
    }

    /// The region used when a request carries no SigV4 scope.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.config.region = region.into();
        self
    }

    /// How virtual time moves (default: [`ClockMode::Manual`]).
    pub fn clock(mut self, mode: ClockMode) -> Self {
        self.config.clock_mode = mode;
        self
    }

    /// The virtual time the clock starts at.
    pub fn start_time(mut self, at: SystemTime) -> Self {
        self.config.clock_start = at.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs_f64());
        self
    }

    /// The seed of every id the server hands out.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// The largest request body the JSON and CBOR services accept (default 10 MiB).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.config.body_limit = bytes;
        self
    }

    /// How long a client may take to send its request body (default 30 s, real time).
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.config.body_timeout = timeout;
        self
    }

    /// Bytes of S3 object data kept in memory across the server before bodies spill to a
    /// temporary directory (default 256 MiB).
    /// How builds run unless a project's `codemock:executor` tag says otherwise (default:
    /// simulated).
    pub fn codebuild_executor(
        mut self,
        executor: crate::services::codebuild::state::ExecutorKind,
    ) -> Self {
        self.config.codebuild_executor = executor;
        self
    }

    pub fn s3_memory_limit(mut self, bytes: u64) -> Self {
        self.config.s3_memory_limit = bytes;
        self
    }

    /// Listen on this port of 127.0.0.1 (default: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Starts the server; it accepts connections once this returns.
    pub async fn start(self) -> MockServer {
        MockServer::spawn(self.config, self.port)
            .unwrap_or_else(|e| panic!("codemock could not start: {e}"))
    }
}

impl MockServer {
    /// A server with the defaults: account 000000000000, us-east-1, a manual clock.
    pub async fn start() -> MockServer {
        Self::builder().start().await
    }

    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    fn spawn(config: Config, port: u16) -> std::io::Result<MockServer> {
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("codemock")
            .build()?;
        let handle = runtime.handle().clone();
        let core = Core::new(config);
        let _ = core.endpoint.set(format!("http://{addr}"));
        core.jobs.set_runtime(handle.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let server_core = core.clone();
        let thread = std::thread::Builder::new()
            .name("codemock".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(std_listener) {
                        Ok(l) => l,
                        Err(e) => {
                            tracing::error!(error = %e, "listener");
                            return;
                        }
                    };
                    if matches!(server_core.clock.mode(), ClockMode::Realtime { .. }) {
                        tokio::spawn(listener::run_realtime_timers(server_core.clone()));
                    }
                    listener::serve(listener, server_core, async {
                        let _ = rx.await;
                    })
                    .await;
                });
                // Connection tasks still running are dropped with the runtime.
                runtime.shutdown_background();
            })?;
        Ok(MockServer {
            core,
            addr,
            runtime: handle,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port>`: the endpoint URL for every service.
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// The engine, for tests that inspect state directly.
    pub fn core(&self) -> &Arc<Core> {
        &self.core
    }

    /// The virtual clock.
    pub fn clock(&self) -> ClockHandle<'_> {
        ClockHandle { server: self }
    }

    /// Waits until the engine is idle: no timer due at virtual now and no job (an API
    /// destination call...) still running. Returns how many timers fired meanwhile.
    pub async fn settle(&self) -> usize {
        let core = self.core.clone();
        self.runtime
            .spawn(async move { core.settle().await })
            .await
            .unwrap_or(0)
    }

    /// Forgets all state, as `POST /_codemock/reset` does.
    pub async fn reset(&self) {
        self.core.reset();
    }

    /// The request log.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.core.requests()
    }

    /// The delivery log of EventBridge events.
    pub fn events(&self) -> Vec<serde_json::Value> {
        self.core.events()
    }

    /// Outcome rules: how simulated work goes (as `/_codemock/outcomes`).
    pub fn outcomes(&self) -> &crate::outcomes::Outcomes {
        &self.core.outcomes
    }

    /// The Parameter Store and Secrets Manager values builds resolve (as
    /// `/_codemock/codebuild/parameters` and `/secrets`).
    pub fn codebuild(&self) -> &crate::services::codebuild::values::Values {
        &self.core.codebuild_values
    }

    /// CodePipeline's test helpers: push commits to the git host behind hosted sources (as
    /// `/_codemock/codepipeline/pushes`), answer manual approvals.
    pub fn codepipeline(&self) -> crate::services::codepipeline::testing::CodePipelineControl<'_> {
        crate::services::codepipeline::testing::CodePipelineControl::new(&self.core)
    }

    /// CodeDeploy's outside controls: the CloudWatch alarm states deployments watch (as
    /// `POST /_codemock/cloudwatch/alarms`), e.g. `server.codedeploy().set_alarm_state("HighErrors", "ALARM")`.
    pub fn codedeploy(&self) -> &crate::services::codedeploy::alarms::Alarms {
        &self.core.codedeploy_alarms
    }

    /// The SNS notifications codemock would have published, oldest first (as
    /// `GET /_codemock/sns/notifications`): CodeDeploy deployment-group triggers.
    pub fn sns_notifications(&self) -> Vec<crate::notifications::SnsNotification> {
        self.core.sns_notifications.all()
    }

    /// Fault rules: errors operations answer instead of running (as `/_codemock/faults`).
    pub fn faults(&self) -> &crate::faults::Faults {
        &self.core.faults
    }

    /// The Lambda invocations codemock made, and the responses registered for functions (as
    /// `/_codemock/invocations`).
    pub fn invocations(&self) -> &crate::invocations::Invocations {
        &self.core.invocations
    }

    /// An SDK configuration pointing at this server, with test credentials and its region.
    #[cfg(feature = "sdk")]
    pub fn sdk_config(&self) -> aws_config::SdkConfig {
        use aws_config::{BehaviorVersion, Region};
        use aws_credential_types::{provider::SharedCredentialsProvider, Credentials};
        aws_config::SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(self.uri())
            .region(Region::new(self.core.config.region.clone()))
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKIDCODEMOCK",
                "codemock-secret",
                None,
                None,
                "codemock",
            )))
            .build()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The virtual clock of a [`MockServer`].
#[derive(Debug)]
pub struct ClockHandle<'a> {
    server: &'a MockServer,
}

impl ClockHandle<'_> {
    /// Virtual now.
    pub fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs_f64(self.server.core.clock.now().max(0.0))
    }

    /// Moves virtual time forward, running every timer due on the way (on the server's own
    /// runtime). Returns how many timers fired.
    pub async fn advance(&self, by: Duration) -> usize {
        let core = self.server.core.clone();
        self.server
            .runtime
            .spawn(async move { core.advance(by).await })
            .await
            .unwrap_or(0)
    }
}
