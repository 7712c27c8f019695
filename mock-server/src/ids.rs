//! Identifiers, ARNs and pagination tokens, drawn from a per-server seed.
//!
//! Every id codemock hands out (request ids, execution ids, build ids, event ids ...) comes from
//! one seeded generator, so the same test produces the same ids on every run.

use base64::Engine as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// The seed a server uses unless told otherwise.
pub const DEFAULT_SEED: u64 = 0x00c0_de00_c0de;

/// A deterministic source of ids (splitmix64: tiny, fast, and stable across versions, which a
/// crate's RNG does not promise).
#[derive(Debug)]
pub struct Ids {
    /// splitmix64's state only ever advances by a constant, so one atomic add draws a number:
    /// no lock for the request-id stream that both workers draw from on every request.
    state: AtomicU64,
}

const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

impl Ids {
    pub fn new(seed: u64) -> Ids {
        Ids {
            state: AtomicU64::new(seed),
        }
    }

    /// Restarts the sequence (a reset makes a server look freshly started).
    pub fn reseed(&self, seed: u64) {
        self.state.store(seed, Ordering::Relaxed);
    }

    pub fn next_u64(&self) -> u64 {
        let mut z = self
            .state
            .fetch_add(GAMMA, Ordering::Relaxed)
            .wrapping_add(GAMMA);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A random (version 4) UUID in its canonical lower-case form, as AWS uses for request ids,
    /// execution ids and event ids.
    pub fn uuid(&self) -> String {
        let hi = self.next_u64();
        let lo = self.next_u64();
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&hi.to_be_bytes());
        b[8..].copy_from_slice(&lo.to_be_bytes());
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let mut out = String::with_capacity(36);
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                out.push('-');
            }
            push_hex(&mut out, *byte);
        }
        out
    }

    /// `len` lower-case hex digits.
    pub fn hex(&self, len: usize) -> String {
        let mut out = String::with_capacity(len + 16);
        while out.len() < len {
            for byte in self.next_u64().to_be_bytes() {
                push_hex(&mut out, byte);
            }
        }
        out.truncate(len);
        out
    }

    /// `len` characters of upper-case letters and digits (the alphabet of S3 version ids, CodeDeploy
    /// deployment ids after `d-`, and the like).
    pub fn alphanumeric_upper(&self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..len)
            .map(|_| ALPHABET[(self.next_u64() % ALPHABET.len() as u64) as usize] as char)
            .collect()
    }
}

/// An ARN in the `aws` partition: `arn:aws:<service>:<region>:<account>:<resource>`.
pub fn arn(service: &str, region: &str, account: &str, resource: &str) -> String {
    format!("arn:aws:{service}:{region}:{account}:{resource}")
}

/// The parts of an ARN: service, region, account, resource.
pub fn split_arn(arn: &str) -> Option<(&str, &str, &str, &str)> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let _partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    Some((service, region, account, resource))
}

/// An opaque pagination token for a position in a sorted listing. AWS's tokens are opaque to
/// clients; ours encode the last key returned, so that a listing stays correct when items are
/// added or removed between pages.
pub fn page_token(last_key: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("codemock:{last_key}"))
}

/// The key a token from [`page_token`] encodes, or `None` for a token we did not issue.
pub fn parse_page_token(token: &str) -> Option<String> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    text.strip_prefix("codemock:").map(str::to_owned)
}

/// Appends `byte` as two lower-case hex digits (ids are made on every request: no `format!`).
fn push_hex(out: &mut String, byte: u8) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.push(DIGITS[usize::from(byte >> 4)] as char);
    out.push(DIGITS[usize::from(byte & 0x0f)] as char);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_same_ids() {
        let a = Ids::new(7);
        let b = Ids::new(7);
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(a.hex(40), b.hex(40));
        assert_ne!(Ids::new(8).uuid(), Ids::new(7).uuid());
    }

    #[test]
    fn uuids_are_version_4() {
        let ids = Ids::new(1);
        for _ in 0..100 {
            let u = ids.uuid();
            assert_eq!(u.len(), 36);
            assert_eq!(&u[14..15], "4");
            assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"), "{u}");
        }
    }

    #[test]
    fn reseed_restarts_the_sequence() {
        let ids = Ids::new(3);
        let first = ids.uuid();
        ids.reseed(3);
        assert_eq!(ids.uuid(), first);
    }

    #[test]
    fn page_tokens_round_trip_and_reject_foreign_tokens() {
        assert_eq!(parse_page_token(&page_token("p-9")).as_deref(), Some("p-9"));
        assert_eq!(parse_page_token("not a token"), None);
        assert_eq!(
            arn("codepipeline", "us-east-1", "123456789012", "p"),
            "arn:aws:codepipeline:us-east-1:123456789012:p"
        );
    }
}
