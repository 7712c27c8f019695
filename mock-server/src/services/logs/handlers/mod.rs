//! CloudWatch Logs' operation handlers and the table that names them.

use super::filter;
use super::state::{group_not_found, stream_not_found, LogGroup, LogStream};
use crate::error::ServiceError;
use crate::ids::{page_token, parse_page_token};
use crate::services::logs::Call;
use crate::services::Api;
use codemock_wire::logs::*;
use std::collections::BTreeMap;

/// The operations this service implements; the others answer 501.
pub const HANDLERS: codemock_wire::logs::Handlers<Api<super::state::State>> =
    codemock_wire::logs::Handlers {
        create_log_group: Some(create_log_group),
        delete_log_group: Some(delete_log_group),
        describe_log_groups: Some(describe_log_groups),
        put_retention_policy: Some(put_retention_policy),
        delete_retention_policy: Some(delete_retention_policy),
        create_log_stream: Some(create_log_stream),
        delete_log_stream: Some(delete_log_stream),
        describe_log_streams: Some(describe_log_streams),
        put_log_events: Some(put_log_events),
        get_log_events: Some(get_log_events),
        filter_log_events: Some(filter_log_events),
        tag_resource: Some(tag_resource),
        untag_resource: Some(untag_resource),
        list_tags_for_resource: Some(list_tags_for_resource),
        tag_log_group: Some(tag_log_group),
        untag_log_group: Some(untag_log_group),
        list_tags_log_group: Some(list_tags_log_group),
        ..codemock_wire::logs::Handlers::NONE
    };

use codemock_wire::types::Empty;

fn invalid_parameter(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidParameterException", message)
}

fn invalid_token() -> ServiceError {
    invalid_parameter("The specified nextToken is invalid.")
}

/// A log group named by `logGroupName` or by `logGroupIdentifier` (a name or an ARN).
fn group_name(name: Option<String>, identifier: Option<String>) -> Result<String, ServiceError> {
    match (name, identifier) {
        // ValidationException, not InvalidParameterException: LocalStack's AWS-validated
        // `test_describe_log_streams_with_log_group_identifier` snapshot.
        (Some(_), Some(_)) => Err(ServiceError::validation(
            "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
        )),
        (Some(n), None) => Ok(n),
        (None, Some(id)) => Ok(name_from_arn(&id).unwrap_or(id)),
        (None, None) => Err(invalid_parameter(
            "Should provide either name or ARN of the log group.",
        )),
    }
}

/// The group name in `arn:aws:logs:<region>:<account>:log-group:<name>[:*]`.
fn name_from_arn(arn: &str) -> Option<String> {
    if !arn.starts_with("arn:") {
        return None;
    }
    let rest = arn.split_once(":log-group:")?.1;
    Some(rest.strip_suffix(":*").unwrap_or(rest).to_owned())
}

fn group<'a>(call: &'a mut Call<'_>, name: &str) -> Result<&'a mut LogGroup, ServiceError> {
    call.state.groups.get_mut(name).ok_or_else(group_not_found)
}

fn create_log_group(
    call: &mut Call<'_>,
    input: CreateLogGroupRequest,
) -> Result<Empty, ServiceError> {
    let name = input.log_group_name;
    if call.state.groups.contains_key(&name) {
        return Err(ServiceError::new(
            "ResourceAlreadyExistsException",
            "The specified log group already exists",
        ));
    }
    let mut g = LogGroup::new(
        &name,
        &call.ctx.account_id,
        &call.ctx.region,
        (call.ctx.received_at * 1000.0).floor() as i64,
    );
    g.tags = input.tags.unwrap_or_default();
    g.kms_key_id = input.kms_key_id;
    if let Some(class) = input.log_group_class {
        g.log_group_class = Some(class.as_str().to_owned());
    }
    g.deletion_protection = input.deletion_protection_enabled.unwrap_or(false);
    call.state.groups.insert(name, g);
    Ok(Empty {})
}

fn delete_log_group(
    call: &mut Call<'_>,
    input: DeleteLogGroupRequest,
) -> Result<Empty, ServiceError> {
    let name = input.log_group_name;
    let g = group(call, &name)?;
    if g.deletion_protection {
        return Err(ServiceError::new(
            "OperationAbortedException",
            "Log group deletion protection is enabled for this log group.",
        ));
    }
    call.state.groups.remove(&name);
    Ok(Empty {})
}

fn render_group(g: &LogGroup) -> codemock_wire::logs::LogGroup {
    codemock_wire::logs::LogGroup {
        log_group_name: Some(g.name.clone()),
        creation_time: Some(g.creation_time),
        retention_in_days: g.retention_in_days,
        metric_filter_count: Some(0),
        // `arn` carries the `:*` suffix (it names the group's streams too); `logGroupArn` does not.
        arn: Some(format!("{}:*", g.arn)),
        stored_bytes: Some(g.stored_bytes()),
        kms_key_id: g.kms_key_id.clone(),
        log_group_class: g
            .log_group_class
            .as_deref()
            .and_then(LogGroupClass::from_name),
        log_group_arn: Some(g.arn.clone()),
        deletion_protection_enabled: Some(g.deletion_protection),
        ..Default::default()
    }
}

/// Pages by position: listings ordered by something other than their key (stream event times)
/// cannot page by "last key seen".
fn offset_from(token: Option<&str>) -> Result<usize, ServiceError> {
    match token {
        None => Ok(0),
        Some(t) => parse_page_token(t)
            .and_then(|s| s.parse().ok())
            .ok_or_else(invalid_token),
    }
}

fn describe_log_groups(
    call: &mut Call<'_>,
    input: DescribeLogGroupsRequest,
) -> Result<DescribeLogGroupsResponse, ServiceError> {
    if input.log_group_name_prefix.is_some() && input.log_group_name_pattern.is_some() {
        return Err(invalid_parameter(
            "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
        ));
    }
    let limit = input.limit.unwrap_or(50).clamp(1, 50) as usize;
    let prefix = input.log_group_name_prefix.unwrap_or_default();
    // The pattern matches anywhere in the name, ignoring case.
    let pattern = input.log_group_name_pattern.map(|p| p.to_lowercase());
    let identifiers: Option<Vec<String>> = input.log_group_identifiers.map(|ids| {
        ids.into_iter()
            .map(|i| name_from_arn(&i).unwrap_or(i))
            .collect()
    });
    let class = input.log_group_class.map(|c| c.as_str().to_owned());
    let matching: Vec<(&str, &LogGroup)> = call
        .state
        .groups
        .iter()
        .filter(|(n, g)| {
            n.starts_with(&prefix)
                && pattern
                    .as_ref()
                    .is_none_or(|p| n.to_lowercase().contains(p))
                && identifiers.as_ref().is_none_or(|ids| ids.contains(n))
                && class
                    .as_ref()
                    .is_none_or(|c| g.log_group_class.as_ref() == Some(c))
        })
        .map(|(n, g)| (n.as_str(), g))
        .collect();
    let page = crate::services::pagination::paginate(matching, input.next_token.as_deref(), limit)
        .map_err(|_| invalid_token())?;
    Ok(DescribeLogGroupsResponse {
        log_groups: Some(page.items.iter().map(render_group).collect()),
        next_token: page.next_token,
    })
}

/// The retention periods CloudWatch Logs accepts, in days.
const RETENTION_DAYS: &[i32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

fn put_retention_policy(
    call: &mut Call<'_>,
    input: PutRetentionPolicyRequest,
) -> Result<Empty, ServiceError> {
    let days = input.retention_in_days;
    if !RETENTION_DAYS.contains(&days) {
        let allowed: Vec<String> = RETENTION_DAYS.iter().map(i32::to_string).collect();
        return Err(invalid_parameter(format!(
            "1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            allowed.join(", ")
        )));
    }
    group(call, input.log_group_name.as_str())?.retention_in_days = Some(days);
    Ok(Empty {})
}

fn delete_retention_policy(
    call: &mut Call<'_>,
    input: DeleteRetentionPolicyRequest,
) -> Result<Empty, ServiceError> {
    group(call, input.log_group_name.as_str())?.retention_in_days = None;
    Ok(Empty {})
}

fn create_log_stream(
    call: &mut Call<'_>,
    input: CreateLogStreamRequest,
) -> Result<Empty, ServiceError> {
    let now = (call.ctx.received_at * 1000.0).floor() as i64;
    let name = input.log_stream_name;
    let g = group(call, input.log_group_name.as_str())?;
    if g.streams.contains_key(&name) {
        return Err(ServiceError::new(
            "ResourceAlreadyExistsException",
            "The specified log stream already exists",
        ));
    }
    g.stream_or_create(&name, now);
    Ok(Empty {})
}

fn delete_log_stream(
    call: &mut Call<'_>,
    input: DeleteLogStreamRequest,
) -> Result<Empty, ServiceError> {
    let g = group(call, input.log_group_name.as_str())?;
    g.streams
        .remove(input.log_stream_name.as_str())
        .ok_or_else(stream_not_found)?;
    Ok(Empty {})
}

fn render_stream(s: &LogStream) -> codemock_wire::logs::LogStream {
    codemock_wire::logs::LogStream {
        log_stream_name: Some(s.name.clone()),
        creation_time: Some(s.creation_time),
        first_event_timestamp: s.first_event_timestamp(),
        last_event_timestamp: s.last_event_timestamp(),
        last_ingestion_time: s.last_ingestion_time,
        upload_sequence_token: Some(s.sequence_token()),
        arn: Some(s.arn.clone()),
        // Deprecated by AWS, which reports 0 here since 2019.
        stored_bytes: Some(0),
    }
}

fn describe_log_streams(
    call: &mut Call<'_>,
    input: DescribeLogStreamsRequest,
) -> Result<DescribeLogStreamsResponse, ServiceError> {
    let by_time = matches!(input.order_by, Some(OrderBy::LastEventTime));
    if by_time && input.log_stream_name_prefix.is_some() {
        return Err(invalid_parameter(
            "Cannot order by LastEventTime with a logStreamNamePrefix.",
        ));
    }
    let name = group_name(input.log_group_name, input.log_group_identifier)?;
    let limit = input.limit.unwrap_or(50).clamp(1, 50) as usize;
    let offset = offset_from(input.next_token.as_deref())?;
    let prefix = input.log_stream_name_prefix.unwrap_or_default();
    let g = group(call, &name)?;
    let mut streams: Vec<&LogStream> = g
        .streams
        .values()
        .filter(|s| s.name.starts_with(&prefix))
        .collect();
    if by_time {
        // Streams without events sort first; ties keep name order (stable sort).
        streams.sort_by_key(|s| s.last_event_timestamp().unwrap_or(i64::MIN));
    }
    if input.descending.unwrap_or(false) {
        streams.reverse();
    }
    let page: Vec<_> = streams
        .iter()
        .skip(offset)
        .take(limit)
        .map(|s| render_stream(s))
        .collect();
    let next = offset + page.len();
    Ok(DescribeLogStreamsResponse {
        log_streams: Some(page),
        next_token: (next < streams.len()).then(|| page_token(&next.to_string())),
    })
}

/// How far from now events are accepted: 14 days in the past, 2 hours in the future.
const TOO_OLD_MS: i64 = 14 * 24 * 3600 * 1000;
const TOO_NEW_MS: i64 = 2 * 3600 * 1000;
const DAY_MS: i64 = 24 * 3600 * 1000;

fn put_log_events(
    call: &mut Call<'_>,
    input: PutLogEventsRequest,
) -> Result<PutLogEventsResponse, ServiceError> {
    let now = (call.ctx.received_at * 1000.0).floor() as i64;
    let events = input.log_events;
    let stamps: Vec<i64> = events.iter().map(|e| e.timestamp).collect();
    if stamps.windows(2).any(|w| w[1] < w[0]) {
        return Err(invalid_parameter(
            "Log events in a single PutLogEvents request must be in chronological order.",
        ));
    }
    if let (Some(first), Some(last)) = (stamps.first(), stamps.last()) {
        if last - first > DAY_MS {
            return Err(invalid_parameter(
                "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
            ));
        }
    }
    let core = call.core;
    let g = group(call, input.log_group_name.as_str())?;
    let retention_ms = g.retention_in_days.map(|d| i64::from(d) * DAY_MS);
    let stream = g
        .streams
        .get_mut(input.log_stream_name.as_str())
        .ok_or_else(stream_not_found)?;
    let mut info = RejectedLogEventsInfo::default();
    for (i, e) in events.into_iter().enumerate() {
        let ts = e.timestamp;
        let index = i as i32;
        if ts > now + TOO_NEW_MS {
            info.too_new_log_event_start_index.get_or_insert(index);
            continue;
        }
        if retention_ms.is_some_and(|r| ts < now - r) {
            info.expired_log_event_end_index = Some(index);
            continue;
        }
        if ts < now - TOO_OLD_MS {
            info.too_old_log_event_end_index = Some(index);
            continue;
        }
        stream.insert(ts, e.message, now, &core.ids);
    }
    stream.upload_sequence += 1;
    let rejected = info != RejectedLogEventsInfo::default();
    Ok(PutLogEventsResponse {
        next_sequence_token: Some(stream.sequence_token()),
        rejected_log_events_info: rejected.then_some(info),
        rejected_entity_info: None,
    })
}

/// A GetLogEvents token: `f/<position>/s` pages forward from a position in the stream,
/// `b/<position>/s` backward from it (AWS's tokens have this shape, with 56 digits).
fn parse_event_token(token: &str) -> Option<(bool, usize)> {
    let (dir, rest) = token.split_once('/')?;
    let digits = rest.strip_suffix("/s").unwrap_or(rest);
    let pos: usize = digits.parse().ok()?;
    match dir {
        "f" => Some((true, pos)),
        "b" => Some((false, pos)),
        _ => None,
    }
}

fn event_token(forward: bool, pos: usize) -> String {
    format!("{}/{pos:056}/s", if forward { 'f' } else { 'b' })
}

fn get_log_events(
    call: &mut Call<'_>,
    input: GetLogEventsRequest,
) -> Result<GetLogEventsResponse, ServiceError> {
    let name = group_name(input.log_group_name, input.log_group_identifier)?;
    // At most 10,000 events per page, AWS's default and maximum.
    let limit = input.limit.unwrap_or(10_000).clamp(1, 10_000) as usize;
    let g = group(call, &name)?;
    let stream = g
        .streams
        .get(input.log_stream_name.as_str())
        .ok_or_else(stream_not_found)?;
    let events = &stream.events;
    // The window [startTime, endTime) as positions in the stream.
    let lo = input
        .start_time
        .map_or(0, |t| events.partition_point(|e| e.timestamp < t));
    let hi = input
        .end_time
        .map_or(events.len(), |t| {
            events.partition_point(|e| e.timestamp < t)
        })
        .max(lo);
    let (start, end) = match input.next_token.as_deref() {
        Some(t) => match parse_event_token(t).ok_or_else(invalid_token)? {
            (true, pos) => {
                let s = pos.clamp(lo, hi);
                (s, (s + limit).min(hi))
            }
            (false, pos) => {
                let e = pos.clamp(lo, hi);
                (e.saturating_sub(limit).max(lo), e)
            }
        },
        None if input.start_from_head.unwrap_or(false) => (lo, (lo + limit).min(hi)),
        None => (hi.saturating_sub(limit).max(lo), hi),
    };
    let page = events[start..end]
        .iter()
        .map(|e| OutputLogEvent {
            timestamp: Some(e.timestamp),
            message: Some(e.message.clone()),
            ingestion_time: Some(e.ingestion_time),
        })
        .collect();
    Ok(GetLogEventsResponse {
        events: Some(page),
        next_forward_token: Some(event_token(true, end)),
        next_backward_token: Some(event_token(false, start)),
    })
}

fn filter_log_events(
    call: &mut Call<'_>,
    input: FilterLogEventsRequest,
) -> Result<FilterLogEventsResponse, ServiceError> {
    if input.log_stream_names.is_some() && input.log_stream_name_prefix.is_some() {
        return Err(invalid_parameter(
            "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.",
        ));
    }
    let name = group_name(input.log_group_name, input.log_group_identifier)?;
    let pattern = filter::parse(input.filter_pattern.as_deref().unwrap_or(""))?;
    let limit = input.limit.unwrap_or(10_000).clamp(1, 10_000) as usize;
    let offset = offset_from(input.next_token.as_deref())?;
    let g = group(call, &name)?;
    let prefix = input.log_stream_name_prefix.unwrap_or_default();
    let names = input.log_stream_names;
    if let Some(names) = &names {
        if names.iter().any(|n| !g.streams.contains_key(n)) {
            return Err(stream_not_found());
        }
    }
    // Every matching event of every selected stream, interleaved by time (AWS always
    // interleaves now); ties keep stream name order, then the stream's own order.
    let mut matched: Vec<FilteredLogEvent> = g
        .streams
        .values()
        .filter(|s| match &names {
            Some(n) => n.contains(&s.name),
            None => s.name.starts_with(&prefix),
        })
        .flat_map(|s| s.events.iter().map(move |e| (s, e)))
        .filter(|(_, e)| {
            input.start_time.is_none_or(|t| e.timestamp >= t)
                && input.end_time.is_none_or(|t| e.timestamp <= t)
                && pattern.matches(&e.message)
        })
        .map(|(s, e)| FilteredLogEvent {
            log_stream_name: Some(s.name.clone()),
            timestamp: Some(e.timestamp),
            message: Some(e.message.clone()),
            ingestion_time: Some(e.ingestion_time),
            event_id: Some(e.event_id.clone()),
        })
        .collect();
    matched.sort_by_key(|e| e.timestamp);
    let total = matched.len();
    let page: Vec<_> = matched.into_iter().skip(offset).take(limit).collect();
    let next = offset + page.len();
    Ok(FilterLogEventsResponse {
        events: Some(page),
        searched_log_streams: None,
        next_token: (next < total).then(|| page_token(&next.to_string())),
    })
}

/// The log group a tagging ARN names (log groups are the taggable resource of this slice).
fn tagged_group<'a>(call: &'a mut Call<'_>, arn: &str) -> Result<&'a mut LogGroup, ServiceError> {
    let name = name_from_arn(arn).ok_or_else(|| {
        ServiceError::new(
            "ResourceNotFoundException",
            format!("The specified resource does not exist: {arn}"),
        )
    })?;
    group(call, &name)
}

/// AWS allows 50 tags per resource.
fn merge_tags(
    tags: &mut BTreeMap<String, String>,
    new: BTreeMap<String, String>,
    resource: &str,
) -> Result<(), ServiceError> {
    let mut merged = tags.clone();
    merged.extend(new);
    if merged.len() > 50 {
        return Err(ServiceError::new(
            "TooManyTagsException",
            "A resource can have no more than 50 tags.",
        )
        .with_field("resourceName", resource));
    }
    *tags = merged;
    Ok(())
}

fn tag_resource(call: &mut Call<'_>, input: TagResourceRequest) -> Result<Empty, ServiceError> {
    let arn = input.resource_arn;
    let g = tagged_group(call, &arn)?;
    merge_tags(&mut g.tags, input.tags, &arn)?;
    Ok(Empty {})
}

fn untag_resource(call: &mut Call<'_>, input: UntagResourceRequest) -> Result<Empty, ServiceError> {
    let g = tagged_group(call, input.resource_arn.as_str())?;
    for k in input.tag_keys {
        g.tags.remove(&k);
    }
    Ok(Empty {})
}

fn list_tags_for_resource(
    call: &mut Call<'_>,
    input: ListTagsForResourceRequest,
) -> Result<ListTagsForResourceResponse, ServiceError> {
    let g = tagged_group(call, input.resource_arn.as_str())?;
    Ok(ListTagsForResourceResponse {
        tags: Some(g.tags.clone()),
    })
}

fn tag_log_group(call: &mut Call<'_>, input: TagLogGroupRequest) -> Result<Empty, ServiceError> {
    let name = input.log_group_name;
    let g = group(call, &name)?;
    merge_tags(&mut g.tags, input.tags, &name)?;
    Ok(Empty {})
}

fn untag_log_group(
    call: &mut Call<'_>,
    input: UntagLogGroupRequest,
) -> Result<Empty, ServiceError> {
    let g = group(call, input.log_group_name.as_str())?;
    for k in input.tags {
        g.tags.remove(&k);
    }
    Ok(Empty {})
}

fn list_tags_log_group(
    call: &mut Call<'_>,
    input: ListTagsLogGroupRequest,
) -> Result<ListTagsLogGroupResponse, ServiceError> {
    let g = group(call, input.log_group_name.as_str())?;
    Ok(ListTagsLogGroupResponse {
        tags: Some(g.tags.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_tokens_round_trip() {
        assert_eq!(parse_event_token(&event_token(true, 7)), Some((true, 7)));
        assert_eq!(parse_event_token(&event_token(false, 0)), Some((false, 0)));
        assert_eq!(parse_event_token("x/1/s"), None);
        assert!(event_token(true, 3).starts_with("f/000"));
    }

    #[test]
    fn arns_name_groups() {
        assert_eq!(
            name_from_arn("arn:aws:logs:us-east-1:1:log-group:/aws/x:*").as_deref(),
            Some("/aws/x")
        );
        assert_eq!(name_from_arn("plain"), None);
    }
}
