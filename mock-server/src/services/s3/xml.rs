//! S3's XML: a small writer for response documents and a parser of request documents
//! (DeleteObjects, CompleteMultipartUpload, tagging, versioning, notification, bucket creation)
//! into a tree of elements, built on quick-xml.
//!
//! Request documents are small and untrusted: the parser bounds depth and size, and every
//! failure becomes S3's `MalformedXML`, never a panic.

use quick_xml::events::Event;
use quick_xml::Reader;

/// The namespace S3 puts on its response documents.
pub const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Request documents larger than this are refused (DeleteObjects allows 1000 keys of up to 1 KiB
/// each; S3 itself caps it near 2 MB).
pub const MAX_REQUEST_XML: usize = 4 * 1024 * 1024;
const MAX_DEPTH: usize = 32;

/// Builds one response document.
#[derive(Debug)]
pub struct XmlWriter {
    out: String,
    open: Vec<&'static str>,
}

impl XmlWriter {
    /// A document whose root carries the S3 namespace.
    pub fn new(root: &'static str) -> XmlWriter {
        let mut out = String::with_capacity(512);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<");
        out.push_str(root);
        out.push_str(" xmlns=\"");
        out.push_str(NAMESPACE);
        out.push_str("\">");
        XmlWriter {
            out,
            open: vec![root],
        }
    }

    /// A document without the namespace (error bodies have none).
    pub fn bare(root: &'static str) -> XmlWriter {
        let mut out = String::with_capacity(256);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<");
        out.push_str(root);
        out.push('>');
        XmlWriter {
            out,
            open: vec![root],
        }
    }

    pub fn open(&mut self, name: &'static str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self.open.push(name);
        self
    }

    pub fn close(&mut self) -> &mut Self {
        if let Some(name) = self.open.pop() {
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
        }
        self
    }

    /// `<name>value</name>` with the value escaped.
    pub fn leaf(&mut self, name: &str, value: impl AsRef<str>) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self.out.push_str(&escape(value.as_ref()));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    pub fn leaf_opt(&mut self, name: &str, value: Option<impl AsRef<str>>) -> &mut Self {
        if let Some(v) = value {
            self.leaf(name, v);
        }
        self
    }

    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out
    }
}

/// Escapes text for element content, including the quote characters and the control
/// characters that S3 keys may hold but XML 1.0 cannot carry literally.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t') => {
                out.push_str(&format!("&#x{:X};", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// One element of a parsed request document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of child `name`.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Malformed(pub String);

/// Parses a request document into its root element (namespace prefixes dropped).
pub fn parse(body: &[u8]) -> Result<Element, Malformed> {
    if body.len() > MAX_REQUEST_XML {
        return Err(Malformed("document too large".into()));
    }
    let text = std::str::from_utf8(body).map_err(|_| Malformed("not UTF-8".into()))?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let bad = |e: &dyn std::fmt::Display| Malformed(e.to_string());
    loop {
        let event = reader.read_event().map_err(|e| bad(&e))?;
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(Malformed("content after the root element".into()));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(Malformed("nesting too deep".into()));
                }
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                stack.push(Element {
                    name,
                    ..Default::default()
                });
            }
            Event::Empty(start) => {
                let el = Element {
                    name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
                    ..Default::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(end) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| Malformed("unbalanced end tag".into()))?;
                if end.local_name().as_ref() != el.name.as_bytes() {
                    return Err(Malformed("mismatched end tag".into()));
                }
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| bad(&e))?;
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err(Malformed("text outside the root element".into())),
                }
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| bad(&e))?;
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&s),
                    None => return Err(Malformed("text outside the root element".into())),
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| bad(&e))? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().map_err(|e| bad(&e))?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| Malformed(format!("unknown entity &{name};")))?
                            .to_owned()
                    }
                };
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&resolved),
                    None => return Err(Malformed("text outside the root element".into())),
                }
            }
            Event::DocType(_) => return Err(Malformed("DTDs are not accepted".into())),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(Malformed("unclosed element".into()));
    }
    root.ok_or_else(|| Malformed("empty document".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_delete_documents() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a &amp; b&#x20;</Key></Object><Object><Key>c</Key><VersionId>v</VersionId></Object><Quiet>true</Quiet></Delete>"#;
        let root = parse(doc).expect("parses");
        assert_eq!(root.name, "Delete");
        let keys: Vec<_> = root
            .children_named("Object")
            .filter_map(|o| o.text_of("Key"))
            .collect();
        assert_eq!(keys, ["a & b ", "c"]);
        assert_eq!(root.text_of("Quiet"), Some("true"));
    }

    #[test]
    fn rejects_broken_documents() {
        for doc in [
            &b""[..],
            b"<a>",
            b"<a></b>",
            b"<a/><b/>",
            b"text",
            b"<a>&bogus;</a>",
            b"<!DOCTYPE x [<!ENTITY e \"x\">]><a>&e;</a>",
            b"\xff\xfe",
        ] {
            assert!(parse(doc).is_err(), "{:?}", String::from_utf8_lossy(doc));
        }
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(parse(deep.as_bytes()).is_err());
    }

    #[test]
    fn writes_escaped_documents() {
        let mut w = XmlWriter::new("ListBucketResult");
        w.leaf("Name", "b")
            .open("Contents")
            .leaf("Key", "a<&>\"\u{1}");
        let s = w.finish();
        assert!(s.ends_with(
            "<Contents><Key>a&lt;&amp;&gt;&quot;&#x1;</Key></Contents></ListBucketResult>"
        ));
        assert!(s.contains(NAMESPACE));
    }
}
