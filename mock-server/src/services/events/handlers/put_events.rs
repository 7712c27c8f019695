//! PutEvents and PutPartnerEvents: validate each entry, build the envelope, and leave delivery to
//! the bus drain (after the lock is released). A failed entry fails alone, as in AWS.

use crate::error::ServiceError;
use crate::ids::split_arn;
use crate::protocol::timestamps::iso8601;
use crate::services::events::ports::put_event;
use crate::services::events::state::bus_name_from;
use crate::services::events::Call;
use codemock_wire::events as wire;
use codemock_wire::types::Timestamp;
use serde_json::{Map, Value};

/// Largest total size of one request's entries (256 KB), computed the way the user guide's
/// "Calculating Amazon EventBridge PutEvents event entry size" does.
const MAX_REQUEST_SIZE: usize = 256 * 1024;

struct Entry<'a> {
    time: Option<Timestamp>,
    source: Option<&'a str>,
    detail_type: Option<&'a str>,
    detail: Option<&'a str>,
    resources: &'a [String],
}

fn entry_size(e: &Entry<'_>) -> usize {
    let mut size = if e.time.is_some() { 14 } else { 0 };
    size += e.source.map_or(0, str::len);
    size += e.detail_type.map_or(0, str::len);
    size += e.detail.map_or(0, str::len);
    size += e.resources.iter().map(String::len).sum::<usize>();
    size
}

fn too_large() -> ServiceError {
    ServiceError::validation("Total size of the entries in the request is over the limit.")
}

type EntryError = (&'static str, String);

/// Checks one entry; returns the parsed detail.
fn check_entry(e: &Entry<'_>, partner: bool) -> Result<Value, EntryError> {
    let required = |name: &str| {
        (
            "InvalidArgument",
            format!("Parameter {name} is not valid. Reason: {name} is a required argument."),
        )
    };
    let source = e
        .source
        .filter(|s| !s.is_empty())
        .ok_or_else(|| required("Source"))?;
    e.detail_type
        .filter(|s| !s.is_empty())
        .ok_or_else(|| required("DetailType"))?;
    let detail = e
        .detail
        .filter(|s| !s.is_empty())
        .ok_or_else(|| required("Detail"))?;
    // Sources starting with `aws.` belong to AWS services.
    if !partner && source.starts_with("aws.") {
        return Err((
            "NotAuthorizedForSourceException",
            "Not authorized for the source.".to_owned(),
        ));
    }
    match serde_json::from_str::<Value>(detail) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(("MalformedDetail", "Detail is malformed.".to_owned())),
    }
}

fn envelope(
    call: &Call<'_>,
    id: &str,
    e: &Entry<'_>,
    account: &str,
    region: &str,
    detail: Value,
) -> Value {
    let time = e.time.map_or(call.ctx.received_at, |t| t.as_secs_f64());
    let text = |s: &str| Value::String(s.to_owned());
    let optional = |s: Option<&str>| s.map_or(Value::Null, text);
    // Built from a sorted list in one go (a `BTreeMap` bulk-builds from sorted entries instead of
    // searching the tree nine times); `json!` would also copy `detail` (a JSON tree) once more.
    let members: [(&str, Value); 9] = [
        ("account", text(account)),
        ("detail", detail),
        ("detail-type", optional(e.detail_type)),
        ("id", text(id)),
        ("region", text(region)),
        (
            "resources",
            Value::Array(e.resources.iter().map(|r| text(r)).collect()),
        ),
        ("source", optional(e.source)),
        ("time", Value::String(iso8601(time))),
        ("version", text("0")),
    ];
    Value::Object(
        members
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<Map<String, Value>>(),
    )
}

pub(super) fn put_events(
    call: &mut Call<'_>,
    input: wire::PutEventsRequest,
) -> Result<wire::PutEventsResponse, ServiceError> {
    let entries = input.entries;
    let views: Vec<Entry<'_>> = entries
        .iter()
        .map(|e| Entry {
            time: e.time,
            source: e.source.as_deref(),
            detail_type: e.detail_type.as_deref(),
            detail: e.detail.as_deref(),
            resources: e.resources.as_deref().unwrap_or_default(),
        })
        .collect();
    if views.iter().map(entry_size).sum::<usize>() > MAX_REQUEST_SIZE {
        return Err(too_large());
    }
    let own_account = call.ctx.account_id.clone();
    let own_region = call.ctx.region.clone();
    let mut results = Vec::with_capacity(entries.len());
    let mut failed = 0;
    for (entry, view) in entries.iter().zip(&views) {
        let target_bus = entry.event_bus_name.as_deref();
        // A bus ARN may name a bus of another account or region (cross-account delivery).
        let (account, region) = match target_bus.and_then(split_arn) {
            Some(("events", region, account, _)) => (account.to_owned(), region.to_owned()),
            _ => (own_account.clone(), own_region.clone()),
        };
        let bus = bus_name_from(target_bus);
        let checked = check_entry(view, false).and_then(|detail| {
            let local = account == own_account && region == own_region;
            if local && !call.state.buses.contains_key(&bus) {
                return Err((
                    "ResourceNotFoundException",
                    format!("Event bus {bus} does not exist."),
                ));
            }
            Ok(detail)
        });
        match checked {
            Ok(detail) => {
                let id = call.core.ids.uuid();
                let event = envelope(call, &id, view, &account, &region, detail);
                put_event(call.effects, &account, &region, &bus, event);
                results.push(wire::PutEventsResultEntry {
                    event_id: Some(id),
                    ..Default::default()
                });
            }
            Err((code, message)) => {
                failed += 1;
                results.push(wire::PutEventsResultEntry {
                    event_id: None,
                    error_code: Some(code.to_owned()),
                    error_message: Some(message),
                });
            }
        }
    }
    Ok(wire::PutEventsResponse {
        failed_entry_count: Some(failed),
        entries: Some(results),
    })
}

pub(super) fn put_partner_events(
    call: &mut Call<'_>,
    input: wire::PutPartnerEventsRequest,
) -> Result<wire::PutPartnerEventsResponse, ServiceError> {
    let entries = input.entries;
    let views: Vec<Entry<'_>> = entries
        .iter()
        .map(|e| Entry {
            time: e.time,
            source: e.source.as_deref(),
            detail_type: e.detail_type.as_deref(),
            detail: e.detail.as_deref(),
            resources: e.resources.as_deref().unwrap_or_default(),
        })
        .collect();
    if views.iter().map(entry_size).sum::<usize>() > MAX_REQUEST_SIZE {
        return Err(too_large());
    }
    let region = call.ctx.region.clone();
    let mut results = Vec::with_capacity(entries.len());
    let mut failed = 0;
    for view in &views {
        let checked = check_entry(view, true).and_then(|detail| {
            // Only a source this (partner) account created may be used; its events go to the
            // partner event bus of the customer account, named after the source.
            let source = view.source.unwrap_or_default();
            match call.state.partner_sources.get(source) {
                Some(s) => Ok((detail, s.account.clone(), s.name.clone())),
                None => Err((
                    "NotAuthorizedForSourceException",
                    "Not authorized for the source.".to_owned(),
                )),
            }
        });
        match checked {
            Ok((detail, account, bus)) => {
                let id = call.core.ids.uuid();
                let event = envelope(call, &id, view, &account, &region, detail);
                put_event(call.effects, &account, &region, &bus, event);
                results.push(wire::PutPartnerEventsResultEntry {
                    event_id: Some(id),
                    ..Default::default()
                });
            }
            Err((code, message)) => {
                failed += 1;
                results.push(wire::PutPartnerEventsResultEntry {
                    event_id: None,
                    error_code: Some(code.to_owned()),
                    error_message: Some(message),
                });
            }
        }
    }
    Ok(wire::PutPartnerEventsResponse {
        failed_entry_count: Some(failed),
        entries: Some(results),
    })
}
