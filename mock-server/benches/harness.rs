//! `make bench`: codemock's request path measured against a floor in the same run. The floor is a
//! bare hyper server with codemock's runtime and connection setup (see `floor_server`) answering
//! a fixed small JSON body; each codemock workload is printed with its p50 and throughput as
//! ratios to the floor's. Also start-up to READY, idle RSS and peak RSS after the load.
//!
//! Both servers run as separate processes (codemock is the release binary, the floor is this
//! bench re-executed with `--floor-server`), so client and servers share the machine the same
//! way for every row. Only raw HTTP requests: no AWS SDK.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1 as client;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write as _};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WARM_UP_REQUESTS: usize = 1_000;
const LATENCY_REQUESTS: usize = 10_000;
const CONNECTIONS: usize = 16;
const THROUGHPUT_SECONDS: u64 = 4;
const STARTUP_RUNS: usize = 20;

// The targets of issue 7, relative to the floor measured in the same run.
const P50_RATIO_TARGET: f64 = 2.0;
const THROUGHPUT_SHARE_TARGET: f64 = 0.70;
const PUT_EVENTS_1000_P50_TARGET_US: f64 = 100.0;

/// What the floor answers to every request: about the size of codemock's ListPipelines answer.
const FLOOR_BODY: &[u8] = br#"{"pipelines":[]}"#;

fn binary() -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::var_os("CODEMOCK_BIN")
        .map(Into::into)
        .unwrap_or_else(|| root.join("target/release/codemock"))
}

/// A server process, killed on drop.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Starts `command`, waits for its `READY http://<addr>` line and returns it with the time taken.
fn start(mut command: Command) -> (Server, Duration) {
    let t0 = Instant::now();
    let mut child = command
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
        .unwrap_or_else(|| panic!("expected READY http://<addr>, got {line:?}"))
        .to_owned();
    (Server { child, addr }, elapsed)
}

fn start_codemock() -> (Server, Duration) {
    let mut command = Command::new(binary());
    command.args(["--port", "0", "--clock", "manual"]);
    start(command)
}

fn start_floor() -> Server {
    let mut command = Command::new(std::env::current_exe().expect("own executable"));
    command.arg("--floor-server");
    start(command).0
}

/// The floor: codemock's listener without codemock. The same runtime as the binary's
/// (`main.rs`: a default multi-thread runtime) and the same connection setup as
/// `server/listener.rs` (no-delay sockets, one task per connection, hyper http1 with a timer, a
/// 30 s header read timeout and keep-alive). It reads each request body and answers the fixed
/// body with the same content type codemock's JSON services use.
fn floor_server() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!("READY http://{}", listener.local_addr().expect("address"));
        std::io::stdout().flush().ok();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    |req: http::Request<hyper::body::Incoming>| async move {
                        let _ = req.into_body().collect().await;
                        http::Response::builder()
                            .header("content-type", "application/x-amz-json-1.1")
                            .body(Full::new(Bytes::from_static(FLOOR_BODY)))
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(30))
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
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

/// CPU time (user + system) the process `pid` has used so far, from `/proc/<pid>/stat`.
fn cpu_time(pid: u32) -> Duration {
    let ticks = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // Fields after the command name (which may hold spaces) start after the last ')'.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    // USER_HZ is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

/// One JSON-protocol call: its `X-Amz-Target`, content type and body.
#[derive(Clone)]
struct Call {
    target: String,
    content_type: &'static str,
    body: Bytes,
}

impl Call {
    fn new(target: &str, content_type: &'static str, body: Value) -> Call {
        Call {
            target: target.to_owned(),
            content_type,
            body: Bytes::from(body.to_string()),
        }
    }

    fn pipelines(op: &str, body: Value) -> Call {
        Call::new(
            &format!("CodePipeline_20150709.{op}"),
            "application/x-amz-json-1.1",
            body,
        )
    }

    fn events(op: &str, body: Value) -> Call {
        Call::new(
            &format!("AWSEvents.{op}"),
            "application/x-amz-json-1.1",
            body,
        )
    }

    fn sqs(op: &str, body: Value) -> Call {
        Call::new(
            &format!("AmazonSQS.{op}"),
            "application/x-amz-json-1.0",
            body,
        )
    }

    fn request(&self) -> http::Request<Full<Bytes>> {
        http::Request::post("/")
            .header("host", "127.0.0.1")
            .header("content-type", self.content_type)
            .header("x-amz-target", self.target.as_str())
            .body(Full::new(self.body.clone()))
            .expect("request")
    }
}

async fn connect(addr: &str) -> client::SendRequest<Full<Bytes>> {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).ok();
    let (sender, conn) = client::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    sender
}

/// Sends `call`, drains the answer and returns its status and body.
async fn send(sender: &mut client::SendRequest<Full<Bytes>>, call: &Call) -> (u16, Bytes) {
    sender.ready().await.expect("ready");
    let resp = sender.send_request(call.request()).await.expect("response");
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    (status, body)
}

/// A set-up call that must succeed; returns the parsed answer.
async fn must(sender: &mut client::SendRequest<Full<Bytes>>, call: Call) -> Value {
    let (status, body) = send(sender, &call).await;
    assert_eq!(
        status,
        200,
        "{}: {}",
        call.target,
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).unwrap_or(Value::Null)
}

/// A measured call; only the status is checked, so the client does as little work as it can.
async fn one(sender: &mut client::SendRequest<Full<Bytes>>, call: &Call) {
    let (status, body) = send(sender, call).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

struct Figures {
    p50: Duration,
    p99: Duration,
    per_second: f64,
    /// Every request sent, warm-up included (the PutEvents rows check each was delivered).
    requests: u64,
    /// The server's CPU time per request (user + system): steadier than wall-clock figures
    /// when something else runs on the machine.
    server_cpu: Duration,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Latency over one keep-alive connection, then throughput over `CONNECTIONS` of them.
async fn measure(addr: &str, call: &Call) -> Figures {
    let mut sender = connect(addr).await;
    for _ in 0..WARM_UP_REQUESTS {
        one(&mut sender, call).await;
    }
    let mut latencies = Vec::with_capacity(LATENCY_REQUESTS);
    for _ in 0..LATENCY_REQUESTS {
        let t = Instant::now();
        one(&mut sender, call).await;
        latencies.push(t.elapsed());
    }
    latencies.sort();

    let started = Instant::now();
    let deadline = started + Duration::from_secs(THROUGHPUT_SECONDS);
    let mut tasks = Vec::new();
    // `BENCH_CONNECTIONS=1` measures the server without lock contention (for profiling).
    let connections = std::env::var("BENCH_CONNECTIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CONNECTIONS);
    for _ in 0..connections {
        let (addr, call) = (addr.to_owned(), call.clone());
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(&addr).await;
            let mut n = 0u64;
            while Instant::now() < deadline {
                one(&mut sender, &call).await;
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("load task");
    }
    Figures {
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        per_second: total as f64 / started.elapsed().as_secs_f64(),
        requests: (WARM_UP_REQUESTS + LATENCY_REQUESTS) as u64 + total,
        server_cpu: Duration::ZERO,
    }
}

/// [`measure`], with the server's CPU time per request.
async fn measure_server(server: &Server, call: &Call) -> Figures {
    let before = cpu_time(server.child.id());
    let mut figures = measure(&server.addr, call).await;
    let used = cpu_time(server.child.id()).saturating_sub(before);
    figures.server_cpu = used / figures.requests.max(1) as u32;
    figures
}

/// How the rules of a PutEvents workload are laid out.
#[derive(Clone, Copy)]
enum Rules {
    /// Rule `i` requires source `bench.i`: the rule index narrows each event to one candidate.
    OwnSource,
    /// Every rule requires source `bench` and its own `detail.n`: every rule is evaluated.
    SharedSource,
}

/// Puts `count` rules on the default bus, each with one target, the queue `bench`; returns the
/// PutEvents call (one entry) that matches exactly one of them, and the queue's URL.
async fn put_events_workload(addr: &str, count: usize, layout: Rules) -> (Call, String) {
    let mut sender = connect(addr).await;
    let queue = must(
        &mut sender,
        Call::sqs("CreateQueue", json!({"QueueName": "bench"})),
    )
    .await["QueueUrl"]
        .as_str()
        .expect("QueueUrl")
        .to_owned();
    let source = |i: usize| match layout {
        Rules::OwnSource => format!("bench.{i}"),
        Rules::SharedSource => "bench".to_owned(),
    };
    for i in 0..count {
        let pattern = json!({"source": [source(i)], "detail": {"n": [{"numeric": ["=", i]}]}});
        must(
            &mut sender,
            Call::events(
                "PutRule",
                json!({"Name": format!("r{i}"), "EventPattern": pattern.to_string()}),
            ),
        )
        .await;
        must(
            &mut sender,
            Call::events(
                "PutTargets",
                json!({"Rule": format!("r{i}"), "Targets": [
                    {"Id": "q", "Arn": "arn:aws:sqs:us-east-1:000000000000:bench"}
                ]}),
            ),
        )
        .await;
    }
    // The last rule's event; with a shared source all 1,000 rules are candidates and evaluated.
    let chosen = count - 1;
    let call = Call::events(
        "PutEvents",
        json!({"Entries": [{
            "Source": source(chosen),
            "DetailType": "bench",
            "Detail": json!({"n": chosen}).to_string(),
        }]}),
    );
    let answer = must(&mut sender, call.clone()).await;
    assert_eq!(answer["FailedEntryCount"], 0, "{answer}");
    assert_eq!(
        queued(&mut sender, &queue).await,
        1,
        "the event reached the queue"
    );
    (call, queue)
}

async fn queued(sender: &mut client::SendRequest<Full<Bytes>>, queue: &str) -> u64 {
    let attributes = must(
        sender,
        Call::sqs(
            "GetQueueAttributes",
            json!({"QueueUrl": queue, "AttributeNames": ["ApproximateNumberOfMessages"]}),
        ),
    )
    .await;
    attributes["Attributes"]["ApproximateNumberOfMessages"]
        .as_str()
        .and_then(|n| n.parse().ok())
        .expect("ApproximateNumberOfMessages")
}

/// Measures one PutEvents workload on a fresh server and checks that every event was delivered.
async fn put_events(count: usize, layout: Rules) -> Figures {
    let (server, _) = start_codemock();
    let (call, queue) = put_events_workload(&server.addr, count, layout).await;
    let figures = measure_server(&server, &call).await;
    let mut sender = connect(&server.addr).await;
    assert_eq!(
        queued(&mut sender, &queue).await,
        figures.requests + 1,
        "every PutEvents delivered one message"
    );
    figures
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISS"
    }
}

fn main() {
    if std::env::args().any(|a| a == "--floor-server") {
        floor_server();
        return;
    }

    // `--only floor|list-pipelines|put-events-1|put-events-1000|put-events-shared`: one workload
    // alone, for a profiler (`perf record -a` around it); prints its figures and nothing else.
    if let Some(only) = std::env::args().skip_while(|a| a != "--only").nth(1) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let list_pipelines = Call::pipelines("ListPipelines", json!({}));
        let f = match only.as_str() {
            "floor" => rt.block_on(measure_server(&start_floor(), &list_pipelines)),
            "list-pipelines" => rt.block_on(measure_server(&start_codemock().0, &list_pipelines)),
            "put-events-1" => rt.block_on(put_events(1, Rules::OwnSource)),
            "put-events-1000" => rt.block_on(put_events(1000, Rules::OwnSource)),
            "put-events-shared" => rt.block_on(put_events(1000, Rules::SharedSource)),
            other => panic!(
                "--only {other}: expected floor, list-pipelines, put-events-1, -1000 or -shared"
            ),
        };
        println!(
            "{only}: p50 {:.0} us, p99 {:.0} us, {:.0} req/s, server CPU {:.1} us per request",
            micros(f.p50),
            micros(f.p99),
            f.per_second,
            micros(f.server_cpu)
        );
        return;
    }

    // Start-up: median of several cold starts.
    let mut startups: Vec<Duration> = (0..STARTUP_RUNS).map(|_| start_codemock().1).collect();
    startups.sort();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let list_pipelines = Call::pipelines("ListPipelines", json!({}));

    let floor = {
        let server = start_floor();
        rt.block_on(measure_server(&server, &list_pipelines))
    };
    let (codemock, idle_rss, peak_rss) = {
        let (server, _) = start_codemock();
        let pid = server.child.id();
        std::thread::sleep(Duration::from_millis(200));
        let idle = rss_kib(pid, "VmRSS:");
        let figures = rt.block_on(measure_server(&server, &list_pipelines));
        (figures, idle, rss_kib(pid, "VmHWM:"))
    };
    let one_rule = rt.block_on(put_events(1, Rules::OwnSource));
    let thousand_indexed = rt.block_on(put_events(1000, Rules::OwnSource));
    let thousand_shared = rt.block_on(put_events(1000, Rules::SharedSource));

    println!();
    println!(
        "codemock bench: client and servers share this machine ({} cores); figures vary from run to run.",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
    let row = |name: &str, value: String, target: &str| {
        println!("| {name:<42} | {value:>14} | {target:>12} |")
    };
    println!("| {:<42} | {:>14} | {:>12} |", "measure", "value", "target");
    println!("|{}|{}|{}|", "-".repeat(44), "-".repeat(16), "-".repeat(14));
    row(
        &format!("start-up to READY (median of {STARTUP_RUNS})"),
        format!("{:.1} ms", startups[startups.len() / 2].as_secs_f64() * 1e3),
        "<= 20 ms",
    );
    row(
        "idle RSS",
        format!("{:.1} MiB", idle_rss as f64 / 1024.0),
        "<= 15 MiB",
    );
    row(
        "peak RSS after the ListPipelines load",
        format!("{:.1} MiB", peak_rss as f64 / 1024.0),
        "",
    );

    println!();
    println!(
        "Latency: {LATENCY_REQUESTS} requests one after another on one keep-alive connection. \
         Throughput: {CONNECTIONS} keep-alive connections for {THROUGHPUT_SECONDS} s. \
         Server CPU: the server process's user + system time per request over both."
    );
    println!(
        "Targets: p50 <= {P50_RATIO_TARGET}x the floor's, throughput >= {:.0}% of the floor's, \
         PutEvents with 1,000 rules p50 <= {PUT_EVENTS_1000_P50_TARGET_US} us.",
        THROUGHPUT_SHARE_TARGET * 100.0
    );
    println!(
        "PutEvents: one entry matching one rule, whose one target is an SQS queue (each event \
         is delivered to it; checked)."
    );
    println!();
    println!(
        "| {:<44} | {:>11} | {:>7} | {:>10} | {:>17} | {:>19} | {:>10} |",
        "workload", "p50", "p99", "req/s", "p50 / floor", "req/s / floor", "server CPU"
    );
    println!(
        "|{}|{}|{}|{}|{}|{}|{}|",
        "-".repeat(46),
        "-".repeat(13),
        "-".repeat(9),
        "-".repeat(12),
        "-".repeat(19),
        "-".repeat(21),
        "-".repeat(12)
    );
    let workload = |name: &str, f: &Figures, p50_limit_us: Option<f64>| {
        let ratio = f.p50.as_secs_f64() / floor.p50.as_secs_f64();
        let share = f.per_second / floor.per_second;
        let mut p50 = format!("{:.0} us", micros(f.p50));
        if let Some(limit) = p50_limit_us {
            p50 = format!("{p50} {}", verdict(micros(f.p50) <= limit));
        }
        println!(
            "| {name:<44} | {p50:>11} | {:>7} | {:>10.0} | {:>17} | {:>19} | {:>10} |",
            format!("{:.0} us", micros(f.p99)),
            f.per_second,
            format!("{ratio:.2}x <= 2x {}", verdict(ratio <= P50_RATIO_TARGET)),
            format!(
                "{:.0}% >= 70% {}",
                share * 100.0,
                verdict(share >= THROUGHPUT_SHARE_TARGET)
            ),
            format!("{:.1} us", micros(f.server_cpu)),
        );
    };
    println!(
        "| {:<44} | {:>11} | {:>7} | {:>10.0} | {:>17} | {:>19} | {:>10} |",
        "floor: bare hyper, fixed JSON body",
        format!("{:.0} us", micros(floor.p50)),
        format!("{:.0} us", micros(floor.p99)),
        floor.per_second,
        "1.00x",
        "100%",
        format!("{:.1} us", micros(floor.server_cpu))
    );
    workload("ListPipelines", &codemock, None);
    workload("PutEvents, 1 rule", &one_rule, None);
    workload(
        "PutEvents, 1,000 rules, one source each",
        &thousand_indexed,
        Some(PUT_EVENTS_1000_P50_TARGET_US),
    );
    workload(
        "PutEvents, 1,000 rules on one source",
        &thousand_shared,
        Some(PUT_EVENTS_1000_P50_TARGET_US),
    );
}
