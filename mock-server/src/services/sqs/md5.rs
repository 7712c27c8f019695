//! The digests SQS reports with every message: `MD5OfMessageBody`, `MD5OfMessageAttributes` and
//! `MD5OfMessageSystemAttributes`. SDKs (boto3, the Java SDK) recompute them and reject a
//! response whose digests differ, so they must be exact. The MD5 itself is the `md-5` crate's (the
//! S3 slice's too); what is SQS's own is how attributes are encoded before hashing.

use ::md5::{Digest as _, Md5};
use codemock_wire::sqs::{MessageAttributeValue, MessageSystemAttributeValue};
use std::collections::BTreeMap;

/// The MD5 digest of `data` as 32 lower-case hex digits.
pub fn md5_hex(data: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(32);
    for b in Md5::digest(data) {
        hex.push(DIGITS[usize::from(b >> 4)] as char);
        hex.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    hex
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
        (name.as_str(), v.data_type.as_str(), value)
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
        (name.as_str(), v.data_type.as_str(), value)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_digest_is_rfc_1321_md5() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    }

    fn string_attr(data_type: &str, value: &str) -> MessageAttributeValue {
        MessageAttributeValue {
            data_type: data_type.into(),
            string_value: Some(value.into()),
            ..Default::default()
        }
    }

    #[test]
    fn digests_match_the_aws_cli_send_message_example() {
        // aws/aws-cli, awscli/examples/sqs/send-message.rst: the output AWS printed for this body
        // and these attributes, with the middle of each digest elided ("51b0a325...39163aa0",
        // "00484c68...59e48f06"). The CLI v1 sent the Binary value as the bytes of the base64 of
        // "Hello, World!" (its file:// input is base64-encoded once more on the wire), and only
        // that reading of the example gives AWS's digest.
        let body = md5_hex(b"Information about the largest city in Any Region.");
        assert!(
            body.starts_with("51b0a325") && body.ends_with("39163aa0"),
            "{body}"
        );
        let mut attrs = BTreeMap::new();
        attrs.insert("City".to_owned(), string_attr("String", "Any City"));
        attrs.insert("Population".to_owned(), string_attr("Number", "1250800"));
        attrs.insert(
            "Greeting".to_owned(),
            MessageAttributeValue {
                data_type: "Binary".into(),
                binary_value: Some(b"SGVsbG8sIFdvcmxkIQ==".to_vec().into()),
                ..Default::default()
            },
        );
        let digest = message_attributes_md5(&attrs);
        assert!(
            digest.starts_with("00484c68") && digest.ends_with("59e48f06"),
            "{digest}"
        );
    }

    #[test]
    fn digests_match_a_recorded_lambda_sqs_event() {
        // A Lambda event AWS delivered from a queue (ap-south-1, SentTimestamp 1554088217716),
        // recorded in Alibaba Cloud's AWS Lambda migration guide: body "Sample content.", one
        // String attribute.
        assert_eq!(
            md5_hex(b"Sample content."),
            "b58e1d0a86521415d25b85b89f6ad6cd"
        );
        let mut attrs = BTreeMap::new();
        attrs.insert(
            "sample-attribute".to_owned(),
            string_attr("String", "sample-value"),
        );
        assert_eq!(
            message_attributes_md5(&attrs),
            "7c815262be77a62f56671125069ca888"
        );
    }

    #[test]
    fn attribute_digest_follows_the_documented_encoding() {
        // Built by hand from the encoding AWS documents, independently of `attributes_md5`.
        let mut attrs = BTreeMap::new();
        attrs.insert(
            "b".to_owned(),
            MessageAttributeValue {
                data_type: "Binary".into(),
                binary_value: Some(vec![1, 2].into()),
                ..Default::default()
            },
        );
        attrs.insert(
            "a".to_owned(),
            MessageAttributeValue {
                data_type: "String".into(),
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
