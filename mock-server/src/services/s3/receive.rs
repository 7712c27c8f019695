//! Receiving an object or part body: streamed from the connection, aws-chunked decoded when the
//! SDK framed it so, hashed on the way, written to [`storage`](super::storage), and verified
//! against every integrity header the request carries. Any failure drops what was received
//! (the blob frees itself), so nothing is ever stored half.

use super::checksums::{b64, hex, unb64, Algorithm, BodyHashes, Computed};
use super::chunked::{ChunkError, Decoder};
use super::error::S3Error;
use super::request::S3Request;
use super::storage::{Blob, ObjectData};
use crate::core::Core;
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;

/// The largest object a single PUT may create (S3's limit).
pub const MAX_PUT: u64 = 5 * 1024 * 1024 * 1024;

/// A received, verified body.
#[derive(Debug)]
pub struct Received {
    pub data: ObjectData,
    pub md5: [u8; 16],
    /// The flexible checksum the request named (declared, trailing, or only by algorithm).
    pub checksum: Option<(Algorithm, Vec<u8>)>,
    /// Every checksum computed (the named one, or the default the caller asked for).
    pub computed: Computed,
}

impl Received {
    pub fn etag(&self) -> String {
        hex(&self.md5)
    }
}

/// Whether the request body is aws-chunked framed.
pub fn is_aws_chunked(req: &S3Request) -> bool {
    req.header("x-amz-content-sha256")
        .is_some_and(|v| v.starts_with("STREAMING-"))
        || req.header("content-encoding").is_some_and(|v| {
            v.split(',')
                .any(|e| e.trim().eq_ignore_ascii_case("aws-chunked"))
        })
}

/// The payload length the client declared (decoded length for aws-chunked bodies).
pub fn declared_length(req: &S3Request) -> Option<u64> {
    let name = if is_aws_chunked(req) {
        "x-amz-decoded-content-length"
    } else {
        "content-length"
    };
    req.header(name).and_then(|v| v.trim().parse().ok())
}

/// The flexible checksum algorithm the request names, and where its value comes from.
fn requested_checksum(req: &S3Request) -> Result<Option<(Algorithm, Source)>, S3Error> {
    let mut found = None;
    for a in Algorithm::ALL {
        if let Some(v) = req.header(a.header()) {
            if found.is_some() {
                return Err(S3Error::invalid_request(
                    "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
                ));
            }
            found = Some((a, Source::Header(v.to_owned())));
        }
    }
    if let Some(trailer) = req.header("x-amz-trailer") {
        let name = trailer.trim().to_ascii_lowercase();
        let a = Algorithm::from_header(&name).ok_or_else(|| {
            S3Error::invalid_request(format!(
                "The value specified in the x-amz-trailer header is not supported: {trailer}"
            ))
        })?;
        if found.is_some() {
            return Err(S3Error::invalid_request(
                "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
            ));
        }
        found = Some((a, Source::Trailer(name)));
    }
    if found.is_none() {
        if let Some(name) = req.header("x-amz-sdk-checksum-algorithm") {
            let a = Algorithm::parse(name.trim()).ok_or_else(|| {
                S3Error::invalid_request(
                    "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]",
                )
            })?;
            found = Some((a, Source::Computed));
        }
    }
    Ok(found)
}

#[derive(Debug, Clone)]
enum Source {
    Header(String),
    Trailer(String),
    /// Only the algorithm was named: S3 computes the value itself.
    Computed,
}

/// Receives the request body, at most `max` bytes, computing the checksum the request names or
/// else `default` (S3 computes CRC64NVME for uploads that come without one).
pub async fn receive(
    core: &Core,
    req: &S3Request,
    body: Incoming,
    max: u64,
    default: Option<Algorithm>,
) -> Result<Received, S3Error> {
    let chunked = is_aws_chunked(req);
    let declared = declared_length(req);
    if let Some(n) = declared {
        if n > max {
            return Err(S3Error::entity_too_large(n, max));
        }
    }
    let requested = requested_checksum(req)?;
    let signed_sha = req
        .header("x-amz-content-sha256")
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase);
    let algorithms: Vec<Algorithm> = match &requested {
        Some((a, _)) => vec![*a],
        None => default.into_iter().collect(),
    };
    let mut hashes = BodyHashes::new(signed_sha.is_some(), &algorithms);
    let mut writer = core.s3_storage.writer(declared);
    let mut decoder = chunked.then(Decoder::new);
    let mut body = body;
    let mut pieces: Vec<Bytes> = Vec::new();
    let io_error =
        |e: std::io::Error| S3Error::internal(format!("codemock could not store the body: {e}"));
    loop {
        // The body timeout bounds each wait for data, not the whole upload: a 1 GiB upload on a
        // slow link is legitimate, a client that stops sending is not.
        let frame = match tokio::time::timeout(core.config.body_timeout, body.frame()).await {
            Err(_) => {
                return Err(S3Error::new(
                    400,
                    "RequestTimeout",
                    "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.",
                ))
            }
            Ok(None) => break,
            Ok(Some(Err(_))) => return Err(S3Error::incomplete_body()),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue; // HTTP trailers: S3 reads checksums from aws-chunked trailers only.
        };
        match &mut decoder {
            Some(d) => d.feed(data, &mut pieces).map_err(chunk_error)?,
            None => pieces.push(data),
        }
        for piece in pieces.drain(..) {
            hashes.update(&piece);
            writer.write(piece).await.map_err(io_error)?;
            if writer.len() > max {
                return Err(S3Error::entity_too_large(writer.len(), max));
            }
        }
    }
    let trailers = match decoder {
        Some(d) => {
            let (decoded, trailers) = d.finish().map_err(chunk_error)?;
            if declared.is_some_and(|n| n != decoded) {
                return Err(S3Error::incomplete_body());
            }
            trailers
        }
        None => {
            if declared.is_some_and(|n| n != writer.len()) {
                return Err(S3Error::incomplete_body());
            }
            Vec::new()
        }
    };
    let computed = hashes.finish();
    verify_md5(req, &computed)?;
    if let (Some(claimed), Some(actual)) = (&signed_sha, &computed.sha256_hex) {
        if claimed != actual {
            return Err(S3Error::new(
                400,
                "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
            )
            .with("ClientComputedContentSHA256", claimed.clone())
            .with("S3ComputedContentSHA256", actual.clone()));
        }
    }
    let checksum = match requested {
        None => None,
        Some((a, source)) => {
            let actual = computed.checksum(a).map(<[u8]>::to_vec).unwrap_or_default();
            let claimed = match source {
                Source::Header(v) => {
                    Some((v, format!("Value for {} header is invalid.", a.header())))
                }
                Source::Trailer(name) => {
                    let v = trailers
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, v)| v.clone());
                    // AWS does not document the error for a trailer announced but not sent;
                    // the body is then incomplete, which is what we answer.
                    let v = v.ok_or_else(S3Error::incomplete_body)?;
                    Some((
                        v,
                        format!("Value for {} trailing header is invalid.", a.header()),
                    ))
                }
                Source::Computed => None,
            };
            if let Some((value, invalid)) = claimed {
                let raw = unb64(&value)
                    .filter(|r| r.len() == a.digest_len())
                    .ok_or_else(|| S3Error::invalid_request(invalid))?;
                if raw != actual {
                    return Err(S3Error::bad_checksum(a.name()));
                }
            }
            Some((a, actual))
        }
    };
    let blob: Blob = writer.finish().await.map_err(io_error)?;
    Ok(Received {
        data: ObjectData::from_blob(blob),
        md5: computed.md5,
        checksum,
        computed,
    })
}

fn chunk_error(e: ChunkError) -> S3Error {
    match e {
        ChunkError::Truncated => S3Error::incomplete_body(),
        // AWS's answer to broken chunk framing is not documented; InvalidRequest says what it is.
        ChunkError::Malformed(why) => {
            S3Error::invalid_request(format!("The aws-chunked request body is malformed: {why}"))
        }
    }
}

fn verify_md5(req: &S3Request, computed: &Computed) -> Result<(), S3Error> {
    let Some(claimed) = req.header("content-md5") else {
        return Ok(());
    };
    let raw = unb64(claimed).filter(|r| r.len() == 16).ok_or_else(|| {
        S3Error::new(
            400,
            "InvalidDigest",
            "The Content-MD5 you specified was invalid.",
        )
        .with("Content-MD5", claimed)
    })?;
    if raw != computed.md5 {
        return Err(S3Error::bad_digest_md5(claimed, &b64(&computed.md5)));
    }
    Ok(())
}

/// Reads a small request document (XML) whole, with the same decoding and checks.
pub async fn receive_small(core: &Core, req: &S3Request, body: Incoming) -> Result<Bytes, S3Error> {
    let received = receive(core, req, body, super::xml::MAX_REQUEST_XML as u64, None).await?;
    received
        .data
        .to_bytes()
        .await
        .map_err(|e| S3Error::internal(format!("codemock could not read the body: {e}")))
}
