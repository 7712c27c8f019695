//! The Parameter Store parameters and Secrets Manager secrets builds may reference. codemock has
//! neither service; a test registers the values (`POST /_codemock/codebuild/parameters` and
//! `/_codemock/codebuild/secrets`, or `MockServer::codebuild()`), and a build resolves its
//! `PARAMETER_STORE` and `SECRETS_MANAGER` variables from them, failing as AWS does when one is
//! missing.

use parking_lot::Mutex;
use std::collections::BTreeMap;

/// The registered values of one server.
#[derive(Debug, Default)]
pub struct Values {
    parameters: Mutex<BTreeMap<String, String>>,
    secrets: Mutex<BTreeMap<String, String>>,
}

/// A variable's reference could not be resolved: the phase context AWS writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Unresolved {
    pub code: &'static str,
    pub message: String,
}

impl Values {
    pub fn set_parameter(&self, name: impl Into<String>, value: impl Into<String>) {
        self.parameters.lock().insert(name.into(), value.into());
    }

    /// `value` is the secret string (JSON when variables pick keys from it).
    pub fn set_secret(&self, id: impl Into<String>, value: impl Into<String>) {
        self.secrets.lock().insert(id.into(), value.into());
    }

    /// A copy, for a local build's job to resolve its buildspec's references with.
    pub fn snapshot(&self) -> Values {
        Values {
            parameters: Mutex::new(self.parameters.lock().clone()),
            secrets: Mutex::new(self.secrets.lock().clone()),
        }
    }

    pub fn reset(&self) {
        self.parameters.lock().clear();
        self.secrets.lock().clear();
    }

    /// The value of Parameter Store parameter `name` (a name or its ARN).
    pub fn parameter(&self, name: &str) -> Result<String, Unresolved> {
        let key = name.split_once(":parameter").map_or(name, |(_, n)| n);
        self.parameters
            .lock()
            .get(key)
            .cloned()
            .ok_or_else(|| Unresolved {
                // The agent's wording when a parameter does not exist.
                code: "Decrypted Variables Error",
                message: format!("parameter does not exist: {key}"),
            })
    }

    /// `secret-id[:json-key[:version-stage[:version-id]]]`; the secret id may be an ARN.
    pub fn secret(&self, reference: &str) -> Result<String, Unresolved> {
        let (id, rest) = match reference.strip_prefix("arn:") {
            Some(_) => {
                // arn:aws:secretsmanager:region:account:secret:name[:json-key...]
                let parts: Vec<&str> = reference.splitn(8, ':').collect();
                let id = parts.iter().take(7).copied().collect::<Vec<_>>().join(":");
                (id, parts.get(7).copied().unwrap_or_default().to_owned())
            }
            None => match reference.split_once(':') {
                Some((id, rest)) => (id.to_owned(), rest.to_owned()),
                None => (reference.to_owned(), String::new()),
            },
        };
        let missing = || Unresolved {
            code: "Secrets Manager Error",
            message: format!("Secrets Manager can't find the specified secret: {id}"),
        };
        let value = self.secrets.lock().get(&id).cloned().ok_or_else(missing)?;
        let key = rest.split(':').next().unwrap_or_default();
        if key.is_empty() {
            return Ok(value);
        }
        let json: serde_json::Value = serde_json::from_str(&value).map_err(|_| Unresolved {
            code: "Secrets Manager Error",
            message: format!("Secret {id} is not valid JSON"),
        })?;
        match json.get(key) {
            Some(serde_json::Value::String(s)) => Ok(s.clone()),
            Some(other) => Ok(other.to_string()),
            None => Err(Unresolved {
                code: "Secrets Manager Error",
                message: format!("Secret {id} has no key {key}"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_and_secrets_resolve_or_fail_with_the_agents_words() {
        let v = Values::default();
        v.set_parameter("/app/token", "t0k");
        assert_eq!(v.parameter("/app/token").as_deref(), Ok("t0k"));
        assert_eq!(
            v.parameter("arn:aws:ssm:us-east-1:000000000000:parameter/app/token")
                .as_deref(),
            Ok("t0k")
        );
        assert_eq!(
            v.parameter("/nope").map_err(|e| e.message),
            Err("parameter does not exist: /nope".to_owned())
        );
        v.set_secret("db", r#"{"user": "admin", "port": 5432}"#);
        assert_eq!(v.secret("db:user").as_deref(), Ok("admin"));
        assert_eq!(v.secret("db:port").as_deref(), Ok("5432"));
        assert!(v.secret("db").is_ok_and(|s| s.contains("admin")));
        assert!(v.secret("other").is_err());
    }
}
