//! S3: the artifact store that pipelines, builds and deployments read and write (REST-XML).

use crate::core::{Core, RequestContext};
use crate::protocol::{response, HttpResponse};
use hyper::body::Incoming;
use std::sync::Arc;

/// Handles one S3 request (streaming its body).
pub async fn handle(
    _core: &Arc<Core>,
    ctx: &RequestContext,
    parts: http::request::Parts,
    _body: Incoming,
) -> HttpResponse {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NotImplemented</Code><Message>codemock does not implement S3 {} {} yet</Message><RequestId>{}</RequestId></Error>",
        parts.method,
        xml_escape(parts.uri.path()),
        ctx.request_id
    );
    let mut resp = response(501, "application/xml", &ctx.request_id, body);
    if let Ok(v) = http::HeaderValue::from_str(&ctx.request_id) {
        resp.headers_mut().insert("x-amz-request-id", v);
    }
    resp
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
