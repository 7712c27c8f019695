//! Typed dispatch: the contract between a service's generated `Handlers` table and the server
//! that runs it. The server says what a handler's context and error are ([`Handling`]), how it
//! enters that context ([`Enter`]) and how an output goes on the wire ([`Encode`]).
//!
//! An input reaches its handler one of two ways:
//!
//! - The fast path ([`run_json`], the table's `call_json`), for awsJson bodies: the body bytes
//!   decode straight into the operation's type (`serde_json::from_str`, under
//!   [`crate::types::decode_strict`]), and [`crate::check`] checks the typed value against the
//!   schema. Only a body that decodes strictly and satisfies every constraint runs the handler;
//!   anything else is handed back ([`Deferred`]) before any handler runs.
//! - The value path ([`run`], the table's `call`): the server decoded the body to a JSON value
//!   and `crate::validate` accepted it (with AWS's messages for what it refuses); the value then
//!   decodes into the operation's type. Deferred awsJson requests take it, and so do CBOR
//!   requests and the async handlers, which take a JSON value.
//!
//! So every error message comes from the validator, and the fast path only saves its work (and
//! the JSON value) for the inputs it would accept.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::schema::{Service, ShapeId};

/// What handlers of a server take and return.
pub trait Handling {
    /// The context a handler gets (its state, the request, an effects sink...).
    type Cx<'a>;
    /// The error a handler returns.
    type Error;
    /// The error for an input the validator passed but the typed decoding refused.
    fn bad_input(message: String) -> Self::Error;
}

/// A handler of one operation: typed input in, typed output out.
pub type HandlerFn<X, I, O> =
    for<'a, 'b> fn(&'a mut <X as Handling>::Cx<'b>, I) -> Result<O, <X as Handling>::Error>;

/// Puts a handler's typed output on the wire (awsJson, CBOR...).
pub trait Encode {
    type Output;
    fn encode<T: Serialize>(self, value: &T) -> Self::Output;
}

/// Enters a handler's context (takes the state's lock, say) to run one call in it. The fast path
/// decodes and checks its input before entering, and encodes the output after leaving.
pub trait Enter<X: Handling> {
    fn enter<R>(self, f: impl FnOnce(&mut X::Cx<'_>) -> Result<R, X::Error>)
        -> Result<R, X::Error>;
}

/// The fast path declined the input (it does not decode strictly or violates a constraint): no
/// handler ran, and the encoder comes back for the value path.
#[derive(Debug)]
pub struct Deferred<E>(pub E);

/// Decodes `input` into the operation's type, runs `handler`, encodes what it returns. The value
/// is taken by value so that its strings move into the typed input instead of being copied.
pub fn run<X, I, O, E>(
    handler: HandlerFn<X, I, O>,
    cx: &mut X::Cx<'_>,
    input: serde_json::Value,
    encoder: E,
) -> Result<E::Output, X::Error>
where
    X: Handling,
    I: DeserializeOwned,
    O: Serialize,
    E: Encode,
{
    let input = I::deserialize(input).map_err(|e| X::bad_input(e.to_string()))?;
    let output = handler(cx, input)?;
    Ok(encoder.encode(&output))
}

/// The fast path for an awsJson `body` (empty means `{}`): decodes it into the operation's type,
/// checks it against `shape` of `service` (`None`: the operation has no input, and nothing to
/// check), then enters the context, runs `handler` and encodes its output. Returns [`Deferred`]
/// without running anything when the body does not decode strictly or breaks a constraint.
pub fn run_json<X, I, O, E>(
    handler: HandlerFn<X, I, O>,
    service: &Service,
    shape: Option<ShapeId>,
    body: &[u8],
    enter: impl Enter<X>,
    encoder: E,
) -> Result<Result<E::Output, X::Error>, Deferred<E>>
where
    X: Handling,
    I: DeserializeOwned + Serialize,
    O: Serialize,
    E: Encode,
{
    let Some(input) = decode_checked::<I>(service, shape, body) else {
        return Err(Deferred(encoder));
    };
    Ok(enter
        .enter(|cx| handler(cx, input))
        .map(|output| encoder.encode(&output)))
}

/// The typed input of an awsJson body, if it decodes strictly and passes the typed check: what
/// the value path would hand the handler. `None` leaves the decision to the value path.
pub fn decode_checked<I: DeserializeOwned + Serialize>(
    service: &Service,
    shape: Option<ShapeId>,
    body: &[u8],
) -> Option<I> {
    // `from_str` after a UTF-8 check, not `from_slice`: the value decoding refuses invalid UTF-8
    // anywhere, also in members the type skips.
    let text = std::str::from_utf8(body).ok()?;
    // As the value decoding: a blank body is `{}`, and anything but an object is refused (an
    // input without members would accept any value). Blank is ASCII whitespace, as there; the
    // JSON parser then allows only JSON's own.
    let text = if text.bytes().all(|b| b.is_ascii_whitespace()) {
        "{}"
    } else {
        text
    };
    if !text
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .starts_with('{')
    {
        return None;
    }
    let (decoded, strict) = crate::types::decode_strict(|| serde_json::from_str::<I>(text));
    let input = decoded.ok().filter(|_| strict)?;
    match shape {
        Some(shape) if !crate::check::check(service, shape, &input) => None,
        _ => Some(input),
    }
}
