//! Turns event-pattern JSON into a validated tree, rejecting what EventBridge rejects.
//!
//! Error texts follow the reasons EventBridge puts after "Event pattern is not valid. Reason: ",
//! which come from the open-source rule compiler EventBridge runs (aws/event-ruler). Keeping the
//! same wording lets clients that match on the message behave as they do against AWS.

use serde_json::{Map, Value};

use super::{complexity, PatternError};

/// The `$or` key: its value is a list of alternative sub-patterns rather than a field.
const OR_KEY: &str = "$or";

/// Numbers are compared as fixed-point values with six decimal places, within +/- 5.0e9
/// ("Numeric matching" in the EventBridge user guide).
pub(super) const MAX_DECIMALS: u32 = 6;
pub(super) const MAX_MAGNITUDE_MICROS: i64 = 5_000_000_000 * 1_000_000;

/// Field names that may not appear inside `$or` objects because they name operators.
const RESERVED_IN_OR: &[&str] = &[
    "exactly",
    "equals-ignore-case",
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "wildcard",
    "numeric",
    "cidr",
    "=",
    "<",
    "<=",
    ">",
    ">=",
    "regex",
    "not-wildcard",
    "not-equals-ignore-case",
    "date-after",
    "date-on-or-after",
    "date-before",
    "date-on-or-before",
    "in-date-range",
    "ip-address-in-range",
    "ip-address-not-in-range",
];

/// A JSON object of the pattern: every field must match (AND) and, for each `$or`, at least one
/// of its alternatives must match.
#[derive(Debug, Clone)]
pub(super) struct ObjectPattern {
    pub fields: Vec<(String, FieldPattern)>,
    pub ors: Vec<Vec<ObjectPattern>>,
}

#[derive(Debug, Clone)]
pub(super) enum FieldPattern {
    Object(ObjectPattern),
    /// The list of a leaf: any one matcher matching is enough (OR).
    Leaf(Vec<Matcher>),
}

#[derive(Debug, Clone)]
pub(super) enum Matcher {
    ExactString(String),
    /// A plain string that is an IP address literal matches the same address in any notation.
    ExactIp(IpAddr),
    /// A plain number matches the same text, or the same value when it fits numeric matching.
    ExactNumber {
        text: String,
        micros: Option<i64>,
    },
    ExactBool(bool),
    ExactNull,
    Prefix(String),
    /// Stored lower-cased.
    PrefixIgnoreCase(String),
    Suffix(String),
    /// Stored lower-cased.
    SuffixIgnoreCase(String),
    /// Stored lower-cased.
    EqualsIgnoreCase(String),
    Wildcard(Wildcard),
    Numeric(NumericRange),
    Cidr(IpRange),
    Exists(bool),
    AnythingBut(AnythingBut),
}

#[derive(Debug, Clone)]
pub(super) enum AnythingBut {
    Strings(Vec<String>),
    Numbers(Vec<i64>),
    /// Excludes values starting with any of these.
    Prefix(Vec<String>),
    /// Excludes values ending with any of these.
    Suffix(Vec<String>),
    /// Stored lower-cased.
    IgnoreCase(Vec<String>),
    Wildcard(Vec<Wildcard>),
}

/// Bounds in millionths; `true` means the bound itself is included.
#[derive(Debug, Clone, Copy)]
pub(super) struct NumericRange {
    pub lower: Option<(i64, bool)>,
    pub upper: Option<(i64, bool)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IpAddr {
    V4(u32),
    V6(u128),
}

/// Inclusive address range of one family.
#[derive(Debug, Clone, Copy)]
pub(super) enum IpRange {
    V4(u32, u32),
    V6(u128, u128),
}

/// A wildcard string split at its unescaped `*`: `parts.len()` is the number of stars plus one.
#[derive(Debug, Clone)]
pub(super) struct Wildcard {
    pub parts: Vec<String>,
}

fn invalid(reason: impl AsRef<str>) -> PatternError {
    PatternError::invalid(reason.as_ref())
}

pub(super) fn parse(text: &str) -> Result<ObjectPattern, PatternError> {
    if let Some(reason) = super::jackson::syntax_error(text) {
        return Err(invalid(reason));
    }
    // The first value counts and anything after it is ignored, as AWS's (Jackson) reader does.
    let mut reader = serde_json::Deserializer::from_str(text);
    let value = serde::Deserialize::deserialize(&mut reader)
        .map_err(|e| invalid(format!("{e}{}", super::jackson::location(text, 0))))?;
    match value {
        Value::Object(map) => parse_object(&map, false),
        _ => Err(invalid(format!(
            "Filter is not an object{}",
            super::jackson::location(text, super::jackson::after_first_token(text))
        ))),
    }
}

fn parse_object(map: &Map<String, Value>, inside_or: bool) -> Result<ObjectPattern, PatternError> {
    if map.is_empty() {
        return Err(invalid("Empty objects are not allowed"));
    }
    let mut pattern = ObjectPattern {
        fields: Vec::with_capacity(map.len()),
        ors: Vec::new(),
    };
    for (name, value) in map {
        if name == OR_KEY {
            pattern.ors.push(parse_or(value)?);
            continue;
        }
        if inside_or && RESERVED_IN_OR.contains(&name.as_str()) {
            return Err(invalid(format!(
                "{name} is Ruler reserved fieldName which cannot be used inside $or."
            )));
        }
        let field = match value {
            Value::Object(inner) => FieldPattern::Object(parse_object(inner, inside_or)?),
            Value::Array(items) => FieldPattern::Leaf(parse_leaf(items)?),
            _ => return Err(invalid(format!("\"{name}\" must be an object or an array"))),
        };
        insert_field(&mut pattern.fields, name, field);
    }
    // Cheap exact checks first so that most non-matching events are rejected early.
    pattern.fields.sort_by_key(|(_, f)| match f {
        FieldPattern::Leaf(_) => 0,
        FieldPattern::Object(_) => 1,
    });
    Ok(pattern)
}

/// Adds a field under its dot-separated path. EventBridge names every field by its dot-joined
/// path, so the pattern key `"a.b"` is the field `b` inside `a` (recorded: LocalStack's
/// AWS-validated dot_joining_pattern template matches `{"state": {"status": ..}}` with
/// `{"state.status": [..]}`). Fields sharing a leading object are merged into one object pattern,
/// so that, as for a nested pattern written out, they must hold in the same array element.
/// Two leaves for one path are both kept (ANDed): the rule compiler keeps the last one, but
/// the parsed map does not keep text order, and no recording covers that case.
fn insert_field(fields: &mut Vec<(String, FieldPattern)>, name: &str, field: FieldPattern) {
    let (head, rest) = match name.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (name, None),
    };
    let existing = fields
        .iter_mut()
        .find(|(n, f)| n == head && matches!(f, FieldPattern::Object(_)));
    match (rest, field, existing) {
        (Some(rest), field, Some((_, FieldPattern::Object(inner)))) => {
            insert_field(&mut inner.fields, rest, field)
        }
        (Some(rest), field, _) => {
            let mut inner = ObjectPattern {
                fields: Vec::new(),
                ors: Vec::new(),
            };
            insert_field(&mut inner.fields, rest, field);
            fields.push((head.to_owned(), FieldPattern::Object(inner)));
        }
        (None, FieldPattern::Object(new), Some((_, FieldPattern::Object(inner)))) => {
            for (n, f) in new.fields {
                insert_field(&mut inner.fields, &n, f);
            }
            inner.ors.extend(new.ors);
        }
        (None, field, _) => fields.push((head.to_owned(), field)),
    }
}

fn parse_or(value: &Value) -> Result<Vec<ObjectPattern>, PatternError> {
    let Value::Array(items) = value else {
        return Err(invalid("It must be an Array followed with $or."));
    };
    let mut branches = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::Object(map) => branches.push(parse_object(map, true)?),
            _ => {
                return Err(invalid(
                    "Only JSON object is allowed in array of $or relationship.",
                ))
            }
        }
    }
    if branches.len() < 2 {
        return Err(invalid(
            "There must have at least 2 Objects in $or relationship.",
        ));
    }
    Ok(branches)
}

fn parse_leaf(items: &[Value]) -> Result<Vec<Matcher>, PatternError> {
    if items.is_empty() {
        return Err(invalid("Empty arrays are not allowed"));
    }
    let matchers: Vec<Matcher> = items
        .iter()
        .map(parse_leaf_value)
        .collect::<Result<_, _>>()?;
    // The complexity limit applies to the wildcards of one field together.
    let wildcards: Vec<&Wildcard> = matchers
        .iter()
        .flat_map(|m| match m {
            Matcher::Wildcard(w) => std::slice::from_ref(w),
            Matcher::AnythingBut(AnythingBut::Wildcard(list)) => list.as_slice(),
            _ => &[],
        })
        .collect();
    if !wildcards.is_empty() && complexity::too_complex(&wildcards) {
        return Err(invalid(complexity::TOO_COMPLEX));
    }
    Ok(matchers)
}

fn parse_leaf_value(item: &Value) -> Result<Matcher, PatternError> {
    Ok(match item {
        Value::String(s) => match parse_ip(s) {
            Some(ip) => Matcher::ExactIp(ip),
            None => Matcher::ExactString(s.clone()),
        },
        Value::Number(n) => {
            let text = n.to_string();
            // An exact number that numeric matching cannot represent (an account id, say)
            // still matches by its text, so a conversion failure is not an error here.
            let micros = to_micros(&text).ok();
            Matcher::ExactNumber { text, micros }
        }
        Value::Bool(b) => Matcher::ExactBool(*b),
        Value::Null => Matcher::ExactNull,
        Value::Object(map) => parse_expression(map)?,
        Value::Array(_) => {
            return Err(invalid(
                "Match value must be String, number, true, false, or null",
            ))
        }
    })
}

/// The only key of a match expression object, or the error EventBridge gives for the shape.
/// `too_many` of `None` picks the message by operator, as the compiler does for a second key.
fn single_key(
    map: &Map<String, Value>,
    none: &str,
    too_many: Option<&str>,
) -> Result<(String, Value), PatternError> {
    let mut iter = map.iter();
    let Some((key, value)) = iter.next() else {
        return Err(invalid(none));
    };
    if iter.next().is_some() {
        return Err(invalid(too_many.unwrap_or(match key.as_str() {
            "numeric" | "anything-but" => TOO_MANY_NUMERIC,
            _ => ONE_KEY,
        })));
    }
    Ok((key.clone(), value.clone()))
}

const ONE_KEY: &str = "Only one key allowed in match expression";
/// The compiler's wording for surplus members of numeric and anything-but expressions.
const TOO_MANY_NUMERIC: &str = "Too many elements in numeric expression";

fn parse_expression(map: &Map<String, Value>) -> Result<Matcher, PatternError> {
    let (op, value) = single_key(map, "Match expression name not found", None)?;
    match op.as_str() {
        "exactly" => match value {
            Value::String(s) => Ok(Matcher::ExactString(s)),
            _ => Err(invalid("exact match pattern must be a string")),
        },
        "prefix" => match value {
            Value::String(s) => Ok(Matcher::Prefix(s)),
            Value::Object(inner) => Ok(Matcher::PrefixIgnoreCase(ignore_case_operand(
                &inner,
                "Prefix expression name not found",
                "Unsupported prefix pattern: ",
            )?)),
            _ => Err(invalid("prefix match pattern must be a string")),
        },
        "suffix" => match value {
            Value::String(s) => Ok(Matcher::Suffix(s)),
            Value::Object(inner) => Ok(Matcher::SuffixIgnoreCase(ignore_case_operand(
                &inner,
                "Suffix expression name not found",
                "Unsupported suffix pattern: ",
            )?)),
            _ => Err(invalid("suffix match pattern must be a string")),
        },
        "equals-ignore-case" => match value {
            Value::String(s) => Ok(Matcher::EqualsIgnoreCase(s.to_lowercase())),
            _ => Err(invalid("equals-ignore-case match pattern must be a string")),
        },
        "wildcard" => match value {
            Value::String(s) => Ok(Matcher::Wildcard(parse_wildcard(&s)?)),
            _ => Err(invalid("wildcard match pattern must be a string")),
        },
        "numeric" => match value {
            Value::Array(items) => Ok(Matcher::Numeric(parse_numeric(&items)?)),
            _ => Err(invalid("Value of numeric must be an array.")),
        },
        "exists" => match value {
            Value::Bool(b) => Ok(Matcher::Exists(b)),
            _ => Err(invalid(
                "exists match pattern must be either true or false.",
            )),
        },
        // The compiler reuses the prefix message for a non-string cidr operand.
        "cidr" => match value {
            Value::String(s) => Ok(Matcher::Cidr(parse_cidr(&s)?)),
            _ => Err(invalid("prefix match pattern must be a string")),
        },
        "anything-but" => Ok(Matcher::AnythingBut(parse_anything_but(&value)?)),
        other => Err(invalid(format!("Unrecognized match type {other}"))),
    }
}

/// `{"equals-ignore-case": "..."}` nested under `prefix` or `suffix`; returned lower-cased.
fn ignore_case_operand(
    inner: &Map<String, Value>,
    none: &str,
    unsupported: &str,
) -> Result<String, PatternError> {
    let (op, value) = single_key(inner, none, Some(ONE_KEY))?;
    if op != "equals-ignore-case" {
        return Err(invalid(format!("{unsupported}{op}")));
    }
    match value {
        Value::String(s) => Ok(s.to_lowercase()),
        _ => Err(invalid("equals-ignore-case match pattern must be a string")),
    }
}

fn parse_anything_but(value: &Value) -> Result<AnythingBut, PatternError> {
    let (kind, operand) = match value {
        Value::Object(inner) => {
            let (op, operand) = single_key(
                inner,
                "Anything-But expression name not found",
                Some(TOO_MANY_NUMERIC),
            )?;
            match op.as_str() {
                "prefix" | "suffix" | "equals-ignore-case" | "wildcard" => (op, operand),
                _ => {
                    return Err(invalid(format!("Unsupported anything-but pattern: {op}")));
                }
            }
        }
        other => (String::new(), other.clone()),
    };
    if !matches!(
        operand,
        Value::Array(_) | Value::String(_) | Value::Number(_)
    ) {
        return Err(invalid(
            "Value of anything-but must be an array or single string/number value.",
        ));
    }
    match kind.as_str() {
        "" => anything_but_values(&operand),
        "prefix" | "suffix" => {
            // A single string or a list of strings (recorded: LocalStack's AWS-validated
            // content_anything_prefix_list / content_anything_suffix_list templates match, and
            // a number or null inside the list fails with this message, as in
            // content_anything_prefix_list_type_EXC). Elements are checked in order, so the
            // first bad one names the error, as the rule compiler reports it.
            let items: Vec<&Value> = match &operand {
                Value::Array(items) => items.iter().collect(),
                single => vec![single],
            };
            let mut values = Vec::with_capacity(items.len());
            for item in items {
                let Value::String(s) = item else {
                    return Err(invalid("prefix/suffix match pattern must be a string"));
                };
                if s.is_empty() {
                    return Err(invalid("Null prefix/suffix not allowed"));
                }
                values.push(s.clone());
            }
            Ok(if kind == "prefix" {
                AnythingBut::Prefix(values)
            } else {
                AnythingBut::Suffix(values)
            })
        }
        "equals-ignore-case" => {
            let strings = string_list(&operand).ok_or_else(|| {
                invalid("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
            })?;
            Ok(AnythingBut::IgnoreCase(
                strings.iter().map(|s| s.to_lowercase()).collect(),
            ))
        }
        _ => {
            let strings = string_list(&operand)
                .ok_or_else(|| invalid("wildcard match pattern must be a string"))?;
            let wildcards = strings
                .iter()
                .map(|s| parse_wildcard(s))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(AnythingBut::Wildcard(wildcards))
        }
    }
}

/// A single string or a list of strings (possibly empty); `None` if anything else is present.
fn string_list(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

fn anything_but_values(operand: &Value) -> Result<AnythingBut, PatternError> {
    match operand {
        Value::String(s) => Ok(AnythingBut::Strings(vec![s.clone()])),
        Value::Number(n) => Ok(AnythingBut::Numbers(vec![pattern_micros(n)?])),
        Value::Array(items) => {
            let mut strings = Vec::new();
            let mut numbers = Vec::new();
            for item in items {
                match item {
                    Value::String(s) => strings.push(s.clone()),
                    Value::Number(n) => numbers.push(pattern_micros(n)?),
                    _ => {
                        return Err(invalid(
                            "Inside anything but list, start|null|boolean is not supported.",
                        ))
                    }
                }
            }
            // Mixed lists and empty lists are both rejected with the same reason.
            match (strings.is_empty(), numbers.is_empty()) {
                (false, true) => Ok(AnythingBut::Strings(strings)),
                (true, false) => Ok(AnythingBut::Numbers(numbers)),
                _ => Err(invalid(
                    "Inside anything but list, either all values are number or string, mixed type is not supported",
                )),
            }
        }
        _ => Err(invalid(
            "Value of anything-but must be an array or single string/number value.",
        )),
    }
}

/// Converts a pattern operand, reporting range and precision violations as AWS does.
fn pattern_micros(n: &serde_json::Number) -> Result<i64, PatternError> {
    to_micros(&n.to_string()).map_err(|e| match e {
        NumberError::TooPrecise => invalid("Only values upto 6 decimals are supported"),
        NumberError::OutOfRange | NumberError::Malformed => {
            invalid("Value must be between -5.0E9 and 5.0E9, inclusive")
        }
    })
}

/// How the compiler names a token it did not expect inside a numeric expression.
fn token_text(value: Option<&Value>) -> String {
    match value {
        None => "]".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(_)) => "{".to_owned(),
        Some(Value::Array(_)) => "[".to_owned(),
        Some(other) => other.to_string(),
    }
}

fn numeric_operand(op: &str, value: Option<&Value>) -> Result<i64, PatternError> {
    let label = if op == "=" { "equals" } else { op };
    match value {
        Some(Value::Number(n)) => pattern_micros(n),
        _ => Err(invalid(format!("Value of {label} must be numeric"))),
    }
}

fn parse_numeric(items: &[Value]) -> Result<NumericRange, PatternError> {
    let op = match items.first() {
        Some(Value::String(s)) => s.as_str(),
        other => {
            return Err(invalid(format!(
                "Invalid member in numeric match: {}",
                token_text(other)
            )))
        }
    };
    if !matches!(op, "=" | "<" | "<=" | ">" | ">=") {
        return Err(invalid(format!(
            "Unrecognized numeric range operator: {op}"
        )));
    }
    let first = numeric_operand(op, items.get(1))?;
    match op {
        "=" | "<" | "<=" => {
            if items.len() > 2 {
                return Err(invalid(TOO_MANY_NUMERIC));
            }
            Ok(match op {
                "=" => NumericRange {
                    lower: Some((first, true)),
                    upper: Some((first, true)),
                },
                "<" => NumericRange {
                    lower: None,
                    upper: Some((first, false)),
                },
                _ => NumericRange {
                    lower: None,
                    upper: Some((first, true)),
                },
            })
        }
        _ => {
            let lower = Some((first, op == ">="));
            let Some(next) = items.get(2) else {
                return Ok(NumericRange { lower, upper: None });
            };
            let Value::String(top_op) = next else {
                return Err(invalid(format!(
                    "Bad value in numeric range: {}",
                    token_text(Some(next))
                )));
            };
            if top_op != "<" && top_op != "<=" {
                return Err(invalid(format!("Bad numeric range operator: {top_op}")));
            }
            let top = match items.get(3) {
                Some(Value::Number(n)) => pattern_micros(n)?,
                _ => return Err(invalid(format!("Value of {top_op} must be numeric"))),
            };
            if items.len() > 4 {
                return Err(invalid("Too many terms in numeric range expression"));
            }
            if first >= top {
                return Err(invalid("Bottom must be less than top"));
            }
            Ok(NumericRange {
                lower,
                upper: Some((top, top_op == "<=")),
            })
        }
    }
}

/// Splits a wildcard operand at unescaped `*`. Positions in messages count the opening quote,
/// as the compiler reports them against the quoted value.
pub(super) fn parse_wildcard(text: &str) -> Result<Wildcard, PatternError> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'*' => {
                if bytes.get(i + 1) == Some(&b'*') {
                    return Err(invalid(format!(
                        "Consecutive wildcard characters at pos {}",
                        i + 1
                    )));
                }
                parts.push(std::mem::take(&mut current));
            }
            b'\\' => match bytes.get(i + 1) {
                Some(&next) if next == b'*' || next == b'\\' => {
                    current.push(next);
                    i += 1;
                }
                _ => {
                    return Err(invalid(format!(
                        "Invalid escape character at pos {}",
                        i + 1
                    )))
                }
            },
            other => current.push(other),
        }
        i += 1;
    }
    parts.push(current);
    // Splitting happened only at ASCII bytes, so every part is still valid UTF-8.
    let parts = parts
        .into_iter()
        .map(|p| String::from_utf8_lossy(&p).into_owned())
        .collect();
    Ok(Wildcard { parts })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NumberError {
    TooPrecise,
    OutOfRange,
    Malformed,
}

/// Converts JSON number text into millionths, exactly (no floating point), enforcing the
/// documented range and precision of numeric matching.
pub(super) fn to_micros(text: &str) -> Result<i64, NumberError> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let negative = bytes.first() == Some(&b'-');
    if negative || bytes.first() == Some(&b'+') {
        i += 1;
    }
    let mut digits: Vec<u8> = Vec::with_capacity(20);
    let mut frac_len: i64 = 0;
    let mut seen_digit = false;
    let mut in_frac = false;
    while i < bytes.len() {
        match bytes[i] {
            d @ b'0'..=b'9' => {
                seen_digit = true;
                if !(digits.is_empty() && d == b'0') {
                    digits.push(d - b'0');
                }
                if in_frac {
                    frac_len += 1;
                }
            }
            b'.' if !in_frac => in_frac = true,
            b'e' | b'E' => break,
            _ => return Err(NumberError::Malformed),
        }
        i += 1;
    }
    if !seen_digit {
        return Err(NumberError::Malformed);
    }
    let mut exp: i64 = 0;
    if i < bytes.len() {
        let exp_text = text.get(i + 1..).ok_or(NumberError::Malformed)?;
        // Exponents beyond a few hundred are out of range whatever the digits are.
        exp = exp_text
            .parse::<i64>()
            .map_err(|_| NumberError::Malformed)?;
        if exp.abs() > 10_000 && !digits.is_empty() {
            return Err(if exp > 0 {
                NumberError::OutOfRange
            } else {
                NumberError::TooPrecise
            });
        }
    }
    if digits.is_empty() {
        return Ok(0);
    }
    // Trailing zeros carry no precision: 1.500000000 is 1.5.
    while digits.last() == Some(&0) {
        digits.pop();
        exp += 1;
    }
    let scale = exp - frac_len + i64::from(MAX_DECIMALS);
    if scale < 0 {
        return Err(NumberError::TooPrecise);
    }
    if digits.len() as i64 + scale > 17 {
        return Err(NumberError::OutOfRange);
    }
    let mut value: i64 = 0;
    for d in &digits {
        value = value * 10 + i64::from(*d);
    }
    for _ in 0..scale {
        value *= 10;
    }
    if value > MAX_MAGNITUDE_MICROS {
        return Err(NumberError::OutOfRange);
    }
    Ok(if negative { -value } else { value })
}

/// Recognises IP literals the way the compiler does: dotted decimal quads, or hex-and-colon
/// text parsed as IPv6. Anything else is an ordinary string.
pub(super) fn parse_ip(text: &str) -> Option<IpAddr> {
    if text.contains(':') {
        if !text.bytes().all(|b| b == b':' || b.is_ascii_hexdigit()) {
            return None;
        }
        return text
            .parse::<std::net::Ipv6Addr>()
            .ok()
            .map(|a| IpAddr::V6(u128::from(a)));
    }
    let mut octets = [0u32; 4];
    let mut count = 0;
    for part in text.split('.') {
        if count == 4
            || part.is_empty()
            || part.len() > 3
            || !part.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let n: u32 = part.parse().ok()?;
        if n > 255 {
            return None;
        }
        octets[count] = n;
        count += 1;
    }
    if count != 4 {
        return None;
    }
    Some(IpAddr::V4(
        (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3],
    ))
}

/// Parses `address/bits`. As in the compiler the range runs from the address as written (not
/// masked) to that address with all host bits set, and the mask must be below 32 (IPv4) or
/// 128 (IPv6).
fn parse_cidr(text: &str) -> Result<IpRange, PatternError> {
    let pieces: Vec<&str> = text.split('/').collect();
    if pieces.len() != 2 || pieces[1].is_empty() {
        return Err(invalid("Malformed CIDR, one '/' required"));
    }
    let bits: i64 = pieces[1]
        .parse()
        .map_err(|_| invalid("Malformed CIDR, mask bits must be an integer"))?;
    if bits < 0 {
        return Err(invalid("Malformed CIDR, mask bits must not be negative"));
    }
    let looks_like_ip = {
        let t = pieces[0];
        let v4 = t.split('.').count() == 4
            && t.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        let v6 = t.contains(':') && t.bytes().all(|b| b == b':' || b.is_ascii_hexdigit());
        v4 || v6
    };
    if !looks_like_ip {
        return Err(invalid(format!("Nonstandard IP address: {}", pieces[0])));
    }
    let ip =
        parse_ip(pieces[0]).ok_or_else(|| invalid(format!("Invalid IP address: {}", pieces[0])))?;
    match ip {
        IpAddr::V4(a) => {
            if bits > 31 {
                return Err(invalid("IPv4 mask bits must be < 32"));
            }
            let host = u32::MAX >> bits;
            Ok(IpRange::V4(a, a | host))
        }
        IpAddr::V6(a) => {
            if bits > 127 {
                return Err(invalid("IPv6 mask bits must be < 128"));
            }
            let host = u128::MAX >> bits;
            Ok(IpRange::V6(a, a | host))
        }
    }
}
