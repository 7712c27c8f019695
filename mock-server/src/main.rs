//! The `codemock` binary: serves every emulated service on one port until SIGINT or SIGTERM.

use clap::Parser;
use codemock::core::{Config, Core};
use codemock::services::codebuild::state::ExecutorKind;
use codemock::ClockMode;
use std::sync::Arc;

/// mimalloc rather than the system allocator: the request path makes many small allocations
/// (JSON values, strings), which it serves with less CPU and without glibc's arena growth.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "codemock",
    version,
    about = "Local emulator of AWS CodePipeline, CodeBuild, CodeDeploy and EventBridge"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "CODEMOCK_HOST", default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "CODEMOCK_PORT", default_value_t = 4566)]
    port: u16,
    /// Account for requests whose access key is not a 12-digit account id.
    #[arg(long, env = "CODEMOCK_ACCOUNT_ID", default_value = "000000000000")]
    account_id: String,
    /// Region for requests without a SigV4 scope.
    #[arg(long, env = "CODEMOCK_REGION", default_value = "us-east-1")]
    region: String,
    /// realtime: virtual time runs by itself; manual: it moves only via /_codemock/clock/advance.
    #[arg(long, env = "CODEMOCK_CLOCK", default_value = "realtime", value_parser = ["realtime", "manual", "fixed"])]
    clock: String,
    /// Virtual seconds per real second in realtime mode.
    #[arg(long, env = "CODEMOCK_TIME_SPEED", default_value_t = 60.0)]
    time_speed: f64,
    /// Seed of every id the server hands out.
    #[arg(long, env = "CODEMOCK_SEED")]
    seed: Option<u64>,
    /// Bytes of S3 object data kept in memory (all buckets together) before bodies spill to a
    /// temporary directory.
    #[arg(long, env = "CODEMOCK_S3_MEMORY_LIMIT", default_value_t = codemock::services::s3::storage::DEFAULT_MEMORY_LIMIT)]
    s3_memory_limit: u64,
    /// How builds run: simulate (phases on the virtual clock, outcomes from rules and tags) or
    /// local (the buildspec's commands run in a shell on this machine, without Docker).
    #[arg(long, env = "CODEMOCK_CODEBUILD_EXECUTOR", default_value = "simulate", value_parser = ["simulate", "local"])]
    codebuild_executor: String,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    if !(args.time_speed.is_finite() && args.time_speed > 0.0) {
        eprintln!("codemock: --time-speed must be a positive number");
        return std::process::ExitCode::from(2);
    }
    let clock_mode = match args.clock.as_str() {
        "manual" => ClockMode::Manual,
        "fixed" => ClockMode::Fixed,
        _ => ClockMode::Realtime {
            speed: args.time_speed,
        },
    };
    let mut config = Config {
        account_id: args.account_id,
        region: args.region,
        clock_mode,
        s3_memory_limit: args.s3_memory_limit,
        codebuild_executor: ExecutorKind::parse(&args.codebuild_executor)
            .unwrap_or(ExecutorKind::Simulate),
        ..Config::default()
    };
    if config.codebuild_executor == ExecutorKind::Local {
        // Said at start-up: builds will run commands on this machine.
        eprintln!(
            "codemock: CodeBuild local executor on: buildspec commands run in a shell on this machine"
        );
    }
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("codemock: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind((args.host.as_str(), args.port)).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!(
                    "codemock: cannot listen on {}:{}: {e}",
                    args.host, args.port
                );
                return std::process::ExitCode::FAILURE;
            }
        };
        let addr = match listener.local_addr() {
            Ok(a) => a,
            Err(e) => {
                eprintln!("codemock: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        let core: Arc<Core> = Core::new(config);
        let _ = core.endpoint.set(format!("http://{addr}"));
        if matches!(clock_mode, ClockMode::Realtime { .. }) {
            tokio::spawn(codemock::server::listener::run_realtime_timers(
                core.clone(),
            ));
        }
        println!("READY http://{addr}");
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        codemock::server::listener::serve(listener, core, shutdown_signal()).await;
        std::process::ExitCode::SUCCESS
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
