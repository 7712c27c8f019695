//! Typed dispatch: the contract between a service's generated `Handlers` table and the server
//! that runs it. The server says what a handler's context and error are ([`Handling`]) and how an
//! output goes on the wire ([`Encode`]); the table decodes each input straight into the
//! operation's type and hands the typed output to the encoder, with no JSON value in between.

use serde::de::DeserializeOwned;
use serde::Serialize;

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
