//! S3 on the wire, without an SDK: the exact error document, addressing styles, aws-chunked
//! bodies (signed, unsigned, with trailing checksums, truncated), integrity headers, malformed
//! XML, the request log, and memory spilling with clean-up on reset.

use crate::support::{send, MockServer, Reply};
use bytes::Bytes;
use http_body_util::Full;

fn request(method: &str, path: &str) -> http::request::Builder {
    http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .header(
            "authorization",
            crate::support::authorization("AKID", "us-east-1", "s3"),
        )
}

async fn s3(server: &MockServer, method: &str, path: &str, body: &'static [u8]) -> Reply {
    let req = request(method, path)
        .body(Full::new(Bytes::from_static(body)))
        .expect("request");
    send(server, req).await
}

fn text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

#[tokio::test]
async fn errors_are_s3_error_documents_with_request_ids() {
    let server = MockServer::start().await;
    let r = s3(&server, "GET", "/nobucket/some/key", b"").await;
    assert_eq!(r.status, 404);
    let id = r.header("x-amz-request-id").expect("request id").to_owned();
    let host_id = r.header("x-amz-id-2").expect("host id").to_owned();
    assert_eq!(r.header("content-type"), Some("application/xml"));
    assert_eq!(
        text(&r),
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>nobucket</BucketName><RequestId>{id}</RequestId><HostId>{host_id}</HostId></Error>")
    );
    let r = s3(&server, "HEAD", "/nobucket", b"").await;
    assert_eq!(r.status, 404);
    assert!(r.body.is_empty());
    assert!(r.header("x-amz-request-id").is_some());

    let r = s3(&server, "PUT", "/bkt", b"").await;
    assert_eq!(r.status, 200);
    let r = s3(&server, "GET", "/bkt/missing%20key", b"").await;
    assert_eq!(r.status, 404);
    assert!(text(&r).contains("<Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>missing key</Key>"));
    // An operation codemock does not implement is S3's NotImplemented, never a fake success.
    let r = s3(&server, "GET", "/bkt?cors", b"").await;
    assert_eq!(r.status, 501);
    assert!(text(&r).contains("<Code>NotImplemented</Code>"));
    let r = s3(&server, "PATCH", "/bkt/k", b"").await;
    assert_eq!(r.status, 405);
    assert!(text(&r).contains("<Code>MethodNotAllowed</Code>"));

    let log = server.requests();
    let ops: Vec<_> = log
        .iter()
        .map(|r| (r.service.as_str(), r.operation.as_str(), r.status))
        .collect();
    assert!(ops.contains(&("S3", "GetObject", 404)), "{ops:?}");
    assert!(ops.contains(&("S3", "CreateBucket", 200)), "{ops:?}");
    assert!(ops.contains(&("S3", "GetBucketCors", 501)), "{ops:?}");
    assert!(log.iter().all(|r| r.protocol == "restXml"));
}

#[tokio::test]
async fn virtual_hosted_style_addresses_the_bucket_by_host() {
    let server = MockServer::start().await;
    let vreq = |method: &str, path: &str, body: &'static [u8]| {
        http::Request::builder()
            .method(method)
            .uri(path)
            .header(
                "host",
                format!(
                    "vhost-bucket.s3.us-east-1.localhost:{}",
                    server.address().port()
                ),
            )
            .body(Full::new(Bytes::from_static(body)))
            .expect("request")
    };
    assert_eq!(send(&server, vreq("PUT", "/", b"")).await.status, 200);
    assert_eq!(
        send(&server, vreq("PUT", "/dir/file.txt", b"virtual"))
            .await
            .status,
        200
    );
    let r = send(&server, vreq("GET", "/dir/file.txt", b"")).await;
    assert_eq!(&r.body[..], b"virtual");
    // The same object, path style.
    let r = s3(&server, "GET", "/vhost-bucket/dir/file.txt", b"").await;
    assert_eq!(&r.body[..], b"virtual");
    assert_eq!(r.header("content-type"), Some("binary/octet-stream"));
    let r = send(&server, vreq("GET", "/?list-type=2", b"")).await;
    assert!(text(&r).contains("<Key>dir/file.txt</Key>"), "{}", text(&r));
}

#[tokio::test]
async fn aws_chunked_bodies_decode_and_trailing_checksums_are_verified() {
    let server = MockServer::start().await;
    assert_eq!(s3(&server, "PUT", "/chunky", b"").await.status, 200);
    let signed: &[u8] = b"5;chunk-signature=aaaa\r\nhello\r\n6;chunk-signature=bbbb\r\n world\r\n0;chunk-signature=cccc\r\nx-amz-checksum-crc32:DUoRhQ==\r\nx-amz-trailer-signature:dddd\r\n\r\n";
    let req = request("PUT", "/chunky/signed")
        .header("content-encoding", "aws-chunked")
        .header(
            "x-amz-content-sha256",
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        )
        .header("x-amz-decoded-content-length", "11")
        .header("x-amz-trailer", "x-amz-checksum-crc32")
        .body(Full::new(Bytes::from_static(signed)))
        .expect("request");
    let r = send(&server, req).await;
    assert_eq!(r.status, 200, "{}", text(&r));
    assert_eq!(r.header("x-amz-checksum-crc32"), Some("DUoRhQ=="));
    assert_eq!(
        r.header("etag"),
        Some("\"5eb63bbbe01eeed093cb22bb8f5acdc3\"")
    );
    let got = send(
        &server,
        request("GET", "/chunky/signed")
            .header("x-amz-checksum-mode", "ENABLED")
            .body(Full::new(Bytes::new()))
            .expect("request"),
    )
    .await;
    assert_eq!(&got.body[..], b"hello world");
    assert_eq!(got.header("x-amz-checksum-crc32"), Some("DUoRhQ=="));
    // aws-chunked is framing, not the object's encoding.
    assert_eq!(got.header("content-encoding"), None);

    let wrong: &[u8] = b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
    let req = request("PUT", "/chunky/unsigned")
        .header("content-encoding", "aws-chunked")
        .header("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        .header("x-amz-decoded-content-length", "11")
        .header("x-amz-trailer", "x-amz-checksum-crc32")
        .body(Full::new(Bytes::from_static(wrong)))
        .expect("request");
    let r = send(&server, req).await;
    assert_eq!(r.status, 400);
    assert!(text(&r).contains("<Code>BadDigest</Code><Message>The CRC32 you specified did not match the calculated checksum.</Message>"), "{}", text(&r));
    assert_eq!(
        s3(&server, "HEAD", "/chunky/unsigned", b"").await.status,
        404,
        "nothing stored"
    );

    let truncated: &[u8] = b"400;chunk-signature=aaaa\r\nonly a few bytes";
    let req = request("PUT", "/chunky/truncated")
        .header("content-encoding", "aws-chunked")
        .header("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
        .header("x-amz-decoded-content-length", "1024")
        .body(Full::new(Bytes::from_static(truncated)))
        .expect("request");
    let r = send(&server, req).await;
    assert_eq!(r.status, 400);
    assert!(
        text(&r).contains("<Code>IncompleteBody</Code>"),
        "{}",
        text(&r)
    );
    assert_eq!(
        s3(&server, "HEAD", "/chunky/truncated", b"").await.status,
        404,
        "nothing stored"
    );

    let garbage: &[u8] = b"zz\r\nabc\r\n0\r\n\r\n";
    let req = request("PUT", "/chunky/garbage")
        .header("content-encoding", "aws-chunked")
        .header("x-amz-decoded-content-length", "3")
        .body(Full::new(Bytes::from_static(garbage)))
        .expect("request");
    assert_eq!(send(&server, req).await.status, 400);
}

#[tokio::test]
async fn integrity_headers_are_checked() {
    let server = MockServer::start().await;
    assert_eq!(s3(&server, "PUT", "/sums", b"").await.status, 200);
    let put = |md5: &'static str, sha: &'static str| {
        request("PUT", "/sums/k")
            .header("content-md5", md5)
            .header("x-amz-content-sha256", sha)
            .body(Full::new(Bytes::from_static(b"hello world")))
            .expect("request")
    };
    let unsigned = "UNSIGNED-PAYLOAD";
    assert_eq!(
        send(&server, put("XrY7u+Ae7tCTyyK7j1rNww==", unsigned))
            .await
            .status,
        200
    );
    let r = send(&server, put("1B2M2Y8AsgTpgAmY7PhCfg==", unsigned)).await;
    assert!(text(&r).contains("<Code>BadDigest</Code>"), "{}", text(&r));
    let r = send(&server, put("not-md5", unsigned)).await;
    assert!(
        text(&r).contains("<Code>InvalidDigest</Code>"),
        "{}",
        text(&r)
    );
    let r = send(
        &server,
        put(
            "XrY7u+Ae7tCTyyK7j1rNww==",
            "0000000000000000000000000000000000000000000000000000000000000000",
        ),
    )
    .await;
    assert!(
        text(&r).contains("<Code>XAmzContentSHA256Mismatch</Code>"),
        "{}",
        text(&r)
    );
    let r = send(
        &server,
        request("PUT", "/sums/k2")
            .header("x-amz-checksum-sha256", "bogus")
            .body(Full::new(Bytes::from_static(b"x")))
            .expect("request"),
    )
    .await;
    assert!(text(&r).contains("<Code>InvalidRequest</Code><Message>Value for x-amz-checksum-sha256 header is invalid.</Message>"), "{}", text(&r));
}

#[tokio::test]
async fn malformed_xml_is_refused_and_changes_nothing() {
    let server = MockServer::start().await;
    assert_eq!(s3(&server, "PUT", "/xml", b"").await.status, 200);
    assert_eq!(s3(&server, "PUT", "/xml/keep", b"data").await.status, 200);
    for body in [
        &b"<Delete><Object><Key>keep</Key></Object>"[..],
        b"not xml",
        b"<Delete></Delete>",
        b"<Other/>",
    ] {
        let req = request("POST", "/xml?delete")
            .body(Full::new(Bytes::copy_from_slice(body)))
            .expect("request");
        let r = send(&server, req).await;
        assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(body));
        assert!(
            text(&r).contains("<Code>MalformedXML</Code>"),
            "{}",
            text(&r)
        );
    }
    assert_eq!(s3(&server, "HEAD", "/xml/keep", b"").await.status, 200);
    let r = s3(&server, "POST", "/xml/big?uploads", b"").await;
    let body = text(&r);
    let id = body
        .split("<UploadId>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("upload id")
        .to_owned();
    let req = request("POST", &format!("/xml/big?uploadId={id}"))
        .body(Full::new(Bytes::from_static(
            b"<CompleteMultipartUpload><Part>",
        )))
        .expect("request");
    let r = send(&server, req).await;
    assert!(
        text(&r).contains("<Code>MalformedXML</Code>"),
        "{}",
        text(&r)
    );
    let req = request("PUT", &format!("/xml/big?partNumber=0&uploadId={id}"))
        .body(Full::new(Bytes::from_static(b"x")))
        .expect("request");
    let r = send(&server, req).await;
    assert!(
        text(&r).contains("<Code>InvalidArgument</Code>"),
        "{}",
        text(&r)
    );
    let r = s3(&server, "PUT", "/xml/big?partNumber=1&uploadId=nope", b"x").await;
    assert!(
        text(&r).contains("<Code>NoSuchUpload</Code>"),
        "{}",
        text(&r)
    );
}

#[tokio::test]
async fn bodies_beyond_the_memory_limit_spill_and_reset_frees_them() {
    let server = MockServer::builder().s3_memory_limit(4096).start().await;
    let storage = server.core().s3_storage.clone();
    assert_eq!(s3(&server, "PUT", "/spill", b"").await.status, 200);
    static BIG: [u8; 10_000] = [7u8; 10_000];
    assert_eq!(s3(&server, "PUT", "/spill/big", &BIG).await.status, 200);
    assert_eq!(
        s3(&server, "PUT", "/spill/small", b"tiny").await.status,
        200
    );
    assert_eq!(storage.spill_files(), 1);
    assert_eq!(storage.memory_used(), 4);
    let r = s3(&server, "GET", "/spill/big", b"").await;
    assert_eq!(&r.body[..], &BIG[..]);
    let r = send(
        &server,
        request("GET", "/spill/big")
            .header("range", "bytes=9990-")
            .body(Full::new(Bytes::new()))
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, 206);
    assert_eq!(r.body.len(), 10);
    // Replacing the object frees the old body's file.
    assert_eq!(s3(&server, "PUT", "/spill/big", &BIG).await.status, 200);
    assert_eq!(storage.spill_files(), 1);
    server.reset().await;
    assert_eq!(storage.spill_files(), 0);
    assert_eq!(storage.memory_used(), 0);
}

#[tokio::test]
async fn eventbridge_notifications_reach_the_delivery_log() {
    let server = MockServer::start().await;
    assert_eq!(s3(&server, "PUT", "/evb", b"").await.status, 200);
    // Without a notification configuration, nothing is published.
    assert_eq!(s3(&server, "PUT", "/evb/quiet", b"q").await.status, 200);
    let conf: &[u8] = b"<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><EventBridgeConfiguration/></NotificationConfiguration>";
    let r = send(
        &server,
        request("PUT", "/evb?notification")
            .body(Full::new(Bytes::from_static(conf)))
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", text(&r));
    let r = s3(&server, "GET", "/evb?notification", b"").await;
    assert!(
        text(&r).contains("<EventBridgeConfiguration></EventBridgeConfiguration>"),
        "{}",
        text(&r)
    );
    let put = s3(&server, "PUT", "/evb/dir/artifact.zip", b"12345").await;
    let request_id = put
        .header("x-amz-request-id")
        .expect("request id")
        .to_owned();
    let log = crate::support::get(&server, "/_codemock/events")
        .await
        .json();
    let events: Vec<_> = log["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|r| r["type"] == "EventPut")
        .map(|r| r["event"].clone())
        .collect();
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(e["version"], "0");
    assert_eq!(e["source"], "aws.s3");
    assert_eq!(e["detail-type"], "Object Created");
    assert_eq!(e["account"], "000000000000");
    assert_eq!(e["region"], "us-east-1");
    assert_eq!(e["time"], "2024-01-01T00:00:00Z");
    assert_eq!(e["resources"], serde_json::json!(["arn:aws:s3:::evb"]));
    assert_eq!(e["id"].as_str().map(str::len), Some(36));
    let d = &e["detail"];
    assert_eq!(d["version"], "0");
    assert_eq!(d["bucket"]["name"], "evb");
    assert_eq!(d["object"]["key"], "dir/artifact.zip");
    assert_eq!(d["object"]["size"], 5);
    assert_eq!(d["object"]["etag"], "827ccb0eea8a706c4c34a16891f84e7b");
    assert!(d["object"]["sequencer"].is_string());
    assert!(
        d["object"].get("version-id").is_none(),
        "unversioned buckets have no version id"
    );
    assert_eq!(d["request-id"], request_id.as_str());
    assert_eq!(d["requester"], "000000000000");
    assert_eq!(d["reason"], "PutObject");
}

/// CreateBucket from a region's endpoint, with an optional `LocationConstraint`.
async fn create_bucket_in(
    server: &MockServer,
    region: &str,
    bucket: &str,
    constraint: &str,
) -> Reply {
    let body = format!(
        "<CreateBucketConfiguration><LocationConstraint>{constraint}</LocationConstraint></CreateBucketConfiguration>"
    );
    let req = http::Request::builder()
        .method("PUT")
        .uri(format!("/{bucket}"))
        .header("host", "localhost")
        .header(
            "authorization",
            crate::support::authorization("AKID", region, "s3"),
        )
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    send(server, req).await
}

/// Recorded in LocalStack's AWS-validated S3 snapshots (`test_create_bucket_with_invalid_location_
/// constraint`, `test_create_bucket_with_eu_location_constraint[_raises]`): only the us-east-1
/// endpoint calls a constraint invalid; other endpoints call any other one incompatible, naming it
/// as given; `EU` is eu-west-1 and GetBucketLocation gives it back as `EU`.
#[tokio::test]
async fn location_constraints_are_judged_as_aws_judges_them() {
    let server = MockServer::start().await;
    for (region, constraint, code, message) in [
        ("us-east-1", "us-east-1", "InvalidLocationConstraint", "The specified location-constraint is not valid"),
        ("us-east-1", "foo", "InvalidLocationConstraint", "The specified location-constraint is not valid"),
        ("eu-west-1", "bar", "IllegalLocationConstraintException", "The bar location constraint is incompatible for the region specific endpoint this request was sent to."),
        ("us-east-2", "EU", "IllegalLocationConstraintException", "The EU location constraint is incompatible for the region specific endpoint this request was sent to."),
    ] {
        let r = create_bucket_in(&server, region, "judged", constraint).await;
        assert_eq!(r.status, 400, "{region} {constraint}");
        let body = text(&r);
        assert!(body.contains(&format!("<Code>{code}</Code>")), "{body}");
        assert!(body.contains(&format!("<Message>{message}</Message>")), "{body}");
    }
    let r = create_bucket_in(&server, "eu-west-1", "legacy-eu", "EU").await;
    assert_eq!(r.status, 200, "{}", text(&r));
    let r = s3(&server, "GET", "/legacy-eu?location", b"").await;
    assert!(
        text(&r).contains(">EU</LocationConstraint>"),
        "{}",
        text(&r)
    );
}

/// Recorded in LocalStack's AWS-validated S3 snapshots (`test_tagging_validation`,
/// `test_get_object_part`, `test_multipart_complete_multipart_too_small`).
#[tokio::test]
async fn tag_part_and_empty_completion_errors_read_as_recorded() {
    let server = MockServer::start().await;
    assert_eq!(s3(&server, "PUT", "/tags", b"").await.status, 200);
    assert_eq!(s3(&server, "PUT", "/tags/k", b"x").await.status, 200);
    let cases: [(&str, &'static [u8], &str); 4] = [
        (
            "/tags?tagging",
            b"<Tagging><TagSet><Tag><Key>aws:prefixed</Key><Value>Val1</Value></Tag></TagSet></Tagging>",
            "<Code>InvalidTag</Code><Message>System tags cannot be added/updated by requester</Message><TagKey>aws:prefixed</TagKey>",
        ),
        (
            "/tags/k?tagging",
            b"<Tagging><TagSet><Tag><Key>aws:prefixed</Key><Value>Val1</Value></Tag></TagSet></Tagging>",
            "<Code>InvalidTag</Code><Message>Your TagKey cannot be prefixed with aws:</Message><TagKey>aws:prefixed</TagKey>",
        ),
        (
            "/tags?tagging",
            b"<Tagging><TagSet><Tag><Key>Key1,Key2</Key><Value>Val1</Value></Tag></TagSet></Tagging>",
            "<Code>InvalidTag</Code><Message>The TagKey you have provided is invalid</Message><TagKey>Key1,Key2</TagKey>",
        ),
        (
            "/tags/k?tagging",
            b"<Tagging><TagSet><Tag><Key>Key1</Key><Value>Val1,Val2</Value></Tag></TagSet></Tagging>",
            "<Code>InvalidTag</Code><Message>The TagValue you have provided is invalid</Message><TagKey>Key1</TagKey><TagValue>Val1,Val2</TagValue>",
        ),
    ];
    for (path, body, expected) in cases {
        let r = s3(&server, "PUT", path, body).await;
        assert_eq!(r.status, 400, "{path}");
        assert!(text(&r).contains(expected), "{path}: {}", text(&r));
    }
    let req = request("GET", "/tags/k?partNumber=1")
        .header("range", "bytes=0-1")
        .body(Full::new(Bytes::new()))
        .expect("request");
    let r = send(&server, req).await;
    assert_eq!(r.status, 400);
    assert!(text(&r).contains(
        "<Message>Cannot specify both Range header and partNumber query parameter</Message>"
    ));
    let r = s3(&server, "POST", "/tags/m?uploads", b"").await;
    let body = text(&r);
    let id = body
        .split("<UploadId>")
        .nth(1)
        .and_then(|rest| rest.split("</UploadId>").next())
        .expect("upload id")
        .to_owned();
    let req = request("POST", &format!("/tags/m?uploadId={id}"))
        .body(Full::new(Bytes::from_static(
            b"<CompleteMultipartUpload></CompleteMultipartUpload>",
        )))
        .expect("request");
    let r = send(&server, req).await;
    assert_eq!(r.status, 400);
    assert!(
        text(&r).contains(
            "<Code>InvalidRequest</Code><Message>You must specify at least one part</Message>"
        ),
        "{}",
        text(&r)
    );
}
