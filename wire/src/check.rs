//! The typed constraint check of the fast path: whether a decoded typed input satisfies every
//! constraint of its schema shape, answered yes or no, without messages.
//!
//! It walks the value through its `Serialize` impl (a [`serde::Serializer`] that follows the
//! schema shape alongside) and asks the questions `crate::validate` asks of a JSON value, with
//! the same helpers: lengths, ranges, patterns (the service's compiled [`PatternCache`]), enums,
//! unions with exactly one member set and required members present. A "no" costs nothing: the
//! caller then validates the JSON value, which finds the same violations and words them as AWS
//! does. Anything this walk does not expect (a `null`, a value of a kind its shape does not
//! have) is a "no" too, so that the validator decides every doubtful case.
//!
//! A required member that was absent keeps its `Default` in the typed value, which this walk
//! cannot tell from a present one; [`crate::types::decode_strict`] reports it instead.
//!
//! [`PatternCache`]: crate::validate::PatternCache

use std::fmt;

use serde::ser::{self, Impossible, Serialize};

use crate::schema::{Member, Service, ShapeId, ShapeKind};
use crate::validate::{
    float_violations, int_violations, length_violations, string_violations, Constraint,
};

/// Whether `value`, an instance of `shape`'s generated type, satisfies every constraint of
/// `shape` in `service`.
pub fn check<T: Serialize + ?Sized>(service: &Service, shape: ShapeId, value: &T) -> bool {
    value
        .serialize(Checker {
            service,
            shape: Some(shape),
        })
        .is_ok()
}

/// Some constraint is violated (or the value is not what the shape describes).
#[derive(Debug)]
pub struct Violation;

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the input violates its shape's constraints")
    }
}

impl std::error::Error for Violation {}

impl ser::Error for Violation {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Violation
    }
}

type Outcome = Result<(), Violation>;

/// Fails when `violations` reports anything.
fn none_of(violations: impl FnOnce(&mut dyn FnMut(Constraint))) -> Outcome {
    let mut ok = true;
    violations(&mut |_| ok = false);
    if ok {
        Ok(())
    } else {
        Err(Violation)
    }
}

/// Checks one value against `shape`; `None` is the content of a document, where anything but
/// `null` goes (the JSON decoding drops `null` object members even inside documents, so a typed
/// value holding one differs from what the validator saw).
#[derive(Clone, Copy)]
struct Checker<'s> {
    service: &'s Service,
    shape: Option<ShapeId>,
}

impl<'s> Checker<'s> {
    fn kind(&self) -> Option<&'static ShapeKind> {
        self.shape.map(|id| &self.service.shape(id).kind)
    }

    fn integer(self, n: i64) -> Outcome {
        match self.kind() {
            None | Some(ShapeKind::Timestamp | ShapeKind::Document) => Ok(()),
            Some(ShapeKind::Integer { min, max }) if i32::try_from(n).is_ok() => {
                none_of(|on| int_violations(n, *min, *max, on))
            }
            Some(ShapeKind::Long { min, max }) => none_of(|on| int_violations(n, *min, *max, on)),
            _ => Err(Violation),
        }
    }
}

impl<'s> ser::Serializer for Checker<'s> {
    type Ok = ();
    type Error = Violation;
    type SerializeSeq = SeqChecker<'s>;
    type SerializeTuple = Impossible<(), Violation>;
    type SerializeTupleStruct = Impossible<(), Violation>;
    type SerializeTupleVariant = Impossible<(), Violation>;
    type SerializeMap = MapChecker<'s>;
    type SerializeStruct = Impossible<(), Violation>;
    type SerializeStructVariant = Impossible<(), Violation>;

    fn serialize_bool(self, _: bool) -> Outcome {
        match self.kind() {
            None | Some(ShapeKind::Boolean | ShapeKind::Document) => Ok(()),
            _ => Err(Violation),
        }
    }

    fn serialize_i8(self, v: i8) -> Outcome {
        self.integer(v.into())
    }

    fn serialize_i16(self, v: i16) -> Outcome {
        self.integer(v.into())
    }

    fn serialize_i32(self, v: i32) -> Outcome {
        self.integer(v.into())
    }

    fn serialize_i64(self, v: i64) -> Outcome {
        self.integer(v)
    }

    fn serialize_u8(self, v: u8) -> Outcome {
        self.integer(v.into())
    }

    fn serialize_u16(self, v: u16) -> Outcome {
        self.integer(v.into())
    }

    fn serialize_u32(self, v: u32) -> Outcome {
        self.integer(v.into())
    }

    fn serialize_u64(self, v: u64) -> Outcome {
        match (self.kind(), i64::try_from(v)) {
            (None | Some(ShapeKind::Document | ShapeKind::Timestamp), _) => Ok(()),
            (_, Ok(n)) => self.integer(n),
            (_, Err(_)) => Err(Violation),
        }
    }

    fn serialize_f32(self, v: f32) -> Outcome {
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> Outcome {
        match self.kind() {
            None | Some(ShapeKind::Timestamp | ShapeKind::Document) => Ok(()),
            Some(ShapeKind::Double { min, max } | ShapeKind::Float { min, max }) => {
                none_of(|on| float_violations(v, *min, *max, on))
            }
            _ => Err(Violation),
        }
    }

    fn serialize_char(self, v: char) -> Outcome {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Outcome {
        match (self.kind(), self.shape) {
            (None | Some(ShapeKind::Document), _) => Ok(()),
            (Some(ShapeKind::String { .. }), Some(id)) => {
                none_of(|on| string_violations(self.service, id, v, on))
            }
            (Some(ShapeKind::Blob { min, max }), _) => {
                let len = base64_len(v).ok_or(Violation)?;
                none_of(|on| length_violations(len, *min, *max, on))
            }
            _ => Err(Violation),
        }
    }

    fn serialize_bytes(self, _: &[u8]) -> Outcome {
        Err(Violation)
    }

    /// A `null`: never in a typed input the validator would accept unchanged.
    fn serialize_none(self) -> Outcome {
        Err(Violation)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Outcome {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Outcome {
        Err(Violation)
    }

    fn serialize_unit_struct(self, _: &'static str) -> Outcome {
        Err(Violation)
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Outcome {
        Err(Violation)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Outcome {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Outcome {
        Err(Violation)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<SeqChecker<'s>, Violation> {
        let (member, min, max) = match self.kind() {
            None | Some(ShapeKind::Document) => (None, None, None),
            Some(ShapeKind::List { member, min, max }) => (Some(*member), *min, *max),
            _ => return Err(Violation),
        };
        Ok(SeqChecker {
            item: Checker {
                service: self.service,
                shape: member,
            },
            count: 0,
            min,
            max,
        })
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Violation> {
        Err(Violation)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Violation> {
        Err(Violation)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Violation> {
        Err(Violation)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<MapChecker<'s>, Violation> {
        let kind = match self.kind() {
            None | Some(ShapeKind::Document) => MapKind::Document,
            Some(ShapeKind::Structure { members, union, .. }) => MapKind::Structure {
                members,
                union: *union,
                pending: None,
                set: 0,
                required: 0,
            },
            Some(ShapeKind::Map {
                key,
                value,
                min,
                max,
            }) => MapKind::Map {
                key: *key,
                value: *value,
                min: *min,
                max: *max,
                count: 0,
            },
            _ => return Err(Violation),
        };
        Ok(MapChecker {
            service: self.service,
            kind,
        })
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Violation> {
        Err(Violation)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Violation> {
        Err(Violation)
    }
}

/// The decoded length of standard padded base64, which is how `types::Blob` writes its bytes.
fn base64_len(s: &str) -> Option<usize> {
    if s.len() % 4 != 0 {
        return None;
    }
    let padding = s.bytes().rev().take(2).filter(|b| *b == b'=').count();
    (s.len() / 4 * 3).checked_sub(padding)
}

/// A list (or a document array): each item, then the length.
pub struct SeqChecker<'s> {
    item: Checker<'s>,
    count: usize,
    min: Option<i64>,
    max: Option<i64>,
}

impl ser::SerializeSeq for SeqChecker<'_> {
    type Ok = ();
    type Error = Violation;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Outcome {
        self.count += 1;
        value.serialize(self.item)
    }

    fn end(self) -> Outcome {
        none_of(|on| length_violations(self.count, self.min, self.max, on))
    }
}

/// A structure, a map or a document object.
pub struct MapChecker<'s> {
    service: &'s Service,
    kind: MapKind,
}

enum MapKind {
    Structure {
        members: &'static [Member],
        union: bool,
        /// The member whose value comes next.
        pending: Option<ShapeId>,
        /// Members written (a typed structure writes each at most once).
        set: usize,
        /// Required members among them.
        required: usize,
    },
    Map {
        key: ShapeId,
        value: ShapeId,
        min: Option<i64>,
        max: Option<i64>,
        count: usize,
    },
    Document,
}

impl ser::SerializeMap for MapChecker<'_> {
    type Ok = ();
    type Error = Violation;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Outcome {
        match &mut self.kind {
            MapKind::Structure {
                members,
                pending,
                set,
                required,
                ..
            } => {
                let member = key.serialize(MemberName(members))?;
                *set += 1;
                *required += usize::from(member.required);
                *pending = Some(member.shape);
                Ok(())
            }
            MapKind::Map {
                key: shape, count, ..
            } => {
                *count += 1;
                key.serialize(Checker {
                    service: self.service,
                    shape: Some(*shape),
                })
            }
            MapKind::Document => Ok(()),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Outcome {
        let shape = match &mut self.kind {
            MapKind::Structure { pending, .. } => Some(pending.take().ok_or(Violation)?),
            MapKind::Map { value, .. } => Some(*value),
            MapKind::Document => None,
        };
        value.serialize(Checker {
            service: self.service,
            shape,
        })
    }

    fn end(self) -> Outcome {
        match self.kind {
            MapKind::Structure {
                members,
                union,
                set,
                required,
                ..
            } => {
                let all_required = members.iter().filter(|m| m.required).count();
                if required == all_required && (!union || set == 1) {
                    Ok(())
                } else {
                    Err(Violation)
                }
            }
            MapKind::Map {
                min, max, count, ..
            } => none_of(|on| length_violations(count, min, max, on)),
            MapKind::Document => Ok(()),
        }
    }
}

/// Finds the member a structure's key names; a key the shape lacks is a violation (the typed
/// value and the schema disagree, which the validator should look at).
struct MemberName(&'static [Member]);

impl ser::Serializer for MemberName {
    type Ok = &'static Member;
    type Error = Violation;
    type SerializeSeq = Impossible<&'static Member, Violation>;
    type SerializeTuple = Impossible<&'static Member, Violation>;
    type SerializeTupleStruct = Impossible<&'static Member, Violation>;
    type SerializeTupleVariant = Impossible<&'static Member, Violation>;
    type SerializeMap = Impossible<&'static Member, Violation>;
    type SerializeStruct = Impossible<&'static Member, Violation>;
    type SerializeStructVariant = Impossible<&'static Member, Violation>;

    fn serialize_str(self, v: &str) -> Result<&'static Member, Violation> {
        self.0.iter().find(|m| m.name == v).ok_or(Violation)
    }

    fn serialize_bool(self, _: bool) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_i8(self, _: i8) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_i16(self, _: i16) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_i32(self, _: i32) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_i64(self, _: i64) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_u8(self, _: u8) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_u16(self, _: u16) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_u32(self, _: u32) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_u64(self, _: u64) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_f32(self, _: f32) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_f64(self, _: f64) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_char(self, _: char) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_none(self) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_unit(self) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<&'static Member, Violation> {
        Err(Violation)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Violation> {
        Err(Violation)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Violation> {
        Err(Violation)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Violation> {
        Err(Violation)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Violation> {
        Err(Violation)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Violation> {
        Err(Violation)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Violation> {
        Err(Violation)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Violation> {
        Err(Violation)
    }
}
