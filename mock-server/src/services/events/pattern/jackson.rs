//! Malformed event patterns described in the words of Jackson, the JSON parser behind AWS's
//! pattern engine (Ruler): `Unrecognized token 'this': was expecting (...)` followed by the
//! location line `at [Source: (String)"..."; line: 1, column: 5]`. The wording and the columns
//! follow LocalStack's AWS-validated snapshots of `test_invalid_json_event_pattern`; the rarer
//! error kinds follow Jackson's messages for them.

/// What Jackson expects where a value is missing.
const EXPECTING_VALUE: &str =
    "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

/// The first syntax error of `text`, as `Reason` text with its location line, or `None` when
/// `text` starts with one well-formed JSON value (anything after it is ignored, as Jackson's tree
/// reader does).
pub(super) fn syntax_error(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut scanner = Scanner {
        chars: &chars,
        at: 0,
    };
    scanner
        .value()
        .err()
        .map(|(reason, column_at)| format!("{reason}{}", location(text, column_at)))
}

/// The location line for a problem whose column is the one of character index `at` (0-based
/// into the text's characters): Jackson's `at [Source: (String)"<text>"; line: L, column: C]`.
pub(super) fn location(text: &str, at: usize) -> String {
    let before: Vec<char> = text.chars().take(at).collect();
    let line = before.iter().filter(|c| **c == '\n').count() + 1;
    let line_start = before.iter().rposition(|c| *c == '\n').map_or(0, |i| i + 1);
    let column = at - line_start + 1;
    format!("\n at [Source: (String)\"{text}\"; line: {line}, column: {column}]")
}

/// Index of the first character after `text`'s leading whitespace and first character: where
/// Jackson stands after reading the root token (for `Filter is not an object`).
pub(super) fn after_first_token(text: &str) -> usize {
    text.chars().take_while(|c| c.is_whitespace()).count() + 1
}

/// An error: its reason and the character index its column names.
type Failure = (String, usize);

struct Scanner<'a> {
    chars: &'a [char],
    at: usize,
}

impl Scanner<'_> {
    fn skip_whitespace(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn end_of_input(&self, what: &str) -> Failure {
        (format!("Unexpected end-of-input: {what}"), self.at)
    }

    fn unexpected(&self, c: char, expecting: &str) -> Failure {
        (
            format!(
                "Unexpected character ('{c}' (code {})): {expecting}",
                u32::from(c)
            ),
            self.at,
        )
    }

    fn value(&mut self) -> Result<(), Failure> {
        self.skip_whitespace();
        let Some(&c) = self.chars.get(self.at) else {
            return Err(self.end_of_input(&format!("expected a value {EXPECTING_VALUE}")));
        };
        match c {
            '{' => self.object(),
            '[' => self.array(),
            '"' => self.string(),
            '-' | '0'..='9' => {
                self.at += 1;
                while self
                    .chars
                    .get(self.at)
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
                {
                    self.at += 1;
                }
                Ok(())
            }
            _ if c.is_alphabetic() || c == '_' || c == '$' => self.word(),
            _ => Err(self.unexpected(c, &format!("expected a valid value {EXPECTING_VALUE}"))),
        }
    }

    /// `true`, `false`, `null`, or an unrecognized token, which Jackson reads to its end.
    fn word(&mut self) -> Result<(), Failure> {
        let start = self.at;
        while self
            .chars
            .get(self.at)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        {
            self.at += 1;
        }
        let token: String = self.chars[start..self.at].iter().collect();
        match token.as_str() {
            "true" | "false" | "null" => Ok(()),
            _ => Err((
                format!("Unrecognized token '{token}': was expecting {EXPECTING_VALUE}"),
                self.at,
            )),
        }
    }

    fn string(&mut self) -> Result<(), Failure> {
        self.at += 1;
        loop {
            match self.chars.get(self.at) {
                None => {
                    return Err(self.end_of_input("was expecting closing quote for a string value"))
                }
                Some('\\') => self.at += 2,
                Some('"') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(_) => self.at += 1,
            }
        }
    }

    fn object(&mut self) -> Result<(), Failure> {
        self.at += 1;
        self.skip_whitespace();
        if self.chars.get(self.at) == Some(&'}') {
            self.at += 1;
            return Ok(());
        }
        loop {
            self.skip_whitespace();
            match self.chars.get(self.at) {
                Some('"') => self.string()?,
                Some(&c) => {
                    return Err(self.unexpected(c, "was expecting double-quote to start field name"))
                }
                None => return Err(self.end_of_input("expected close marker for OBJECT")),
            }
            self.skip_whitespace();
            match self.chars.get(self.at) {
                Some(':') => self.at += 1,
                Some(&c) => {
                    return Err(self
                        .unexpected(c, "was expecting a colon to separate field name and value"))
                }
                None => return Err(self.end_of_input("expected close marker for OBJECT")),
            }
            self.value()?;
            self.skip_whitespace();
            match self.chars.get(self.at) {
                Some(',') => self.at += 1,
                Some('}') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(&c) => {
                    return Err(self.unexpected(c, "was expecting comma to separate Object entries"))
                }
                None => return Err(self.end_of_input("expected close marker for OBJECT")),
            }
        }
    }

    fn array(&mut self) -> Result<(), Failure> {
        self.at += 1;
        self.skip_whitespace();
        if self.chars.get(self.at) == Some(&']') {
            self.at += 1;
            return Ok(());
        }
        loop {
            self.value()?;
            self.skip_whitespace();
            match self.chars.get(self.at) {
                Some(',') => self.at += 1,
                Some(']') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(&c) => {
                    return Err(self.unexpected(c, "was expecting comma to separate Array entries"))
                }
                None => return Err(self.end_of_input("expected close marker for ARRAY")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The four cases LocalStack's AWS-validated `test_invalid_json_event_pattern` recorded.
    #[test]
    fn recorded_syntax_errors_read_as_aws_reports_them() {
        assert_eq!(
            syntax_error("this is valid json but not a dict").as_deref(),
            Some("Unrecognized token 'this': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)\"this is valid json but not a dict\"; line: 1, column: 5]")
        );
        assert_eq!(
            syntax_error("{'bad': 'quotation'}").as_deref(),
            Some("Unexpected character (''' (code 39)): was expecting double-quote to start field name\n at [Source: (String)\"{'bad': 'quotation'}\"; line: 1, column: 2]")
        );
        assert_eq!(
            syntax_error("{\"not\": closed mark\"").as_deref(),
            Some("Unrecognized token 'closed': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)\"{\"not\": closed mark\"\"; line: 1, column: 15]")
        );
        let array = "[\"not\", \"a\", \"dict\", \"but valid json\"]";
        assert_eq!(syntax_error(array), None);
        assert_eq!(
            location(array, after_first_token(array)),
            "\n at [Source: (String)\"[\"not\", \"a\", \"dict\", \"but valid json\"]\"; line: 1, column: 2]"
        );
    }

    #[test]
    fn well_formed_values_pass_and_lines_are_counted() {
        assert_eq!(
            syntax_error("{\"a\": [1, -2.5e3, true, null, \"x\\\"y\"]}"),
            None
        );
        assert_eq!(syntax_error(" {} trailing"), None);
        let e = syntax_error("{\n  \"a\" [1]}").expect("missing colon");
        assert!(e.starts_with("Unexpected character ('[' (code 91)): was expecting a colon"));
        assert!(e.ends_with("line: 2, column: 7]"), "{e}");
        let e = syntax_error("{\"a\": [1").expect("unterminated");
        assert!(e.starts_with("Unexpected end-of-input: expected close marker for ARRAY"));
    }
}
