//! Object operations: put (streamed), copy, get and head (ranges, conditions, versions),
//! delete (single and batch, with delete markers in versioned buckets), and object tags.

use super::super::checksums::{b64, quoted, Algorithm};
use super::super::error::S3Error;
use super::super::receive::{receive, receive_small, MAX_PUT};
use super::super::request::percent_decode;
use super::super::state::{Checksum, ChecksumType, StoredObject, Version, VersionBody};
use super::super::xml::{self, XmlWriter};
use super::super::{Reply, S3Call};
use super::{
    attrs_from_headers, created_event, object_event, object_headers, parse_tagging, tagging_xml,
    tags_from_header,
};
use crate::protocol::timestamps as dates;
use crate::services::s3::BusEvent;
use hyper::body::Incoming;
use serde_json::json;

/// Conditional-write headers of PutObject and CompleteMultipartUpload (`If-None-Match: *`,
/// `If-Match: <etag>`), checked against the current version under the commit lock.
pub(crate) fn check_write_conditions(
    call: &S3Call<'_>,
    current: Option<&Version>,
) -> Result<(), S3Error> {
    let live = current.and_then(Version::object);
    if let Some(v) = call.req.header("if-none-match") {
        if v.trim() == "*" && live.is_some() {
            return Err(precondition_failed("If-None-Match"));
        }
    }
    if let Some(v) = call.req.header("if-match") {
        match live {
            None => return Err(S3Error::no_such_key(call.key())),
            Some(o) if !etag_matches(v, &o.etag) => return Err(precondition_failed("If-Match")),
            Some(_) => {}
        }
    }
    Ok(())
}

fn precondition_failed(condition: &str) -> S3Error {
    S3Error::new(
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
    )
    .with("Condition", condition)
}

/// Whether an `If-Match`/`If-None-Match` list names `etag` (quotes optional, `*` matches all).
fn etag_matches(list: &str, etag: &str) -> bool {
    list.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_matches('"') == etag)
}

/// Checksum headers of a put response (and of get/head with `x-amz-checksum-mode: ENABLED`).
pub(crate) fn checksum_headers(mut reply: Reply, checksum: Option<&Checksum>) -> Reply {
    if let Some(c) = checksum {
        reply = reply
            .header(c.algorithm.header(), c.value.clone())
            .header("x-amz-checksum-type", c.kind.name());
    }
    reply
}

pub async fn put_object(call: &mut S3Call<'_>, body: Incoming) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let key = call.key().to_owned();
    if call.bucket_partition(&name).is_none() {
        return Err(S3Error::no_such_bucket(&name));
    }
    if key.len() > 1024 {
        return Err(S3Error::new(400, "KeyTooLongError", "Your key is too long"));
    }
    let attrs = attrs_from_headers(call);
    let tags = tags_from_header(call)?;
    let received = receive(
        call.core,
        call.req,
        body,
        MAX_PUT,
        Some(Algorithm::Crc64Nvme),
    )
    .await?;
    let etag = received.etag();
    let size = received.data.len();
    let checksum = match &received.checksum {
        Some((a, raw)) => Some(Checksum {
            algorithm: *a,
            value: b64(raw),
            kind: ChecksumType::FullObject,
        }),
        None => received
            .computed
            .checksum(Algorithm::Crc64Nvme)
            .map(|raw| Checksum {
                algorithm: Algorithm::Crc64Nvme,
                value: b64(raw),
                kind: ChecksumType::FullObject,
            }),
    };
    let object = StoredObject {
        data: received.data,
        etag: etag.clone(),
        attrs,
        tags,
        checksum: checksum.clone(),
        parts: None,
    };
    let now = call.core.clock.now();
    let ids = &call.core.ids;
    let (version_id, reports, event) = {
        let c = &*call;
        c.with_bucket(&name, |b, world| {
            check_write_conditions(c, b.current(&key))?;
            let vid = b.put(&key, object, now, || ids.alphanumeric_upper(32));
            let event = created_event(
                c,
                b,
                &world.account_id,
                &key,
                size,
                &etag,
                vid.as_deref(),
                "PutObject",
            );
            Ok((vid, b.reports_versions(), event))
        })?
    };
    call.events.extend(event);
    let mut reply = Reply::empty(200)
        .header("etag", quoted(&etag))
        .header("x-amz-server-side-encryption", "AES256");
    if reports {
        reply = reply.header(
            "x-amz-version-id",
            version_id.unwrap_or_else(|| "null".into()),
        );
    }
    // S3 echoes the checksum the client sent or asked for; the default CRC64NVME is reported
    // only on reads.
    if received.checksum.is_some() {
        reply = checksum_headers(reply, checksum.as_ref());
    }
    Ok(reply)
}

/// `x-amz-copy-source`: `[/]bucket/key[?versionId=v]`, URL-encoded.
pub(crate) fn parse_copy_source(
    call: &S3Call<'_>,
) -> Result<(String, String, Option<String>), S3Error> {
    let raw = call.req.header("x-amz-copy-source").unwrap_or_default();
    let invalid =
        || S3Error::invalid_argument("Invalid copy source object key", "x-amz-copy-source", raw);
    let (path, query) = raw.split_once('?').unwrap_or((raw, ""));
    let path = percent_decode(path, false).ok_or_else(invalid)?;
    let path = path.strip_prefix('/').unwrap_or(&path);
    let (bucket, key) = path.split_once('/').ok_or_else(invalid)?;
    if bucket.is_empty() || key.is_empty() {
        return Err(invalid());
    }
    let version = query
        .split('&')
        .find_map(|p| p.strip_prefix("versionId="))
        .and_then(|v| percent_decode(v, true));
    Ok((bucket.to_owned(), key.to_owned(), version))
}

/// Reads the source of a copy: the object version (not a delete marker).
pub(crate) fn copy_source(
    call: &S3Call<'_>,
) -> Result<(StoredObject, Option<String>, bool, f64), S3Error> {
    let (bucket, key, version) = parse_copy_source(call)?;
    call.with_bucket(&bucket, |b, _| {
        let v = match &version {
            Some(id) => b.version(&key, id).ok_or_else(|| {
                // S3 answers a malformed or unknown source version with InvalidArgument or
                // NoSuchVersion; an unknown one is the common case.
                S3Error::no_such_version(&key, id)
            })?,
            None => b.current(&key).ok_or_else(|| S3Error::no_such_key(&key))?,
        };
        match &v.body {
            VersionBody::Object(o) => Ok((o.clone(), v.id.clone(), b.reports_versions(), v.last_modified)),
            // A delete marker is not copyable: as a named version S3 refuses the request.
            VersionBody::DeleteMarker if version.is_some() => Err(S3Error::invalid_request(
                "The source of a copy request may not specifically refer to a delete marker by version id.",
            )),
            VersionBody::DeleteMarker => Err(S3Error::no_such_key(&key)),
        }
    })
}

/// Copy preconditions (`x-amz-copy-source-if-*`), which fail with 412.
pub(crate) fn check_copy_conditions(
    call: &S3Call<'_>,
    obj: &StoredObject,
    modified: f64,
) -> Result<(), S3Error> {
    let h = |n: &str| call.req.header(n);
    if let Some(v) = h("x-amz-copy-source-if-match") {
        if !etag_matches(v, &obj.etag) {
            return Err(precondition_failed("x-amz-copy-source-If-Match"));
        }
    }
    if let Some(v) = h("x-amz-copy-source-if-none-match") {
        if etag_matches(v, &obj.etag) {
            return Err(precondition_failed("x-amz-copy-source-If-None-Match"));
        }
    }
    if let Some(t) = h("x-amz-copy-source-if-unmodified-since").and_then(dates::parse_date) {
        if modified.floor() > t {
            return Err(precondition_failed("x-amz-copy-source-If-Unmodified-Since"));
        }
    }
    if let Some(t) = h("x-amz-copy-source-if-modified-since").and_then(dates::parse_date) {
        if modified.floor() <= t {
            return Err(precondition_failed("x-amz-copy-source-If-Modified-Since"));
        }
    }
    Ok(())
}

/// The MD5 and `algorithms` checksums of bytes already stored (a copy of a multipart object or
/// a part copy needs fresh ones); streamed, so a spilled object is never loaded whole.
pub(crate) async fn hashes_of(
    data: &super::super::storage::ObjectData,
    algorithms: &[Algorithm],
) -> Result<super::super::checksums::Computed, S3Error> {
    use http_body_util::BodyExt;
    let mut body = data.body();
    let mut h = super::super::checksums::BodyHashes::new(false, algorithms);
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| S3Error::internal(format!("codemock could not read an object: {e}")))?;
        if let Ok(d) = frame.into_data() {
            h.update(&d);
        }
    }
    Ok(h.finish())
}

pub async fn copy_object(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let key = call.key().to_owned();
    if call.bucket_partition(&name).is_none() {
        return Err(S3Error::no_such_bucket(&name));
    }
    let (src_bucket, src_key, _) = parse_copy_source(call)?;
    let (source, source_version, source_reports, modified) = copy_source(call)?;
    check_copy_conditions(call, &source, modified)?;
    if source.data.len() > MAX_PUT {
        return Err(S3Error::invalid_request(
            "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120",
        ));
    }
    let replace_meta = call.req.header("x-amz-metadata-directive") == Some("REPLACE");
    let replace_tags = call.req.header("x-amz-tagging-directive") == Some("REPLACE");
    let same = src_bucket == name && src_key == key;
    if same
        && !replace_meta
        && call.req.header("x-amz-storage-class").is_none()
        && call.req.header("x-amz-website-redirect-location").is_none()
    {
        return Err(S3Error::invalid_request(
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        ));
    }
    let mut attrs = if replace_meta {
        attrs_from_headers(call)
    } else {
        source.attrs.clone()
    };
    if !replace_meta {
        if let Some(sc) = call.req.header("x-amz-storage-class") {
            attrs.storage_class = (sc != "STANDARD").then(|| sc.to_owned());
        }
    }
    let tags = if replace_tags {
        tags_from_header(call)?
    } else {
        source.tags.clone()
    };
    // A copy is a new single-part object: a multipart source gets a plain MD5 ETag, and a
    // checksum of the whole object (the source's if it is one, else computed afresh).
    let requested = call
        .req
        .header("x-amz-checksum-algorithm")
        .and_then(Algorithm::parse);
    let reuse = match (requested, &source.checksum) {
        (Some(a), Some(c)) => c.algorithm == a && c.kind == ChecksumType::FullObject,
        (None, Some(c)) => c.kind == ChecksumType::FullObject,
        (_, None) => false,
    };
    let fresh_etag = source.etag.contains('-');
    let want = requested.unwrap_or(Algorithm::Crc64Nvme);
    let computed = if fresh_etag || !reuse {
        Some(
            hashes_of(
                &source.data,
                if reuse {
                    &[]
                } else {
                    std::slice::from_ref(&want)
                },
            )
            .await?,
        )
    } else {
        None
    };
    let etag = match (&computed, fresh_etag) {
        (Some(c), true) => super::super::checksums::hex(&c.md5),
        _ => source.etag.clone(),
    };
    let checksum = if reuse {
        source.checksum.clone()
    } else {
        computed
            .as_ref()
            .and_then(|c| c.checksum(want))
            .map(|raw| Checksum {
                algorithm: want,
                value: b64(raw),
                kind: ChecksumType::FullObject,
            })
    };
    let size = source.data.len();
    let object = StoredObject {
        data: source.data.clone(),
        etag: etag.clone(),
        attrs,
        tags,
        checksum: checksum.clone(),
        parts: None,
    };
    let now = call.core.clock.now();
    let ids = &call.core.ids;
    let (version_id, reports, event) = {
        let c = &*call;
        c.with_bucket(&name, |b, world| {
            let vid = b.put(&key, object, now, || ids.alphanumeric_upper(32));
            let event = created_event(
                c,
                b,
                &world.account_id,
                &key,
                size,
                &etag,
                vid.as_deref(),
                "CopyObject",
            );
            Ok((vid, b.reports_versions(), event))
        })?
    };
    call.events.extend(event);
    let mut w = XmlWriter::new("CopyObjectResult");
    w.leaf("ETag", quoted(&etag))
        .leaf("LastModified", dates::iso8601_millis(now));
    if let Some(c) = &checksum {
        w.leaf("ChecksumType", c.kind.name())
            .leaf(c.algorithm.xml_name(), &c.value);
    }
    let mut reply = Reply::xml(w.finish()).header("x-amz-server-side-encryption", "AES256");
    if source_reports {
        reply = reply.header(
            "x-amz-copy-source-version-id",
            source_version.unwrap_or_else(|| "null".into()),
        );
    }
    if reports {
        reply = reply.header(
            "x-amz-version-id",
            version_id.unwrap_or_else(|| "null".into()),
        );
    }
    Ok(reply)
}

/// A parsed `Range: bytes=...` header: `None` when absent or not a single byte range (HTTP says
/// to ignore such headers, and S3 serves the whole object then).
fn parse_range(header: Option<&str>) -> Option<(Option<u64>, Option<u64>)> {
    let spec = header?.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let a = a.trim();
    let b = b.trim();
    match (a.is_empty(), b.is_empty()) {
        (true, true) => None,
        (true, false) => Some((None, Some(b.parse().ok()?))),
        (false, true) => Some((Some(a.parse().ok()?), None)),
        (false, false) => {
            let (x, y): (u64, u64) = (a.parse().ok()?, b.parse().ok()?);
            (x <= y).then_some((Some(x), Some(y)))
        }
    }
}

pub fn get_object(call: &mut S3Call<'_>, head: bool) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let key = call.key().to_owned();
    let version_id = call.req.param("versionId").map(str::to_owned);
    let part_number = match call.req.param("partNumber") {
        None => None,
        Some(p) => match p.parse::<u32>() {
            Ok(n) if (1..=10_000).contains(&n) => Some(n),
            _ => {
                return Err(S3Error::invalid_argument(
                    "Part number must be an integer between 1 and 10000, inclusive",
                    "partNumber",
                    p,
                ))
            }
        },
    };
    if part_number.is_some() && call.req.header("range").is_some() {
        // Recorded: LocalStack's AWS-validated `test_get_object_part` (`part-with-range`).
        return Err(S3Error::invalid_request(
            "Cannot specify both Range header and partNumber query parameter",
        ));
    }
    let (version, reports) = call.with_bucket(&name, |b, _| {
        let v = match &version_id {
            Some(id) => b
                .version(&key, id)
                .cloned()
                .ok_or_else(|| S3Error::no_such_version(&key, id))?,
            None => b
                .current(&key)
                .cloned()
                .ok_or_else(|| S3Error::no_such_key(&key))?,
        };
        Ok((v, b.reports_versions()))
    })?;
    let obj = match &version.body {
        VersionBody::Object(o) => o,
        VersionBody::DeleteMarker => {
            let e = if version_id.is_some() {
                // Asking for a delete marker by id: the method does not apply to it.
                S3Error::new(
                    405,
                    "MethodNotAllowed",
                    "The specified method is not allowed against this resource.",
                )
                .with("Method", if head { "HEAD" } else { "GET" })
                .with("ResourceType", "DeleteMarker")
                .header("last-modified", dates::http_date(version.last_modified))
            } else {
                S3Error::no_such_key(&key)
            };
            return Err(e
                .header("x-amz-delete-marker", "true")
                .header("x-amz-version-id", version.id_text().to_owned()));
        }
    };
    // Conditions (RFC 9110 order, as S3 applies them).
    let h = |n: &str| call.req.header(n);
    let modified = version.last_modified.floor();
    let if_match = h("if-match");
    if let Some(v) = if_match {
        if !etag_matches(v, &obj.etag) {
            return Err(precondition_failed("If-Match"));
        }
    } else if let Some(t) = h("if-unmodified-since").and_then(dates::parse_date) {
        if modified > t {
            return Err(precondition_failed("If-Unmodified-Since"));
        }
    }
    let not_modified = if let Some(v) = h("if-none-match") {
        etag_matches(v, &obj.etag)
    } else if let Some(t) = h("if-modified-since").and_then(dates::parse_date) {
        modified <= t
    } else {
        false
    };
    if not_modified {
        let mut r = Reply::empty(304)
            .header("etag", quoted(&obj.etag))
            .header("last-modified", dates::http_date(version.last_modified));
        if reports {
            r = r.header("x-amz-version-id", version.id_text());
        }
        return Ok(r);
    }
    let size = obj.data.len();
    // partNumber selects the bytes of one part of a multipart object (part 1 of a plain one).
    let mut range = match (part_number, &obj.parts) {
        (None, _) => None,
        (Some(1), None) => Some((0, size)),
        (Some(n), Some(parts)) if (n as usize) <= parts.len() => {
            let start: u64 = parts[..n as usize - 1].iter().sum();
            Some((start, parts[n as usize - 1]))
        }
        (Some(_), _) => {
            return Err(S3Error::new(
                416,
                "InvalidPartNumber",
                "The requested partnumber is not satisfiable",
            )
            .with(
                "PartNumberRequested",
                part_number.unwrap_or_default().to_string(),
            )
            .with(
                "ActualPartCount",
                obj.parts.as_ref().map_or(1, Vec::len).to_string(),
            ))
        }
    };
    if range.is_none() {
        if let Some(spec) = parse_range(h("range")) {
            let r = match spec {
                (Some(a), _) if a >= size => None,
                (Some(a), Some(b)) => Some((a, b.min(size - 1) - a + 1)),
                (Some(a), None) => Some((a, size - a)),
                (None, Some(n)) if n == 0 || size == 0 => None,
                (None, Some(n)) => Some((size - n.min(size), n.min(size))),
                (None, None) => None,
            };
            match r {
                Some(r) => range = Some(r),
                None => {
                    return Err(S3Error::new(
                        416,
                        "InvalidRange",
                        "The requested range is not satisfiable",
                    )
                    .with("RangeRequested", h("range").unwrap_or_default())
                    .with("ActualObjectSize", size.to_string()))
                }
            }
        }
    }
    let (status, data) = match range {
        Some((start, len)) => (206, obj.data.slice(start, len)),
        None => (200, obj.data.clone()),
    };
    let mut reply = Reply {
        status,
        headers: Vec::new(),
        body: if head {
            crate::protocol::full_body(bytes::Bytes::new())
        } else {
            data.body()
        },
    };
    reply = object_headers(reply, &version, obj, reports)
        .header("content-length", data.len().to_string());
    if let Some((start, len)) = range {
        if part_number.is_none() || status == 206 {
            reply = reply.header(
                "content-range",
                format!(
                    "bytes {}-{}/{}",
                    start,
                    (start + len).saturating_sub(1),
                    size
                ),
            );
        }
    }
    // Checksums describe the whole object, so S3 returns them only for whole-object reads.
    if range.is_none()
        && h("x-amz-checksum-mode").is_some_and(|m| m.eq_ignore_ascii_case("ENABLED"))
    {
        reply = checksum_headers(reply, obj.checksum.as_ref());
    }
    if let Some(v) = call.req.param("response-content-type") {
        reply = replace_header(reply, "content-type", v);
    }
    for (param, header) in [
        ("response-content-disposition", "content-disposition"),
        ("response-content-encoding", "content-encoding"),
        ("response-content-language", "content-language"),
        ("response-cache-control", "cache-control"),
        ("response-expires", "expires"),
    ] {
        if let Some(v) = call.req.param(param) {
            reply = replace_header(reply, header, v);
        }
    }
    Ok(reply)
}

fn replace_header(mut reply: Reply, name: &str, value: &str) -> Reply {
    reply.headers.retain(|(n, _)| n != name);
    reply.header(name, value)
}

pub fn delete_object(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let key = call.key().to_owned();
    let version_id = call.req.param("versionId").map(str::to_owned);
    let now = call.core.clock.now();
    let ids = &call.core.ids;
    let (deleted, reports, event, removed) = {
        let c = &*call;
        c.with_bucket(&name, |b, world| {
            if let Some(v) = call.req.header("if-match") {
                match b.current(&key).and_then(Version::object) {
                    None => return Err(S3Error::no_such_key(&key)),
                    Some(o) if !etag_matches(v, &o.etag) => {
                        return Err(precondition_failed("If-Match"))
                    }
                    Some(_) => {}
                }
            }
            // Keep the removed versions alive until the lock is released: dropping a spilled
            // blob deletes its file.
            let removed = b.objects.get(&key).cloned();
            let d = b.delete(&key, version_id.as_deref(), now, || {
                ids.alphanumeric_upper(32)
            });
            let marker_created = d.delete_marker && version_id.is_none();
            let event = d
                .changed
                .then(|| deleted_event(c, b, &world.account_id, &key, &d, marker_created))
                .flatten();
            Ok((d, b.reports_versions(), event, removed))
        })?
    };
    drop(removed);
    call.events.extend(event);
    let mut reply = Reply::empty(204);
    if deleted.delete_marker {
        reply = reply.header("x-amz-delete-marker", "true");
    }
    if reports || version_id.is_some() {
        reply = reply.header_opt("x-amz-version-id", deleted.version_id.clone());
    }
    Ok(reply)
}

fn deleted_event(
    call: &S3Call<'_>,
    bucket: &mut super::super::state::Bucket,
    account: &str,
    key: &str,
    d: &super::super::state::Deleted,
    marker_created: bool,
) -> Option<BusEvent> {
    let mut object = json!({ "key": key });
    if let (Some(o), Some(v)) = (object.as_object_mut(), &d.version_id) {
        o.insert("version-id".into(), json!(v));
    }
    // A versioned delete without a version id creates a marker; anything else removes data.
    let kind = if marker_created {
        "Delete Marker Created"
    } else {
        "Permanently Deleted"
    };
    object_event(
        call,
        bucket,
        account,
        "Object Deleted",
        object,
        "DeleteObject",
        Some(kind),
    )
}

pub async fn delete_objects(call: &mut S3Call<'_>, body: Incoming) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    if call.bucket_partition(&name).is_none() {
        return Err(S3Error::no_such_bucket(&name));
    }
    let body = receive_small(call.core, call.req, body).await?;
    let root = xml::parse(&body).map_err(|_| S3Error::malformed_xml())?;
    if root.name != "Delete" {
        return Err(S3Error::malformed_xml());
    }
    let quiet = root
        .text_of("Quiet")
        .is_some_and(|q| q.trim().eq_ignore_ascii_case("true"));
    let mut targets = Vec::new();
    for o in root.children_named("Object") {
        let key = o.text_of("Key").ok_or_else(S3Error::malformed_xml)?;
        targets.push((key.to_owned(), o.text_of("VersionId").map(str::to_owned)));
    }
    if targets.is_empty() || targets.len() > 1000 {
        return Err(S3Error::malformed_xml());
    }
    let now = call.core.clock.now();
    let ids = &call.core.ids;
    let (results, events, removed) = {
        let c = &*call;
        c.with_bucket(&name, |b, world| {
            let mut results = Vec::new();
            let mut events = Vec::new();
            let mut removed = Vec::new();
            for (key, vid) in &targets {
                if let Some(v) = vid {
                    if v != "null" && v.is_empty() {
                        results.push(Err((
                            key.clone(),
                            vid.clone(),
                            "NoSuchVersion",
                            "The specified version does not exist.",
                        )));
                        continue;
                    }
                }
                removed.push(b.objects.get(key).cloned());
                let d = b.delete(key, vid.as_deref(), now, || ids.alphanumeric_upper(32));
                if d.changed {
                    let marker_created = d.delete_marker && vid.is_none();
                    events.extend(deleted_event(
                        c,
                        b,
                        &world.account_id,
                        key,
                        &d,
                        marker_created,
                    ));
                }
                results.push(Ok((key.clone(), vid.clone(), d)));
            }
            Ok((results, events, removed))
        })?
    };
    drop(removed);
    call.events.extend(events);
    let mut w = XmlWriter::new("DeleteResult");
    for r in &results {
        match r {
            Ok((key, vid, d)) => {
                if quiet {
                    continue;
                }
                w.open("Deleted").leaf("Key", key);
                w.leaf_opt("VersionId", vid.as_ref());
                if d.delete_marker {
                    w.leaf("DeleteMarker", "true");
                    if vid.is_none() {
                        w.leaf_opt("DeleteMarkerVersionId", d.version_id.as_ref());
                    } else {
                        w.leaf_opt("DeleteMarkerVersionId", vid.as_ref());
                    }
                }
                w.close();
            }
            Err((key, vid, code, message)) => {
                w.open("Error").leaf("Key", key);
                w.leaf_opt("VersionId", vid.as_ref());
                w.leaf("Code", code).leaf("Message", message).close();
            }
        }
    }
    Ok(Reply::xml(w.finish()))
}

/// The version a tagging request addresses (`versionId` or the current one), not a marker.
fn tag_target<'b>(
    b: &'b mut super::super::state::Bucket,
    key: &str,
    vid: Option<&str>,
) -> Result<&'b mut Version, S3Error> {
    let exists = b.objects.contains_key(key);
    let v = b.version_mut(key, vid).ok_or_else(|| match vid {
        Some(id) if exists => S3Error::no_such_version(key, id),
        Some(id) => S3Error::no_such_version(key, id),
        None => S3Error::no_such_key(key),
    })?;
    if v.is_delete_marker() {
        return Err(match vid {
            Some(_) => S3Error::new(
                405,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
            )
            .with("Method", "GET")
            .with("ResourceType", "DeleteMarker"),
            None => S3Error::no_such_key(key),
        });
    }
    Ok(v)
}

pub fn get_object_tagging(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let key = call.key().to_owned();
    let vid = call.req.param("versionId").map(str::to_owned);
    let (tags, version, reports) = call.with_bucket(&name, |b, _| {
        let reports = b.reports_versions();
        let v = tag_target(b, &key, vid.as_deref())?;
        Ok((
            v.object().map(|o| o.tags.clone()).unwrap_or_default(),
            v.id_text().to_owned(),
            reports,
        ))
    })?;
    let mut reply = Reply::xml(tagging_xml(&tags));
    if reports {
        reply = reply.header("x-amz-version-id", version);
    }
    Ok(reply)
}

pub async fn put_object_tagging(call: &mut S3Call<'_>, body: Incoming) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let key = call.key().to_owned();
    if call.bucket_partition(&name).is_none() {
        return Err(S3Error::no_such_bucket(&name));
    }
    let body = receive_small(call.core, call.req, body).await?;
    let tags = parse_tagging(&body, 10, super::TagTarget::Object)?;
    set_tags(call, &name, &key, tags, 200)
}

pub fn delete_object_tagging(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let key = call.key().to_owned();
    set_tags(call, &name, &key, Vec::new(), 204)
}

fn set_tags(
    call: &mut S3Call<'_>,
    name: &str,
    key: &str,
    tags: Vec<(String, String)>,
    status: u16,
) -> Result<Reply, S3Error> {
    let vid = call.req.param("versionId").map(str::to_owned);
    let (version, reports) = call.with_bucket(name, |b, _| {
        let reports = b.reports_versions();
        let v = tag_target(b, key, vid.as_deref())?;
        if let VersionBody::Object(o) = &mut v.body {
            o.tags = tags;
        }
        Ok((v.id_text().to_owned(), reports))
    })?;
    let mut reply = Reply::empty(status);
    if reports {
        reply = reply.header("x-amz-version-id", version);
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range(Some("bytes=0-9")), Some((Some(0), Some(9))));
        assert_eq!(parse_range(Some("bytes=5-")), Some((Some(5), None)));
        assert_eq!(parse_range(Some("bytes=-3")), Some((None, Some(3))));
        assert_eq!(parse_range(Some("bytes=9-1")), None);
        assert_eq!(parse_range(Some("bytes=0-1,3-4")), None);
        assert_eq!(parse_range(Some("items=0-1")), None);
        assert!(etag_matches("\"abc\"", "abc"));
        assert!(etag_matches("x, abc", "abc"));
        assert!(!etag_matches("\"abd\"", "abc"));
    }
}
