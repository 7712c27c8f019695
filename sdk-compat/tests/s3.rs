//! aws-sdk-s3 against `MockServer` (path style): buckets, objects byte for byte, ranges and
//! conditions, checksums, a 20 MB multipart upload, versioning with delete markers, listings,
//! copies, tags, typed errors, and the EventBridge event of an upload.

use aws_config::retry::RetryConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, BucketVersioningStatus, ChecksumAlgorithm, ChecksumMode,
    CompletedMultipartUpload, CompletedPart, CreateBucketConfiguration, Delete,
    EventBridgeConfiguration, NotificationConfiguration, ObjectIdentifier, Tag, Tagging,
    VersioningConfiguration,
};
use aws_sdk_s3::Client;
use codemock::MockServer;

fn client(server: &MockServer) -> Client {
    let conf = server
        .sdk_config()
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    let s3 = aws_sdk_s3::config::Builder::from(&conf)
        .force_path_style(true)
        .build();
    Client::from_conf(s3)
}

fn code<E: aws_sdk_s3::error::ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or_default().to_owned()
}

/// Deterministic pseudo-random bytes (so a corrupted middle would show).
fn pattern(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).max(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

async fn get_bytes(c: &Client, bucket: &str, key: &str) -> Vec<u8> {
    c.get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .expect("GetObject")
        .body
        .collect()
        .await
        .expect("body")
        .into_bytes()
        .to_vec()
}

#[tokio::test]
async fn buckets_are_created_listed_located_and_deleted() {
    let server = MockServer::start().await;
    let c = client(&server);
    c.create_bucket()
        .bucket("alpha")
        .send()
        .await
        .expect("CreateBucket");
    c.create_bucket()
        .bucket("beta.eu")
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .expect("CreateBucket eu-west-1");
    // Re-creating your own bucket in us-east-1 succeeds (S3's legacy behaviour).
    c.create_bucket()
        .bucket("alpha")
        .send()
        .await
        .expect("us-east-1 re-create");
    let list = c.list_buckets().send().await.expect("ListBuckets");
    let names: Vec<_> = list.buckets().iter().filter_map(|b| b.name()).collect();
    assert_eq!(names, ["alpha", "beta.eu"]);
    assert!(list.owner().and_then(|o| o.id()).is_some());
    let loc = c
        .get_bucket_location()
        .bucket("beta.eu")
        .send()
        .await
        .expect("GetBucketLocation");
    assert_eq!(
        loc.location_constraint(),
        Some(&BucketLocationConstraint::EuWest1)
    );
    let loc = c
        .get_bucket_location()
        .bucket("alpha")
        .send()
        .await
        .expect("GetBucketLocation");
    // us-east-1 is the empty constraint (`<LocationConstraint/>`), which the SDK reads as "".
    assert_eq!(loc.location_constraint().map_or("", |l| l.as_str()), "");
    let head = c
        .head_bucket()
        .bucket("beta.eu")
        .send()
        .await
        .expect("HeadBucket");
    assert_eq!(head.bucket_region(), Some("eu-west-1"));

    let err = c
        .create_bucket()
        .bucket("Bad_Name")
        .send()
        .await
        .expect_err("invalid name");
    assert_eq!(code(&err), "InvalidBucketName");
    let err = c
        .head_bucket()
        .bucket("missing")
        .send()
        .await
        .expect_err("no bucket");
    assert!(err.into_service_error().is_not_found());
    let err = c
        .list_objects_v2()
        .bucket("missing")
        .send()
        .await
        .expect_err("no bucket");
    assert_eq!(code(&err), "NoSuchBucket");

    c.put_object()
        .bucket("alpha")
        .key("k")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .expect("put");
    let err = c
        .delete_bucket()
        .bucket("alpha")
        .send()
        .await
        .expect_err("not empty");
    assert_eq!(code(&err), "BucketNotEmpty");
    c.delete_object()
        .bucket("alpha")
        .key("k")
        .send()
        .await
        .expect("DeleteObject");
    c.delete_bucket()
        .bucket("alpha")
        .send()
        .await
        .expect("DeleteBucket");
    let err = c
        .delete_bucket()
        .bucket("alpha")
        .send()
        .await
        .expect_err("gone");
    assert_eq!(code(&err), "NoSuchBucket");
    let log = server.requests();
    assert!(log
        .iter()
        .any(|r| r.service == "S3" && r.operation == "DeleteBucket" && r.status == 204));
}

#[tokio::test]
async fn objects_round_trip_with_metadata_ranges_conditions_and_checksums() {
    let server = MockServer::start().await;
    let c = client(&server);
    c.create_bucket()
        .bucket("data")
        .send()
        .await
        .expect("CreateBucket");
    let body = pattern(100_000, 7);
    let key = "dir/a b+c%d/ünï.bin";
    let put = c
        .put_object()
        .bucket("data")
        .key(key)
        .body(ByteStream::from(body.clone()))
        .content_type("application/x-test")
        .content_encoding("identity")
        .metadata("colour", "blue")
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .send()
        .await
        .expect("PutObject");
    let etag = put.e_tag().expect("etag").to_owned();
    assert_eq!(etag.len(), 34);
    assert!(put.checksum_sha256().is_some());

    let got = c
        .get_object()
        .bucket("data")
        .key(key)
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .expect("GetObject");
    assert_eq!(got.content_type(), Some("application/x-test"));
    assert_eq!(got.content_encoding(), Some("identity"));
    assert_eq!(
        got.metadata()
            .and_then(|m| m.get("colour"))
            .map(String::as_str),
        Some("blue")
    );
    assert_eq!(got.e_tag(), Some(etag.as_str()));
    assert_eq!(got.checksum_sha256(), put.checksum_sha256());
    assert_eq!(got.content_length(), Some(100_000));
    assert_eq!(
        got.body
            .collect()
            .await
            .expect("body")
            .into_bytes()
            .as_ref(),
        &body[..]
    );

    let ranged = c
        .get_object()
        .bucket("data")
        .key(key)
        .range("bytes=10-19")
        .send()
        .await
        .expect("range");
    assert_eq!(ranged.content_range(), Some("bytes 10-19/100000"));
    assert_eq!(
        ranged
            .body
            .collect()
            .await
            .expect("body")
            .into_bytes()
            .as_ref(),
        &body[10..20]
    );
    let suffix = c
        .get_object()
        .bucket("data")
        .key(key)
        .range("bytes=-5")
        .send()
        .await
        .expect("suffix");
    assert_eq!(
        suffix
            .body
            .collect()
            .await
            .expect("body")
            .into_bytes()
            .as_ref(),
        &body[body.len() - 5..]
    );
    let err = c
        .get_object()
        .bucket("data")
        .key(key)
        .range("bytes=200000-")
        .send()
        .await
        .expect_err("416");
    assert_eq!(code(&err), "InvalidRange");

    let err = c
        .get_object()
        .bucket("data")
        .key(key)
        .if_none_match(&etag)
        .send()
        .await
        .expect_err("304");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(304));
    let err = c
        .get_object()
        .bucket("data")
        .key(key)
        .if_match("\"nope\"")
        .send()
        .await
        .expect_err("412");
    assert_eq!(code(&err), "PreconditionFailed");
    c.get_object()
        .bucket("data")
        .key(key)
        .if_match(&etag)
        .send()
        .await
        .expect("If-Match holds");

    let head = c
        .head_object()
        .bucket("data")
        .key(key)
        .send()
        .await
        .expect("HeadObject");
    assert_eq!(head.content_length(), Some(100_000));
    let err = c
        .get_object()
        .bucket("data")
        .key("nope")
        .send()
        .await
        .expect_err("no key");
    assert!(err.into_service_error().is_no_such_key());
    let err = c
        .head_object()
        .bucket("data")
        .key("nope")
        .send()
        .await
        .expect_err("no key");
    assert!(err.into_service_error().is_not_found());

    // An empty object, and one whose declared checksum is wrong (not stored).
    c.put_object()
        .bucket("data")
        .key("empty")
        .body(ByteStream::from_static(b""))
        .send()
        .await
        .expect("empty");
    assert!(get_bytes(&c, "data", "empty").await.is_empty());
    let err = c
        .put_object()
        .bucket("data")
        .key("bad")
        .body(ByteStream::from_static(b"hello"))
        .checksum_crc32("AAAAAA==")
        .send()
        .await
        .expect_err("bad checksum");
    assert_eq!(code(&err), "BadDigest");
    let err = c
        .head_object()
        .bucket("data")
        .key("bad")
        .send()
        .await
        .expect_err("nothing stored");
    assert!(err.into_service_error().is_not_found());
}

#[tokio::test]
async fn a_20_mb_multipart_upload_round_trips_byte_for_byte() {
    let server = MockServer::start().await;
    let c = client(&server);
    c.create_bucket()
        .bucket("multipart")
        .send()
        .await
        .expect("CreateBucket");
    let body = pattern(20 * 1024 * 1024 + 123, 3);
    let up = c
        .create_multipart_upload()
        .bucket("multipart")
        .key("big.bin")
        .content_type("application/zip")
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .send()
        .await
        .expect("CreateMultipartUpload");
    let upload_id = up.upload_id().expect("upload id").to_owned();
    let mut parts = Vec::new();
    for (i, chunk) in body.chunks(8 * 1024 * 1024).enumerate() {
        let n = i as i32 + 1;
        let p = c
            .upload_part()
            .bucket("multipart")
            .key("big.bin")
            .upload_id(&upload_id)
            .part_number(n)
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .body(ByteStream::from(chunk.to_vec()))
            .send()
            .await
            .expect("UploadPart");
        parts.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(p.e_tag().expect("etag"))
                .set_checksum_crc32(p.checksum_crc32().map(str::to_owned))
                .build(),
        );
    }
    let listed = c
        .list_parts()
        .bucket("multipart")
        .key("big.bin")
        .upload_id(&upload_id)
        .send()
        .await
        .expect("ListParts");
    assert_eq!(listed.parts().len(), 3);
    let uploads = c
        .list_multipart_uploads()
        .bucket("multipart")
        .send()
        .await
        .expect("ListMultipartUploads");
    assert_eq!(uploads.uploads().len(), 1);
    let done = c
        .complete_multipart_upload()
        .bucket("multipart")
        .key("big.bin")
        .upload_id(&upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .expect("CompleteMultipartUpload");
    assert!(done.e_tag().expect("etag").ends_with("-3\""));
    assert!(done.checksum_crc32().is_some_and(|c| c.ends_with("-3")));
    let got = c
        .get_object()
        .bucket("multipart")
        .key("big.bin")
        .send()
        .await
        .expect("GetObject");
    assert_eq!(got.content_type(), Some("application/zip"));
    assert_eq!(got.e_tag(), done.e_tag());
    let bytes = got.body.collect().await.expect("body").into_bytes();
    assert_eq!(bytes.len(), body.len());
    assert!(bytes.as_ref() == body.as_slice(), "content differs");
    let part2 = c
        .get_object()
        .bucket("multipart")
        .key("big.bin")
        .part_number(2)
        .send()
        .await
        .expect("part 2");
    assert_eq!(part2.parts_count(), Some(3));
    assert_eq!(part2.content_length(), Some(8 * 1024 * 1024));
    let err = c
        .complete_multipart_upload()
        .bucket("multipart")
        .key("big.bin")
        .upload_id(&upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(CompletedPart::builder().part_number(1).e_tag("x").build())
                .build(),
        )
        .send()
        .await
        .expect_err("upload is gone");
    assert_eq!(code(&err), "NoSuchUpload");

    // Small non-last parts are refused at completion, and nothing is stored.
    let up = c
        .create_multipart_upload()
        .bucket("multipart")
        .key("small")
        .send()
        .await
        .expect("create");
    let id = up.upload_id().expect("id").to_owned();
    let mut parts = Vec::new();
    for n in 1..=2 {
        let p = c
            .upload_part()
            .bucket("multipart")
            .key("small")
            .upload_id(&id)
            .part_number(n)
            .body(ByteStream::from_static(b"tiny"))
            .send()
            .await
            .expect("UploadPart");
        parts.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(p.e_tag().expect("etag"))
                .build(),
        );
    }
    let reversed: Vec<_> = parts.iter().rev().cloned().collect();
    let err = c
        .complete_multipart_upload()
        .bucket("multipart")
        .key("small")
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(reversed))
                .build(),
        )
        .send()
        .await
        .expect_err("out of order");
    assert_eq!(code(&err), "InvalidPartOrder");
    let err = c
        .complete_multipart_upload()
        .bucket("multipart")
        .key("small")
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .expect_err("too small");
    assert_eq!(code(&err), "EntityTooSmall");
    c.abort_multipart_upload()
        .bucket("multipart")
        .key("small")
        .upload_id(&id)
        .send()
        .await
        .expect("Abort");
    let err = c
        .head_object()
        .bucket("multipart")
        .key("small")
        .send()
        .await
        .expect_err("not stored");
    assert!(err.into_service_error().is_not_found());
}

#[tokio::test]
async fn versioned_buckets_keep_every_version_and_delete_markers() {
    let server = MockServer::start().await;
    let c = client(&server);
    c.create_bucket()
        .bucket("ver")
        .send()
        .await
        .expect("CreateBucket");
    c.put_object()
        .bucket("ver")
        .key("k")
        .body(ByteStream::from_static(b"v0"))
        .send()
        .await
        .expect("null version");
    c.put_bucket_versioning()
        .bucket("ver")
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("PutBucketVersioning");
    let v = c
        .get_bucket_versioning()
        .bucket("ver")
        .send()
        .await
        .expect("GetBucketVersioning");
    assert_eq!(v.status(), Some(&BucketVersioningStatus::Enabled));
    let mut ids = Vec::new();
    for body in ["v1", "v2", "v3"] {
        let put = c
            .put_object()
            .bucket("ver")
            .key("k")
            .body(ByteStream::from(body.as_bytes().to_vec()))
            .send()
            .await
            .expect("PutObject");
        ids.push(put.version_id().expect("version id").to_owned());
    }
    let del = c
        .delete_object()
        .bucket("ver")
        .key("k")
        .send()
        .await
        .expect("DeleteObject");
    assert_eq!(del.delete_marker(), Some(true));
    let marker = del.version_id().expect("marker id").to_owned();
    let err = c
        .get_object()
        .bucket("ver")
        .key("k")
        .send()
        .await
        .expect_err("deleted");
    assert!(err.into_service_error().is_no_such_key());
    for (id, body) in ids.iter().zip(["v1", "v2", "v3"]) {
        let got = c
            .get_object()
            .bucket("ver")
            .key("k")
            .version_id(id)
            .send()
            .await
            .expect("by version");
        assert_eq!(got.version_id(), Some(id.as_str()));
        assert_eq!(
            got.body
                .collect()
                .await
                .expect("body")
                .into_bytes()
                .as_ref(),
            body.as_bytes()
        );
    }
    let null = c
        .get_object()
        .bucket("ver")
        .key("k")
        .version_id("null")
        .send()
        .await
        .expect("null version");
    assert_eq!(
        null.body
            .collect()
            .await
            .expect("body")
            .into_bytes()
            .as_ref(),
        b"v0"
    );
    let versions = c
        .list_object_versions()
        .bucket("ver")
        .send()
        .await
        .expect("ListObjectVersions");
    assert_eq!(versions.versions().len(), 4);
    assert_eq!(versions.delete_markers().len(), 1);
    assert_eq!(
        versions.delete_markers()[0].version_id(),
        Some(marker.as_str())
    );
    assert_eq!(versions.delete_markers()[0].is_latest(), Some(true));
    // Removing the marker brings the newest version back.
    c.delete_object()
        .bucket("ver")
        .key("k")
        .version_id(&marker)
        .send()
        .await
        .expect("remove marker");
    assert_eq!(get_bytes(&c, "ver", "k").await, b"v3");
    let err = c
        .get_object()
        .bucket("ver")
        .key("k")
        .version_id("NOSUCHVERSION")
        .send()
        .await
        .expect_err("bad id");
    assert_eq!(code(&err), "NoSuchVersion");
}

#[tokio::test]
async fn listings_paginate_and_roll_up_prefixes() {
    let server = MockServer::start().await;
    let c = client(&server);
    c.create_bucket()
        .bucket("list")
        .send()
        .await
        .expect("CreateBucket");
    let keys = ["a/1", "a/2", "b/1", "c", "d", "e"];
    for k in keys {
        c.put_object()
            .bucket("list")
            .key(k)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .expect("put");
    }
    let mut pages = c
        .list_objects_v2()
        .bucket("list")
        .max_keys(2)
        .into_paginator()
        .send();
    let mut seen = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.expect("page");
        seen.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_owned)),
        );
    }
    assert_eq!(seen, keys);
    let rolled = c
        .list_objects_v2()
        .bucket("list")
        .delimiter("/")
        .send()
        .await
        .expect("delimiter");
    let prefixes: Vec<_> = rolled
        .common_prefixes()
        .iter()
        .filter_map(|p| p.prefix())
        .collect();
    assert_eq!(prefixes, ["a/", "b/"]);
    assert_eq!(rolled.key_count(), Some(5));
    let under = c
        .list_objects_v2()
        .bucket("list")
        .prefix("a/")
        .start_after("a/1")
        .send()
        .await
        .expect("prefix");
    assert_eq!(under.contents().len(), 1);
    let v1 = c
        .list_objects()
        .bucket("list")
        .marker("c")
        .send()
        .await
        .expect("ListObjects");
    assert_eq!(v1.contents().len(), 2);
}

#[tokio::test]
async fn copies_batch_deletes_and_tags() {
    let server = MockServer::start().await;
    let c = client(&server);
    c.create_bucket()
        .bucket("src")
        .send()
        .await
        .expect("CreateBucket");
    c.create_bucket()
        .bucket("dst")
        .send()
        .await
        .expect("CreateBucket");
    c.put_object()
        .bucket("src")
        .key("o")
        .body(ByteStream::from_static(b"copy me"))
        .metadata("m", "1")
        .tagging("team=ci&stage=test")
        .send()
        .await
        .expect("put");
    let copy = c
        .copy_object()
        .bucket("dst")
        .key("o2")
        .copy_source("src/o")
        .send()
        .await
        .expect("CopyObject");
    assert!(copy.copy_object_result().and_then(|r| r.e_tag()).is_some());
    assert_eq!(get_bytes(&c, "dst", "o2").await, b"copy me");
    let head = c
        .head_object()
        .bucket("dst")
        .key("o2")
        .send()
        .await
        .expect("head");
    assert_eq!(
        head.metadata().and_then(|m| m.get("m")).map(String::as_str),
        Some("1")
    );
    let tags = c
        .get_object_tagging()
        .bucket("dst")
        .key("o2")
        .send()
        .await
        .expect("GetObjectTagging");
    assert_eq!(tags.tag_set().len(), 2);
    let err = c
        .copy_object()
        .bucket("src")
        .key("o")
        .copy_source("src/o")
        .send()
        .await
        .expect_err("self copy");
    assert_eq!(code(&err), "InvalidRequest");

    c.put_object_tagging()
        .bucket("dst")
        .key("o2")
        .tagging(
            Tagging::builder()
                .tag_set(Tag::builder().key("k").value("v").build().expect("tag"))
                .build()
                .expect("tagging"),
        )
        .send()
        .await
        .expect("PutObjectTagging");
    let tags = c
        .get_object_tagging()
        .bucket("dst")
        .key("o2")
        .send()
        .await
        .expect("GetObjectTagging");
    assert_eq!(tags.tag_set()[0].key(), "k");
    c.put_bucket_tagging()
        .bucket("dst")
        .tagging(
            Tagging::builder()
                .tag_set(Tag::builder().key("b").value("1").build().expect("tag"))
                .build()
                .expect("tagging"),
        )
        .send()
        .await
        .expect("PutBucketTagging");
    assert_eq!(
        c.get_bucket_tagging()
            .bucket("dst")
            .send()
            .await
            .expect("tags")
            .tag_set()
            .len(),
        1
    );

    for k in ["x1", "x2"] {
        c.put_object()
            .bucket("dst")
            .key(k)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .expect("put");
    }
    let del = c
        .delete_objects()
        .bucket("dst")
        .delete(
            Delete::builder()
                .objects(ObjectIdentifier::builder().key("x1").build().expect("id"))
                .objects(ObjectIdentifier::builder().key("x2").build().expect("id"))
                .objects(
                    ObjectIdentifier::builder()
                        .key("never")
                        .build()
                        .expect("id"),
                )
                .build()
                .expect("delete"),
        )
        .send()
        .await
        .expect("DeleteObjects");
    assert_eq!(del.deleted().len(), 3);
    let left = c
        .list_objects_v2()
        .bucket("dst")
        .send()
        .await
        .expect("list");
    assert_eq!(left.contents().len(), 1);
}

#[tokio::test]
async fn uploads_to_a_bucket_with_eventbridge_notifications_publish_object_created() {
    let server = MockServer::start().await;
    let c = client(&server);
    c.create_bucket()
        .bucket("notify")
        .send()
        .await
        .expect("CreateBucket");
    c.put_bucket_notification_configuration()
        .bucket("notify")
        .notification_configuration(
            NotificationConfiguration::builder()
                .event_bridge_configuration(EventBridgeConfiguration::builder().build())
                .build(),
        )
        .send()
        .await
        .expect("PutBucketNotificationConfiguration");
    let conf = c
        .get_bucket_notification_configuration()
        .bucket("notify")
        .send()
        .await
        .expect("get");
    assert!(conf.event_bridge_configuration().is_some());
    let put = c
        .put_object()
        .bucket("notify")
        .key("art.zip")
        .body(ByteStream::from_static(b"zip"))
        .send()
        .await
        .expect("put");
    c.delete_object()
        .bucket("notify")
        .key("art.zip")
        .send()
        .await
        .expect("delete");
    let events: Vec<_> = server
        .events()
        .into_iter()
        .filter(|r| r["type"] == "EventPut" && r["event"]["source"] == "aws.s3")
        .map(|r| r["event"].clone())
        .collect();
    assert_eq!(events.len(), 2, "{events:?}");
    let created = &events[0];
    assert_eq!(created["detail-type"], "Object Created");
    assert_eq!(created["resources"][0], "arn:aws:s3:::notify");
    assert_eq!(created["detail"]["bucket"]["name"], "notify");
    assert_eq!(created["detail"]["object"]["key"], "art.zip");
    assert_eq!(created["detail"]["object"]["size"], 3);
    assert_eq!(
        format!(
            "\"{}\"",
            created["detail"]["object"]["etag"]
                .as_str()
                .unwrap_or_default()
        ),
        put.e_tag().unwrap_or_default()
    );
    assert_eq!(created["detail"]["reason"], "PutObject");
    assert_eq!(events[1]["detail-type"], "Object Deleted");
    assert_eq!(events[1]["detail"]["deletion-type"], "Permanently Deleted");
}

#[tokio::test]
async fn streamed_file_bodies_arrive_aws_chunked_with_trailing_checksums() {
    let server = MockServer::start().await;
    let c = client(&server);
    c.create_bucket()
        .bucket("files")
        .send()
        .await
        .expect("CreateBucket");
    let body = pattern(3 * 1024 * 1024 + 5, 11);
    let path = std::env::temp_dir().join(format!("codemock-s3-sdk-{}.bin", std::process::id()));
    std::fs::write(&path, &body).expect("write temp file");
    for algorithm in [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32C,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Crc64Nvme,
    ] {
        let stream = ByteStream::from_path(&path).await.expect("file body");
        let key = format!("f-{}", algorithm.as_str());
        c.put_object()
            .bucket("files")
            .key(&key)
            .body(stream)
            .checksum_algorithm(algorithm.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("PutObject {algorithm:?}: {e:?}"));
        let got = c
            .get_object()
            .bucket("files")
            .key(&key)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await
            .expect("GetObject");
        assert_eq!(
            got.body
                .collect()
                .await
                .expect("body")
                .into_bytes()
                .as_ref(),
            &body[..]
        );
    }
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn version_listings_page_through_markers() {
    let server = MockServer::start().await;
    let c = client(&server);
    c.create_bucket()
        .bucket("pages")
        .send()
        .await
        .expect("CreateBucket");
    c.put_bucket_versioning()
        .bucket("pages")
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("PutBucketVersioning");
    for (key, n) in [("a", 3), ("b", 1), ("c", 2)] {
        for _ in 0..n {
            c.put_object()
                .bucket("pages")
                .key(key)
                .body(ByteStream::from_static(b"x"))
                .send()
                .await
                .expect("put");
        }
    }
    c.delete_object()
        .bucket("pages")
        .key("b")
        .send()
        .await
        .expect("marker");
    let all = c
        .list_object_versions()
        .bucket("pages")
        .send()
        .await
        .expect("all");
    let mut expected: Vec<(String, String)> = all
        .versions()
        .iter()
        .map(|v| {
            (
                v.key().unwrap_or_default().to_owned(),
                v.version_id().unwrap_or_default().to_owned(),
            )
        })
        .chain(all.delete_markers().iter().map(|m| {
            (
                m.key().unwrap_or_default().to_owned(),
                m.version_id().unwrap_or_default().to_owned(),
            )
        }))
        .collect();
    expected.sort();
    assert_eq!(expected.len(), 7);
    let mut seen = Vec::new();
    let (mut key_marker, mut vid_marker) = (None::<String>, None::<String>);
    for _ in 0..10 {
        let page = c
            .list_object_versions()
            .bucket("pages")
            .max_keys(2)
            .set_key_marker(key_marker.clone())
            .set_version_id_marker(vid_marker.clone())
            .send()
            .await
            .expect("page");
        assert!(page.versions().len() + page.delete_markers().len() <= 2);
        seen.extend(page.versions().iter().map(|v| {
            (
                v.key().unwrap_or_default().to_owned(),
                v.version_id().unwrap_or_default().to_owned(),
            )
        }));
        seen.extend(page.delete_markers().iter().map(|m| {
            (
                m.key().unwrap_or_default().to_owned(),
                m.version_id().unwrap_or_default().to_owned(),
            )
        }));
        if page.is_truncated() != Some(true) {
            break;
        }
        key_marker = page.next_key_marker().map(str::to_owned);
        vid_marker = page.next_version_id_marker().map(str::to_owned);
    }
    seen.sort();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn part_copies_and_tag_removal() {
    let server = MockServer::start().await;
    let c = client(&server);
    c.create_bucket()
        .bucket("src")
        .send()
        .await
        .expect("bucket");
    let source = pattern(6 * 1024 * 1024, 7);
    c.put_object()
        .bucket("src")
        .key("big.bin")
        .body(ByteStream::from(source.clone()))
        .send()
        .await
        .expect("put");

    // A multipart upload assembled from ranges of an existing object, as large copies are made.
    let upload = c
        .create_multipart_upload()
        .bucket("src")
        .key("copy.bin")
        .send()
        .await
        .expect("create upload");
    let id = upload.upload_id().expect("upload id");
    let split = 5 * 1024 * 1024;
    let mut parts = Vec::new();
    for (n, range) in [
        (1, format!("bytes=0-{}", split - 1)),
        (2, format!("bytes={split}-{}", source.len() - 1)),
    ] {
        let out = c
            .upload_part_copy()
            .bucket("src")
            .key("copy.bin")
            .upload_id(id)
            .part_number(n)
            .copy_source("src/big.bin")
            .copy_source_range(range)
            .send()
            .await
            .expect("UploadPartCopy");
        let etag = out
            .copy_part_result()
            .and_then(|r| r.e_tag())
            .expect("part etag")
            .to_owned();
        parts.push(CompletedPart::builder().part_number(n).e_tag(etag).build());
    }
    c.complete_multipart_upload()
        .bucket("src")
        .key("copy.bin")
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .expect("complete");
    assert_eq!(get_bytes(&c, "src", "copy.bin").await, source);

    // Tags go as they came.
    c.put_object_tagging()
        .bucket("src")
        .key("copy.bin")
        .tagging(
            Tagging::builder()
                .tag_set(Tag::builder().key("k").value("v").build().expect("tag"))
                .build()
                .expect("tagging"),
        )
        .send()
        .await
        .expect("PutObjectTagging");
    c.delete_object_tagging()
        .bucket("src")
        .key("copy.bin")
        .send()
        .await
        .expect("DeleteObjectTagging");
    let tags = c
        .get_object_tagging()
        .bucket("src")
        .key("copy.bin")
        .send()
        .await
        .expect("tags");
    assert!(tags.tag_set().is_empty());
    c.put_bucket_tagging()
        .bucket("src")
        .tagging(
            Tagging::builder()
                .tag_set(Tag::builder().key("team").value("ci").build().expect("tag"))
                .build()
                .expect("tagging"),
        )
        .send()
        .await
        .expect("PutBucketTagging");
    c.delete_bucket_tagging()
        .bucket("src")
        .send()
        .await
        .expect("DeleteBucketTagging");
    let err = c
        .get_bucket_tagging()
        .bucket("src")
        .send()
        .await
        .expect_err("no tags left");
    assert_eq!(code(&err.into_service_error()), "NoSuchTagSet");
}
