//! Scalar wire types that need their own JSON encoding (timestamps and blobs), and the macro the
//! generated code uses for enum shapes.

use std::cell::Cell;
use std::fmt;

use base64::Engine as _;
use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A timestamp as awsJson carries it: epoch seconds, possibly fractional.
///
/// Serialized as a JSON number, an integer when whole (`1700000000`) and a float otherwise
/// (`1700000000.5`), exactly as the AWS SDKs write it. Deserializes from a number, and also from a
/// numeric string, which the SDKs tolerate too.
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd)]
pub struct Timestamp(pub f64);

impl Timestamp {
    /// Whole epoch seconds.
    pub fn from_secs(secs: i64) -> Self {
        // Precision loss only beyond 2^53 seconds, far outside any real date.
        #[allow(clippy::cast_precision_loss, reason = "exact for every plausible date")]
        let secs = secs as f64;
        Timestamp(secs)
    }

    /// Fractional epoch seconds.
    pub fn from_secs_f64(secs: f64) -> Self {
        Timestamp(secs)
    }

    /// Epoch seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0
    }
}

/// Whole values within this bound are written as JSON integers: every integer up to 2^53 is exact
/// in an f64, so the conversion below cannot change the value.
const MAX_EXACT_INT: f64 = 9_007_199_254_740_992.0;

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.fract() == 0.0 && v.abs() <= MAX_EXACT_INT {
            #[allow(
                clippy::cast_possible_truncation,
                reason = "whole and within 2^53, so exact"
            )]
            let whole = v as i64;
            serializer.serialize_i64(whole)
        } else {
            serializer.serialize_f64(v)
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;

        impl Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("epoch seconds as a number")
            }

            #[allow(clippy::cast_precision_loss, reason = "exact for every plausible date")]
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                Ok(Timestamp(v as f64))
            }

            #[allow(clippy::cast_precision_loss, reason = "exact for every plausible date")]
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                Ok(Timestamp(v as f64))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                Ok(Timestamp(v))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                parse_epoch_str(v)
                    .map(Timestamp)
                    .ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
            }
        }

        deserializer.deserialize_any(TimestampVisitor)
    }
}

/// Epoch seconds from a numeric string; `None` for anything else, including NaN and infinities,
/// which are not instants.
pub(crate) fn parse_epoch_str(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Binary data, carried in JSON as a standard (padded) base64 string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blob(pub Vec<u8>);

impl Blob {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Blob {
    fn from(bytes: Vec<u8>) -> Self {
        Blob(bytes)
    }
}

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BlobVisitor;

        impl Visitor<'_> for BlobVisitor {
            type Value = Blob;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a base64 string")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Blob, E> {
                base64::engine::general_purpose::STANDARD
                    .decode(v)
                    .map(Blob)
                    .map_err(|_| E::invalid_value(Unexpected::Str(v), &self))
            }
        }

        deserializer.deserialize_str(BlobVisitor)
    }
}

/// Deserializes an enum shape from its wire string. Shared by every generated enum so that the
/// generated code stays small: one generic visitor instead of one derived visitor per enum.
#[doc(hidden)]
pub fn deserialize_enum<'de, D, T>(
    deserializer: D,
    name: &'static str,
    from_name: fn(&str) -> Option<T>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct EnumVisitor<T> {
        name: &'static str,
        from_name: fn(&str) -> Option<T>,
    }

    impl<T> Visitor<'_> for EnumVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            write!(f, "a {} value", self.name)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.from_name)(v).ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
        }
    }

    deserializer.deserialize_str(EnumVisitor { name, from_name })
}

/// Declares an enum shape: a fieldless Rust enum whose variants map to the exact wire strings,
/// with `as_str`, `from_name`, `VALUES` (model order), `Display` and serde impls.
///
/// `Default` is the first model value. It is a placeholder only, so that a structure with a
/// required enum member can still derive `Default` for struct-update syntax
/// (`Foo { name, ..Default::default() }`); it carries no AWS meaning, and code that builds a value
/// sets every required member it sends.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $first:ident = $first_wire:literal, $($variant:ident = $wire:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            #[doc = $first_wire]
            $first,
            $(
                #[doc = $wire]
                $variant,
            )*
        }

        impl $name {
            /// Every value, in model order.
            pub const VALUES: &'static [Self] = &[Self::$first, $(Self::$variant,)*];

            /// The exact wire string.
            pub fn as_str(&self) -> &'static str {
                match self {
                    Self::$first => $first_wire,
                    $(Self::$variant => $wire,)*
                }
            }

            /// The value with this exact wire string.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $first_wire => Some(Self::$first),
                    $($wire => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }

        /// The first model value: a placeholder for struct-update syntax, not an AWS default.
        impl ::std::default::Default for $name {
            fn default() -> Self {
                Self::$first
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::types::deserialize_enum(deserializer, stringify!($name), Self::from_name)
            }
        }
    };
}

pub(crate) use wire_enum;

/// A map key read without copying when the input allows it (`serde_json::from_slice` borrows keys
/// without escapes; `from_value` hands over owned ones).
#[doc(hidden)]
pub enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    /// The key text.
    pub fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

thread_local! {
    /// Set when a decoding on this thread took a lenient turn that the validator would have
    /// refused: a required member absent or `null` (it keeps its default), or a non-object where
    /// a memberless structure was expected (it is accepted anyway). Read by [`decode_strict`].
    static LENIENT: Cell<bool> = const { Cell::new(false) };
}

/// Records a lenient turn of the current decoding (see [`decode_strict`]).
#[doc(hidden)]
pub fn note_lenient() {
    LENIENT.with(|l| l.set(true));
}

/// Runs `decode` and says whether it decoded strictly: no required member was absent or `null`
/// and every memberless structure was an object. The types accept such input (unvalidated JSON,
/// an event target's input say, decodes with defaults), so a caller that wants the validator's
/// strictness without running it (the typed fast path) asks here instead. A flag rather than an
/// error keeps one set of serde impls for both uses.
pub fn decode_strict<T>(decode: impl FnOnce() -> T) -> (T, bool) {
    LENIENT.with(|l| l.set(false));
    let out = decode();
    (out, !LENIENT.with(|l| l.replace(false)))
}

/// Reads and drops any value, fully: unlike [`serde::de::IgnoredAny`], which lets
/// `serde_json::from_slice` skip strings and numbers without checking them (invalid UTF-8, lone
/// surrogate escapes, `1e999`), it parses them as decoding into a `serde_json::Value` would, so
/// typed decoding of a body refuses exactly the bodies the JSON value decoding refuses.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SkipVisitor { lenient: false })
    }
}

/// Accepts every value as [`Skip`]; with `lenient`, notes every value but an object (the
/// memberless-structure case of [`deserialize_empty`]).
struct SkipVisitor {
    lenient: bool,
}

impl SkipVisitor {
    fn scalar<E>(&self) -> Result<Skip, E> {
        if self.lenient {
            note_lenient();
        }
        Ok(Skip)
    }
}

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Skip, E> {
        self.scalar()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Skip, E> {
        self.scalar()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Skip, E> {
        self.scalar()
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<Skip, E> {
        self.scalar()
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<Skip, E> {
        self.scalar()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Skip, E> {
        self.scalar()
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Skip, E> {
        self.scalar()
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Skip, E> {
        self.scalar()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Skip, E> {
        self.scalar()
    }

    fn visit_none<E: de::Error>(self) -> Result<Skip, E> {
        self.scalar()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Skip, D::Error> {
        self.scalar::<D::Error>()?;
        Skip::deserialize(deserializer)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Skip, D::Error> {
        Skip::deserialize(deserializer)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        self.scalar::<A::Error>()?;
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

/// Decodes a memberless structure: any value is accepted, as before there was a typed path
/// (ops without input decode whatever the protocol handed over), but a non-object is noted for
/// [`decode_strict`], since the validator would call it a `SerializationException`.
#[doc(hidden)]
pub fn deserialize_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<(), D::Error> {
    deserializer.deserialize_any(SkipVisitor { lenient: true })?;
    Ok(())
}

/// Declares a structure shape. Each member is serialized under its exact wire name; unknown members
/// are skipped on input.
///
/// A member is an `Option` (omitted when `None`, and `null` reads as `None`) unless it is marked
/// `[required]`: then it is a plain field, always serialized. The generator marks the members the
/// model lists as required in structures an operation's input can reach. Such a member that is
/// absent (or `null`) on input keeps its `Default`: a handler never sees the placeholder, because
/// either `crate::validate` refused the input with AWS's message before it was decoded, or the
/// typed fast path decoded it under [`decode_strict`], which reports the placeholder so that the
/// validator gets the input after all. (Code that decodes unvalidated JSON gets the defaults.)
///
/// The serde impls are written here instead of derived because serde's derive emits several
/// visitors per struct (sequences, byte keys, duplicate checks) that JSON never needs; with
/// ~1,900 structures that tripled the crate's compile time. A member that appears twice keeps the
/// last value (a `null` last value too), as in a `serde_json::Value` object; unknown members are
/// read with [`Skip`].
macro_rules! wire_struct {
    // The field type: `Option<T>`, or `T` when required.
    (@ty $ty:ty) => { Option<$ty> };
    (@ty $ty:ty, required) => { $ty };
    // Writes one member: an `Option` only when present, a required member always.
    (@ser $map:ident, $wire:literal, $value:expr) => {
        if let Some(value) = $value {
            $map.serialize_entry($wire, value)?;
        }
    };
    (@ser $map:ident, $wire:literal, $value:expr, required) => {
        $map.serialize_entry($wire, $value)?;
    };
    // Takes one member's decoded value: a required member that was absent (or `null`) keeps its
    // default, and says so to a strict decoding (see [`decode_strict`]).
    (@take $value:ident) => { $value };
    (@take $value:ident, required) => {
        match $value {
            Some(value) => value,
            None => {
                $crate::types::note_lenient();
                Default::default()
            }
        }
    };
    ($(#[$meta:meta])* $name:ident {}) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {}

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                ::serde::ser::SerializeMap::end(serializer.serialize_map(Some(0))?)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::types::deserialize_empty(deserializer)?;
                Ok($name {})
            }
        }
    };
    ($(#[$meta:meta])* $name:ident { $($wire:literal => $field:ident: $ty:ty $([$req:ident])?,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {
            $(
                #[doc = concat!("`", $wire, "`")]
                pub $field: $crate::types::wire_struct!(@ty $ty $(, $req)?),
            )+
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(None)?;
                $(
                    $crate::types::wire_struct!(@ser map, $wire, &self.$field $(, $req)?);
                )+
                map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct StructVisitor;

                impl<'de> ::serde::de::Visitor<'de> for StructVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " structure"))
                    }

                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        // One local per member, `None` until read; `null` reads as `None`, and a
                        // member that appears twice keeps the last value, as a JSON object does.
                        $( let mut $field: Option<$ty> = None; )+
                        while let Some(key) = map.next_key::<$crate::types::Key<'de>>()? {
                            match key.as_str() {
                                $($wire => { $field = map.next_value()?; })+
                                _ => {
                                    map.next_value::<$crate::types::Skip>()?;
                                }
                            }
                        }
                        Ok($name {
                            $( $field: $crate::types::wire_struct!(@take $field $(, $req)?), )+
                        })
                    }
                }

                deserializer.deserialize_map(StructVisitor)
            }
        }
    };
}

pub(crate) use wire_struct;

wire_struct! {
    /// The input or output of an operation the model gives none: `{}` on the wire, anything
    /// accepted.
    Empty {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_serializes_whole_seconds_as_integer() {
        assert_eq!(
            serde_json::to_string(&Timestamp::from_secs(1_700_000_000)).expect("test value"),
            "1700000000"
        );
        assert_eq!(
            serde_json::to_string(&Timestamp::from_secs_f64(1_700_000_000.5)).expect("test value"),
            "1700000000.5"
        );
    }

    #[test]
    fn timestamp_deserializes_numbers_and_numeric_strings() {
        let t: Timestamp = serde_json::from_str("1700000000").expect("test value");
        assert_eq!(t.as_secs_f64(), 1_700_000_000.0);
        let t: Timestamp = serde_json::from_str("1700000000.25").expect("test value");
        assert_eq!(t.as_secs_f64(), 1_700_000_000.25);
        let t: Timestamp = serde_json::from_str("\"1700000000.5\"").expect("test value");
        assert_eq!(t.as_secs_f64(), 1_700_000_000.5);
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
        assert!(serde_json::from_str::<Timestamp>("true").is_err());
    }

    #[test]
    fn blob_is_padded_base64() {
        let b = Blob(b"hi".to_vec());
        assert_eq!(serde_json::to_string(&b).expect("test value"), "\"aGk=\"");
        assert_eq!(
            serde_json::from_str::<Blob>("\"aGk=\"").expect("test value"),
            b
        );
        assert!(serde_json::from_str::<Blob>("\"!!\"").is_err());
    }

    wire_enum! {
        TestColor {
            Red = "RED",
            Green = "GREEN",
        }
    }

    wire_struct! {
        TestLeaf {
            "id" => id: String [required],
            "note" => note: String,
        }
    }

    wire_struct! {
        TestNode {
            "name" => name: String [required],
            "count" => count: i32 [required],
            "color" => color: TestColor [required],
            "leaf" => leaf: Box<TestLeaf> [required],
            "tags" => tags: Vec<String>,
            "next" => next: Box<TestNode>,
        }
    }

    #[test]
    fn enum_default_is_the_first_model_value() {
        assert_eq!(TestColor::default(), TestColor::Red);
        assert_eq!(TestColor::VALUES, &[TestColor::Red, TestColor::Green]);
        assert_eq!(TestColor::from_name("GREEN"), Some(TestColor::Green));
        assert_eq!(TestColor::Green.as_str(), "GREEN");
    }

    #[test]
    fn optional_members_are_omitted_when_none_and_read_null_as_none() {
        let leaf: TestLeaf =
            serde_json::from_str(r#"{"id":"a","note":null,"bogus":[1]}"#).expect("test value");
        assert_eq!(leaf.id, "a");
        assert_eq!(leaf.note, None);
        assert_eq!(
            serde_json::to_string(&leaf).expect("test value"),
            r#"{"id":"a"}"#
        );
    }

    #[test]
    fn required_members_decode_as_plain_values() {
        let node: TestNode = serde_json::from_str(
            r#"{"name":"n","count":3,"color":"GREEN","leaf":{"id":"l","note":"x"},
                "next":{"name":"m","count":1,"color":"RED","leaf":{"id":"k"}}}"#,
        )
        .expect("test value");
        assert_eq!(node.name, "n");
        assert_eq!(node.count, 3);
        assert_eq!(node.color, TestColor::Green);
        assert_eq!(node.leaf.id, "l");
        assert_eq!(node.leaf.note.as_deref(), Some("x"));
        assert_eq!(node.tags, None);
        let next = node.next.expect("test value");
        assert_eq!(next.name, "m");
        assert_eq!(next.leaf.id, "k");
        assert_eq!(next.next, None);
    }

    #[test]
    fn required_members_are_always_serialized_in_model_order() {
        let node = TestNode {
            name: "n".into(),
            tags: Some(vec!["t".into()]),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&node).expect("test value"),
            r#"{"name":"n","count":0,"color":"RED","leaf":{"id":""},"tags":["t"]}"#
        );
    }

    #[test]
    fn missing_or_null_required_members_keep_their_default() {
        let node: TestNode =
            serde_json::from_str(r#"{"count":null,"leaf":{}}"#).expect("test value");
        assert_eq!(node, TestNode::default());
        assert_eq!(node.name, "");
        assert_eq!(node.count, 0);
        assert_eq!(node.color, TestColor::Red);
        assert_eq!(*node.leaf, TestLeaf::default());
        // Unvalidated JSON (an event target's input, say) decodes the same way.
        let leaf: TestLeaf = serde_json::from_str("{}").expect("test value");
        assert_eq!(leaf.id, "");
    }

    #[test]
    fn a_required_member_with_a_wrong_type_is_still_an_error() {
        assert!(serde_json::from_str::<TestLeaf>(r#"{"id":5}"#).is_err());
        assert!(serde_json::from_str::<TestNode>(r#"{"color":"BLUE"}"#).is_err());
    }
}
