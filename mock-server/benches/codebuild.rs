//! `make bench` (CodeBuild part): how many simulated builds the engine runs to completion per
//! second on the manual clock, and what a local build of `echo hi` costs over running the shell
//! itself. In-process: one `MockServer`, raw HTTP for the requests, no AWS SDK.

use bytes::Bytes;
use codemock::services::codebuild::state::ExecutorKind;
use codemock::MockServer;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1 as client;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const BUILDS: usize = 2_000;
const LOCAL_RUNS: usize = 20;

async fn connect(server: &MockServer) -> client::SendRequest<Full<Bytes>> {
    let stream = tokio::net::TcpStream::connect(server.address())
        .await
        .expect("connect");
    let (sender, conn) = client::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    sender
}

async fn codebuild(sender: &mut client::SendRequest<Full<Bytes>>, op: &str, body: Value) -> Value {
    let req = http::Request::post("/")
        .header("host", "localhost")
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", format!("CodeBuild_20161006.{op}"))
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("request");
    sender.ready().await.expect("connection ready");
    let resp = sender.send_request(req).await.expect("response");
    let status = resp.status();
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    assert!(
        status.is_success(),
        "{op}: {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).expect("json")
}

fn project(name: &str, tags: Value) -> Value {
    json!({
        "name": name,
        "source": {"type": "NO_SOURCE", "buildspec": "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n"},
        "artifacts": {"type": "NO_ARTIFACTS"},
        "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
        "serviceRole": "arn:aws:iam::000000000000:role/cb",
        "tags": tags,
    })
}

async fn simulated() -> (f64, f64) {
    let server = MockServer::start().await;
    let mut s = connect(&server).await;
    codebuild(&mut s, "CreateProject", project("bench", json!([]))).await;
    let t0 = Instant::now();
    for _ in 0..BUILDS {
        codebuild(&mut s, "StartBuild", json!({"projectName": "bench"})).await;
    }
    let started = t0.elapsed();
    let t1 = Instant::now();
    server.clock().advance(Duration::from_secs(120)).await;
    let ran = t1.elapsed();
    let ids = codebuild(
        &mut s,
        "ListBuildsForProject",
        json!({"projectName": "bench", "sortOrder": "ASCENDING"}),
    )
    .await;
    let first = ids["ids"][0].as_str().unwrap_or_default().to_owned();
    let b = codebuild(&mut s, "BatchGetBuilds", json!({"ids": [first]})).await;
    assert_eq!(b["builds"][0]["buildStatus"], "SUCCEEDED");
    let total = (started + ran).as_secs_f64();
    #[allow(clippy::cast_precision_loss, reason = "a count")]
    let n = BUILDS as f64;
    (n / total, n / ran.as_secs_f64())
}

async fn local() -> (Duration, Duration) {
    let server = MockServer::builder()
        .codebuild_executor(ExecutorKind::Local)
        .start()
        .await;
    let mut s = connect(&server).await;
    codebuild(&mut s, "CreateProject", project("local", json!([]))).await;
    let mut builds = Vec::new();
    for _ in 0..LOCAL_RUNS {
        let t0 = Instant::now();
        let b = codebuild(&mut s, "StartBuild", json!({"projectName": "local"})).await;
        server.settle().await;
        builds.push(t0.elapsed());
        let id = b["build"]["id"].as_str().unwrap_or_default().to_owned();
        let got = codebuild(&mut s, "BatchGetBuilds", json!({"ids": [id]})).await;
        assert_eq!(got["builds"][0]["buildStatus"], "SUCCEEDED", "{got}");
    }
    let mut shells = Vec::new();
    for _ in 0..LOCAL_RUNS {
        let t0 = Instant::now();
        let out = tokio::process::Command::new("bash")
            .args(["-c", "echo hi"])
            .output()
            .await
            .expect("bash");
        assert!(out.status.success());
        shells.push(t0.elapsed());
    }
    builds.sort();
    shells.sort();
    (builds[LOCAL_RUNS / 2], shells[LOCAL_RUNS / 2])
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (with_requests, engine_only) = runtime.block_on(simulated());
    let (build, shell) = runtime.block_on(local());
    println!();
    println!(
        "CodeBuild ({BUILDS} simulated builds of 11 phases; {LOCAL_RUNS} local builds, medians)"
    );
    println!();
    println!("| {:<58} | {:>12} |", "measure", "value");
    println!("|{}|{}|", "-".repeat(60), "-".repeat(14));
    println!(
        "| {:<58} | {:>12.0} |",
        "simulated builds/s to completion (StartBuild + advance)", with_requests
    );
    println!(
        "| {:<58} | {:>12.0} |",
        "simulated builds/s to completion (engine only: advance)", engine_only
    );
    println!(
        "| {:<58} | {:>9.2} ms |",
        "local build of `echo hi`, StartBuild to settled",
        build.as_secs_f64() * 1e3
    );
    println!(
        "| {:<58} | {:>9.2} ms |",
        "`bash -c 'echo hi'` alone",
        shell.as_secs_f64() * 1e3
    );
    println!(
        "| {:<58} | {:>9.2} ms |",
        "overhead of the local executor",
        (build.saturating_sub(shell)).as_secs_f64() * 1e3
    );
}
