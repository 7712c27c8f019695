//! Listings: objects (V1 with markers, V2 with continuation tokens), object versions,
//! multipart uploads and parts. Keys come out in UTF-8 binary order, as S3 lists them; with a
//! delimiter, keys sharing a prefix up to it are rolled up into one `CommonPrefixes` entry, and
//! each roll-up counts once toward `max-keys`.

use super::super::error::S3Error;
use super::super::request::url_encode_key;
use super::super::state::{Bucket, Version, VersionBody};
use super::super::xml::XmlWriter;
use super::super::{Reply, S3Call};
use super::bucket::canonical_id;
use crate::protocol::timestamps as dates;
use std::ops::Bound;

fn max_param(call: &S3Call<'_>, name: &str) -> Result<usize, S3Error> {
    match call.req.param(name) {
        None => Ok(1000),
        Some(v) => match v.trim().parse::<i64>() {
            // S3 caps page sizes at 1000 whatever is asked.
            Ok(n) if n >= 0 => Ok((n as usize).min(1000)),
            _ => Err(S3Error::invalid_argument(
                format!("Provided {name} not an integer or within integer range"),
                name,
                v,
            )),
        },
    }
}

fn encoding(call: &S3Call<'_>) -> Result<bool, S3Error> {
    match call.req.param("encoding-type") {
        None => Ok(false),
        Some("url") => Ok(true),
        Some(v) => Err(S3Error::invalid_argument(
            "Invalid Encoding Method specified in Request",
            "encoding-type",
            v,
        )),
    }
}

/// One entry of a listing: a key (with its current version) or a rolled-up prefix.
enum Entry<'a> {
    Key(&'a str, &'a Version),
    Prefix(String),
}

/// Walks the current objects after `start` under `prefix`, rolling up at `delimiter`; returns
/// at most `max` entries and whether more exist.
fn walk<'a>(
    b: &'a Bucket,
    prefix: &str,
    delimiter: Option<&str>,
    start: Option<&str>,
    max: usize,
) -> (Vec<Entry<'a>>, bool) {
    let lower = match start {
        Some(s) if s >= prefix => Bound::Excluded(s.to_owned()),
        _ => Bound::Included(prefix.to_owned()),
    };
    let mut out = Vec::new();
    let mut last_prefix: Option<String> = start.map(str::to_owned);
    for (key, versions) in b.objects.range((lower, Bound::Unbounded)) {
        if !key.starts_with(prefix) {
            if key.as_str() > prefix {
                break;
            }
            continue;
        }
        let Some(current) = versions.last() else {
            continue;
        };
        if current.is_delete_marker() {
            continue;
        }
        if let Some(d) = delimiter.filter(|d| !d.is_empty()) {
            if let Some(i) = key[prefix.len()..].find(d) {
                let cp = &key[..prefix.len() + i + d.len()];
                if last_prefix.as_deref() == Some(cp) {
                    continue;
                }
                if out.len() == max {
                    return (out, true);
                }
                last_prefix = Some(cp.to_owned());
                out.push(Entry::Prefix(cp.to_owned()));
                continue;
            }
        }
        if out.len() == max {
            return (out, true);
        }
        out.push(Entry::Key(key, current));
    }
    (out, false)
}

fn enc(url: bool, s: &str) -> String {
    if url {
        url_encode_key(s)
    } else {
        s.to_owned()
    }
}

pub fn list_objects(call: &mut S3Call<'_>, v2: bool) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let max = max_param(call, "max-keys")?;
    let url = encoding(call)?;
    let prefix = call.req.param("prefix").unwrap_or_default().to_owned();
    let delimiter = call.req.param("delimiter").map(str::to_owned);
    let token = call.req.param("continuation-token").map(str::to_owned);
    let start_after = call.req.param("start-after").map(str::to_owned);
    let marker = call.req.param("marker").map(str::to_owned);
    let start = if v2 {
        match &token {
            Some(t) => Some(crate::ids::parse_page_token(t).ok_or_else(|| {
                S3Error::invalid_argument(
                    "The continuation token provided is incorrect",
                    "continuation-token",
                    t,
                )
            })?),
            None => start_after.clone(),
        }
    } else {
        marker.clone()
    };
    let fetch_owner = !v2 || call.req.param("fetch-owner") == Some("true");
    let owner = canonical_id(&call.ctx.account_id);
    let body = call.with_bucket(&name, |b, _| {
        let (entries, truncated) = walk(b, &prefix, delimiter.as_deref(), start.as_deref(), max);
        let root = "ListBucketResult";
        let mut w = XmlWriter::new(root);
        w.leaf("Name", &name).leaf("Prefix", enc(url, &prefix));
        if v2 {
            w.leaf_opt("ContinuationToken", token.as_ref());
            w.leaf_opt("StartAfter", start_after.as_ref().map(|s| enc(url, s)));
            w.leaf("KeyCount", entries.len().to_string());
        } else {
            w.leaf("Marker", enc(url, marker.as_deref().unwrap_or_default()));
        }
        w.leaf("MaxKeys", max.to_string());
        w.leaf_opt("Delimiter", delimiter.as_ref().map(|d| enc(url, d)));
        if url {
            w.leaf("EncodingType", "url");
        }
        w.leaf("IsTruncated", truncated.to_string());
        let last = entries.last().map(|e| match e {
            Entry::Key(k, _) => (*k).to_owned(),
            Entry::Prefix(p) => p.clone(),
        });
        if truncated {
            if v2 {
                w.leaf_opt(
                    "NextContinuationToken",
                    last.as_deref().map(crate::ids::page_token),
                );
            } else if delimiter.is_some() {
                // V1 reports NextMarker only with a delimiter; without one the last key is it.
                w.leaf_opt("NextMarker", last.as_deref().map(|l| enc(url, l)));
            }
        }
        for e in &entries {
            if let Entry::Key(key, version) = e {
                if let VersionBody::Object(o) = &version.body {
                    w.open("Contents")
                        .leaf("Key", enc(url, key))
                        .leaf("LastModified", dates::iso8601_millis(version.last_modified))
                        .leaf("ETag", format!("\"{}\"", o.etag));
                    if let Some(c) = &o.checksum {
                        w.leaf("ChecksumAlgorithm", c.algorithm.name())
                            .leaf("ChecksumType", c.kind.name());
                    }
                    w.leaf("Size", o.data.len().to_string()).leaf(
                        "StorageClass",
                        o.attrs.storage_class.as_deref().unwrap_or("STANDARD"),
                    );
                    if fetch_owner {
                        w.open("Owner").leaf("ID", &owner).close();
                    }
                    w.close();
                }
            }
        }
        for e in &entries {
            if let Entry::Prefix(p) = e {
                w.open("CommonPrefixes").leaf("Prefix", enc(url, p)).close();
            }
        }
        Ok(w.finish())
    })?;
    Ok(Reply::xml(body))
}

pub fn list_object_versions(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let max = max_param(call, "max-keys")?;
    let url = encoding(call)?;
    let prefix = call.req.param("prefix").unwrap_or_default().to_owned();
    let delimiter = call
        .req
        .param("delimiter")
        .map(str::to_owned)
        .filter(|d| !d.is_empty());
    let key_marker = call
        .req
        .param("key-marker")
        .map(str::to_owned)
        .filter(|k| !k.is_empty());
    let vid_marker = call
        .req
        .param("version-id-marker")
        .map(str::to_owned)
        .filter(|v| !v.is_empty());
    if vid_marker.is_some() && key_marker.is_none() {
        return Err(S3Error::invalid_argument(
            "A version-id marker cannot be specified without a key marker.",
            "version-id-marker",
            vid_marker.as_deref().unwrap_or_default(),
        ));
    }
    let owner = canonical_id(&call.ctx.account_id);
    let body = call.with_bucket(&name, |b, _| {
        let mut w = XmlWriter::new("ListVersionsResult");
        w.leaf("Name", &name).leaf("Prefix", enc(url, &prefix));
        w.leaf(
            "KeyMarker",
            key_marker
                .as_deref()
                .map(|k| enc(url, k))
                .unwrap_or_default(),
        );
        w.leaf("VersionIdMarker", vid_marker.as_deref().unwrap_or_default());
        w.leaf("MaxKeys", max.to_string());
        w.leaf_opt("Delimiter", delimiter.as_ref().map(|d| enc(url, d)));
        if url {
            w.leaf("EncodingType", "url");
        }
        let lower = match &key_marker {
            Some(k) => Bound::Included(k.clone()),
            None => Bound::Included(prefix.clone()),
        };
        let mut body = XmlWriter::bare("x");
        let mut prefixes: Vec<String> = Vec::new();
        let mut count = 0usize;
        let mut truncated = false;
        let mut next: Option<(String, String)> = None;
        'keys: for (key, versions) in b.objects.range((lower, Bound::Unbounded)) {
            if !key.starts_with(&prefix) {
                if key.as_str() > prefix.as_str() {
                    break;
                }
                continue;
            }
            let at_marker = key_marker.as_deref() == Some(key.as_str());
            if at_marker && vid_marker.is_none() {
                continue;
            }
            if let Some(d) = &delimiter {
                if let Some(i) = key[prefix.len()..].find(d.as_str()) {
                    let cp = key[..prefix.len() + i + d.len()].to_owned();
                    if prefixes.last() == Some(&cp) || key_marker.as_deref() == Some(cp.as_str()) {
                        continue;
                    }
                    if count == max {
                        truncated = true;
                        break;
                    }
                    count += 1;
                    next = Some((cp.clone(), String::new()));
                    prefixes.push(cp);
                    continue;
                }
            }
            // Newest first; after the version-id marker when resuming inside this key.
            let mut skipping = at_marker;
            for (i, v) in versions.iter().enumerate().rev() {
                if skipping {
                    if Some(v.id_text()) == vid_marker.as_deref() {
                        skipping = false;
                    }
                    continue;
                }
                if count == max {
                    truncated = true;
                    break 'keys;
                }
                count += 1;
                next = Some((key.clone(), v.id_text().to_owned()));
                let latest = i + 1 == versions.len();
                match &v.body {
                    VersionBody::Object(o) => {
                        body.open("Version")
                            .leaf("Key", enc(url, key))
                            .leaf("VersionId", v.id_text())
                            .leaf("IsLatest", latest.to_string())
                            .leaf("LastModified", dates::iso8601_millis(v.last_modified))
                            .leaf("ETag", format!("\"{}\"", o.etag));
                        if let Some(c) = &o.checksum {
                            body.leaf("ChecksumAlgorithm", c.algorithm.name())
                                .leaf("ChecksumType", c.kind.name());
                        }
                        body.leaf("Size", o.data.len().to_string())
                            .leaf(
                                "StorageClass",
                                o.attrs.storage_class.as_deref().unwrap_or("STANDARD"),
                            )
                            .open("Owner")
                            .leaf("ID", &owner)
                            .close()
                            .close();
                    }
                    VersionBody::DeleteMarker => {
                        body.open("DeleteMarker")
                            .leaf("Key", enc(url, key))
                            .leaf("VersionId", v.id_text())
                            .leaf("IsLatest", latest.to_string())
                            .leaf("LastModified", dates::iso8601_millis(v.last_modified))
                            .open("Owner")
                            .leaf("ID", &owner)
                            .close()
                            .close();
                    }
                }
            }
        }
        w.leaf("IsTruncated", truncated.to_string());
        if truncated {
            if let Some((k, v)) = &next {
                w.leaf("NextKeyMarker", enc(url, k));
                if !v.is_empty() {
                    w.leaf("NextVersionIdMarker", v);
                }
            }
        }
        let inner = body.finish();
        let inner = inner
            .split_once("<x>")
            .map(|(_, rest)| rest.trim_end_matches("</x>").to_owned())
            .unwrap_or_default();
        let mut doc = w.finish();
        let close = "</ListVersionsResult>";
        if let Some(stripped) = doc.strip_suffix(close) {
            let mut s = stripped.to_owned();
            s.push_str(&inner);
            for p in &prefixes {
                s.push_str("<CommonPrefixes><Prefix>");
                s.push_str(&super::super::xml::escape(&enc(url, p)));
                s.push_str("</Prefix></CommonPrefixes>");
            }
            s.push_str(close);
            doc = s;
        }
        Ok(doc)
    })?;
    Ok(Reply::xml(body))
}

pub fn list_multipart_uploads(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let max = max_param(call, "max-uploads")?;
    let url = encoding(call)?;
    let prefix = call.req.param("prefix").unwrap_or_default().to_owned();
    let key_marker = call
        .req
        .param("key-marker")
        .map(str::to_owned)
        .unwrap_or_default();
    let upload_marker = call
        .req
        .param("upload-id-marker")
        .map(str::to_owned)
        .unwrap_or_default();
    let owner = canonical_id(&call.ctx.account_id);
    let body = call.with_bucket(&name, |b, _| {
        let mut uploads: Vec<_> = b
            .uploads
            .values()
            .filter(|u| u.key.starts_with(&prefix))
            .filter(|u| {
                key_marker.is_empty()
                    || u.key > key_marker
                    || (u.key == key_marker && !upload_marker.is_empty() && u.id > upload_marker)
            })
            .collect();
        uploads.sort_by(|a, b| {
            a.key
                .cmp(&b.key)
                .then(a.initiated.total_cmp(&b.initiated))
                .then(a.id.cmp(&b.id))
        });
        let truncated = uploads.len() > max;
        uploads.truncate(max);
        let mut w = XmlWriter::new("ListMultipartUploadsResult");
        w.leaf("Bucket", &name)
            .leaf("KeyMarker", enc(url, &key_marker))
            .leaf("UploadIdMarker", &upload_marker);
        if let Some(last) = uploads.last().filter(|_| truncated) {
            w.leaf("NextKeyMarker", enc(url, &last.key))
                .leaf("NextUploadIdMarker", &last.id);
        }
        if !prefix.is_empty() {
            w.leaf("Prefix", enc(url, &prefix));
        }
        if url {
            w.leaf("EncodingType", "url");
        }
        w.leaf("MaxUploads", max.to_string())
            .leaf("IsTruncated", truncated.to_string());
        for u in uploads {
            w.open("Upload")
                .leaf("Key", enc(url, &u.key))
                .leaf("UploadId", &u.id);
            w.open("Initiator").leaf("ID", &owner).close();
            w.open("Owner").leaf("ID", &owner).close();
            w.leaf(
                "StorageClass",
                u.attrs.storage_class.as_deref().unwrap_or("STANDARD"),
            )
            .leaf("Initiated", dates::iso8601_millis(u.initiated));
            if let (Some(a), Some(k)) = (u.checksum_algorithm, u.checksum_type) {
                w.leaf("ChecksumAlgorithm", a.name())
                    .leaf("ChecksumType", k.name());
            }
            w.close();
        }
        Ok(w.finish())
    })?;
    Ok(Reply::xml(body))
}

pub fn list_parts(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let key = call.key().to_owned();
    let upload_id = call.req.param("uploadId").unwrap_or_default().to_owned();
    let max = max_param(call, "max-parts")?;
    let marker: u32 = match call.req.param("part-number-marker") {
        None => 0,
        Some(v) => v.trim().parse().map_err(|_| {
            S3Error::invalid_argument(
                "Provided part-number-marker not an integer or within integer range",
                "part-number-marker",
                v,
            )
        })?,
    };
    let owner = canonical_id(&call.ctx.account_id);
    let body = call.with_bucket(&name, |b, _| {
        let u = b
            .uploads
            .get(&upload_id)
            .filter(|u| u.key == key)
            .ok_or_else(|| S3Error::no_such_upload(&upload_id))?;
        let parts: Vec<_> = u.parts.range(marker.saturating_add(1)..).collect();
        let truncated = parts.len() > max;
        let parts = &parts[..parts.len().min(max)];
        let mut w = XmlWriter::new("ListPartsResult");
        w.leaf("Bucket", &name)
            .leaf("Key", &key)
            .leaf("UploadId", &upload_id);
        w.leaf("PartNumberMarker", marker.to_string());
        if let Some((n, _)) = parts.last() {
            w.leaf("NextPartNumberMarker", n.to_string());
        }
        w.leaf("MaxParts", max.to_string())
            .leaf("IsTruncated", truncated.to_string());
        for (n, p) in parts {
            w.open("Part")
                .leaf("PartNumber", n.to_string())
                .leaf("LastModified", dates::iso8601_millis(p.last_modified))
                .leaf("ETag", format!("\"{}\"", p.etag));
            if let (Some(a), Some((_, raw))) = (u.checksum_algorithm, &p.checksum) {
                w.leaf(a.xml_name(), super::super::checksums::b64(raw));
            }
            w.leaf("Size", p.data.len().to_string()).close();
        }
        w.open("Initiator").leaf("ID", &owner).close();
        w.open("Owner").leaf("ID", &owner).close();
        w.leaf(
            "StorageClass",
            u.attrs.storage_class.as_deref().unwrap_or("STANDARD"),
        );
        if let (Some(a), Some(k)) = (u.checksum_algorithm, u.checksum_type) {
            w.leaf("ChecksumAlgorithm", a.name())
                .leaf("ChecksumType", k.name());
        }
        Ok(w.finish())
    })?;
    Ok(Reply::xml(body))
}
