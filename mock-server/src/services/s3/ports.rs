//! What other services may ask of S3: reading an object (a build's source, a deployment's
//! bundle, a pipeline's source revision) and writing one (build artifacts, pipeline artifacts).
//!
//! Reads answer through a [`Notify`] with the bytes, because a spilled object is read from disk
//! in a job, never under the partition lock. Both commands act on the bucket in the partition
//! the command is sent to (the sender's region, where AWS's services keep their artifact stores).

use super::state::{ObjectAttrs, StoredObject, VersionBody};
use super::storage::ObjectData;
use super::Call;
use crate::effects::{Effects, Notify};
use crate::error::ServiceError;
use ::md5::{Digest as _, Md5};
use bytes::Bytes;
use serde_json::{json, Value};

/// The commands S3 accepts from other services.
#[derive(Debug)]
pub enum Command {
    /// Reads `key` (its current version, or `version_id`) of `bucket`.
    GetObject {
        bucket: String,
        key: String,
        version_id: Option<String>,
        then: Notify<Result<ObjectRead, ServiceError>>,
    },
    /// Writes `body` to `key` of `bucket`; answers `{"etag", "versionId"}`.
    PutObject {
        bucket: String,
        key: String,
        body: Bytes,
        content_type: Option<String>,
    },
}

/// An object read through the port.
#[derive(Debug, Clone)]
pub struct ObjectRead {
    pub bucket: String,
    pub key: String,
    pub body: Bytes,
    /// The ETag without quotes.
    pub etag: String,
    /// The version id (`None` for an unversioned bucket).
    pub version_id: Option<String>,
}

fn no_such_bucket(bucket: &str) -> ServiceError {
    ServiceError::new(
        "NoSuchBucket",
        format!("The specified bucket does not exist: {bucket}"),
    )
}

fn no_such_key(bucket: &str, key: &str) -> ServiceError {
    ServiceError::new(
        "NoSuchKey",
        format!("The specified key does not exist: s3://{bucket}/{key}"),
    )
}

pub fn on_command(call: &mut Call<'_>, command: Command) -> Result<Value, ServiceError> {
    match command {
        Command::GetObject {
            bucket,
            key,
            version_id,
            then,
        } => {
            match locate(call, &bucket, &key, version_id.as_deref()) {
                Ok((data, etag, version_id)) => {
                    call.effects.spawn(async move {
                        let mut effects = Effects::new();
                        let result = data
                            .to_bytes()
                            .await
                            .map(|body| ObjectRead {
                                bucket,
                                key,
                                body,
                                etag,
                                version_id,
                            })
                            .map_err(|e| ServiceError::new("InternalError", e.to_string()));
                        then.fire(result, &mut effects);
                        effects
                    });
                }
                Err(e) => then.fire(Err(e), call.effects),
            }
            Ok(Value::Null)
        }
        Command::PutObject {
            bucket,
            key,
            body,
            content_type,
        } => {
            let now = call.core.clock.now();
            let etag = super::checksums::hex(&Md5::digest(&body));
            let blob = call.core.s3_storage.blob_from_bytes(body);
            let ids = &call.core.ids;
            let b = call
                .state
                .buckets
                .get_mut(&bucket)
                .ok_or_else(|| no_such_bucket(&bucket))?;
            let object = StoredObject {
                data: ObjectData::from_blob(blob),
                etag: etag.clone(),
                attrs: ObjectAttrs {
                    content_type,
                    ..ObjectAttrs::default()
                },
                tags: Vec::new(),
                checksum: None,
                parts: None,
            };
            let version_id = b.put(&key, object, now, || ids.alphanumeric_upper(32));
            Ok(json!({ "etag": etag, "versionId": version_id }))
        }
    }
}

/// The bytes, ETag and version id of an object.
fn locate(
    call: &Call<'_>,
    bucket: &str,
    key: &str,
    version_id: Option<&str>,
) -> Result<(ObjectData, String, Option<String>), ServiceError> {
    let b = call
        .state
        .buckets
        .get(bucket)
        .ok_or_else(|| no_such_bucket(bucket))?;
    let version = match version_id {
        Some(v) => b.version(key, v),
        None => b.current(key),
    }
    .ok_or_else(|| no_such_key(bucket, key))?;
    match &version.body {
        VersionBody::Object(o) => Ok((o.data.clone(), o.etag.clone(), version.id.clone())),
        VersionBody::DeleteMarker => Err(no_such_key(bucket, key)),
    }
}
