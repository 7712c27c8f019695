//! MD5 (RFC 1321) and the digests SQS reports with every message: `MD5OfMessageBody`,
//! `MD5OfMessageAttributes` and `MD5OfMessageSystemAttributes`. SDKs (boto3, the Java SDK)
//! recompute them and reject a response whose digests differ, so they must be exact.
//!
//! MD5 is written out here rather than taken from a crate: it is forty lines, and SQS is its only
//! user in this crate.

use codemock_wire::sqs::{MessageAttributeValue, MessageSystemAttributeValue};
use std::collections::BTreeMap;

const S: [u32; 64] = [
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9,
    14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15,
    21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];

/// `floor(abs(sin(i + 1)) * 2^32)`, as RFC 1321 tabulates it.
const K: [u32; 64] = [
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
];

/// The MD5 digest of `data` as 32 lower-case hex digits.
pub fn md5_hex(data: &[u8]) -> String {
    let mut state: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    let bit_len = (data.len() as u64).wrapping_mul(8);
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_le_bytes());
    for chunk in msg.chunks_exact(64) {
        let mut m = [0u32; 16];
        for (i, word) in chunk.chunks_exact(4).enumerate() {
            m[i] = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
        }
        let [mut a, mut b, mut c, mut d] = state;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let rotated = a
                .wrapping_add(f)
                .wrapping_add(K[i])
                .wrapping_add(m[g])
                .rotate_left(S[i]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(rotated);
        }
        state[0] = state[0].wrapping_add(a);
        state[1] = state[1].wrapping_add(b);
        state[2] = state[2].wrapping_add(c);
        state[3] = state[3].wrapping_add(d);
    }
    state
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The typed value of one attribute, as the digest sees it.
enum AttrValue<'a> {
    String(&'a str),
    Binary(&'a [u8]),
}

/// SQS's attribute digest: attributes in ascending name order, each as its name, its data type
/// (both length-prefixed UTF-8), a transport byte (1 for string values, 2 for binary) and its
/// length-prefixed value; lengths are 4-byte big-endian. MD5 of the concatenation.
fn attributes_md5<'a>(attrs: impl Iterator<Item = (&'a str, &'a str, AttrValue<'a>)>) -> String {
    let mut sorted: Vec<_> = attrs.collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut buf = Vec::new();
    let push = |bytes: &[u8], buf: &mut Vec<u8>| {
        // Attribute names, types and values are bounded far below 4 GiB by the message size limit.
        buf.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        buf.extend_from_slice(bytes);
    };
    for (name, data_type, value) in sorted {
        push(name.as_bytes(), &mut buf);
        push(data_type.as_bytes(), &mut buf);
        match value {
            AttrValue::String(s) => {
                buf.push(1);
                push(s.as_bytes(), &mut buf);
            }
            AttrValue::Binary(b) => {
                buf.push(2);
                push(b, &mut buf);
            }
        }
    }
    md5_hex(&buf)
}

/// `MD5OfMessageAttributes` of `attrs` (which must be non-empty for SQS to report it).
pub fn message_attributes_md5(attrs: &BTreeMap<String, MessageAttributeValue>) -> String {
    attributes_md5(attrs.iter().map(|(name, v)| {
        let value = match (&v.string_value, &v.binary_value) {
            (Some(s), _) => AttrValue::String(s),
            (None, Some(b)) => AttrValue::Binary(b.as_bytes()),
            (None, None) => AttrValue::String(""),
        };
        (name.as_str(), v.data_type.as_deref().unwrap_or(""), value)
    }))
}

/// `MD5OfMessageSystemAttributes` (only `AWSTraceHeader` exists today).
pub fn system_attributes_md5(attrs: &BTreeMap<String, MessageSystemAttributeValue>) -> String {
    attributes_md5(attrs.iter().map(|(name, v)| {
        let value = match (&v.string_value, &v.binary_value) {
            (Some(s), _) => AttrValue::String(s),
            (None, Some(b)) => AttrValue::Binary(b.as_bytes()),
            (None, None) => AttrValue::String(""),
        };
        (name.as_str(), v.data_type.as_deref().unwrap_or(""), value)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_1321_test_suite() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            md5_hex(
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
            ),
            "57edf4a22be3c955ac49da2e2107b67a"
        );
        assert_eq!(
            md5_hex(b"The quick brown fox jumps over the lazy dog"),
            "9e107d9d372bb6826bd81d3542a419d6"
        );
    }

    #[test]
    fn attribute_digest_follows_the_documented_encoding() {
        // Built by hand from the encoding AWS documents, independently of `attributes_md5`.
        let mut attrs = BTreeMap::new();
        attrs.insert(
            "b".to_owned(),
            MessageAttributeValue {
                data_type: Some("Binary".into()),
                binary_value: Some(vec![1, 2].into()),
                ..Default::default()
            },
        );
        attrs.insert(
            "a".to_owned(),
            MessageAttributeValue {
                data_type: Some("String".into()),
                string_value: Some("x".into()),
                ..Default::default()
            },
        );
        let mut expected = Vec::new();
        expected.extend_from_slice(&[0, 0, 0, 1, b'a', 0, 0, 0, 6]);
        expected.extend_from_slice(b"String");
        expected.extend_from_slice(&[1, 0, 0, 0, 1, b'x']);
        expected.extend_from_slice(&[0, 0, 0, 1, b'b', 0, 0, 0, 6]);
        expected.extend_from_slice(b"Binary");
        expected.extend_from_slice(&[2, 0, 0, 0, 2, 1, 2]);
        assert_eq!(message_attributes_md5(&attrs), md5_hex(&expected));
    }
}
