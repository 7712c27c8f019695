//! Which bucket, key and operation an S3 request is for, from its method, host, path, query and
//! headers (protocol.md §4): virtual-hosted style when the `Host` names a bucket under
//! `localhost`, path style otherwise.

use http::HeaderMap;

/// An S3 request's addressing, decoded.
#[derive(Debug, Clone)]
pub struct S3Request {
    pub method: http::Method,
    pub bucket: Option<String>,
    pub key: Option<String>,
    /// Query parameters, percent-decoded, in order.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    /// `host[:port]` as sent (for `Location` values).
    pub host: String,
    pub virtual_hosted: bool,
}

impl S3Request {
    pub fn parse(parts: &http::request::Parts) -> Result<S3Request, String> {
        let host = parts
            .headers
            .get(http::header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| parts.uri.authority().map(|a| a.to_string()))
            .unwrap_or_default();
        let path = percent_decode(parts.uri.path(), false)
            .ok_or_else(|| "The request path is not valid UTF-8".to_string())?;
        let query = parts
            .uri
            .query()
            .map(parse_query)
            .transpose()?
            .unwrap_or_default();
        let host_bucket = bucket_from_host(&host);
        let rest = path.strip_prefix('/').unwrap_or(&path);
        let (bucket, key) = match &host_bucket {
            Some(b) => (Some(b.clone()), (!rest.is_empty()).then(|| rest.to_owned())),
            None => match rest.split_once('/') {
                Some((b, k)) => (
                    (!b.is_empty()).then(|| b.to_owned()),
                    (!k.is_empty()).then(|| k.to_owned()),
                ),
                None => ((!rest.is_empty()).then(|| rest.to_owned()), None),
            },
        };
        Ok(S3Request {
            method: parts.method.clone(),
            bucket,
            key,
            query,
            headers: parts.headers.clone(),
            host,
            virtual_hosted: host_bucket.is_some(),
        })
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.query.iter().any(|(k, _)| k == name)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The bucket a virtual-hosted `Host` names: `<bucket>.localhost`, `<bucket>.s3.localhost` or
/// `<bucket>.s3.<region>.localhost` (any port). IP addresses and bare `localhost` are path style.
pub fn bucket_from_host(host: &str) -> Option<String> {
    let name = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    let name = name.to_ascii_lowercase();
    let prefix = name.strip_suffix(".localhost")?;
    // Longest suffix first: `.s3.<region>` then `.s3`.
    let bucket = match prefix.rsplit_once(".s3.") {
        Some((b, region)) if !region.contains('.') && !region.is_empty() => b,
        _ => prefix.strip_suffix(".s3").unwrap_or(prefix),
    };
    if bucket.is_empty() || bucket == "s3" || bucket.starts_with("s3.") {
        return None;
    }
    Some(bucket.to_owned())
}

fn parse_query(q: &str) -> Result<Vec<(String, String)>, String> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match (percent_decode(k, true), percent_decode(v, true)) {
                (Some(k), Some(v)) => Ok((k, v)),
                _ => Err("The query string is not valid UTF-8".to_string()),
            }
        })
        .collect()
}

/// Decodes `%XX` escapes (and `+` as a space in query strings, as form encoding does).
pub fn percent_decode(s: &str, plus_is_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// URL-encodes a key for `encoding-type=url` listings: unreserved characters and `/` stay,
/// spaces become `+`, everything else `%XX` (botocore decodes with `unquote_plus`).
pub fn url_encode_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The operations codemock implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    ListBuckets,
    CreateBucket,
    DeleteBucket,
    HeadBucket,
    GetBucketLocation,
    GetBucketVersioning,
    PutBucketVersioning,
    GetBucketTagging,
    PutBucketTagging,
    DeleteBucketTagging,
    GetBucketNotificationConfiguration,
    PutBucketNotificationConfiguration,
    ListObjects,
    ListObjectsV2,
    ListObjectVersions,
    ListMultipartUploads,
    DeleteObjects,
    PutObject,
    CopyObject,
    GetObject,
    HeadObject,
    DeleteObject,
    GetObjectTagging,
    PutObjectTagging,
    DeleteObjectTagging,
    CreateMultipartUpload,
    UploadPart,
    UploadPartCopy,
    CompleteMultipartUpload,
    AbortMultipartUpload,
    ListParts,
}

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::ListBuckets => "ListBuckets",
            Op::CreateBucket => "CreateBucket",
            Op::DeleteBucket => "DeleteBucket",
            Op::HeadBucket => "HeadBucket",
            Op::GetBucketLocation => "GetBucketLocation",
            Op::GetBucketVersioning => "GetBucketVersioning",
            Op::PutBucketVersioning => "PutBucketVersioning",
            Op::GetBucketTagging => "GetBucketTagging",
            Op::PutBucketTagging => "PutBucketTagging",
            Op::DeleteBucketTagging => "DeleteBucketTagging",
            Op::GetBucketNotificationConfiguration => "GetBucketNotificationConfiguration",
            Op::PutBucketNotificationConfiguration => "PutBucketNotificationConfiguration",
            Op::ListObjects => "ListObjects",
            Op::ListObjectsV2 => "ListObjectsV2",
            Op::ListObjectVersions => "ListObjectVersions",
            Op::ListMultipartUploads => "ListMultipartUploads",
            Op::DeleteObjects => "DeleteObjects",
            Op::PutObject => "PutObject",
            Op::CopyObject => "CopyObject",
            Op::GetObject => "GetObject",
            Op::HeadObject => "HeadObject",
            Op::DeleteObject => "DeleteObject",
            Op::GetObjectTagging => "GetObjectTagging",
            Op::PutObjectTagging => "PutObjectTagging",
            Op::DeleteObjectTagging => "DeleteObjectTagging",
            Op::CreateMultipartUpload => "CreateMultipartUpload",
            Op::UploadPart => "UploadPart",
            Op::UploadPartCopy => "UploadPartCopy",
            Op::CompleteMultipartUpload => "CompleteMultipartUpload",
            Op::AbortMultipartUpload => "AbortMultipartUpload",
            Op::ListParts => "ListParts",
        }
    }
}

/// What a request asks for: an implemented operation, one codemock knows but does not
/// implement (named as the SDKs name it), or nothing S3 has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    Op(Op),
    NotImplemented(&'static str),
    /// No S3 operation has this method and shape (S3 answers 405 MethodNotAllowed).
    Unknown,
}

/// Bucket sub-resources and the operation each method maps to (GET, PUT, DELETE, POST), for the
/// ones codemock does not implement (from the S3 API model's HTTP bindings).
const BUCKET_SUBRESOURCES: &[(&str, [&str; 4])] = &[
    (
        "accelerate",
        [
            "GetBucketAccelerateConfiguration",
            "PutBucketAccelerateConfiguration",
            "",
            "",
        ],
    ),
    ("acl", ["GetBucketAcl", "PutBucketAcl", "", ""]),
    (
        "analytics",
        [
            "GetBucketAnalyticsConfiguration",
            "PutBucketAnalyticsConfiguration",
            "DeleteBucketAnalyticsConfiguration",
            "",
        ],
    ),
    (
        "cors",
        ["GetBucketCors", "PutBucketCors", "DeleteBucketCors", ""],
    ),
    (
        "encryption",
        [
            "GetBucketEncryption",
            "PutBucketEncryption",
            "DeleteBucketEncryption",
            "",
        ],
    ),
    (
        "intelligent-tiering",
        [
            "GetBucketIntelligentTieringConfiguration",
            "PutBucketIntelligentTieringConfiguration",
            "DeleteBucketIntelligentTieringConfiguration",
            "",
        ],
    ),
    (
        "inventory",
        [
            "GetBucketInventoryConfiguration",
            "PutBucketInventoryConfiguration",
            "DeleteBucketInventoryConfiguration",
            "",
        ],
    ),
    (
        "lifecycle",
        [
            "GetBucketLifecycleConfiguration",
            "PutBucketLifecycleConfiguration",
            "DeleteBucketLifecycle",
            "",
        ],
    ),
    ("logging", ["GetBucketLogging", "PutBucketLogging", "", ""]),
    (
        "metrics",
        [
            "GetBucketMetricsConfiguration",
            "PutBucketMetricsConfiguration",
            "DeleteBucketMetricsConfiguration",
            "",
        ],
    ),
    (
        "object-lock",
        [
            "GetObjectLockConfiguration",
            "PutObjectLockConfiguration",
            "",
            "",
        ],
    ),
    (
        "ownershipControls",
        [
            "GetBucketOwnershipControls",
            "PutBucketOwnershipControls",
            "DeleteBucketOwnershipControls",
            "",
        ],
    ),
    (
        "policy",
        [
            "GetBucketPolicy",
            "PutBucketPolicy",
            "DeleteBucketPolicy",
            "",
        ],
    ),
    ("policyStatus", ["GetBucketPolicyStatus", "", "", ""]),
    (
        "publicAccessBlock",
        [
            "GetPublicAccessBlock",
            "PutPublicAccessBlock",
            "DeletePublicAccessBlock",
            "",
        ],
    ),
    (
        "replication",
        [
            "GetBucketReplication",
            "PutBucketReplication",
            "DeleteBucketReplication",
            "",
        ],
    ),
    (
        "requestPayment",
        ["GetBucketRequestPayment", "PutBucketRequestPayment", "", ""],
    ),
    (
        "website",
        [
            "GetBucketWebsite",
            "PutBucketWebsite",
            "DeleteBucketWebsite",
            "",
        ],
    ),
    ("session", ["CreateSession", "", "", ""]),
    ("abac", ["GetBucketAbac", "PutBucketAbac", "", ""]),
    (
        "metadataConfiguration",
        [
            "GetBucketMetadataConfiguration",
            "",
            "DeleteBucketMetadataConfiguration",
            "CreateBucketMetadataConfiguration",
        ],
    ),
    (
        "metadataTable",
        [
            "GetBucketMetadataTableConfiguration",
            "",
            "DeleteBucketMetadataTableConfiguration",
            "CreateBucketMetadataTableConfiguration",
        ],
    ),
    (
        "metadataInventoryTable",
        [
            "",
            "UpdateBucketMetadataInventoryTableConfiguration",
            "",
            "",
        ],
    ),
    (
        "metadataJournalTable",
        ["", "UpdateBucketMetadataJournalTableConfiguration", "", ""],
    ),
    (
        "metadataAnnotationTable",
        [
            "",
            "UpdateBucketMetadataAnnotationTableConfiguration",
            "",
            "",
        ],
    ),
];

/// Object sub-resources codemock does not implement.
const OBJECT_SUBRESOURCES: &[(&str, [&str; 4])] = &[
    ("acl", ["GetObjectAcl", "PutObjectAcl", "", ""]),
    ("attributes", ["GetObjectAttributes", "", "", ""]),
    (
        "legal-hold",
        ["GetObjectLegalHold", "PutObjectLegalHold", "", ""],
    ),
    (
        "retention",
        ["GetObjectRetention", "PutObjectRetention", "", ""],
    ),
    ("torrent", ["GetObjectTorrent", "", "", ""]),
    ("restore", ["", "", "", "RestoreObject"]),
    ("select", ["", "", "", "SelectObjectContent"]),
    (
        "annotation",
        [
            "GetObjectAnnotation",
            "PutObjectAnnotation",
            "DeleteObjectAnnotation",
            "",
        ],
    ),
    ("renameObject", ["", "RenameObject", "", ""]),
    ("encryption", ["", "UpdateObjectEncryption", "", ""]),
];

fn method_index(m: &http::Method) -> Option<usize> {
    match *m {
        http::Method::GET | http::Method::HEAD => Some(0),
        http::Method::PUT => Some(1),
        http::Method::DELETE => Some(2),
        http::Method::POST => Some(3),
        _ => None,
    }
}

fn unimplemented(
    table: &'static [(&'static str, [&'static str; 4])],
    req: &S3Request,
) -> Option<Resolved> {
    let i = method_index(&req.method)?;
    table.iter().find(|(q, _)| req.has(q)).map(|(_, ops)| {
        if ops[i].is_empty() {
            Resolved::Unknown
        } else {
            Resolved::NotImplemented(ops[i])
        }
    })
}

/// The operation of a request.
pub fn resolve(req: &S3Request) -> Resolved {
    use http::Method as M;
    let m = &req.method;
    let Some(_) = &req.bucket else {
        return match *m {
            M::GET if req.param("bucket-type").is_some() => {
                Resolved::NotImplemented("ListDirectoryBuckets")
            }
            M::GET => Resolved::Op(Op::ListBuckets),
            M::POST if req.has("WriteGetObjectResponse") => {
                Resolved::NotImplemented("WriteGetObjectResponse")
            }
            _ => Resolved::Unknown,
        };
    };
    if req.key.is_none() {
        if let Some(r) = unimplemented(BUCKET_SUBRESOURCES, req) {
            return r;
        }
        let op = match *m {
            M::GET if req.has("location") => Op::GetBucketLocation,
            M::GET if req.has("versioning") => Op::GetBucketVersioning,
            M::GET if req.has("tagging") => Op::GetBucketTagging,
            M::GET if req.has("notification") => Op::GetBucketNotificationConfiguration,
            M::GET if req.has("versions") => Op::ListObjectVersions,
            M::GET if req.has("uploads") => Op::ListMultipartUploads,
            M::GET if req.param("list-type") == Some("2") => Op::ListObjectsV2,
            M::GET => Op::ListObjects,
            M::HEAD => Op::HeadBucket,
            M::PUT if req.has("versioning") => Op::PutBucketVersioning,
            M::PUT if req.has("tagging") => Op::PutBucketTagging,
            M::PUT if req.has("notification") => Op::PutBucketNotificationConfiguration,
            M::PUT => Op::CreateBucket,
            M::DELETE if req.has("tagging") => Op::DeleteBucketTagging,
            M::DELETE => Op::DeleteBucket,
            M::POST if req.has("delete") => Op::DeleteObjects,
            _ => return Resolved::Unknown,
        };
        return Resolved::Op(op);
    }
    if let Some(r) = unimplemented(OBJECT_SUBRESOURCES, req) {
        return r;
    }
    let copy = req.headers.contains_key("x-amz-copy-source");
    let op = match *m {
        M::GET if req.has("uploadId") => Op::ListParts,
        M::GET if req.has("tagging") => Op::GetObjectTagging,
        M::GET => Op::GetObject,
        M::HEAD => Op::HeadObject,
        M::PUT if req.has("partNumber") && req.has("uploadId") && copy => Op::UploadPartCopy,
        M::PUT if req.has("partNumber") && req.has("uploadId") => Op::UploadPart,
        M::PUT if req.has("tagging") => Op::PutObjectTagging,
        M::PUT if copy => Op::CopyObject,
        M::PUT => Op::PutObject,
        M::DELETE if req.has("uploadId") => Op::AbortMultipartUpload,
        M::DELETE if req.has("tagging") => Op::DeleteObjectTagging,
        M::DELETE => Op::DeleteObject,
        M::POST if req.has("uploads") => Op::CreateMultipartUpload,
        M::POST if req.has("uploadId") => Op::CompleteMultipartUpload,
        _ => return Resolved::Unknown,
    };
    Resolved::Op(op)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, uri: &str, host: &str) -> S3Request {
        let r = http::Request::builder()
            .method(method)
            .uri(uri)
            .header("host", host)
            .body(())
            .expect("request");
        S3Request::parse(&r.into_parts().0).expect("parses")
    }

    #[test]
    fn path_and_virtual_host_addressing() {
        let r = req(
            "PUT",
            "/my-bucket/dir/a%20b.txt?x-id=PutObject",
            "127.0.0.1:4566",
        );
        assert_eq!(r.bucket.as_deref(), Some("my-bucket"));
        assert_eq!(r.key.as_deref(), Some("dir/a b.txt"));
        assert_eq!(resolve(&r), Resolved::Op(Op::PutObject));
        let r = req("GET", "/dir//x", "my.bucket.s3.eu-west-1.localhost:4566");
        assert_eq!(r.bucket.as_deref(), Some("my.bucket"));
        assert_eq!(r.key.as_deref(), Some("dir//x"));
        let r = req("GET", "/?list-type=2&prefix=a%2Bb+c", "b.localhost");
        assert_eq!(r.bucket.as_deref(), Some("b"));
        assert_eq!(r.param("prefix"), Some("a+b c"));
        assert_eq!(resolve(&r), Resolved::Op(Op::ListObjectsV2));
        assert_eq!(
            resolve(&req("GET", "/", "localhost:4566")),
            Resolved::Op(Op::ListBuckets)
        );
        assert_eq!(bucket_from_host("s3.localhost"), None);
        assert_eq!(bucket_from_host("b.s3.localhost:1"), Some("b".into()));
    }

    #[test]
    fn sub_resources_pick_operations() {
        let h = "localhost";
        assert_eq!(
            resolve(&req("GET", "/b?cors", h)),
            Resolved::NotImplemented("GetBucketCors")
        );
        assert_eq!(
            resolve(&req("PUT", "/b/k?partNumber=1&uploadId=u", h)),
            Resolved::Op(Op::UploadPart)
        );
        assert_eq!(
            resolve(&req("POST", "/b/k?uploads", h)),
            Resolved::Op(Op::CreateMultipartUpload)
        );
        assert_eq!(
            resolve(&req("POST", "/b?delete", h)),
            Resolved::Op(Op::DeleteObjects)
        );
        assert_eq!(resolve(&req("PATCH", "/b", h)), Resolved::Unknown);
        assert_eq!(url_encode_key("a b/c+d%"), "a+b/c%2Bd%25");
        assert_eq!(percent_decode("%zz%4", false).as_deref(), Some("%zz%4"));
    }
}
