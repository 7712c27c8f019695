//! `make bench` (the Code services): how many simulated builds the engine runs to completion per
//! second on the manual clock, what a local build of `echo hi` costs over running the shell
//! itself, and the wall time of a 3-stage pipeline run (S3 source, a CodeBuild build, a simulated
//! deploy) to completion on the manual clock. In-process: one `MockServer`, raw HTTP for the
//! requests, no AWS SDK.

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
    json_call(sender, &format!("CodeBuild_20161006.{op}"), body).await
}

async fn json_call(
    sender: &mut client::SendRequest<Full<Bytes>>,
    target: &str,
    body: Value,
) -> Value {
    let req = http::Request::post("/")
        .header("host", "localhost")
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", target)
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("request");
    let op = target;
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

async fn s3_put(sender: &mut client::SendRequest<Full<Bytes>>, path: &str, body: &'static [u8]) {
    let req = http::Request::put(path)
        .header("host", "localhost")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
        )
        .body(Full::new(Bytes::from_static(body)))
        .expect("request");
    sender.ready().await.expect("connection ready");
    let resp = sender.send_request(req).await.expect("response");
    assert!(resp.status().is_success(), "PUT {path}");
    resp.into_body().collect().await.expect("body");
}

const PIPELINE_RUNS: usize = 200;

/// Wall time per 3-stage run (start, then advance until it ended), and runs per second.
async fn pipeline() -> (Duration, f64) {
    let server = MockServer::start().await;
    let mut s = connect(&server).await;
    s3_put(&mut s, "/src", b"").await;
    s3_put(&mut s, "/artifacts", b"").await;
    s3_put(&mut s, "/src/app.zip", b"PK").await;
    let mut p = project("builder", json!([]));
    p["source"]["type"] = json!("CODEPIPELINE");
    p["artifacts"] = json!({"type": "CODEPIPELINE"});
    codebuild(&mut s, "CreateProject", p).await;
    let cp = |op: &str| format!("CodePipeline_20150709.{op}");
    json_call(
        &mut s,
        &cp("CreatePipeline"),
        json!({"pipeline": {
            "name": "bench",
            "roleArn": "arn:aws:iam::000000000000:role/pipeline",
            "artifactStore": {"type": "S3", "location": "artifacts"},
            "stages": [
                {"name": "Source", "actions": [{
                    "name": "Src",
                    "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                    "configuration": {"S3Bucket": "src", "S3ObjectKey": "app.zip", "PollForSourceChanges": "false"},
                    "outputArtifacts": [{"name": "SourceArtifact"}]
                }]},
                {"name": "Build", "actions": [{
                    "name": "Compile",
                    "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
                    "configuration": {"ProjectName": "builder"},
                    "inputArtifacts": [{"name": "SourceArtifact"}],
                    "outputArtifacts": [{"name": "BuildArtifact"}]
                }]},
                {"name": "Deploy", "actions": [{
                    "name": "Stack",
                    "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CloudFormation", "version": "1"},
                    "configuration": {"ActionMode": "CREATE_UPDATE", "StackName": "app", "RoleArn": "arn:aws:iam::000000000000:role/cfn"},
                    "inputArtifacts": [{"name": "BuildArtifact"}]
                }]}
            ]
        }}),
    )
    .await;
    server.clock().advance(Duration::from_secs(120)).await;
    let t0 = Instant::now();
    for _ in 0..PIPELINE_RUNS {
        json_call(
            &mut s,
            &cp("StartPipelineExecution"),
            json!({"name": "bench"}),
        )
        .await;
        server.clock().advance(Duration::from_secs(120)).await;
    }
    let elapsed = t0.elapsed();
    let execs = json_call(
        &mut s,
        &cp("ListPipelineExecutions"),
        json!({"pipelineName": "bench", "maxResults": 1}),
    )
    .await;
    assert_eq!(
        execs["pipelineExecutionSummaries"][0]["status"], "Succeeded",
        "{execs}"
    );
    #[allow(clippy::cast_possible_truncation, reason = "a small count")]
    let per_run = elapsed / PIPELINE_RUNS as u32;
    #[allow(clippy::cast_precision_loss, reason = "a count")]
    let rate = PIPELINE_RUNS as f64 / elapsed.as_secs_f64();
    (per_run, rate)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (with_requests, engine_only) = runtime.block_on(simulated());
    let (build, shell) = runtime.block_on(local());
    let (run, runs_per_second) = runtime.block_on(pipeline());
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
    println!(
        "| {:<58} | {:>9.2} ms |",
        "3-stage pipeline run to completion (target <= 5 ms)",
        run.as_secs_f64() * 1e3
    );
    println!(
        "| {:<58} | {:>12.0} |",
        "3-stage pipeline executions completed per second", runs_per_second
    );
}
