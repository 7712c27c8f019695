//! The integrity checks S3 applies to request bodies: Content-MD5, the flexible checksums
//! (`x-amz-checksum-crc32|crc32c|crc64nvme|sha1|sha256`) and the signed payload hash
//! (`x-amz-content-sha256`), plus the ETag, which for a single-part object is the MD5 of its bytes.

use base64::Engine as _;
use md5::Digest as _;

/// A flexible-checksum algorithm S3 accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    Crc32,
    Crc32c,
    Crc64Nvme,
    Sha1,
    Sha256,
}

impl Algorithm {
    pub const ALL: [Algorithm; 5] = [
        Algorithm::Crc32,
        Algorithm::Crc32c,
        Algorithm::Crc64Nvme,
        Algorithm::Sha1,
        Algorithm::Sha256,
    ];

    /// The name the API uses (`ChecksumAlgorithm` enum, `x-amz-sdk-checksum-algorithm`).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "CRC32",
            Algorithm::Crc32c => "CRC32C",
            Algorithm::Crc64Nvme => "CRC64NVME",
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
        }
    }

    /// The header carrying its value (`x-amz-checksum-crc32`...), also the trailer name.
    pub fn header(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "x-amz-checksum-crc32",
            Algorithm::Crc32c => "x-amz-checksum-crc32c",
            Algorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            Algorithm::Sha1 => "x-amz-checksum-sha1",
            Algorithm::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// The XML element of its value in responses (`ChecksumCRC32`...).
    pub fn xml_name(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "ChecksumCRC32",
            Algorithm::Crc32c => "ChecksumCRC32C",
            Algorithm::Crc64Nvme => "ChecksumCRC64NVME",
            Algorithm::Sha1 => "ChecksumSHA1",
            Algorithm::Sha256 => "ChecksumSHA256",
        }
    }

    pub fn parse(name: &str) -> Option<Algorithm> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    pub fn from_header(header: &str) -> Option<Algorithm> {
        Self::ALL
            .into_iter()
            .find(|a| a.header().eq_ignore_ascii_case(header))
    }

    /// Length of the raw digest, to tell a malformed header value from a mismatching one.
    pub fn digest_len(self) -> usize {
        match self {
            Algorithm::Crc32 | Algorithm::Crc32c => 4,
            Algorithm::Crc64Nvme => 8,
            Algorithm::Sha1 => 20,
            Algorithm::Sha256 => 32,
        }
    }

    /// CRCs combine into a checksum of the whole object; S3 reports multipart CRCs as
    /// FULL_OBJECT by default and SHA ones as COMPOSITE (checksum of checksums, `-N`).
    pub fn is_crc(self) -> bool {
        matches!(
            self,
            Algorithm::Crc32 | Algorithm::Crc32c | Algorithm::Crc64Nvme
        )
    }

    fn crc(self) -> Option<crc_fast::CrcAlgorithm> {
        match self {
            Algorithm::Crc32 => Some(crc_fast::CrcAlgorithm::Crc32IsoHdlc),
            Algorithm::Crc32c => Some(crc_fast::CrcAlgorithm::Crc32Iscsi),
            Algorithm::Crc64Nvme => Some(crc_fast::CrcAlgorithm::Crc64Nvme),
            _ => None,
        }
    }
}

/// A running checksum of one algorithm.
pub enum Hasher {
    Crc(Algorithm, crc_fast::Digest),
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher")
    }
}

impl Hasher {
    pub fn new(algorithm: Algorithm) -> Hasher {
        match (algorithm, algorithm.crc()) {
            (_, Some(crc)) => Hasher::Crc(algorithm, crc_fast::Digest::new(crc)),
            (Algorithm::Sha1, _) => Hasher::Sha1(sha1::Sha1::new()),
            _ => Hasher::Sha256(sha2::Sha256::new()),
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Crc(_, d) => d.update(data),
            Hasher::Sha1(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
        }
    }

    /// The raw digest (CRCs big-endian, as S3 encodes them before base64).
    pub fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Crc(Algorithm::Crc64Nvme, d) => d.finalize().to_be_bytes().to_vec(),
            Hasher::Crc(_, d) => (d.finalize() as u32).to_be_bytes().to_vec(),
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
        }
    }
}

/// The raw digest of `data` under `algorithm`.
pub fn digest(algorithm: Algorithm, data: &[u8]) -> Vec<u8> {
    let mut h = Hasher::new(algorithm);
    h.update(data);
    h.finish()
}

/// Combines two CRCs (of consecutive data, the second `len2` bytes long) into the CRC of both.
pub fn crc_combine(algorithm: Algorithm, a: &[u8], b: &[u8], len2: u64) -> Option<Vec<u8>> {
    let crc = algorithm.crc()?;
    let num = |v: &[u8]| v.iter().fold(0u64, |acc, x| (acc << 8) | u64::from(*x));
    let combined = crc_fast::checksum_combine(crc, num(a), num(b), len2);
    Some(if algorithm == Algorithm::Crc64Nvme {
        combined.to_be_bytes().to_vec()
    } else {
        (combined as u32).to_be_bytes().to_vec()
    })
}

pub fn md5(data: &[u8]) -> [u8; 16] {
    md5::Md5::digest(data).into()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&sha2::Sha256::digest(data))
}

pub fn b64(raw: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(raw)
}

pub fn unb64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()
}

pub fn hex(raw: &[u8]) -> String {
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

/// An ETag value with its quotes, as S3 sends it.
pub fn quoted(etag: &str) -> String {
    format!("\"{etag}\"")
}

/// The ETag of a multipart object: MD5 of the concatenated binary part MD5s, then `-<parts>`.
pub fn multipart_etag(part_md5s: &[[u8; 16]]) -> String {
    let mut h = md5::Md5::new();
    for p in part_md5s {
        h.update(p);
    }
    format!("{}-{}", hex(&h.finalize()), part_md5s.len())
}

/// Hashes computed while a body streams in: MD5 always (the ETag), the SHA-256 when the
/// signature declared one, and each flexible checksum the request names.
#[derive(Debug)]
pub struct BodyHashes {
    md5: md5::Md5,
    sha256: Option<sha2::Sha256>,
    checksums: Vec<Hasher>,
}

/// What [`BodyHashes`] computed.
#[derive(Debug, Clone, Default)]
pub struct Computed {
    pub md5: [u8; 16],
    pub sha256_hex: Option<String>,
    pub checksums: Vec<(Algorithm, Vec<u8>)>,
}

impl BodyHashes {
    pub fn new(sha256: bool, algorithms: &[Algorithm]) -> BodyHashes {
        BodyHashes {
            md5: md5::Md5::new(),
            sha256: sha256.then(sha2::Sha256::new),
            checksums: algorithms.iter().map(|a| Hasher::new(*a)).collect(),
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        self.md5.update(data);
        if let Some(h) = &mut self.sha256 {
            h.update(data);
        }
        for h in &mut self.checksums {
            h.update(data);
        }
    }

    pub fn finish(self) -> Computed {
        Computed {
            md5: self.md5.finalize().into(),
            sha256_hex: self.sha256.map(|h| hex(&h.finalize())),
            checksums: self
                .checksums
                .into_iter()
                .map(|h| {
                    let a = match &h {
                        Hasher::Crc(a, _) => *a,
                        Hasher::Sha1(_) => Algorithm::Sha1,
                        Hasher::Sha256(_) => Algorithm::Sha256,
                    };
                    (a, h.finish())
                })
                .collect(),
        }
    }
}

impl Computed {
    pub fn checksum(&self, algorithm: Algorithm) -> Option<&[u8]> {
        self.checksums
            .iter()
            .find(|(a, _)| *a == algorithm)
            .map(|(_, v)| v.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        // "hello" as captured from the Rust SDK: x-amz-checksum-crc32: NhCmhg==
        assert_eq!(b64(&digest(Algorithm::Crc32, b"hello")), "NhCmhg==");
        assert_eq!(hex(&md5(b"")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(hex(&digest(Algorithm::Crc32c, b"123456789")), "e3069283");
        assert_eq!(
            sha256_hex(b"hello"),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
    }

    #[test]
    fn crcs_combine() {
        for a in [Algorithm::Crc32, Algorithm::Crc32c, Algorithm::Crc64Nvme] {
            let whole = digest(a, b"hello world");
            let c = crc_combine(a, &digest(a, b"hello "), &digest(a, b"world"), 5);
            assert_eq!(c.as_deref(), Some(whole.as_slice()), "{a:?}");
        }
    }

    #[test]
    fn multipart_etag_has_the_part_count() {
        let e = multipart_etag(&[md5(b"a"), md5(b"b")]);
        assert!(e.ends_with("-2"));
        assert_eq!(e.len(), 34);
    }
}
