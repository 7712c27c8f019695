//! What codemock reads from a SigV4 signature: the access key, region and signing service of the
//! credential scope. Lenient by design: signatures are never verified, because tests sign with
//! made-up secrets, but the scope says which account and region a request is for.

/// The parts of a SigV4 credential scope codemock uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialScope<'a> {
    pub access_key: &'a str,
    pub date: &'a str,
    pub region: &'a str,
    pub service: &'a str,
}

/// Parses `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/codepipeline/aws4_request, ...`.
pub fn scope_from_authorization(header: &str) -> Option<CredentialScope<'_>> {
    let rest = header.trim_start().strip_prefix("AWS4-HMAC-SHA256")?;
    let start = rest.find("Credential=")? + "Credential=".len();
    let credential = rest[start..].split([',', ' ']).next()?;
    parse_credential(credential)
}

/// Parses the value of a presigned URL's `X-Amz-Credential` (already percent-decoded).
pub fn parse_credential(credential: &str) -> Option<CredentialScope<'_>> {
    let mut parts = credential.split('/');
    let access_key = parts.next()?;
    let date = parts.next()?;
    let region = parts.next()?;
    let service = parts.next()?;
    if parts.next()? != "aws4_request" || access_key.is_empty() {
        return None;
    }
    Some(CredentialScope {
        access_key,
        date,
        region,
        service,
    })
}

/// The account an access key stands for: codemock lets a 12-digit access key id name the account
/// directly (the convention LocalStack and moto users already rely on); anything else is the
/// server's default account.
pub fn account_from_access_key(access_key: &str) -> Option<&str> {
    (access_key.len() == 12 && access_key.bytes().all(|b| b.is_ascii_digit())).then_some(access_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_scope_the_rust_sdk_sends() {
        let h = "AWS4-HMAC-SHA256 Credential=ANOTREAL/20261122/eu-west-1/codepipeline/aws4_request, SignedHeaders=host, Signature=ab";
        let s = scope_from_authorization(h).expect("valid header");
        assert_eq!(s.access_key, "ANOTREAL");
        assert_eq!(s.region, "eu-west-1");
        assert_eq!(s.service, "codepipeline");
    }

    #[test]
    fn rejects_malformed_scopes() {
        assert_eq!(scope_from_authorization("Bearer x"), None);
        assert_eq!(
            scope_from_authorization("AWS4-HMAC-SHA256 Credential=a/b/c"),
            None
        );
        assert_eq!(parse_credential("/d/r/s/aws4_request"), None);
    }

    #[test]
    fn twelve_digit_keys_name_an_account() {
        assert_eq!(
            account_from_access_key("123456789012"),
            Some("123456789012")
        );
        assert_eq!(account_from_access_key("AKIAEXAMPLE"), None);
        assert_eq!(account_from_access_key("12345678901a"), None);
    }
}
