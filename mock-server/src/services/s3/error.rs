//! S3's errors: a code, a message in AWS's wording, an HTTP status, and the extra elements S3
//! adds to the `<Error>` document (`BucketName`, `Key`, `UploadId`...).

use super::xml::XmlWriter;

/// One S3 error response.
#[derive(Debug, Clone, PartialEq)]
pub struct S3Error {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    /// Extra `<Name>value</Name>` elements, in order.
    pub fields: Vec<(&'static str, String)>,
    /// Extra response headers (`x-amz-delete-marker` on a 404 for a deleted key...).
    pub headers: Vec<(&'static str, String)>,
}

impl S3Error {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> S3Error {
        S3Error {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
            headers: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> S3Error {
        self.fields.push((name, value.into()));
        self
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> S3Error {
        self.headers.push((name, value.into()));
        self
    }

    /// The `<Error>` document (request id and host id are added by the caller's response).
    pub fn to_xml(&self, request_id: &str, host_id: &str) -> String {
        let mut w = XmlWriter::bare("Error");
        w.leaf("Code", self.code).leaf("Message", &self.message);
        for (name, value) in &self.fields {
            w.leaf(name, value);
        }
        w.leaf("RequestId", request_id).leaf("HostId", host_id);
        w.finish()
    }

    pub fn no_such_bucket(bucket: &str) -> S3Error {
        S3Error::new(404, "NoSuchBucket", "The specified bucket does not exist")
            .with("BucketName", bucket)
    }

    pub fn no_such_key(key: &str) -> S3Error {
        S3Error::new(404, "NoSuchKey", "The specified key does not exist.").with("Key", key)
    }

    pub fn no_such_version(key: &str, version_id: &str) -> S3Error {
        S3Error::new(
            404,
            "NoSuchVersion",
            "The specified version does not exist.",
        )
        .with("Key", key)
        .with("VersionId", version_id)
    }

    pub fn no_such_upload(upload_id: &str) -> S3Error {
        S3Error::new(
            404,
            "NoSuchUpload",
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        )
        .with("UploadId", upload_id)
    }

    pub fn invalid_bucket_name(bucket: &str) -> S3Error {
        S3Error::new(
            400,
            "InvalidBucketName",
            "The specified bucket is not valid.",
        )
        .with("BucketName", bucket)
    }

    pub fn malformed_xml() -> S3Error {
        S3Error::new(
            400,
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema",
        )
    }

    pub fn invalid_argument(message: impl Into<String>, name: &str, value: &str) -> S3Error {
        S3Error::new(400, "InvalidArgument", message)
            .with("ArgumentName", name)
            .with("ArgumentValue", value)
    }

    pub fn invalid_request(message: impl Into<String>) -> S3Error {
        S3Error::new(400, "InvalidRequest", message)
    }

    pub fn bad_digest_md5(expected: &str, calculated: &str) -> S3Error {
        S3Error::new(
            400,
            "BadDigest",
            "The Content-MD5 you specified did not match what we received.",
        )
        .with("ExpectedDigest", expected)
        .with("CalculatedDigest", calculated)
    }

    pub fn bad_checksum(algorithm: &str) -> S3Error {
        S3Error::new(
            400,
            "BadDigest",
            format!("The {algorithm} you specified did not match the calculated checksum."),
        )
    }

    pub fn incomplete_body() -> S3Error {
        S3Error::new(
            400,
            "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header",
        )
    }

    pub fn entity_too_large(proposed: u64, max: u64) -> S3Error {
        S3Error::new(
            400,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
        )
        .with("ProposedSize", proposed.to_string())
        .with("MaxSizeAllowed", max.to_string())
    }

    pub fn not_implemented(operation: &str) -> S3Error {
        S3Error::new(
            501,
            "NotImplemented",
            format!("A header you provided implies functionality that is not implemented: codemock does not implement {operation}"),
        )
    }

    pub fn internal(message: impl Into<String>) -> S3Error {
        S3Error::new(500, "InternalError", message)
    }
}
