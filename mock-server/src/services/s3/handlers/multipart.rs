//! Multipart uploads: create, upload a part (streamed) or copy one, complete (validated as S3
//! does: ascending part numbers, matching ETags, 5 MiB minimum for every part but the last),
//! abort. Completing stitches the parts' blobs together without copying a byte.

use super::super::checksums::{b64, crc_combine, digest, multipart_etag, quoted, unb64, Algorithm};
use super::super::error::S3Error;
use super::super::receive::{receive, receive_small, MAX_PUT};
use super::super::state::{Checksum, ChecksumType, Part, StoredObject, Upload};
use super::super::storage::ObjectData;
use super::super::xml::{self, XmlWriter};
use super::super::{Reply, S3Call};
use super::object::{check_copy_conditions, check_write_conditions, copy_source, hashes_of};
use super::{attrs_from_headers, created_event, tags_from_header};
use crate::protocol::timestamps as dates;
use hyper::body::Incoming;

/// The smallest size of every part but the last.
pub const MIN_PART: u64 = 5 * 1024 * 1024;
const MAX_PARTS: u32 = 10_000;

pub fn create(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let key = call.key().to_owned();
    let algorithm = match call.req.header("x-amz-checksum-algorithm") {
        None => None,
        Some(a) => Some(Algorithm::parse(a).ok_or_else(|| {
            S3Error::invalid_request("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
        })?),
    };
    let kind = match (call.req.header("x-amz-checksum-type"), algorithm) {
        (None, None) => None,
        (Some(_), None) => {
            return Err(S3Error::invalid_request(
                "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
            ))
        }
        // S3's defaults: CRC64NVME is only ever full-object, the others composite.
        (None, Some(a)) => Some(if a == Algorithm::Crc64Nvme { ChecksumType::FullObject } else { ChecksumType::Composite }),
        (Some(t), Some(a)) => {
            let kind = match t.to_ascii_uppercase().as_str() {
                "FULL_OBJECT" => ChecksumType::FullObject,
                "COMPOSITE" => ChecksumType::Composite,
                _ => return Err(S3Error::invalid_request("Value for x-amz-checksum-type header is invalid.")),
            };
            if (kind == ChecksumType::FullObject && !a.is_crc()) || (kind == ChecksumType::Composite && a == Algorithm::Crc64Nvme) {
                return Err(S3Error::invalid_request(format!(
                    "The {} checksum type cannot be used with the {} checksum algorithm.",
                    kind.name(),
                    a.name().to_ascii_lowercase()
                )));
            }
            Some(kind)
        }
    };
    let attrs = attrs_from_headers(call);
    let tags = tags_from_header(call)?;
    let now = call.core.clock.now();
    let upload_id = call.core.ids.hex(64);
    call.with_bucket(&name, |b, _| {
        b.uploads.insert(
            upload_id.clone(),
            Upload {
                id: upload_id.clone(),
                key: key.clone(),
                initiated: now,
                attrs,
                tags,
                checksum_algorithm: algorithm,
                checksum_type: kind,
                parts: Default::default(),
            },
        );
        Ok(())
    })?;
    let mut w = XmlWriter::new("InitiateMultipartUploadResult");
    w.leaf("Bucket", &name)
        .leaf("Key", &key)
        .leaf("UploadId", &upload_id);
    let mut reply = Reply::xml(w.finish()).header("x-amz-server-side-encryption", "AES256");
    if let (Some(a), Some(k)) = (algorithm, kind) {
        reply = reply
            .header("x-amz-checksum-algorithm", a.name())
            .header("x-amz-checksum-type", k.name());
    }
    Ok(reply)
}

fn part_number(call: &S3Call<'_>) -> Result<u32, S3Error> {
    let raw = call.req.param("partNumber").unwrap_or_default();
    match raw.parse::<u32>() {
        Ok(n) if (1..=MAX_PARTS).contains(&n) => Ok(n),
        _ => Err(S3Error::invalid_argument(
            "Part number must be an integer between 1 and 10000, inclusive",
            "partNumber",
            raw,
        )),
    }
}

/// The upload a part request names, checked before its body is received.
fn upload_algorithm(
    call: &S3Call<'_>,
    name: &str,
    key: &str,
    upload_id: &str,
) -> Result<Option<Algorithm>, S3Error> {
    call.with_bucket(name, |b, _| {
        b.uploads
            .get(upload_id)
            .filter(|u| u.key == key)
            .map(|u| u.checksum_algorithm)
            .ok_or_else(|| S3Error::no_such_upload(upload_id))
    })
}

/// Stores a part under the lock; the part it replaces is dropped after the lock is released.
fn commit_part(
    call: &S3Call<'_>,
    name: &str,
    key: &str,
    upload_id: &str,
    number: u32,
    part: Part,
) -> Result<(), S3Error> {
    let replaced = call.with_bucket(name, |b, _| {
        let upload = b
            .uploads
            .get_mut(upload_id)
            .filter(|u| u.key == key)
            .ok_or_else(|| S3Error::no_such_upload(upload_id))?;
        Ok(upload.parts.insert(number, part))
    })?;
    drop(replaced);
    Ok(())
}

pub async fn upload_part(call: &mut S3Call<'_>, body: Incoming) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let key = call.key().to_owned();
    let number = part_number(call)?;
    let upload_id = call.req.param("uploadId").unwrap_or_default().to_owned();
    let algorithm = upload_algorithm(call, &name, &key, &upload_id)?;
    let received = receive(
        call.core,
        call.req,
        body,
        MAX_PUT,
        Some(algorithm.unwrap_or(Algorithm::Crc64Nvme)),
    )
    .await?;
    if let (Some(expected), Some((got, _))) = (algorithm, &received.checksum) {
        if expected != *got {
            return Err(S3Error::invalid_request(format!(
                "Checksum Type mismatch occurred, expected checksum Type: {}, actual checksum Type: {}",
                expected.name().to_ascii_lowercase(),
                got.name().to_ascii_lowercase()
            )));
        }
    }
    let checksum_alg = algorithm.unwrap_or(Algorithm::Crc64Nvme);
    let checksum = received
        .computed
        .checksum(checksum_alg)
        .map(|raw| (checksum_alg, raw.to_vec()));
    let etag = received.etag();
    let part = Part {
        data: received.data,
        md5: received.md5,
        etag: etag.clone(),
        last_modified: call.core.clock.now(),
        checksum: checksum.clone(),
    };
    commit_part(call, &name, &key, &upload_id, number, part)?;
    let mut reply = Reply::empty(200)
        .header("etag", quoted(&etag))
        .header("x-amz-server-side-encryption", "AES256");
    if let (Some(a), Some((_, raw))) = (algorithm, &checksum) {
        reply = reply.header(a.header(), b64(raw));
    }
    Ok(reply)
}

pub async fn upload_part_copy(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let key = call.key().to_owned();
    let number = part_number(call)?;
    let upload_id = call.req.param("uploadId").unwrap_or_default().to_owned();
    let algorithm = upload_algorithm(call, &name, &key, &upload_id)?;
    let (source, _, source_reports, modified) = copy_source(call)?;
    check_copy_conditions(call, &source, modified)?;
    let size = source.data.len();
    let data: ObjectData = match call.req.header("x-amz-copy-source-range") {
        None => source.data.clone(),
        Some(r) => {
            let bad = || {
                S3Error::invalid_argument(
                    "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
                    "x-amz-copy-source-range",
                    r,
                )
            };
            let (a, b) = r
                .trim()
                .strip_prefix("bytes=")
                .and_then(|s| s.split_once('-'))
                .ok_or_else(bad)?;
            let (a, b): (u64, u64) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
            if a > b {
                return Err(bad());
            }
            if b >= size {
                return Err(S3Error::invalid_argument(
                    format!("Range specified is not valid for source object of size: {size}"),
                    "x-amz-copy-source-range",
                    r,
                ));
            }
            source.data.slice(a, b - a + 1)
        }
    };
    if data.len() > MAX_PUT {
        return Err(S3Error::entity_too_large(data.len(), MAX_PUT));
    }
    let checksum_alg = algorithm.unwrap_or(Algorithm::Crc64Nvme);
    let computed = hashes_of(&data, &[checksum_alg]).await?;
    let etag = super::super::checksums::hex(&computed.md5);
    let checksum = computed
        .checksum(checksum_alg)
        .map(|raw| (checksum_alg, raw.to_vec()));
    let now = call.core.clock.now();
    let part = Part {
        data,
        md5: computed.md5,
        etag: etag.clone(),
        last_modified: now,
        checksum: checksum.clone(),
    };
    commit_part(call, &name, &key, &upload_id, number, part)?;
    let mut w = XmlWriter::new("CopyPartResult");
    w.leaf("ETag", quoted(&etag))
        .leaf("LastModified", dates::iso8601_millis(now));
    if let (Some(a), Some((_, raw))) = (algorithm, &checksum) {
        w.leaf(a.xml_name(), b64(raw));
    }
    let mut reply = Reply::xml(w.finish()).header("x-amz-server-side-encryption", "AES256");
    if source_reports {
        if let Ok((_, _, v)) = super::object::parse_copy_source(call) {
            reply = reply.header(
                "x-amz-copy-source-version-id",
                v.unwrap_or_else(|| "null".into()),
            );
        }
    }
    Ok(reply)
}

/// A part as the CompleteMultipartUpload document lists it.
struct Listed {
    number: u32,
    etag: String,
    checksums: Vec<(Algorithm, String)>,
}

fn parse_complete(body: &[u8]) -> Result<Vec<Listed>, S3Error> {
    let root = xml::parse(body).map_err(|_| S3Error::malformed_xml())?;
    if root.name != "CompleteMultipartUpload" {
        return Err(S3Error::malformed_xml());
    }
    let mut parts = Vec::new();
    for p in root.children_named("Part") {
        let number = p
            .text_of("PartNumber")
            .and_then(|n| n.trim().parse::<u32>().ok())
            .ok_or_else(S3Error::malformed_xml)?;
        let etag = p.text_of("ETag").ok_or_else(S3Error::malformed_xml)?;
        let checksums = Algorithm::ALL
            .into_iter()
            .filter_map(|a| p.text_of(a.xml_name()).map(|v| (a, v.trim().to_owned())))
            .collect();
        parts.push(Listed {
            number,
            etag: etag.trim().trim_matches('"').to_owned(),
            checksums,
        });
    }
    if parts.is_empty() {
        // Recorded (LocalStack's AWS-validated `test_multipart_complete_multipart_too_small`).
        return Err(S3Error::invalid_request(
            "You must specify at least one part",
        ));
    }
    Ok(parts)
}

fn invalid_part(upload_id: &str, listed: &Listed) -> S3Error {
    S3Error::new(
        400,
        "InvalidPart",
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    )
    .with("UploadId", upload_id)
    .with("PartNumber", listed.number.to_string())
    .with("ETag", listed.etag.clone())
}

/// The checksum of the completed object from its parts' checksums.
fn object_checksum(upload: &Upload, parts: &[&Part]) -> Option<Checksum> {
    let algorithm = upload.checksum_algorithm.unwrap_or(Algorithm::Crc64Nvme);
    let kind = upload.checksum_type.unwrap_or(ChecksumType::FullObject);
    let raws: Vec<(&[u8], u64)> = parts
        .iter()
        .map(|p| {
            p.checksum
                .as_ref()
                .filter(|(a, _)| *a == algorithm)
                .map(|(_, r)| (r.as_slice(), p.data.len()))
        })
        .collect::<Option<_>>()?;
    match kind {
        ChecksumType::FullObject => {
            let mut acc: Option<Vec<u8>> = None;
            for (raw, len) in raws {
                acc = Some(match acc {
                    None => raw.to_vec(),
                    Some(prev) => crc_combine(algorithm, &prev, raw, len)?,
                });
            }
            acc.map(|raw| Checksum {
                algorithm,
                value: b64(&raw),
                kind,
            })
        }
        ChecksumType::Composite => {
            let concat: Vec<u8> = raws.iter().flat_map(|(r, _)| r.iter().copied()).collect();
            Some(Checksum {
                algorithm,
                value: format!("{}-{}", b64(&digest(algorithm, &concat)), parts.len()),
                kind,
            })
        }
    }
}

pub async fn complete(call: &mut S3Call<'_>, body: Incoming) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let key = call.key().to_owned();
    let upload_id = call.req.param("uploadId").unwrap_or_default().to_owned();
    upload_algorithm(call, &name, &key, &upload_id)?;
    let body = receive_small(call.core, call.req, body).await?;
    let listed = parse_complete(&body)?;
    let now = call.core.clock.now();
    let ids = &call.core.ids;
    let (version_id, reports, etag, checksum, event, leftovers) = {
        let c = &*call;
        c.with_bucket(&name, |b, world| {
            let upload = b
                .uploads
                .get(&upload_id)
                .filter(|u| u.key == key)
                .ok_or_else(|| S3Error::no_such_upload(&upload_id))?;
            // S3 checks the list's order first, then that each part exists, then sizes. Words
            // recorded in LocalStack's AWS-validated `test_complete_multipart_parts_order`.
            let mut previous = 0;
            for l in &listed {
                if l.number <= previous {
                    return Err(S3Error::new(
                        400,
                        "InvalidPartOrder",
                        "The list of parts was not in ascending order. Parts must be ordered by part number.",
                    )
                    .with("UploadId", upload_id.clone()));
                }
                previous = l.number;
            }
            let mut chosen: Vec<&Part> = Vec::with_capacity(listed.len());
            for l in &listed {
                let part = upload.parts.get(&l.number).filter(|p| p.etag == l.etag).ok_or_else(|| invalid_part(&upload_id, l))?;
                for (a, v) in &l.checksums {
                    let stored = part.checksum.as_ref().filter(|(pa, _)| pa == a).map(|(_, r)| r.clone());
                    if stored.is_none() || unb64(v) != stored {
                        return Err(invalid_part(&upload_id, l));
                    }
                }
                chosen.push(part);
            }
            for (i, (l, part)) in listed.iter().zip(&chosen).enumerate() {
                if i + 1 < listed.len() && part.data.len() < MIN_PART {
                    return Err(S3Error::new(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
                        .with("ProposedSize", part.data.len().to_string())
                        .with("MinSizeAllowed", MIN_PART.to_string())
                        .with("PartNumber", l.number.to_string())
                        .with("ETag", part.etag.clone()));
                }
            }
            let checksum = object_checksum(upload, &chosen);
            // A full-object checksum the client sends with the request must match.
            if let Some(c) = &checksum {
                if let Some(v) = call.req.header(c.algorithm.header()) {
                    if c.kind == ChecksumType::FullObject && v.trim() != c.value {
                        return Err(S3Error::bad_checksum(c.algorithm.name()));
                    }
                }
            }
            let data = ObjectData::concat(chosen.iter().map(|p| &p.data));
            if data.len() > 5 * 1024 * 1024 * 1024 * 1024 {
                return Err(S3Error::entity_too_large(data.len(), 5 * 1024 * 1024 * 1024 * 1024));
            }
            let etag = multipart_etag(&chosen.iter().map(|p| p.md5).collect::<Vec<_>>());
            let sizes = chosen.iter().map(|p| p.data.len()).collect();
            let size = data.len();
            check_write_conditions(c, b.current(&key))?;
            let upload = b.uploads.remove(&upload_id).ok_or_else(|| S3Error::no_such_upload(&upload_id))?;
            let object = StoredObject {
                data,
                etag: etag.clone(),
                attrs: upload.attrs.clone(),
                tags: upload.tags.clone(),
                checksum: checksum.clone(),
                parts: Some(sizes),
            };
            let vid = b.put(&key, object, now, || ids.alphanumeric_upper(32));
            let event = created_event(c, b, &world.account_id, &key, size, &etag, vid.as_deref(), "CompleteMultipartUpload");
            // Parts not listed are discarded with the upload, after the lock is released.
            Ok((vid, b.reports_versions(), etag, checksum, event, upload))
        })?
    };
    drop(leftovers);
    call.events.extend(event);
    let scheme_host = if call.req.host.is_empty() {
        "localhost".to_owned()
    } else {
        call.req.host.clone()
    };
    let location = if call.req.virtual_hosted {
        format!(
            "http://{scheme_host}/{}",
            super::super::request::url_encode_key(&key)
        )
    } else {
        format!(
            "http://{scheme_host}/{name}/{}",
            super::super::request::url_encode_key(&key)
        )
    };
    let mut w = XmlWriter::new("CompleteMultipartUploadResult");
    w.leaf("Location", location)
        .leaf("Bucket", &name)
        .leaf("Key", &key)
        .leaf("ETag", quoted(&etag));
    if let Some(c) = &checksum {
        w.leaf(c.algorithm.xml_name(), &c.value)
            .leaf("ChecksumType", c.kind.name());
    }
    let mut reply = Reply::xml(w.finish()).header("x-amz-server-side-encryption", "AES256");
    if reports {
        reply = reply.header(
            "x-amz-version-id",
            version_id.unwrap_or_else(|| "null".into()),
        );
    }
    Ok(reply)
}

pub fn abort(call: &mut S3Call<'_>) -> Result<Reply, S3Error> {
    let name = call.bucket_name().to_owned();
    let key = call.key().to_owned();
    let upload_id = call.req.param("uploadId").unwrap_or_default().to_owned();
    let removed = call.with_bucket(&name, |b, _| {
        if b.uploads.get(&upload_id).is_none_or(|u| u.key != key) {
            return Err(S3Error::no_such_upload(&upload_id));
        }
        Ok(b.uploads.remove(&upload_id))
    })?;
    drop(removed);
    Ok(Reply::empty(204))
}
