//! `make bench`: start-up to READY, ListPipelines latency over one keep-alive connection,
//! throughput with 16 concurrent connections, and idle RSS, measured against the release binary
//! as a separate process (so client and server share the machine, as in CI). Prints a table.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const LATENCY_REQUESTS: usize = 20_000;
const CONNECTIONS: usize = 16;
const THROUGHPUT_SECONDS: u64 = 5;
const STARTUP_RUNS: usize = 20;

fn binary() -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::var_os("CODEMOCK_BIN")
        .map(Into::into)
        .unwrap_or_else(|| root.join("target/release/codemock"))
}

/// Starts the binary and returns it with its address and the time until READY.
fn start() -> (Child, String, Duration) {
    let t0 = Instant::now();
    let mut child = Command::new(binary())
        .args(["--port", "0", "--clock", "manual"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run target/release/codemock (make bench builds it)");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("READY line");
    let elapsed = t0.elapsed();
    let addr = line
        .trim()
        .strip_prefix("READY http://")
        .expect("READY http://<addr>")
        .to_owned();
    (child, addr, elapsed)
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn list_pipelines() -> http::Request<Full<Bytes>> {
    http::Request::post("/")
        .header("host", "127.0.0.1")
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "CodePipeline_20150709.ListPipelines")
        .body(Full::new(Bytes::from_static(b"{}")))
        .expect("request")
}

async fn connect(addr: &str) -> http1::SendRequest<Full<Bytes>> {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).ok();
    let (sender, conn) = http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    sender
}

async fn one(sender: &mut http1::SendRequest<Full<Bytes>>) {
    sender.ready().await.expect("ready");
    let resp = sender
        .send_request(list_pipelines())
        .await
        .expect("response");
    assert_eq!(resp.status(), 200);
    resp.into_body().collect().await.expect("body");
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    // Start-up: median of several cold starts.
    let mut startups: Vec<Duration> = (0..STARTUP_RUNS)
        .map(|_| {
            let (mut child, _, t) = start();
            child.kill().ok();
            child.wait().ok();
            t
        })
        .collect();
    startups.sort();

    let (mut child, addr, _) = start();
    let pid = child.id();
    std::thread::sleep(Duration::from_millis(200));
    let idle_rss = rss_kib(pid, "VmRSS:");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (latencies, throughput) = rt.block_on(async {
        let mut sender = connect(&addr).await;
        for _ in 0..1000 {
            one(&mut sender).await; // warm-up
        }
        let mut lat = Vec::with_capacity(LATENCY_REQUESTS);
        for _ in 0..LATENCY_REQUESTS {
            let t = Instant::now();
            one(&mut sender).await;
            lat.push(t.elapsed());
        }
        lat.sort();

        let deadline = Instant::now() + Duration::from_secs(THROUGHPUT_SECONDS);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..CONNECTIONS {
            let addr = addr.clone();
            tasks.push(tokio::spawn(async move {
                let mut sender = connect(&addr).await;
                let mut n = 0u64;
                while Instant::now() < deadline {
                    one(&mut sender).await;
                    n += 1;
                }
                n
            }));
        }
        let mut total = 0;
        for t in tasks {
            total += t.await.expect("task");
        }
        (lat, total as f64 / started.elapsed().as_secs_f64())
    });
    let peak_rss = rss_kib(pid, "VmHWM:");
    child.kill().ok();
    child.wait().ok();

    let row = |name: &str, value: String, target: &str| {
        println!("| {name:<42} | {value:>14} | {target:>12} |")
    };
    println!("| {:<42} | {:>14} | {:>12} |", "measure", "value", "target");
    println!("|{}|{}|{}|", "-".repeat(44), "-".repeat(16), "-".repeat(14));
    row(
        "start-up to READY (median of 20)",
        format!("{:.1} ms", startups[startups.len() / 2].as_secs_f64() * 1e3),
        "<= 20 ms",
    );
    row(
        "ListPipelines latency p50 (keep-alive)",
        format!("{:.0} us", percentile(&latencies, 0.50).as_secs_f64() * 1e6),
        "<= 100 us",
    );
    row(
        "ListPipelines latency p99 (keep-alive)",
        format!("{:.0} us", percentile(&latencies, 0.99).as_secs_f64() * 1e6),
        "",
    );
    row(
        &format!("throughput, {CONNECTIONS} connections, {THROUGHPUT_SECONDS} s"),
        format!("{throughput:.0} req/s"),
        ">= 30000/s",
    );
    row(
        "idle RSS",
        format!("{:.1} MiB", idle_rss as f64 / 1024.0),
        "<= 15 MiB",
    );
    row(
        "peak RSS after the load",
        format!("{:.1} MiB", peak_rss as f64 / 1024.0),
        "",
    );
}
