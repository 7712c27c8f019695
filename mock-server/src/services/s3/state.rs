//! What S3 keeps per account and region: buckets, their objects with every version, multipart
//! uploads in progress, and bucket configuration (versioning, tags, EventBridge notifications).
//!
//! Object bytes are not here but in [`super::storage`] blobs that objects reference; this module
//! is the bookkeeping, with the versioning rules in one place ([`Bucket::put`],
//! [`Bucket::delete`]) so that every operation applies them the same way.

use super::checksums::Algorithm;
use super::storage::ObjectData;
use std::collections::BTreeMap;

/// The S3 world of one partition.
#[derive(Debug, Default)]
pub struct State {
    pub buckets: BTreeMap<String, Bucket>,
}

/// A bucket's versioning state (`Unversioned` until versioning is first configured: S3 then
/// never returns to it, only to `Suspended`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Versioning {
    #[default]
    Unversioned,
    Enabled,
    Suspended,
}

#[derive(Debug)]
pub struct Bucket {
    pub name: String,
    pub region: String,
    /// What GetBucketLocation reports: the region, or `EU` for a bucket created with that
    /// legacy alias of eu-west-1 (recorded: LocalStack's AWS-validated
    /// `test_create_bucket_with_eu_location_constraint`).
    pub location_constraint: String,
    pub created: f64,
    pub versioning: Versioning,
    /// Versions of each key, oldest first (the last one is current).
    pub objects: BTreeMap<String, Vec<Version>>,
    pub uploads: BTreeMap<String, Upload>,
    pub tags: Option<Vec<(String, String)>>,
    /// `EventBridgeConfiguration` is set: object events go to the default bus.
    pub eventbridge: bool,
    /// Orders this bucket's events (the `sequencer` of S3 event details).
    pub sequencer: u64,
}

/// How a checksum of an object was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumType {
    FullObject,
    Composite,
}

impl ChecksumType {
    pub fn name(self) -> &'static str {
        match self {
            ChecksumType::FullObject => "FULL_OBJECT",
            ChecksumType::Composite => "COMPOSITE",
        }
    }
}

/// A stored checksum: its algorithm, base64 value (with `-N` for composite ones) and type.
#[derive(Debug, Clone, PartialEq)]
pub struct Checksum {
    pub algorithm: Algorithm,
    pub value: String,
    pub kind: ChecksumType,
}

/// The headers an object keeps and returns (set by PutObject, CreateMultipartUpload, CopyObject
/// with `REPLACE`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectAttrs {
    pub content_type: Option<String>,
    pub content_encoding: Option<String>,
    pub content_disposition: Option<String>,
    pub content_language: Option<String>,
    pub cache_control: Option<String>,
    pub expires: Option<String>,
    pub storage_class: Option<String>,
    pub website_redirect: Option<String>,
    /// `x-amz-meta-*`, names lower-cased without the prefix, sorted.
    pub metadata: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct StoredObject {
    pub data: ObjectData,
    pub etag: String,
    pub attrs: ObjectAttrs,
    pub tags: Vec<(String, String)>,
    pub checksum: Option<Checksum>,
    /// Part sizes of an object made by CompleteMultipartUpload (for `x-amz-mp-parts-count`).
    pub parts: Option<Vec<u64>>,
}

// Delete markers are the rare case; boxing every object to shrink them is not worth it.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum VersionBody {
    Object(StoredObject),
    DeleteMarker,
}

#[derive(Debug, Clone)]
pub struct Version {
    /// `None` is the `null` version (unversioned or suspended writes).
    pub id: Option<String>,
    pub last_modified: f64,
    pub body: VersionBody,
}

impl Version {
    pub fn id_text(&self) -> &str {
        self.id.as_deref().unwrap_or("null")
    }

    pub fn object(&self) -> Option<&StoredObject> {
        match &self.body {
            VersionBody::Object(o) => Some(o),
            VersionBody::DeleteMarker => None,
        }
    }

    pub fn is_delete_marker(&self) -> bool {
        matches!(self.body, VersionBody::DeleteMarker)
    }
}

#[derive(Debug, Clone)]
pub struct Part {
    pub data: ObjectData,
    pub md5: [u8; 16],
    pub etag: String,
    pub last_modified: f64,
    pub checksum: Option<(Algorithm, Vec<u8>)>,
}

#[derive(Debug, Clone)]
pub struct Upload {
    pub id: String,
    pub key: String,
    pub initiated: f64,
    pub attrs: ObjectAttrs,
    pub tags: Vec<(String, String)>,
    pub checksum_algorithm: Option<Algorithm>,
    pub checksum_type: Option<ChecksumType>,
    pub parts: BTreeMap<u32, Part>,
}

/// What a delete did (for the response headers and the event).
#[derive(Debug, Clone, PartialEq)]
pub struct Deleted {
    /// Version id the response reports (`x-amz-version-id`).
    pub version_id: Option<String>,
    pub delete_marker: bool,
    /// Anything changed (deleting a missing key in an unversioned bucket succeeds but changes
    /// nothing, so it announces nothing).
    pub changed: bool,
}

impl Bucket {
    pub fn new(name: &str, region: &str, now: f64) -> Bucket {
        Bucket {
            name: name.to_owned(),
            region: region.to_owned(),
            location_constraint: region.to_owned(),
            created: now,
            versioning: Versioning::Unversioned,
            objects: BTreeMap::new(),
            uploads: BTreeMap::new(),
            tags: None,
            eventbridge: false,
            sequencer: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The next event sequencer (hex, fixed width, increasing, as S3's are comparable).
    pub fn next_sequencer(&mut self) -> String {
        self.sequencer += 1;
        format!("{:018X}", self.sequencer)
    }

    /// The current version of `key` (possibly a delete marker).
    pub fn current(&self, key: &str) -> Option<&Version> {
        self.objects.get(key).and_then(|v| v.last())
    }

    /// The version `version_id` (`"null"` names the null version) of `key`.
    pub fn version(&self, key: &str, version_id: &str) -> Option<&Version> {
        let id = (version_id != "null").then_some(version_id);
        self.objects
            .get(key)?
            .iter()
            .find(|v| v.id.as_deref() == id)
    }

    pub fn version_mut(&mut self, key: &str, version_id: Option<&str>) -> Option<&mut Version> {
        let versions = self.objects.get_mut(key)?;
        match version_id {
            None => versions.last_mut(),
            Some(v) => {
                let id = (v != "null").then_some(v);
                versions.iter_mut().find(|x| x.id.as_deref() == id)
            }
        }
    }

    /// Whether S3 reports version ids for this bucket (once versioning was ever configured).
    pub fn reports_versions(&self) -> bool {
        self.versioning != Versioning::Unversioned
    }

    /// Stores a new object under `key` as versioning says; returns its version id.
    pub fn put(
        &mut self,
        key: &str,
        object: StoredObject,
        now: f64,
        new_id: impl FnOnce() -> String,
    ) -> Option<String> {
        let id = match self.versioning {
            Versioning::Enabled => Some(new_id()),
            Versioning::Unversioned | Versioning::Suspended => None,
        };
        self.push_version(
            key,
            Version {
                id: id.clone(),
                last_modified: now,
                body: VersionBody::Object(object),
            },
        );
        id
    }

    fn push_version(&mut self, key: &str, version: Version) {
        let versions = self.objects.entry(key.to_owned()).or_default();
        if version.id.is_none() {
            // There is at most one null version: a new one replaces it.
            versions.retain(|v| v.id.is_some());
        }
        versions.push(version);
    }

    /// DeleteObject: without a version id, removes the object or adds a delete marker (as
    /// versioning says); with one, removes exactly that version.
    pub fn delete(
        &mut self,
        key: &str,
        version_id: Option<&str>,
        now: f64,
        new_id: impl FnOnce() -> String,
    ) -> Deleted {
        match version_id {
            Some(vid) => {
                let id = (vid != "null").then_some(vid);
                let Some(versions) = self.objects.get_mut(key) else {
                    return Deleted {
                        version_id: Some(vid.to_owned()),
                        delete_marker: false,
                        changed: false,
                    };
                };
                let before = versions.len();
                let mut was_marker = false;
                versions.retain(|v| {
                    let hit = v.id.as_deref() == id;
                    if hit {
                        was_marker = v.is_delete_marker();
                    }
                    !hit
                });
                let changed = versions.len() != before;
                if versions.is_empty() {
                    self.objects.remove(key);
                }
                Deleted {
                    version_id: Some(vid.to_owned()),
                    delete_marker: was_marker,
                    changed,
                }
            }
            None => match self.versioning {
                Versioning::Unversioned => Deleted {
                    version_id: None,
                    delete_marker: false,
                    changed: self.objects.remove(key).is_some(),
                },
                Versioning::Enabled | Versioning::Suspended => {
                    let id = (self.versioning == Versioning::Enabled).then(new_id);
                    self.push_version(
                        key,
                        Version {
                            id: id.clone(),
                            last_modified: now,
                            body: VersionBody::DeleteMarker,
                        },
                    );
                    Deleted {
                        version_id: Some(id.unwrap_or_else(|| "null".into())),
                        delete_marker: true,
                        changed: true,
                    }
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(etag: &str) -> StoredObject {
        StoredObject {
            data: ObjectData::default(),
            etag: etag.into(),
            attrs: ObjectAttrs::default(),
            tags: vec![],
            checksum: None,
            parts: None,
        }
    }

    #[test]
    fn unversioned_buckets_keep_one_null_version() {
        let mut b = Bucket::new("b", "us-east-1", 0.0);
        assert_eq!(b.put("k", obj("1"), 0.0, || "x".into()), None);
        assert_eq!(b.put("k", obj("2"), 1.0, || "x".into()), None);
        assert_eq!(b.objects["k"].len(), 1);
        assert_eq!(
            b.current("k")
                .and_then(Version::object)
                .map(|o| o.etag.as_str()),
            Some("2")
        );
        assert!(b.delete("k", None, 2.0, || "x".into()).changed);
        assert!(b.is_empty());
        assert!(!b.delete("k", None, 2.0, || "x".into()).changed);
    }

    #[test]
    fn versioned_buckets_keep_every_version_and_markers() {
        let mut b = Bucket::new("b", "us-east-1", 0.0);
        b.put("k", obj("null"), 0.0, || "x".into());
        b.versioning = Versioning::Enabled;
        let v1 = b.put("k", obj("1"), 1.0, || "v1".into());
        assert_eq!(v1.as_deref(), Some("v1"));
        let d = b.delete("k", None, 2.0, || "m1".into());
        assert_eq!(
            d,
            Deleted {
                version_id: Some("m1".into()),
                delete_marker: true,
                changed: true
            }
        );
        assert_eq!(b.objects["k"].len(), 3);
        assert!(b.current("k").is_some_and(Version::is_delete_marker));
        assert!(b.version("k", "null").and_then(Version::object).is_some());
        // Removing the marker brings v1 back.
        let d = b.delete("k", Some("m1"), 3.0, || unreachable!());
        assert!(d.delete_marker && d.changed);
        assert_eq!(b.current("k").and_then(|v| v.id.as_deref()), Some("v1"));
        b.versioning = Versioning::Suspended;
        assert_eq!(b.put("k", obj("s"), 4.0, || unreachable!()), None);
        // The suspended write replaced the old null version.
        assert_eq!(b.objects["k"].len(), 2);
    }
}
