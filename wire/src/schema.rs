//! Static description of an AWS API model, as generated from botocore: the services, their
//! operations and shapes. The router reads it to know which operations exist, the validator to check
//! inputs with AWS's constraint messages, and the error layer to know each error's code and status.

/// Index into [`Service::shapes`].
pub type ShapeId = u16;

/// One AWS service's API model.
#[derive(Debug)]
pub struct Service {
    /// botocore directory name: `"codepipeline"`, `"events"`, `"sqs"`, `"logs"`, ...
    pub name: &'static str,
    /// `metadata.serviceId`, e.g. `"CodePipeline"`, `"EventBridge"`, `"CloudWatch Logs"`.
    pub service_id: &'static str,
    /// The `x-amz-target` prefix: `"CodePipeline_20150709"`, `"AWSEvents"`, `"AmazonSQS"`, ...
    pub target_prefix: &'static str,
    /// The Smithy namespace of its shapes: `"com.amazonaws.codepipeline"`, `"com.amazonaws.sqs"`...
    pub namespace: &'static str,
    /// SigV4 signing name (the endpoint prefix for all our services).
    pub signing_name: &'static str,
    /// awsJson version: `"1.1"`, or `"1.0"` for SQS.
    pub json_version: &'static str,
    /// The model lists the Smithy RPC v2 CBOR protocol.
    pub supports_cbor: bool,
    /// `metadata.apiVersion`, e.g. `"2015-07-09"`.
    pub api_version: &'static str,
    /// `metadata.awsQueryCompatible` is set (SQS): errors may carry `x-amzn-query-error`.
    pub aws_query_compatible: bool,
    /// Sorted by name.
    pub operations: &'static [Operation],
    /// Sorted by name; a [`ShapeId`] is an index into this slice.
    pub shapes: &'static [Shape],
    /// Compiled `pattern` regexes, filled on first use by the validator.
    pub patterns: &'static crate::validate::PatternCache,
}

/// One operation of a service.
#[derive(Debug)]
pub struct Operation {
    pub name: &'static str,
    pub input: Option<ShapeId>,
    pub output: Option<ShapeId>,
    /// Shape names of the modeled errors, sorted.
    pub errors: &'static [&'static str],
    pub deprecated: bool,
}

/// A named shape of the model.
#[derive(Debug)]
pub struct Shape {
    pub name: &'static str,
    pub kind: ShapeKind,
}

/// A shape's type and constraints. `min`/`max` are lengths for strings, blobs, lists and maps, and
/// values for numbers.
#[derive(Debug)]
pub enum ShapeKind {
    String {
        min: Option<i64>,
        max: Option<i64>,
        /// A Java regular expression that the whole value must match.
        pattern: Option<&'static str>,
        /// Allowed values in model order; empty when the string is not an enum.
        enum_values: &'static [&'static str],
    },
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Long {
        min: Option<i64>,
        max: Option<i64>,
    },
    Double {
        min: Option<f64>,
        max: Option<f64>,
    },
    Float {
        min: Option<f64>,
        max: Option<f64>,
    },
    Boolean,
    Timestamp,
    Blob {
        min: Option<i64>,
        max: Option<i64>,
    },
    Document,
    List {
        member: ShapeId,
        min: Option<i64>,
        max: Option<i64>,
    },
    Map {
        key: ShapeId,
        value: ShapeId,
        min: Option<i64>,
        max: Option<i64>,
    },
    Structure {
        /// In model order, which is the order AWS reports validation errors in.
        members: &'static [Member],
        /// Set for error (exception) structures.
        error: Option<ErrorInfo>,
        /// Exactly one member must be set.
        union: bool,
    },
}

/// A member of a structure.
#[derive(Debug)]
pub struct Member {
    /// The exact wire name (`pipelineName`, `EventBusName`).
    pub name: &'static str,
    pub shape: ShapeId,
    pub required: bool,
}

/// How an error structure goes on the wire.
#[derive(Debug)]
pub struct ErrorInfo {
    /// The model's `error.code` override, else the shape name.
    pub code: &'static str,
    /// The model's `error.httpStatusCode`, else 400 (500 for faults).
    pub http_status: u16,
    /// A server-side fault rather than a client error.
    pub fault: bool,
}

impl Service {
    /// The operation with this exact name.
    pub fn operation(&self, name: &str) -> Option<&'static Operation> {
        let ops: &'static [Operation] = self.operations;
        ops.binary_search_by(|op| op.name.cmp(name))
            .ok()
            .map(|i| &ops[i])
    }

    /// The shape a [`ShapeId`] of this service names.
    ///
    /// Ids come from this service's own schema; an id from another service is a bug, and panics.
    pub fn shape(&self, id: ShapeId) -> &'static Shape {
        let shapes: &'static [Shape] = self.shapes;
        &shapes[usize::from(id)]
    }

    /// The id of the shape with this exact name.
    pub fn shape_by_name(&self, name: &str) -> Option<ShapeId> {
        self.shapes
            .binary_search_by(|s| s.name.cmp(name))
            .ok()
            .and_then(|i| ShapeId::try_from(i).ok())
    }

    /// The error structure whose wire code is `code`, if the model has one.
    pub fn error_shape(&self, code: &str) -> Option<(&'static Shape, &'static ErrorInfo)> {
        let shapes: &'static [Shape] = self.shapes;
        shapes.iter().find_map(|s| match &s.kind {
            ShapeKind::Structure {
                error: Some(info), ..
            } if info.code == code || s.name == code => Some((s, info)),
            _ => None,
        })
    }
}
