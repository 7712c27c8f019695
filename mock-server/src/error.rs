//! The three kinds of failure and the one place that turns them into an AWS-shaped error.
//!
//! * [`ProtocolError`]: the request could not be understood (bad JSON, unknown target, body too
//!   large...). Raised by the gateway and the protocol layer.
//! * [`ServiceError`]: a modeled AWS error raised by a handler (`PipelineNotFoundException`).
//! * internal bugs: a handler that panics is caught by the gateway and answered as a 500
//!   `InternalFailure`, so one bad request never takes the server down.
//!
//! All three become an [`ErrorReply`], which each protocol encodes in its own way.

use serde_json::{Map, Value};
use std::fmt;

/// A request codemock could not parse or route. AWS answers these before any service code runs.
#[derive(Debug, Clone, PartialEq)]
pub enum ProtocolError {
    /// The body is not valid JSON/CBOR, or a member has the wrong type.
    Serialization(String),
    /// The target names no operation of any service we know.
    UnknownOperation(String),
    /// A known operation that codemock does not implement yet.
    NotImplemented {
        service: &'static str,
        operation: String,
    },
    /// The body exceeds the gateway's limit.
    PayloadTooLarge { limit: usize },
    /// A content type the protocol does not accept.
    UnsupportedMediaType(String),
    /// The client did not send its body in time.
    RequestTimeout,
    /// Anything else about the request's framing (e.g. a CBOR request carrying `X-Amz-Target`).
    BadRequest(String),
}

/// A modeled AWS error: the shape name of the exception and its message, plus any extra modeled
/// members the exception carries.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub fields: Map<String, Value>,
}

impl ServiceError {
    /// A client error (HTTP 400) of shape `code`.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> ServiceError {
        ServiceError {
            status: 400,
            code: code.into(),
            message: message.into(),
            fields: Map::new(),
        }
    }

    /// A `ValidationException` with AWS's message text.
    pub fn validation(message: impl Into<String>) -> ServiceError {
        ServiceError::new("ValidationException", message)
    }

    /// A fault of our own (HTTP 500).
    pub fn internal(message: impl Into<String>) -> ServiceError {
        ServiceError {
            status: 500,
            code: "InternalFailure".into(),
            message: message.into(),
            fields: Map::new(),
        }
    }

    pub fn with_status(mut self, status: u16) -> ServiceError {
        self.status = status;
        self
    }

    /// Adds a modeled member of the exception (e.g. `resourceArn`).
    pub fn with_field(mut self, name: &str, value: impl Into<Value>) -> ServiceError {
        self.fields.insert(name.to_owned(), value.into());
        self
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ServiceError {}

/// What every failure becomes before a protocol encodes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorReply {
    pub status: u16,
    /// The error shape name, bare (`ValidationException`); protocols add namespaces if they must.
    pub code: String,
    pub message: String,
    pub fields: Map<String, Value>,
}

impl From<ServiceError> for ErrorReply {
    fn from(e: ServiceError) -> ErrorReply {
        ErrorReply {
            status: e.status,
            code: e.code,
            message: e.message,
            fields: e.fields,
        }
    }
}

impl From<ProtocolError> for ErrorReply {
    fn from(e: ProtocolError) -> ErrorReply {
        let (status, code, message) = match e {
            ProtocolError::Serialization(m) => (400, "SerializationException", m),
            ProtocolError::UnknownOperation(m) => (400, "UnknownOperationException", m),
            ProtocolError::NotImplemented { service, operation } => (
                501,
                "NotImplementedException",
                format!("{service} operation {operation} is not implemented by codemock yet"),
            ),
            ProtocolError::PayloadTooLarge { limit } => (
                413,
                "RequestEntityTooLargeException",
                format!("Request body exceeds the maximum size of {limit} bytes"),
            ),
            ProtocolError::UnsupportedMediaType(ct) => (
                415,
                "UnsupportedMediaTypeException",
                format!("Unsupported Content-Type: {ct}"),
            ),
            ProtocolError::RequestTimeout => (
                408,
                "RequestTimeoutException",
                "The client did not send the request body in time".to_owned(),
            ),
            ProtocolError::BadRequest(m) => (400, "BadRequestException", m),
        };
        ErrorReply {
            status,
            code: code.to_owned(),
            message,
            fields: Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_implemented_names_service_and_operation() {
        let reply = ErrorReply::from(ProtocolError::NotImplemented {
            service: "CodePipeline",
            operation: "GetPipeline".into(),
        });
        assert_eq!(reply.status, 501);
        assert_eq!(reply.code, "NotImplementedException");
        assert!(reply.message.contains("CodePipeline operation GetPipeline"));
    }

    #[test]
    fn service_errors_keep_their_modeled_members() {
        let reply = ErrorReply::from(
            ServiceError::new("ResourceNotFoundException", "gone")
                .with_field("resourceArn", "arn:x"),
        );
        assert_eq!(reply.status, 400);
        assert_eq!(reply.fields["resourceArn"], "arn:x");
    }
}
