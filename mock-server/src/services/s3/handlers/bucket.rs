//! Bucket operations: create (with its location constraint), delete, head, list, and the
//! configuration codemock keeps (location, versioning, tags, EventBridge notifications).

use super::super::error::S3Error;
use super::super::receive::receive_small;
use super::super::state::{Bucket, Versioning};
use super::super::xml::{self, XmlWriter};
use super::super::{Reply, S3Call};
use super::{parse_tagging, tagging_xml};
use crate::protocol::timestamps as dates;
use hyper::body::Incoming;

/// S3's bucket naming rules (general purpose buckets).
pub fn valid_bucket_name(name: &str) -> bool {
    let b = name.as_bytes();
    if !(3..=63).contains(&b.len()) {
        return false;
    }
    let edge_ok = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !edge_ok(b[0]) || !edge_ok(b[b.len() - 1]) {
        return false;
    }
    if !b
        .iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'.' || *c == b'-')
    {
        return false;
    }
    if name.contains("..") || name.contains(".-") || name.contains("-.") {
        return false;
    }
    let looks_like_ip = name.split('.').count() == 4
        && name
            .split('.')
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|c| c.is_ascii_digit()));
    if looks_like_ip {
        return false;
    }
    const PREFIXES: [&str; 4] = ["xn--", "sthree-", "amzn-s3-demo-", "sthree-configurator"];
    const SUFFIXES: [&str; 5] = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];
    !PREFIXES.iter().any(|p| name.starts_with(p)) && !SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// The canonical user id S3 shows as the owner of an account's buckets: stable per account.
pub fn canonical_id(account: &str) -> String {
    super::super::checksums::sha256_hex(format!("codemock-owner-{account}").as_bytes())
}

pub fn list_buckets(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let account = call.ctx.account_id.clone();
    let prefix = call.req.param("prefix").unwrap_or_default().to_owned();
    let region_filter = call.req.param("bucket-region").map(str::to_owned);
    let max: Option<usize> = match call.req.param("max-buckets") {
        None => None,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=10_000).contains(&n) => Some(n),
            _ => {
                return Err(S3Error::invalid_argument(
                    "Invalid maxBuckets value",
                    "max-buckets",
                    v,
                ))
            }
        },
    };
    let after = call
        .req
        .param("continuation-token")
        .map(|t| crate::ids::parse_page_token(t).unwrap_or_default());
    let mut buckets: Vec<(String, f64, String)> = Vec::new();
    for (a, r) in call.core.store.keys() {
        if a != account {
            continue;
        }
        if let Some(p) = call.core.store.existing(&a, &r) {
            let world = p.lock();
            buckets.extend(
                world
                    .s3
                    .buckets
                    .values()
                    .map(|b| (b.name.clone(), b.created, b.region.clone())),
            );
        }
    }
    buckets.sort_by(|x, y| x.0.cmp(&y.0));
    let mut selected: Vec<_> = buckets
        .into_iter()
        .filter(|(n, _, r)| n.starts_with(&prefix) && region_filter.as_ref().is_none_or(|f| f == r))
        .filter(|(n, _, _)| after.as_ref().is_none_or(|a| n > a))
        .collect();
    let mut next = None;
    if let Some(m) = max {
        if selected.len() > m {
            selected.truncate(m);
            next = selected.last().map(|(n, _, _)| crate::ids::page_token(n));
        }
    }
    let mut w = XmlWriter::new("ListAllMyBucketsResult");
    w.open("Buckets");
    for (name, created, region) in &selected {
        w.open("Bucket")
            .leaf("Name", name)
            .leaf("CreationDate", dates::iso8601_millis(*created))
            .leaf("BucketRegion", region)
            .close();
    }
    w.close();
    w.open("Owner").leaf("ID", canonical_id(&account)).close();
    w.leaf_opt("ContinuationToken", next.as_ref());
    if !prefix.is_empty() {
        w.leaf("Prefix", &prefix);
    }
    Ok(Reply::xml(w.finish()))
}

pub async fn create_bucket(call: &mut S3Call<'_>, body: Incoming) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let body = receive_small(call.core, call.req, body).await?;
    if !valid_bucket_name(&name) {
        return Err(S3Error::invalid_bucket_name(&name));
    }
    // Object Lock changes what deletes and overwrites may do; accepting it without enforcing it
    // would be a fake success.
    if call
        .req
        .header("x-amz-bucket-object-lock-enabled")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Err(S3Error::not_implemented("CreateBucket with Object Lock"));
    }
    let request_region = call.ctx.region.clone();
    let constraint = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let root = xml::parse(&body).map_err(|_| S3Error::malformed_xml())?;
        if root.name != "CreateBucketConfiguration" {
            return Err(S3Error::malformed_xml());
        }
        root.text_of("LocationConstraint")
            .map(str::to_owned)
            .filter(|c| !c.is_empty())
    };
    // "EU" is the legacy name of eu-west-1; errors name the constraint as given. Recorded in
    // LocalStack's AWS-validated snapshots (`test_create_bucket_with_invalid_location_constraint`,
    // `test_create_bucket_with_eu_location_constraint_raises`, `test_different_location_constraint`):
    // only the us-east-1 endpoint says a constraint is not valid (`us-east-1` itself included);
    // every other endpoint says any other constraint, even `bar`, is incompatible with it.
    let constrained_region = |c: &str| {
        if c == "EU" {
            "eu-west-1".to_owned()
        } else {
            c.to_owned()
        }
    };
    let region = match (&constraint, request_region.as_str()) {
        (Some(c), "us-east-1") if c == "us-east-1" || (c != "EU" && !looks_like_region(c)) => {
            return Err(S3Error::new(400, "InvalidLocationConstraint", "The specified location-constraint is not valid")
                .with("LocationConstraint", c.clone()))
        }
        // us-east-1 requests go to the global endpoint, which creates a bucket in any region.
        (Some(c), "us-east-1") => constrained_region(c),
        (Some(c), r) if constrained_region(c) == r => constrained_region(c),
        (Some(c), _) => {
            return Err(S3Error::new(
                400,
                "IllegalLocationConstraintException",
                format!("The {c} location constraint is incompatible for the region specific endpoint this request was sent to."),
            ))
        }
        (None, "us-east-1") => "us-east-1".to_owned(),
        (None, _) => {
            return Err(S3Error::new(
                400,
                "IllegalLocationConstraintException",
                "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.",
            ))
        }
    };
    let account = call.ctx.account_id.clone();
    let storage = call.core.s3_storage.clone();
    let _names = storage.names_lock();
    for (a, r) in call.core.store.keys() {
        let Some(p) = call.core.store.existing(&a, &r) else {
            continue;
        };
        if !p.lock().s3.buckets.contains_key(&name) {
            continue;
        }
        if a != account {
            return Err(S3Error::new(
                409,
                "BucketAlreadyExists",
                "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
            )
            .with("BucketName", name));
        }
        // In us-east-1, re-creating your own bucket succeeds (legacy behaviour S3 documents).
        if r == "us-east-1" && region == "us-east-1" {
            return Ok(Reply::empty(200).header("location", format!("/{name}")));
        }
        return Err(S3Error::new(
            409,
            "BucketAlreadyOwnedByYou",
            "Your previous request to create the named bucket succeeded and you already own it.",
        )
        .with("BucketName", name));
    }
    let now = call.core.clock.now();
    let partition = call.core.store.partition(&account, &region, now);
    partition.lock().s3.buckets.insert(name.clone(), {
        let mut bucket = Bucket::new(&name, &region, now);
        if let Some(c) = constraint {
            bucket.location_constraint = c;
        }
        bucket
    });
    let location = if region == "us-east-1" {
        format!("/{name}")
    } else {
        format!("http://{name}.s3.{region}.amazonaws.com/")
    };
    Ok(Reply::empty(200).header("location", location))
}

fn looks_like_region(c: &str) -> bool {
    let parts: Vec<&str> = c.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

pub fn delete_bucket(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let storage = call.core.s3_storage.clone();
    let _names = storage.names_lock();
    let partition = call
        .bucket_partition(&name)
        .ok_or_else(|| S3Error::no_such_bucket(&name))?;
    let removed = {
        let mut world = partition.lock();
        let bucket = world
            .s3
            .buckets
            .get(&name)
            .ok_or_else(|| S3Error::no_such_bucket(&name))?;
        if !bucket.is_empty() {
            return Err(S3Error::new(
                409,
                "BucketNotEmpty",
                "The bucket you tried to delete is not empty",
            )
            .with("BucketName", name));
        }
        world.s3.buckets.remove(&name)
    };
    // In-progress uploads go with the bucket; their blobs are freed here, outside the lock.
    drop(removed);
    Ok(Reply::empty(204))
}

pub fn head_bucket(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let region = call.with_bucket(&name, |b, _| Ok(b.region.clone()))?;
    Ok(Reply::empty(200)
        .header("x-amz-bucket-region", region)
        .header("x-amz-access-point-alias", "false"))
}

pub fn get_bucket_location(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let region = call.with_bucket(&name, |b, _| Ok(b.location_constraint.clone()))?;
    // us-east-1 buckets report an empty constraint (S3 keeps the pre-region convention).
    let body = if region == "us-east-1" {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"{}\"/>",
            xml::NAMESPACE
        )
    } else {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"{}\">{}</LocationConstraint>",
            xml::NAMESPACE,
            xml::escape(&region)
        )
    };
    Ok(Reply::xml(body))
}

pub fn get_bucket_versioning(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let v = call.with_bucket(&name, |b, _| Ok(b.versioning))?;
    let mut w = XmlWriter::new("VersioningConfiguration");
    match v {
        Versioning::Unversioned => {}
        Versioning::Enabled => {
            w.leaf("Status", "Enabled");
        }
        Versioning::Suspended => {
            w.leaf("Status", "Suspended");
        }
    }
    Ok(Reply::xml(w.finish()))
}

pub async fn put_bucket_versioning(
    call: &mut S3Call<'_>,
    body: Incoming,
) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    if call.bucket_partition(&name).is_none() {
        return Err(S3Error::no_such_bucket(&name));
    }
    let body = receive_small(call.core, call.req, body).await?;
    let root = xml::parse(&body).map_err(|_| S3Error::malformed_xml())?;
    if root.name != "VersioningConfiguration" {
        return Err(S3Error::malformed_xml());
    }
    let status = match root.text_of("Status") {
        Some("Enabled") => Some(Versioning::Enabled),
        Some("Suspended") => Some(Versioning::Suspended),
        None => None,
        Some(_) => return Err(S3Error::malformed_xml()),
    };
    if root.text_of("MfaDelete") == Some("Enabled") {
        return Err(S3Error::not_implemented(
            "PutBucketVersioning with MfaDelete",
        ));
    }
    call.with_bucket(&name, |b, _| {
        if let Some(s) = status {
            // Suspending a never-versioned bucket still leaves the Unversioned state.
            b.versioning = s;
        }
        Ok(())
    })?;
    Ok(Reply::empty(200))
}

pub fn get_bucket_tagging(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let tags = call.with_bucket(&name, |b, _| Ok(b.tags.clone()))?;
    match tags {
        Some(t) => Ok(Reply::xml(tagging_xml(&t))),
        None => Err(
            S3Error::new(404, "NoSuchTagSet", "The TagSet does not exist").with("BucketName", name),
        ),
    }
}

pub async fn put_bucket_tagging(call: &mut S3Call<'_>, body: Incoming) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    if call.bucket_partition(&name).is_none() {
        return Err(S3Error::no_such_bucket(&name));
    }
    let body = receive_small(call.core, call.req, body).await?;
    let tags = parse_tagging(&body, 50, super::TagTarget::Bucket)?;
    call.with_bucket(&name, |b, _| {
        b.tags = Some(tags);
        Ok(())
    })?;
    Ok(Reply::empty(204))
}

pub fn delete_bucket_tagging(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    call.with_bucket(&name, |b, _| {
        b.tags = None;
        Ok(())
    })?;
    Ok(Reply::empty(204))
}

pub fn get_notification(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let eventbridge = call.with_bucket(&name, |b, _| Ok(b.eventbridge))?;
    let mut w = XmlWriter::new("NotificationConfiguration");
    if eventbridge {
        w.open("EventBridgeConfiguration").close();
    }
    Ok(Reply::xml(w.finish()))
}

pub async fn put_notification(call: &mut S3Call<'_>, body: Incoming) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    if call.bucket_partition(&name).is_none() {
        return Err(S3Error::no_such_bucket(&name));
    }
    let body = receive_small(call.core, call.req, body).await?;
    let root = xml::parse(&body).map_err(|_| S3Error::malformed_xml())?;
    if root.name != "NotificationConfiguration" {
        return Err(S3Error::malformed_xml());
    }
    let mut eventbridge = false;
    for child in &root.children {
        match child.name.as_str() {
            "EventBridgeConfiguration" => eventbridge = true,
            // Accepting these and never delivering would be a fake success.
            "TopicConfiguration"
            | "QueueConfiguration"
            | "CloudFunctionConfiguration"
            | "LambdaFunctionConfiguration" => {
                return Err(S3Error::not_implemented(&format!(
                    "PutBucketNotificationConfiguration with {}",
                    child.name
                )))
            }
            _ => return Err(S3Error::malformed_xml()),
        }
    }
    call.with_bucket(&name, |b, _| {
        b.eventbridge = eventbridge;
        Ok(())
    })?;
    Ok(Reply::empty(200))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names() {
        for ok in ["abc", "my-bucket.v2", "a1b", "123"] {
            assert!(valid_bucket_name(ok), "{ok}");
        }
        for bad in [
            "ab",
            "Abc",
            "-abc",
            "abc-",
            "a..b",
            "192.168.1.1",
            "xn--abc",
            "a_b",
            "abc--x-s3",
            &"a".repeat(64),
        ] {
            assert!(!valid_bucket_name(bad), "{bad}");
        }
        assert!(looks_like_region("eu-west-1"));
        assert!(!looks_like_region("nowhere"));
    }
}
