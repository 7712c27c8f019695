//! Where object bytes live: in memory while the server-wide budget (`--s3-memory-limit`) allows,
//! in files of a private temporary directory beyond it.
//!
//! Bodies are received into a [`BlobWriter`] as they stream in, so no upload is held whole
//! unless it fits the budget. A [`Blob`] frees what it holds when its last owner drops it (the
//! memory reservation is returned, the spill file deleted), so forgetting an object, or a reset
//! dropping every bucket, needs no separate clean-up. Objects are lists of [`Segment`]s (slices
//! of blobs), which makes completing a multipart upload or copying an object O(parts), not
//! O(bytes).

use crate::protocol::ResponseBody;
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, SizeHint};
use parking_lot::Mutex;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// The default budget: enough for every artifact a test pipeline produces, small enough for CI.
pub const DEFAULT_MEMORY_LIMIT: u64 = 256 * 1024 * 1024;

/// Spill writes are batched to this size so that tokio's blocking file pool is not asked once
/// per network frame.
const WRITE_BATCH: usize = 1024 * 1024;
/// Spill reads are sent to the client in pieces of this size.
const READ_PIECE: usize = 256 * 1024;

#[derive(Debug)]
struct Inner {
    limit: u64,
    used: AtomicU64,
    dir: Mutex<Option<Arc<tempfile::TempDir>>>,
    next_file: AtomicU64,
    names: Mutex<()>,
}

/// The server-wide byte store of S3 (one per server, shared by every partition).
#[derive(Debug, Clone)]
pub struct Storage {
    inner: Arc<Inner>,
}

impl Storage {
    pub fn new(memory_limit: u64) -> Storage {
        Storage {
            inner: Arc::new(Inner {
                limit: memory_limit,
                used: AtomicU64::new(0),
                dir: Mutex::new(None),
                next_file: AtomicU64::new(0),
                names: Mutex::new(()),
            }),
        }
    }

    /// Serialises bucket creation and deletion: bucket names are unique across every account
    /// and region, which no single partition lock can guarantee.
    pub fn names_lock(&self) -> parking_lot::MutexGuard<'_, ()> {
        self.inner.names.lock()
    }

    /// Bytes of object data held in memory now.
    pub fn memory_used(&self) -> u64 {
        self.inner.used.load(Ordering::Relaxed)
    }

    pub fn memory_limit(&self) -> u64 {
        self.inner.limit
    }

    /// Spill files that exist now (for tests of clean-up).
    pub fn spill_files(&self) -> usize {
        let dir = self.inner.dir.lock().clone();
        dir.and_then(|d| std::fs::read_dir(d.path()).ok())
            .map(|entries| entries.count())
            .unwrap_or(0)
    }

    fn try_reserve(&self, n: u64) -> Option<Reservation> {
        let mut used = self.inner.used.load(Ordering::Relaxed);
        loop {
            let next = used.checked_add(n)?;
            if next > self.inner.limit {
                return None;
            }
            match self.inner.used.compare_exchange_weak(
                used,
                next,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    return Some(Reservation {
                        inner: self.inner.clone(),
                        bytes: n,
                    })
                }
                Err(now) => used = now,
            }
        }
    }

    fn spill_path(&self) -> std::io::Result<(Arc<tempfile::TempDir>, PathBuf)> {
        let dir = {
            let mut guard = self.inner.dir.lock();
            match &*guard {
                Some(d) => d.clone(),
                None => {
                    let d = Arc::new(tempfile::Builder::new().prefix("codemock-s3-").tempdir()?);
                    *guard = Some(d.clone());
                    d
                }
            }
        };
        let n = self.inner.next_file.fetch_add(1, Ordering::Relaxed);
        let path = dir.path().join(format!("{n}.blob"));
        Ok((dir, path))
    }

    /// A writer for a body of `expected` bytes, if known (an upload known to exceed the budget
    /// goes to disk from its first byte).
    pub fn writer(&self, expected: Option<u64>) -> BlobWriter {
        BlobWriter {
            storage: self.clone(),
            chunks: Vec::new(),
            reservation: None,
            file: None,
            batch: Vec::new(),
            len: 0,
            to_disk: expected.is_some_and(|n| {
                n > self
                    .inner
                    .limit
                    .saturating_sub(self.inner.used.load(Ordering::Relaxed))
            }),
        }
    }

    /// A blob of bytes already in memory (small generated bodies, tests).
    pub fn blob_from_bytes(&self, data: Bytes) -> Blob {
        let reservation = self.try_reserve(data.len() as u64);
        Blob::Memory {
            data,
            _reservation: reservation,
        }
    }
}

/// Memory counted against the budget, returned on drop.
#[derive(Debug)]
pub struct Reservation {
    inner: Arc<Inner>,
    bytes: u64,
}

impl Reservation {
    fn grow(&mut self, storage: &Storage, n: u64) -> bool {
        match storage.try_reserve(n) {
            Some(mut more) => {
                // Take over the bytes of `more`; its drop then returns nothing.
                self.bytes += std::mem::take(&mut more.bytes);
                true
            }
            None => false,
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.inner.used.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

/// A spilled body: the file is deleted when the last owner lets go.
#[derive(Debug)]
pub struct SpillFile {
    path: PathBuf,
    // Keeps the directory alive while any file in it exists.
    _dir: Arc<tempfile::TempDir>,
}

impl Drop for SpillFile {
    fn drop(&mut self) {
        // unlink is one metadata operation, cheap enough to do where the drop happens.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Bytes received once, owned by the objects and parts that reference them.
#[derive(Debug)]
pub enum Blob {
    Memory {
        data: Bytes,
        _reservation: Option<Reservation>,
    },
    File {
        file: SpillFile,
        len: u64,
    },
}

impl Blob {
    pub fn len(&self) -> u64 {
        match self {
            Blob::Memory { data, .. } => data.len() as u64,
            Blob::File { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_spilled(&self) -> bool {
        matches!(self, Blob::File { .. })
    }
}

/// Receives a body piece by piece into memory or, past the budget, a spill file.
#[derive(Debug)]
pub struct BlobWriter {
    storage: Storage,
    chunks: Vec<Bytes>,
    reservation: Option<Reservation>,
    file: Option<(tokio::fs::File, SpillFile)>,
    batch: Vec<u8>,
    len: u64,
    to_disk: bool,
}

impl BlobWriter {
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub async fn write(&mut self, data: Bytes) -> std::io::Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        self.len += data.len() as u64;
        if self.file.is_none() && !self.to_disk {
            let n = data.len() as u64;
            let fits = match &mut self.reservation {
                Some(r) => r.grow(&self.storage, n),
                None => match self.storage.try_reserve(n) {
                    Some(r) => {
                        self.reservation = Some(r);
                        true
                    }
                    None => false,
                },
            };
            if fits {
                self.chunks.push(data);
                return Ok(());
            }
        }
        if self.file.is_none() {
            self.spill().await?;
        }
        self.batch.extend_from_slice(&data);
        if self.batch.len() >= WRITE_BATCH {
            self.flush_batch().await?;
        }
        Ok(())
    }

    /// Moves what is in memory to a new spill file; from now on everything goes there.
    async fn spill(&mut self) -> std::io::Result<()> {
        let (dir, path) = self.storage.spill_path()?;
        let file = tokio::fs::File::create(&path).await?;
        let spill = SpillFile { path, _dir: dir };
        self.file = Some((file, spill));
        for chunk in std::mem::take(&mut self.chunks) {
            self.batch.extend_from_slice(&chunk);
            if self.batch.len() >= WRITE_BATCH {
                self.flush_batch().await?;
            }
        }
        self.reservation = None;
        Ok(())
    }

    async fn flush_batch(&mut self) -> std::io::Result<()> {
        if let Some((file, _)) = &mut self.file {
            file.write_all(&self.batch).await?;
        }
        self.batch.clear();
        Ok(())
    }

    /// The received bytes as a blob.
    pub async fn finish(mut self) -> std::io::Result<Blob> {
        if self.file.is_some() {
            self.flush_batch().await?;
            let (mut file, spill) = self
                .file
                .take()
                .ok_or_else(|| std::io::Error::other("spill file vanished"))?;
            file.flush().await?;
            drop(file);
            return Ok(Blob::File {
                file: spill,
                len: self.len,
            });
        }
        let data = match self.chunks.len() {
            0 => Bytes::new(),
            1 => self.chunks.pop().unwrap_or_default(),
            _ => {
                let mut all = BytesMut::with_capacity(self.len as usize);
                for c in &self.chunks {
                    all.extend_from_slice(c);
                }
                all.freeze()
            }
        };
        Ok(Blob::Memory {
            data,
            _reservation: self.reservation.take(),
        })
    }
}

/// A slice of a blob.
#[derive(Debug, Clone)]
pub struct Segment {
    pub blob: Arc<Blob>,
    pub offset: u64,
    pub len: u64,
}

/// The bytes of an object or part: consecutive slices of blobs.
#[derive(Debug, Clone, Default)]
pub struct ObjectData {
    segments: Vec<Segment>,
    len: u64,
}

impl ObjectData {
    pub fn from_blob(blob: Blob) -> ObjectData {
        let len = blob.len();
        let mut data = ObjectData::default();
        if len > 0 {
            data.segments.push(Segment {
                blob: Arc::new(blob),
                offset: 0,
                len,
            });
        }
        data.len = len;
        data
    }

    /// The concatenation of `parts`, sharing their blobs.
    pub fn concat<'a>(parts: impl IntoIterator<Item = &'a ObjectData>) -> ObjectData {
        let mut out = ObjectData::default();
        for p in parts {
            out.segments.extend(p.segments.iter().cloned());
            out.len += p.len;
        }
        out
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes `start..start+len` (clamped to the object).
    pub fn slice(&self, start: u64, len: u64) -> ObjectData {
        let end = start.saturating_add(len).min(self.len);
        let mut out = ObjectData::default();
        let mut pos = 0u64;
        for s in &self.segments {
            let (s_start, s_end) = (pos, pos + s.len);
            pos = s_end;
            let from = start.max(s_start);
            let to = end.min(s_end);
            if from >= to {
                continue;
            }
            out.segments.push(Segment {
                blob: s.blob.clone(),
                offset: s.offset + (from - s_start),
                len: to - from,
            });
            out.len += to - from;
        }
        out
    }

    /// The whole content in memory; only for small bodies (request XML, tests).
    pub async fn to_bytes(&self) -> std::io::Result<Bytes> {
        let body = self.body();
        body.collect().await.map(|c| c.to_bytes())
    }

    /// A streaming response body of these bytes.
    pub fn body(&self) -> ResponseBody {
        let remaining = self.len;
        let on_disk = self.segments.iter().any(|s| s.blob.is_spilled());
        if !on_disk {
            let queue = self
                .segments
                .iter()
                .filter_map(|s| match &*s.blob {
                    Blob::Memory { data, .. } => {
                        let from = s.offset as usize;
                        Some(data.slice(from..from + s.len as usize))
                    }
                    Blob::File { .. } => None,
                })
                .collect();
            return SegmentsBody {
                queue,
                rx: None,
                remaining,
            }
            .boxed();
        }
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let segments = self.segments.clone();
        tokio::spawn(async move {
            for s in segments {
                if let Err(e) = send_segment(&s, &tx).await {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            }
        });
        SegmentsBody {
            queue: VecDeque::new(),
            rx: Some(rx),
            remaining,
        }
        .boxed()
    }
}

type Piece = std::io::Result<Bytes>;

async fn send_segment(s: &Segment, tx: &tokio::sync::mpsc::Sender<Piece>) -> std::io::Result<()> {
    match &*s.blob {
        Blob::Memory { data, .. } => {
            let from = s.offset as usize;
            let _ = tx.send(Ok(data.slice(from..from + s.len as usize))).await;
        }
        Blob::File { file, .. } => {
            let mut f = tokio::fs::File::open(&file.path).await?;
            f.seek(std::io::SeekFrom::Start(s.offset)).await?;
            let mut left = s.len;
            while left > 0 {
                let want = (READ_PIECE as u64).min(left) as usize;
                let mut buf = BytesMut::zeroed(want);
                let mut filled = 0;
                while filled < want {
                    let n = f.read(&mut buf[filled..]).await?;
                    if n == 0 {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            "spill file shorter than its object",
                        ));
                    }
                    filled += n;
                }
                left -= want as u64;
                if tx.send(Ok(buf.freeze())).await.is_err() {
                    // The client went away; stop reading.
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

/// The body of a GetObject response: memory slices first, then whatever a reader task sends.
struct SegmentsBody {
    queue: VecDeque<Bytes>,
    rx: Option<tokio::sync::mpsc::Receiver<Piece>>,
    remaining: u64,
}

impl Body for SegmentsBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if let Some(b) = self.queue.pop_front() {
            self.remaining = self.remaining.saturating_sub(b.len() as u64);
            return Poll::Ready(Some(Ok(Frame::data(b))));
        }
        let Some(rx) = self.rx.as_mut() else {
            return Poll::Ready(None);
        };
        match rx.poll_recv(cx) {
            Poll::Ready(Some(Ok(b))) => {
                self.remaining = self.remaining.saturating_sub(b.len() as u64);
                Poll::Ready(Some(Ok(Frame::data(b))))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.queue.is_empty() && self.rx.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn write_all(storage: &Storage, pieces: &[&[u8]], expected: Option<u64>) -> Blob {
        let mut w = storage.writer(expected);
        for p in pieces {
            w.write(Bytes::copy_from_slice(p)).await.expect("write");
        }
        w.finish().await.expect("finish")
    }

    #[tokio::test]
    async fn small_bodies_stay_in_memory_and_free_their_budget() {
        let storage = Storage::new(100);
        let blob = write_all(&storage, &[b"hello ", b"world"], None).await;
        assert!(!blob.is_spilled());
        assert_eq!(storage.memory_used(), 11);
        let data = ObjectData::from_blob(blob);
        assert_eq!(&data.to_bytes().await.expect("read")[..], b"hello world");
        assert_eq!(
            &data.slice(6, 100).to_bytes().await.expect("read")[..],
            b"world"
        );
        drop(data);
        assert_eq!(storage.memory_used(), 0);
    }

    #[tokio::test]
    async fn bodies_beyond_the_budget_spill_and_their_files_go_with_them() {
        let storage = Storage::new(8);
        let blob = write_all(&storage, &[b"hello ", b"world", b"!"], None).await;
        assert!(blob.is_spilled());
        assert_eq!(storage.memory_used(), 0);
        assert_eq!(storage.spill_files(), 1);
        let small = write_all(&storage, &[b"abc"], Some(3)).await;
        let data =
            ObjectData::concat([&ObjectData::from_blob(blob), &ObjectData::from_blob(small)]);
        assert_eq!(
            &data.to_bytes().await.expect("read")[..],
            b"hello world!abc"
        );
        assert_eq!(
            &data.slice(4, 10).to_bytes().await.expect("read")[..],
            b"o world!ab"
        );
        drop(data);
        assert_eq!(storage.spill_files(), 0);
        assert_eq!(storage.memory_used(), 0);
        let known_big = write_all(&storage, &[b"x"], Some(9)).await;
        assert!(known_big.is_spilled());
    }
}
