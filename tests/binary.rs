//! The `codemock` binary: flags and env vars, the READY line, and a clean exit on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).ok();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).ok();
    out
}

#[test]
fn the_binary_prints_ready_serves_and_exits_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_codemock"))
        .args(["--port", "0", "--clock", "manual"])
        .env("CODEMOCK_ACCOUNT_ID", "123456789012")
        .env("CODEMOCK_REGION", "eu-west-3")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn codemock");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("READY line");
    let addr = line
        .trim()
        .strip_prefix("READY http://")
        .expect("READY http://<addr>")
        .to_owned();

    let health = http_get(&addr, "/_codemock/health");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"mode\":\"manual\""), "{health}");
    assert!(health.contains("\"account\":\"123456789012\""), "{health}");
    assert!(health.contains("\"region\":\"eu-west-3\""), "{health}");

    // SIGTERM: a clean exit with status 0.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let mut waited = 0;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "exit status {status:?}");
            break;
        }
        assert!(waited < 100, "codemock did not exit on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
        waited += 1;
    }
}

#[test]
fn bad_flags_are_refused_with_a_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_codemock"))
        .args(["--clock", "sundial"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("sundial"));
}
