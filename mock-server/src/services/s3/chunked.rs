//! Decoding of `Content-Encoding: aws-chunked` bodies, the framing SDKs use for SigV4 streaming
//! uploads and for trailing checksums:
//!
//! ```text
//! <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=<sig>]\r\n
//! [<trailer name>:<value>\r\n ...]\r\n
//! ```
//!
//! The decoder is incremental (bytes are fed as the network delivers them, data passes through
//! without copying) and never trusts the framing: oversized header lines, bad hex and missing
//! CRLFs are errors, and a body that ends before the final chunk is incomplete. Chunk signatures
//! are not verified, like every other signature codemock sees (SigV4 is lenient by design).

use bytes::Bytes;

/// The longest chunk header or trailer line accepted; real ones are under 200 bytes.
const MAX_LINE: usize = 8 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChunkError {
    /// The framing is not aws-chunked.
    Malformed(String),
    /// The body ended before the final chunk.
    Truncated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Header,
    Data(u64),
    DataEnd,
    Trailers,
    Done,
}

/// An incremental aws-chunked decoder.
#[derive(Debug)]
pub struct Decoder {
    stage: Stage,
    line: Vec<u8>,
    /// Trailers in arrival order, names lower-cased.
    trailers: Vec<(String, String)>,
    decoded: u64,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder {
            stage: Stage::Header,
            line: Vec::new(),
            trailers: Vec::new(),
            decoded: 0,
        }
    }

    /// Feeds the next piece of the encoded body; pushes the decoded data it contains to `out`.
    pub fn feed(&mut self, mut input: Bytes, out: &mut Vec<Bytes>) -> Result<(), ChunkError> {
        while !input.is_empty() {
            match self.stage {
                Stage::Data(remaining) => {
                    let n = remaining.min(input.len() as u64) as usize;
                    out.push(input.split_to(n));
                    self.decoded += n as u64;
                    let left = remaining - n as u64;
                    self.stage = if left == 0 {
                        Stage::DataEnd
                    } else {
                        Stage::Data(left)
                    };
                }
                Stage::Done => {
                    // Tolerate stray line ends after the final blank line (some clients add
                    // one more); anything else means the framing was misunderstood.
                    if input.iter().all(|b| *b == b'\r' || *b == b'\n') {
                        return Ok(());
                    }
                    return Err(ChunkError::Malformed("data after the final chunk".into()));
                }
                Stage::Header | Stage::DataEnd | Stage::Trailers => {
                    let Some(line) = self.take_line(&mut input)? else {
                        continue;
                    };
                    self.on_line(&line)?;
                }
            }
        }
        Ok(())
    }

    /// Appends bytes up to the next CRLF to the current line; returns the line when complete.
    fn take_line(&mut self, input: &mut Bytes) -> Result<Option<Vec<u8>>, ChunkError> {
        match input.iter().position(|b| *b == b'\n') {
            Some(i) => {
                self.line.extend_from_slice(&input[..i]);
                let _ = input.split_to(i + 1);
                let mut line = std::mem::take(&mut self.line);
                if line.last() != Some(&b'\r') {
                    return Err(ChunkError::Malformed("line not ended by CRLF".into()));
                }
                line.pop();
                Ok(Some(line))
            }
            None => {
                self.line.extend_from_slice(input);
                input.clear();
                if self.line.len() > MAX_LINE {
                    return Err(ChunkError::Malformed("chunk header too long".into()));
                }
                Ok(None)
            }
        }
    }

    fn on_line(&mut self, line: &[u8]) -> Result<(), ChunkError> {
        if line.len() > MAX_LINE {
            return Err(ChunkError::Malformed("chunk header too long".into()));
        }
        let text = std::str::from_utf8(line)
            .map_err(|_| ChunkError::Malformed("chunk header is not UTF-8".into()))?;
        match self.stage {
            Stage::DataEnd => {
                if !text.is_empty() {
                    return Err(ChunkError::Malformed(
                        "chunk data longer than its declared size".into(),
                    ));
                }
                self.stage = Stage::Header;
            }
            Stage::Header => {
                let size_text = text.split(';').next().unwrap_or("").trim();
                let size = u64::from_str_radix(size_text, 16).map_err(|_| {
                    ChunkError::Malformed(format!("invalid chunk size {size_text:?}"))
                })?;
                self.stage = if size == 0 {
                    Stage::Trailers
                } else {
                    Stage::Data(size)
                };
            }
            Stage::Trailers => {
                if text.is_empty() {
                    self.stage = Stage::Done;
                } else {
                    let (name, value) = text.split_once(':').ok_or_else(|| {
                        ChunkError::Malformed(format!("invalid trailer {text:?}"))
                    })?;
                    self.trailers
                        .push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
                }
            }
            Stage::Data(_) | Stage::Done => {}
        }
        Ok(())
    }

    /// Called at the end of the body: the decoded length and the trailers, or why the body is
    /// incomplete.
    pub fn finish(self) -> Result<(u64, Vec<(String, String)>), ChunkError> {
        match self.stage {
            Stage::Done => Ok((self.decoded, self.trailers)),
            // The final chunk and complete trailer lines arrived but not the closing blank
            // line: every byte of data and every checksum is here, so accept it.
            Stage::Trailers if self.line.is_empty() => Ok((self.decoded, self.trailers)),
            _ => Err(ChunkError::Truncated),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Trailers = Vec<(String, String)>;

    fn decode_in_pieces(encoded: &[u8], piece: usize) -> Result<(Vec<u8>, Trailers), ChunkError> {
        let mut d = Decoder::new();
        let mut out = Vec::new();
        for p in encoded.chunks(piece.max(1)) {
            d.feed(Bytes::copy_from_slice(p), &mut out)?;
        }
        let (n, trailers) = d.finish()?;
        let data: Vec<u8> = out.iter().flat_map(|b| b.iter().copied()).collect();
        assert_eq!(n as usize, data.len());
        Ok((data, trailers))
    }

    #[test]
    fn signed_chunks_with_a_trailer_decode_in_any_split() {
        let body = b"5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0;chunk-signature=0\r\nx-amz-checksum-crc32:DUoRhQ==\r\nx-amz-trailer-signature:xyz\r\n\r\n";
        for piece in [1, 2, 3, 7, 1000] {
            let (data, trailers) = decode_in_pieces(body, piece).expect("decodes");
            assert_eq!(data, b"hello world");
            assert_eq!(
                trailers[0],
                ("x-amz-checksum-crc32".into(), "DUoRhQ==".into())
            );
        }
    }

    #[test]
    fn unsigned_chunks_decode() {
        let (data, t) = decode_in_pieces(b"3\r\nabc\r\n0\r\n\r\n", 2).expect("decodes");
        assert_eq!(data, b"abc");
        assert!(t.is_empty());
    }

    #[test]
    fn truncation_and_garbage_are_errors() {
        assert_eq!(
            decode_in_pieces(b"5\r\nhel", 4).expect_err("fails"),
            ChunkError::Truncated
        );
        assert_eq!(
            decode_in_pieces(b"", 4).expect_err("fails"),
            ChunkError::Truncated
        );
        assert!(matches!(
            decode_in_pieces(b"zz\r\nabc\r\n0\r\n\r\n", 4),
            Err(ChunkError::Malformed(_))
        ));
        assert!(matches!(
            decode_in_pieces(b"2\r\nabc\r\n0\r\n\r\n", 4),
            Err(ChunkError::Malformed(_))
        ));
        assert!(matches!(
            decode_in_pieces(&[b'1'; 20_000], 100),
            Err(ChunkError::Malformed(_))
        ));
    }
}
