//! CloudWatch Logs filter patterns, the subset codemock understands: plain terms and quoted
//! phrases (all must occur; `-term` must not; `?term` alternatives), and JSON patterns
//! `{ $.a.b = value }` with `=`, `!=`, `<`, `<=`, `>`, `>=`, `&&`, `||`, parentheses, `*`
//! wildcards in string values, and `IS NULL`, `NOT EXISTS`. Space-delimited (`[...]`) and regex
//! (`%...%`) patterns are refused with an error rather than matched wrongly.

use crate::error::ServiceError;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    All,
    Terms {
        required: Vec<String>,
        excluded: Vec<String>,
        any_of: Vec<String>,
    },
    Json(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare {
        path: Vec<String>,
        op: String,
        value: Literal,
    },
    IsNull(Vec<String>),
    NotExists(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

fn invalid(msg: &str) -> ServiceError {
    ServiceError::new(
        "InvalidParameterException",
        format!("Invalid filter pattern: {msg}"),
    )
}

pub fn parse(pattern: &str) -> Result<Pattern, ServiceError> {
    let p = pattern.trim();
    if p.is_empty() || p == "\"\"" {
        return Ok(Pattern::All);
    }
    if p.starts_with('{') {
        let inner = p
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .ok_or_else(|| invalid("unbalanced braces"))?;
        let tokens = tokenize(inner)?;
        let mut parser = Parser { tokens, pos: 0 };
        let expr = parser.or()?;
        if parser.pos != parser.tokens.len() {
            return Err(invalid("unexpected trailing input"));
        }
        return Ok(Pattern::Json(expr));
    }
    if p.starts_with('[') || p.starts_with('%') {
        return Err(ServiceError::new(
            "InvalidParameterException",
            "codemock supports term and JSON filter patterns; space-delimited and regex patterns are not implemented",
        ));
    }
    let mut required = Vec::new();
    let mut excluded = Vec::new();
    let mut any_of = Vec::new();
    let mut chars = p.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&first) = chars.peek() else { break };
        let kind = match first {
            '-' | '?' => {
                chars.next();
                first
            }
            _ => ' ',
        };
        let mut term = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err(invalid("unterminated quote")),
                    Some('"') => break,
                    Some('\\') => {
                        if let Some(c) = chars.next() {
                            term.push(c);
                        }
                    }
                    Some(c) => term.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                term.push(c);
                chars.next();
            }
        }
        if term.is_empty() {
            continue;
        }
        match kind {
            '-' => excluded.push(term),
            '?' => any_of.push(term),
            _ => required.push(term),
        }
    }
    Ok(Pattern::Terms {
        required,
        excluded,
        any_of,
    })
}

impl Pattern {
    pub fn matches(&self, message: &str) -> bool {
        match self {
            Pattern::All => true,
            Pattern::Terms {
                required,
                excluded,
                any_of,
            } => {
                required.iter().all(|t| message.contains(t.as_str()))
                    && !excluded.iter().any(|t| message.contains(t.as_str()))
                    && (any_of.is_empty() || any_of.iter().any(|t| message.contains(t.as_str())))
            }
            Pattern::Json(expr) => match serde_json::from_str::<Value>(message.trim()) {
                Ok(v) => expr.eval(&v),
                Err(_) => false,
            },
        }
    }
}

fn lookup<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cur = v;
    for seg in path {
        cur = match seg.parse::<usize>() {
            Ok(i) if cur.is_array() => cur.get(i)?,
            _ => cur.get(seg.as_str())?,
        };
    }
    Some(cur)
}

fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

impl Expr {
    fn eval(&self, v: &Value) -> bool {
        match self {
            Expr::And(a, b) => a.eval(v) && b.eval(v),
            Expr::Or(a, b) => a.eval(v) || b.eval(v),
            Expr::IsNull(p) => lookup(v, p).is_some_and(Value::is_null),
            Expr::NotExists(p) => lookup(v, p).is_none(),
            Expr::Compare { path, op, value } => {
                let Some(found) = lookup(v, path) else {
                    return false;
                };
                match value {
                    Literal::Num(n) => {
                        let x = match found {
                            Value::Number(x) => x.as_f64(),
                            _ => None,
                        };
                        let Some(x) = x else { return false };
                        match op.as_str() {
                            "=" => x == *n,
                            "!=" => x != *n,
                            "<" => x < *n,
                            "<=" => x <= *n,
                            ">" => x > *n,
                            ">=" => x >= *n,
                            _ => false,
                        }
                    }
                    Literal::Str(s) => {
                        let text = match found {
                            Value::String(t) => t.clone(),
                            Value::Number(n) => n.to_string(),
                            _ => return false,
                        };
                        match op.as_str() {
                            "=" => wildcard(s, &text),
                            "!=" => !wildcard(s, &text),
                            _ => false,
                        }
                    }
                    Literal::Bool(b) => {
                        let eq = found.as_bool() == Some(*b);
                        if op == "!=" {
                            !eq
                        } else {
                            eq
                        }
                    }
                    Literal::Null => {
                        let eq = found.is_null();
                        if op == "!=" {
                            !eq
                        } else {
                            eq
                        }
                    }
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Path(Vec<String>),
    Op(String),
    And,
    Or,
    Open,
    Close,
    Str(String),
    Word(String),
}

fn tokenize(s: &str) -> Result<Vec<Tok>, ServiceError> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push(Tok::Open);
            i += 1;
        } else if c == ')' {
            out.push(Tok::Close);
            i += 1;
        } else if c == '&' && chars.get(i + 1) == Some(&'&') {
            out.push(Tok::And);
            i += 2;
        } else if c == '|' && chars.get(i + 1) == Some(&'|') {
            out.push(Tok::Or);
            i += 2;
        } else if matches!(c, '=' | '!' | '<' | '>') {
            let mut op = c.to_string();
            if chars.get(i + 1) == Some(&'=') {
                op.push('=');
                i += 1;
            }
            if op == "!" {
                return Err(invalid("expected != "));
            }
            out.push(Tok::Op(op));
            i += 1;
        } else if c == '"' {
            let mut t = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(invalid("unterminated quote")),
                    Some('"') => break,
                    Some('\\') => {
                        i += 1;
                        if let Some(&e) = chars.get(i) {
                            t.push(e);
                        }
                    }
                    Some(&ch) => t.push(ch),
                }
                i += 1;
            }
            i += 1;
            out.push(Tok::Str(t));
        } else if c == '$' {
            let mut raw = String::new();
            i += 1;
            while let Some(&ch) = chars.get(i) {
                if ch.is_whitespace() || matches!(ch, '=' | '!' | '<' | '>' | '(' | ')' | '&' | '|')
                {
                    break;
                }
                raw.push(ch);
                i += 1;
            }
            let raw = raw.strip_prefix('.').unwrap_or(&raw).to_owned();
            let mut path = Vec::new();
            for seg in raw.split('.') {
                // `a[0]` indexes arrays.
                let mut rest = seg;
                while let Some(open) = rest.find('[') {
                    if open > 0 {
                        path.push(rest[..open].to_owned());
                    }
                    let close = rest[open..]
                        .find(']')
                        .ok_or_else(|| invalid("unbalanced ["))?
                        + open;
                    path.push(rest[open + 1..close].to_owned());
                    rest = &rest[close + 1..];
                }
                if !rest.is_empty() {
                    path.push(rest.to_owned());
                }
            }
            out.push(Tok::Path(path));
        } else {
            let mut w = String::new();
            while let Some(&ch) = chars.get(i) {
                if ch.is_whitespace() || matches!(ch, '=' | '!' | '<' | '>' | '(' | ')' | '&' | '|')
                {
                    break;
                }
                w.push(ch);
                i += 1;
            }
            out.push(Tok::Word(w));
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn or(&mut self) -> Result<Expr, ServiceError> {
        let mut left = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ServiceError> {
        let mut left = self.atom()?;
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.atom()?));
        }
        Ok(left)
    }

    fn atom(&mut self) -> Result<Expr, ServiceError> {
        match self.next() {
            Some(Tok::Open) => {
                let e = self.or()?;
                match self.next() {
                    Some(Tok::Close) => Ok(e),
                    _ => Err(invalid("expected )")),
                }
            }
            Some(Tok::Path(path)) => match self.next() {
                Some(Tok::Op(op)) => {
                    let value = match self.next() {
                        Some(Tok::Str(s)) => Literal::Str(s),
                        Some(Tok::Word(w)) => match w.as_str() {
                            "true" => Literal::Bool(true),
                            "false" => Literal::Bool(false),
                            "NULL" | "null" => Literal::Null,
                            _ => match w.parse::<f64>() {
                                Ok(n) => Literal::Num(n),
                                Err(_) => Literal::Str(w),
                            },
                        },
                        _ => return Err(invalid("expected a value")),
                    };
                    if matches!(value, Literal::Str(_)) && !matches!(op.as_str(), "=" | "!=") {
                        return Err(invalid("strings compare with = or != only"));
                    }
                    Ok(Expr::Compare { path, op, value })
                }
                Some(Tok::Word(w)) if w == "IS" => match self.next() {
                    Some(Tok::Word(n)) if n == "NULL" => Ok(Expr::IsNull(path)),
                    _ => Err(invalid("expected IS NULL")),
                },
                Some(Tok::Word(w)) if w == "NOT" => match self.next() {
                    Some(Tok::Word(n)) if n == "EXISTS" => Ok(Expr::NotExists(path)),
                    _ => Err(invalid("expected NOT EXISTS")),
                },
                _ => Err(invalid("expected a comparison")),
            },
            _ => Err(invalid("expected a selector like $.field")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, msg: &str) -> bool {
        parse(p).expect("valid pattern").matches(msg)
    }

    #[test]
    fn terms_and_phrases() {
        assert!(m("", "anything"));
        assert!(m("ERROR", "an ERROR here"));
        assert!(!m("ERROR", "an error here"));
        assert!(m("ERROR disk", "ERROR: disk full"));
        assert!(!m("ERROR net", "ERROR: disk full"));
        assert!(m("\"disk full\"", "ERROR: disk full"));
        assert!(!m("ERROR -disk", "ERROR: disk full"));
        assert!(m("?WARN ?ERROR", "ERROR: x"));
        assert!(!m("?WARN ?ERROR", "INFO: x"));
    }

    #[test]
    fn json_patterns() {
        let msg = r#"{"level":"error","code":503,"user":{"id":"u-1"},"tags":["a","b"],"n":null}"#;
        assert!(m("{ $.level = \"error\" }", msg));
        assert!(m("{ $.level = error }", msg));
        assert!(m("{ $.level = err* }", msg));
        assert!(!m("{ $.level = \"info\" }", msg));
        assert!(m("{ $.code >= 500 && $.user.id = \"u-1\" }", msg));
        assert!(m("{ ($.code < 500) || $.tags[1] = \"b\" }", msg));
        assert!(m("{ $.n IS NULL }", msg));
        assert!(m("{ $.missing NOT EXISTS }", msg));
        assert!(!m("{ $.level = \"error\" }", "not json"));
        assert!(parse("{ $.a = }").is_err());
        assert!(parse("[ip, user]").is_err());
    }
}
