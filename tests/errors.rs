//! Bad input gets AWS's error and the server goes on.

use crate::support::*;
use bytes::Bytes;
use http_body_util::Full;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn raw(server: &MockServer, bytes: &[u8]) -> String {
    let mut s = tokio::net::TcpStream::connect(server.address())
        .await
        .expect("connect");
    s.write_all(bytes).await.expect("write");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

async fn still_serving(server: &MockServer) {
    let r = call(server, "CodePipeline_20150709.ListPipelines", "{}").await;
    assert_eq!(r.status, 200, "the server must go on");
}

#[tokio::test]
async fn malformed_json_is_a_serialization_exception() {
    let server = MockServer::start().await;
    for body in ["{", "[]", "\"x\"", "{\"maxResults\": }"] {
        let r = call(&server, "CodePipeline_20150709.ListPipelines", body).await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.json()["__type"], "SerializationException", "{body}");
    }
    still_serving(&server).await;
}

#[tokio::test]
async fn a_member_of_the_wrong_type_is_a_serialization_exception() {
    let server = MockServer::start().await;
    let r = call(
        &server,
        "CodePipeline_20150709.ListPipelines",
        r#"{"maxResults":"ten"}"#,
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "SerializationException");
}

#[tokio::test]
async fn constraint_violations_use_aws_wording() {
    let server = MockServer::start().await;
    let r = call(
        &server,
        "CodePipeline_20150709.ListPipelines",
        r#"{"maxResults":0}"#,
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "ValidationException");
    assert_eq!(
        r.json()["message"],
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
    let r = call(
        &server,
        "AWSEvents.ListRules",
        r#"{"Limit":0,"NamePrefix":""}"#,
    )
    .await;
    assert_eq!(r.json()["__type"], "ValidationException");
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("3 validation errors detected: "),
        "{}",
        r.json()
    );
}

#[tokio::test]
async fn missing_or_unknown_targets_are_unknown_operations() {
    let server = MockServer::start().await;
    let r = post(&server, "/", "{}").await;
    assert_eq!(
        (r.status, r.json()["__type"].as_str()),
        (400, Some("UnknownOperationException"))
    );
    let r = call(&server, "CodePipeline_20150709.DoesNotExist", "{}").await;
    assert_eq!(r.json()["__type"], "UnknownOperationException");
    let r = call(&server, "Nope_2020.ListPipelines", "{}").await;
    assert_eq!(r.json()["__type"], "UnknownOperationException");
}

#[tokio::test]
async fn unimplemented_operations_are_an_honest_501_before_validation() {
    let server = MockServer::start().await;
    // DescribeExportTasks takes a `limit` of at least 1; the 501 comes first anyway.
    let r = call(
        &server,
        "Logs_20140328.DescribeExportTasks",
        r#"{"limit": 0}"#,
    )
    .await;
    assert_eq!(r.status, 501);
    assert_eq!(r.json()["__type"], "NotImplementedException");
    assert_eq!(
        r.json()["message"],
        "CloudWatch Logs operation DescribeExportTasks is not implemented by codemock yet"
    );
}

#[tokio::test]
async fn a_wrong_content_type_is_refused() {
    let server = MockServer::start().await;
    let req = http::Request::post("/")
        .header("content-type", "text/xml")
        .header("x-amz-target", "CodePipeline_20150709.ListPipelines")
        .body(Full::new(Bytes::from_static(b"<x/>")))
        .expect("request");
    let r = send(&server, req).await;
    assert_eq!(r.status, 415);
    assert_eq!(r.json()["__type"], "UnsupportedMediaTypeException");
    still_serving(&server).await;
}

#[tokio::test]
async fn an_oversized_body_is_413_whether_declared_or_streamed() {
    let server = MockServer::builder().body_limit(1024).start().await;
    let big = format!("{{\"nextToken\":\"{}\"}}", "x".repeat(2000));
    let r = call(&server, "CodePipeline_20150709.ListPipelines", &big).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["__type"], "RequestEntityTooLargeException");
    // Chunked, so no Content-Length warns the server in advance.
    let chunk = "x".repeat(2000);
    let request = format!(
        "POST / HTTP/1.1\r\nhost: x\r\nx-amz-target: CodePipeline_20150709.ListPipelines\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len()
    );
    let answer = raw(&server, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    still_serving(&server).await;
}

#[tokio::test]
async fn an_invalid_utf8_header_is_refused() {
    let server = MockServer::start().await;
    let mut request = b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\nconnection: close\r\nx-amz-target: Code\xff\xfePipeline.List\r\n\r\n{}".to_vec();
    let answer = raw(&server, &request).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("UnknownOperationException"), "{answer}");
    request.clear();
    still_serving(&server).await;
}

#[tokio::test]
async fn a_truncated_body_does_not_hurt_the_server() {
    let server = MockServer::start().await;
    {
        let mut s = tokio::net::TcpStream::connect(server.address())
            .await
            .expect("connect");
        s.write_all(b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\nx-amz-target: CodePipeline_20150709.ListPipelines\r\n\r\n{\"ma")
            .await
            .expect("write");
        // The client goes away mid-body.
    }
    still_serving(&server).await;
}

#[tokio::test]
async fn a_slow_client_times_out_without_stalling_others() {
    let server = MockServer::builder()
        .body_timeout(Duration::from_millis(300))
        .start()
        .await;
    let mut slow = tokio::net::TcpStream::connect(server.address())
        .await
        .expect("connect");
    slow.write_all(b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\nx-amz-target: CodePipeline_20150709.ListPipelines\r\n\r\n{")
        .await
        .expect("write");
    // Meanwhile another client is served at once.
    still_serving(&server).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut out)).await;
    let answer = String::from_utf8_lossy(&out);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("RequestTimeoutException"), "{answer}");
}
