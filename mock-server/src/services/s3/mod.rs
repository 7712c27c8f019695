//! S3: the artifact store that pipelines, builds and deployments read and write (REST-XML).
//!
//! A request flows: addressing and operation from the head ([`request`]) -> the body streamed
//! into storage when the operation has one ([`receive`]), verified against its checksums ->
//! the partition locked just long enough to commit ([`handlers`]) -> events for EventBridge
//! drained after the lock is gone -> the reply, with `x-amz-request-id` and `x-amz-id-2`.
//!
//! Buckets live in the partition of their account and region. Bucket names are global in S3, so
//! a lookup by name searches the account's partitions (there are a handful at most), and a
//! request signed for another region than the bucket's is served anyway: real S3 would answer a
//! redirect that SDKs follow, which would only add a round trip here.

pub mod checksums;
pub mod chunked;
pub mod error;
pub mod handlers;
pub mod ports;
pub mod receive;
pub mod request;
pub mod state;
pub mod storage;
pub mod xml;

use crate::core::{Core, RequestContext, RequestRecord};
use crate::protocol::{full_body, HttpResponse, ResponseBody};
use crate::services::{events, World};
use error::S3Error;
use hyper::body::Incoming;
use parking_lot::Mutex;
use request::{Resolved, S3Request};
use std::sync::Arc;

/// An object event for the default bus of `account`/`region` (EventBridge notifications).
#[derive(Debug, Clone, PartialEq)]
pub struct BusEvent {
    pub account: String,
    pub region: String,
    pub event: serde_json::Value,
}

pub use crate::services::no_async_handler as async_handler;

/// What S3's port commands and timers get (its requests have their own [`S3Call`]).
pub type Call<'a> = crate::services::Call<'a, state::State>;

/// S3's wake-ups on virtual time (none yet).
#[derive(Debug)]
pub enum Timer {}

pub fn on_timer(_call: &mut Call<'_>, timer: Timer) {
    match timer {}
}

/// A successful S3 answer before the common headers are added.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: ResponseBody,
}

impl Reply {
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: full_body(bytes::Bytes::new()),
        }
    }

    pub fn xml(body: String) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/xml".into())],
            body: full_body(body),
        }
    }

    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn header_opt(self, name: &str, value: Option<impl Into<String>>) -> Reply {
        match value {
            Some(v) => self.header(name, v),
            None => self,
        }
    }
}

/// What a handler works with: the engine, who asks, the request, and the events it causes.
pub struct S3Call<'a> {
    pub core: &'a Arc<Core>,
    pub ctx: &'a RequestContext,
    pub req: &'a S3Request,
    /// Events for EventBridge, put once every lock is released.
    pub events: Vec<BusEvent>,
}

impl S3Call<'_> {
    pub fn bucket_name(&self) -> &str {
        self.req.bucket.as_deref().unwrap_or_default()
    }

    pub fn key(&self) -> &str {
        self.req.key.as_deref().unwrap_or_default()
    }

    /// The partition holding bucket `name` for this request's account, if it exists.
    pub fn bucket_partition(&self, name: &str) -> Option<Arc<Mutex<World>>> {
        find_bucket(self.core, &self.ctx.account_id, &self.ctx.region, name)
    }

    /// Runs `f` on bucket `name` under its partition's lock (short and synchronous).
    pub fn with_bucket<R>(
        &self,
        name: &str,
        f: impl FnOnce(&mut state::Bucket, &World) -> Result<R, S3Error>,
    ) -> Result<R, S3Error> {
        let partition = self
            .bucket_partition(name)
            .ok_or_else(|| S3Error::no_such_bucket(name))?;
        let mut world = partition.lock();
        let world = &mut *world;
        // Split the borrow: the bucket mutably, the rest of the world (account, region) shared.
        let mut bucket = world
            .s3
            .buckets
            .remove(name)
            .ok_or_else(|| S3Error::no_such_bucket(name))?;
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut bucket, world)));
        world.s3.buckets.insert(name.to_owned(), bucket);
        result.unwrap_or_else(|_| {
            Err(S3Error::internal(
                "codemock hit an internal error handling this request",
            ))
        })
    }
}

/// Finds the partition of `account` that holds bucket `name`: the request's region first.
pub fn find_bucket(
    core: &Core,
    account: &str,
    region: &str,
    name: &str,
) -> Option<Arc<Mutex<World>>> {
    if let Some(p) = core.store.existing(account, region) {
        if p.lock().s3.buckets.contains_key(name) {
            return Some(p);
        }
    }
    core.store
        .keys()
        .into_iter()
        .filter(|(a, r)| a == account && r != region)
        .filter_map(|(a, r)| core.store.existing(&a, &r))
        .find(|p| p.lock().s3.buckets.contains_key(name))
}

/// Handles one S3 request (streaming its body).
pub async fn handle(
    core: &Arc<Core>,
    ctx: &RequestContext,
    parts: http::request::Parts,
    body: Incoming,
) -> HttpResponse {
    let is_head = parts.method == http::Method::HEAD;
    let (operation, result) = match S3Request::parse(&parts) {
        Err(message) => ("", Err(S3Error::invalid_request(message))),
        Ok(req) => match request::resolve(&req) {
            Resolved::Op(op) => {
                let mut call = S3Call {
                    core,
                    ctx,
                    req: &req,
                    events: Vec::new(),
                };
                let result = handlers::dispatch(&mut call, op, body).await;
                let events = std::mem::take(&mut call.events);
                if result.is_ok() {
                    let mut effects = crate::effects::Effects::new();
                    for e in events {
                        // S3 sends its events to the default bus of the bucket's account and region.
                        events::ports::put_event(
                            &mut effects,
                            &e.account,
                            &e.region,
                            "default",
                            e.event,
                        );
                    }
                    core.apply(effects);
                }
                (op.name(), result)
            }
            Resolved::NotImplemented(name) => (name, Err(S3Error::not_implemented(name))),
            Resolved::Unknown => (
                "",
                Err(S3Error::new(
                    405,
                    "MethodNotAllowed",
                    "The specified method is not allowed against this resource.",
                )
                .with("Method", parts.method.as_str())
                .with(
                    "ResourceType",
                    if req.key.is_some() {
                        "OBJECT"
                    } else if req.bucket.is_some() {
                        "BUCKET"
                    } else {
                        "SERVICE"
                    },
                )),
            ),
        },
    };
    let host_id = host_id(&ctx.request_id);
    let (status, error_code, reply) = match result {
        Ok(reply) => (reply.status, None, reply),
        Err(e) => {
            let body = if is_head {
                String::new()
            } else {
                e.to_xml(&ctx.request_id, &host_id)
            };
            let mut reply = Reply {
                status: e.status,
                headers: Vec::new(),
                body: full_body(body),
            };
            if !is_head {
                reply
                    .headers
                    .push(("content-type".into(), "application/xml".into()));
            }
            reply
                .headers
                .extend(e.headers.iter().map(|(n, v)| ((*n).to_owned(), v.clone())));
            (e.status, Some(e.code.to_owned()), reply)
        }
    };
    core.record_request(RequestRecord {
        time: ctx.received_at,
        request_id: ctx.request_id.clone(),
        service: "S3".into(),
        operation: operation.to_owned(),
        protocol: "restXml".into(),
        status,
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        error_code,
    });
    let mut resp = http::Response::new(reply.body);
    *resp.status_mut() =
        http::StatusCode::from_u16(reply.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = resp.headers_mut();
    for (name, value) in reply.headers {
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(&value),
        ) {
            headers.append(n, v);
        }
    }
    for (name, value) in [
        ("x-amz-request-id", ctx.request_id.as_str()),
        ("x-amz-id-2", host_id.as_str()),
        ("server", "AmazonS3"),
    ] {
        if let Ok(v) = http::HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    }
    resp
}

/// The extended request id S3 sends as `x-amz-id-2` and `HostId`: derived from the request id so
/// that it is deterministic and costs no draw from the id sequence.
fn host_id(request_id: &str) -> String {
    use sha2::Digest as _;
    checksums::b64(&sha2::Sha256::digest(
        format!("codemock/{request_id}").as_bytes(),
    ))
}
