//! The S3 operations, one function each, grouped by what they act on. They get the decoded
//! request and, for operations with one, the body; they lock a partition only around the
//! commit, never across an `.await`.

mod bucket;
mod list;
mod multipart;
mod object;

use super::error::S3Error;
use super::request::Op;
use super::state::{Bucket, ObjectAttrs, StoredObject, Version};
use super::{Reply, S3Call};
use crate::protocol::timestamps as dates;
use crate::services::s3::BusEvent;
use hyper::body::Incoming;
use serde_json::json;
use std::collections::BTreeMap;

pub async fn dispatch(call: &mut S3Call<'_>, op: Op, body: Incoming) -> Result<Reply, S3Error> {
    match op {
        Op::ListBuckets => bucket::list_buckets(call),
        Op::CreateBucket => bucket::create_bucket(call, body).await,
        Op::DeleteBucket => bucket::delete_bucket(call),
        Op::HeadBucket => bucket::head_bucket(call),
        Op::GetBucketLocation => bucket::get_bucket_location(call),
        Op::GetBucketVersioning => bucket::get_bucket_versioning(call),
        Op::PutBucketVersioning => bucket::put_bucket_versioning(call, body).await,
        Op::GetBucketTagging => bucket::get_bucket_tagging(call),
        Op::PutBucketTagging => bucket::put_bucket_tagging(call, body).await,
        Op::DeleteBucketTagging => bucket::delete_bucket_tagging(call),
        Op::GetBucketNotificationConfiguration => bucket::get_notification(call),
        Op::PutBucketNotificationConfiguration => bucket::put_notification(call, body).await,
        Op::ListObjects => list::list_objects(call, false),
        Op::ListObjectsV2 => list::list_objects(call, true),
        Op::ListObjectVersions => list::list_object_versions(call),
        Op::ListMultipartUploads => list::list_multipart_uploads(call),
        Op::ListParts => list::list_parts(call),
        Op::DeleteObjects => object::delete_objects(call, body).await,
        Op::PutObject => object::put_object(call, body).await,
        Op::CopyObject => object::copy_object(call).await,
        Op::GetObject => object::get_object(call, false),
        Op::HeadObject => object::get_object(call, true),
        Op::DeleteObject => object::delete_object(call),
        Op::GetObjectTagging => object::get_object_tagging(call),
        Op::PutObjectTagging => object::put_object_tagging(call, body).await,
        Op::DeleteObjectTagging => object::delete_object_tagging(call),
        Op::CreateMultipartUpload => multipart::create(call),
        Op::UploadPart => multipart::upload_part(call, body).await,
        Op::UploadPartCopy => multipart::upload_part_copy(call).await,
        Op::CompleteMultipartUpload => multipart::complete(call, body).await,
        Op::AbortMultipartUpload => multipart::abort(call),
    }
}

/// The object headers of a PutObject, CreateMultipartUpload or CopyObject (`REPLACE`) request.
pub(crate) fn attrs_from_headers(call: &S3Call<'_>) -> ObjectAttrs {
    let h = |n: &str| call.req.header(n).map(str::to_owned);
    // aws-chunked is a transfer framing, not part of the object's encoding: S3 strips it.
    let content_encoding = h("content-encoding").and_then(|v| {
        let rest: Vec<&str> = v
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty() && !e.eq_ignore_ascii_case("aws-chunked"))
            .collect();
        (!rest.is_empty()).then(|| rest.join(","))
    });
    let mut metadata = BTreeMap::new();
    for (name, value) in call.req.headers.iter() {
        if let Some(m) = name.as_str().strip_prefix("x-amz-meta-") {
            if let Ok(v) = value.to_str() {
                metadata.insert(m.to_owned(), v.to_owned());
            }
        }
    }
    ObjectAttrs {
        content_type: h("content-type"),
        content_encoding,
        content_disposition: h("content-disposition"),
        content_language: h("content-language"),
        cache_control: h("cache-control"),
        expires: h("expires"),
        storage_class: h("x-amz-storage-class").filter(|s| s != "STANDARD"),
        website_redirect: h("x-amz-website-redirect-location"),
        metadata,
    }
}

/// The headers every representation of an object carries (GetObject, HeadObject).
pub(crate) fn object_headers(
    mut reply: Reply,
    version: &Version,
    obj: &StoredObject,
    report_version: bool,
) -> Reply {
    let a = &obj.attrs;
    reply = reply
        .header("etag", format!("\"{}\"", obj.etag))
        .header("last-modified", dates::http_date(version.last_modified))
        .header("accept-ranges", "bytes")
        .header(
            "content-type",
            // S3's default for objects stored without a type.
            a.content_type
                .clone()
                .unwrap_or_else(|| "binary/octet-stream".into()),
        )
        .header_opt("content-encoding", a.content_encoding.clone())
        .header_opt("content-disposition", a.content_disposition.clone())
        .header_opt("content-language", a.content_language.clone())
        .header_opt("cache-control", a.cache_control.clone())
        .header_opt("expires", a.expires.clone())
        .header_opt("x-amz-storage-class", a.storage_class.clone())
        .header_opt(
            "x-amz-website-redirect-location",
            a.website_redirect.clone(),
        )
        // Every object is encrypted at rest with SSE-S3 by default since January 2023.
        .header("x-amz-server-side-encryption", "AES256");
    if report_version {
        reply = reply.header("x-amz-version-id", version.id_text());
    }
    for (k, v) in &a.metadata {
        reply = reply.header(format!("x-amz-meta-{k}"), v.clone());
    }
    if !obj.tags.is_empty() {
        reply = reply.header("x-amz-tagging-count", obj.tags.len().to_string());
    }
    if let Some(parts) = &obj.parts {
        reply = reply.header("x-amz-mp-parts-count", parts.len().to_string());
    }
    reply
}

/// Parses tags given as a query string (`x-amz-tagging: k1=v1&k2=v2`).
pub(crate) fn tags_from_header(call: &S3Call<'_>) -> Result<Vec<(String, String)>, S3Error> {
    let Some(text) = call.req.header("x-amz-tagging") else {
        return Ok(Vec::new());
    };
    let mut tags = Vec::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(k), Some(v)) = (
            super::request::percent_decode(k, true),
            super::request::percent_decode(v, true),
        ) else {
            return Err(S3Error::invalid_argument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.", "x-amz-tagging", text));
        };
        tags.push((k, v));
    }
    validate_tags(&tags, 10, TagTarget::Object)?;
    Ok(tags)
}

/// What a tag set is for: the `aws:` prefix is refused in different words for each.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum TagTarget {
    Bucket,
    Object,
}

/// The characters S3 allows in tag keys and values: letters, digits, white space and
/// `+ - = . _ : / @`.
fn tag_text_ok(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_alphanumeric() || c.is_whitespace() || "+-=._:/@".contains(c))
}

/// S3's tag rules: at most `max` tags, unique keys, keys up to 128 and values up to 256
/// characters of the allowed set, no `aws:` keys. The words are those of LocalStack's
/// AWS-validated `test_tagging_validation` snapshot (`Key1,Key2` is an invalid key, an `aws:` key
/// is "System tags ..." on a bucket and "Your TagKey cannot be prefixed with aws:" on an object).
pub(crate) fn validate_tags(
    tags: &[(String, String)],
    max: usize,
    target: TagTarget,
) -> Result<(), S3Error> {
    if tags.len() > max {
        return Err(S3Error::new(
            400,
            "BadRequest",
            format!("Object tags cannot be greater than {max}"),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (k, v) in tags {
        if !seen.insert(k) {
            return Err(S3Error::new(
                400,
                "InvalidTag",
                "Cannot provide multiple Tags with the same key",
            )
            .with("TagKey", k.clone()));
        }
        if k.starts_with("aws:") {
            let message = match target {
                TagTarget::Bucket => "System tags cannot be added/updated by requester",
                TagTarget::Object => "Your TagKey cannot be prefixed with aws:",
            };
            return Err(S3Error::new(400, "InvalidTag", message).with("TagKey", k.clone()));
        }
        if k.is_empty() || k.chars().count() > 128 || !tag_text_ok(k) {
            return Err(
                S3Error::new(400, "InvalidTag", "The TagKey you have provided is invalid")
                    .with("TagKey", k.clone()),
            );
        }
        if v.chars().count() > 256 || !tag_text_ok(v) {
            return Err(S3Error::new(
                400,
                "InvalidTag",
                "The TagValue you have provided is invalid",
            )
            .with("TagKey", k.clone())
            .with("TagValue", v.clone()));
        }
    }
    Ok(())
}

/// Parses a `<Tagging><TagSet><Tag><Key/><Value/></Tag>...` document.
pub(crate) fn parse_tagging(
    body: &[u8],
    max: usize,
    target: TagTarget,
) -> Result<Vec<(String, String)>, S3Error> {
    let root = super::xml::parse(body).map_err(|_| S3Error::malformed_xml())?;
    if root.name != "Tagging" {
        return Err(S3Error::malformed_xml());
    }
    let set = root.child("TagSet").ok_or_else(S3Error::malformed_xml)?;
    let mut tags = Vec::new();
    for tag in set.children_named("Tag") {
        let k = tag.text_of("Key").ok_or_else(S3Error::malformed_xml)?;
        let v = tag.text_of("Value").unwrap_or_default();
        tags.push((k.to_owned(), v.to_owned()));
    }
    validate_tags(&tags, max, target)?;
    Ok(tags)
}

pub(crate) fn tagging_xml(tags: &[(String, String)]) -> String {
    let mut w = super::xml::XmlWriter::new("Tagging");
    w.open("TagSet");
    for (k, v) in tags {
        w.open("Tag").leaf("Key", k).leaf("Value", v).close();
    }
    w.finish()
}

/// An S3 event for EventBridge, if the bucket sends them (`EventBridgeConfiguration`).
pub(crate) fn object_event(
    call: &S3Call<'_>,
    bucket: &mut Bucket,
    account: &str,
    detail_type: &str,
    object: serde_json::Value,
    reason: &str,
    deletion_type: Option<&str>,
) -> Option<BusEvent> {
    if !bucket.eventbridge {
        return None;
    }
    let mut object = object;
    if let Some(o) = object.as_object_mut() {
        o.insert("sequencer".into(), json!(bucket.next_sequencer()));
    }
    let mut detail = json!({
        "version": "0",
        "bucket": { "name": bucket.name },
        "object": object,
        "request-id": call.ctx.request_id,
        "requester": call.ctx.account_id,
        // The gateway does not pass the peer address; every client of codemock is local.
        "source-ip-address": "127.0.0.1",
        "reason": reason,
    });
    if let (Some(d), Some(t)) = (detail.as_object_mut(), deletion_type) {
        d.insert("deletion-type".into(), json!(t));
    }
    let event = json!({
        "version": "0",
        "id": call.core.ids.uuid(),
        "detail-type": detail_type,
        "source": "aws.s3",
        "account": account,
        "time": dates::iso8601(call.core.clock.now()),
        "region": bucket.region,
        "resources": [format!("arn:aws:s3:::{}", bucket.name)],
        "detail": detail,
    });
    Some(BusEvent {
        account: account.to_owned(),
        region: bucket.region.clone(),
        event,
    })
}

/// The "Object Created" event of a new object version.
#[allow(clippy::too_many_arguments)] // the event's fields, each from a different place
pub(crate) fn created_event(
    call: &S3Call<'_>,
    bucket: &mut Bucket,
    account: &str,
    key: &str,
    obj_size: u64,
    etag: &str,
    version_id: Option<&str>,
    reason: &str,
) -> Option<BusEvent> {
    let mut object = json!({ "key": key, "size": obj_size, "etag": etag });
    if let (Some(o), Some(v)) = (object.as_object_mut(), version_id) {
        o.insert("version-id".into(), json!(v));
    }
    object_event(
        call,
        bucket,
        account,
        "Object Created",
        object,
        reason,
        None,
    )
}
