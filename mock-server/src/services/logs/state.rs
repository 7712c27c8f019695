//! CloudWatch Logs' state in one account and region: log groups by name, their streams by name,
//! and each stream's events in timestamp order. Times are epoch milliseconds.

use crate::error::ServiceError;
use crate::ids::Ids;
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct State {
    pub groups: BTreeMap<String, LogGroup>,
}

#[derive(Debug, Clone)]
pub struct LogGroup {
    pub name: String,
    /// `arn:aws:logs:<region>:<account>:log-group:<name>` (without the `:*` DescribeLogGroups adds
    /// to `arn`).
    pub arn: String,
    pub creation_time: i64,
    pub retention_in_days: Option<i32>,
    pub kms_key_id: Option<String>,
    pub log_group_class: Option<String>,
    pub deletion_protection: bool,
    pub tags: BTreeMap<String, String>,
    pub streams: BTreeMap<String, LogStream>,
}

#[derive(Debug, Clone)]
pub struct LogStream {
    pub name: String,
    pub arn: String,
    pub creation_time: i64,
    /// Sorted by timestamp; events with equal timestamps keep their ingestion order.
    pub events: Vec<LogEvent>,
    pub last_ingestion_time: Option<i64>,
    /// Increases with every PutLogEvents; shown as `uploadSequenceToken`.
    pub upload_sequence: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogEvent {
    pub timestamp: i64,
    pub message: String,
    pub ingestion_time: i64,
    pub event_id: String,
}

pub fn group_not_found() -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
}

pub fn stream_not_found() -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        "The specified log stream does not exist.",
    )
}

/// An event id in AWS's form: 56 decimal digits.
pub fn event_id(ids: &Ids) -> String {
    let mut s = String::with_capacity(60);
    while s.len() < 56 {
        s.push_str(&format!(
            "{:019}",
            ids.next_u64() % 10_000_000_000_000_000_000
        ));
    }
    s.truncate(56);
    s
}

impl LogGroup {
    pub fn new(name: &str, account: &str, region: &str, now_ms: i64) -> LogGroup {
        LogGroup {
            name: name.to_owned(),
            arn: crate::ids::arn("logs", region, account, &format!("log-group:{name}")),
            creation_time: now_ms,
            retention_in_days: None,
            kms_key_id: None,
            log_group_class: Some("STANDARD".into()),
            deletion_protection: false,
            tags: BTreeMap::new(),
            streams: BTreeMap::new(),
        }
    }

    pub fn stored_bytes(&self) -> i64 {
        self.streams.values().map(LogStream::stored_bytes).sum()
    }

    /// The stream `name`, created on first use.
    pub fn stream_or_create(&mut self, name: &str, now_ms: i64) -> &mut LogStream {
        let arn = format!("{}:log-stream:{name}", self.arn);
        self.streams
            .entry(name.to_owned())
            .or_insert_with(|| LogStream::new(name, arn, now_ms))
    }
}

impl LogStream {
    pub fn new(name: &str, arn: String, now_ms: i64) -> LogStream {
        LogStream {
            name: name.to_owned(),
            arn,
            creation_time: now_ms,
            events: Vec::new(),
            last_ingestion_time: None,
            upload_sequence: 0,
        }
    }

    pub fn stored_bytes(&self) -> i64 {
        self.events.iter().map(|e| e.message.len() as i64).sum()
    }

    pub fn first_event_timestamp(&self) -> Option<i64> {
        self.events.first().map(|e| e.timestamp)
    }

    pub fn last_event_timestamp(&self) -> Option<i64> {
        self.events.last().map(|e| e.timestamp)
    }

    /// Appends one event, keeping the stream sorted by timestamp.
    pub fn insert(&mut self, timestamp: i64, message: String, ingestion_time: i64, ids: &Ids) {
        let at = self.events.partition_point(|e| e.timestamp <= timestamp);
        self.events.insert(
            at,
            LogEvent {
                timestamp,
                message,
                ingestion_time,
                event_id: event_id(ids),
            },
        );
        self.last_ingestion_time = Some(ingestion_time);
    }

    /// The sequence token AWS would show for the next upload (a 56-digit number; tokens are no
    /// longer checked, so only its shape matters).
    pub fn sequence_token(&self) -> String {
        format!("{:056}", self.upload_sequence)
    }
}

impl State {
    /// Writes one event on behalf of another service (an EventBridge target), creating the
    /// stream if it is missing. The event's own time stands in for the ingestion time: the
    /// callers deliver at the instant the event happened.
    pub fn put_from_service(
        &mut self,
        group_name: &str,
        stream_name: &str,
        message: String,
        timestamp_ms: i64,
        ids: &Ids,
    ) -> Result<(), ServiceError> {
        let group = self
            .groups
            .get_mut(group_name)
            .ok_or_else(group_not_found)?;
        let stream = group.stream_or_create(stream_name, timestamp_ms);
        stream.insert(timestamp_ms, message, timestamp_ms, ids);
        stream.upload_sequence += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_from_service_creates_streams_and_needs_the_group() {
        let ids = Ids::new(1);
        let mut s = State::default();
        let e = s
            .put_from_service("g", "s", "m".into(), 5, &ids)
            .expect_err("no group");
        assert_eq!(e.code, "ResourceNotFoundException");
        assert_eq!(e.message, "The specified log group does not exist.");
        s.groups.insert("g".into(), LogGroup::new("g", "1", "r", 0));
        s.put_from_service("g", "s", "late".into(), 9, &ids)
            .expect("ok");
        s.put_from_service("g", "s", "early".into(), 5, &ids)
            .expect("ok");
        let stream = &s.groups["g"].streams["s"];
        let msgs: Vec<_> = stream.events.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(msgs, ["early", "late"]);
        assert_eq!(stream.events[0].event_id.len(), 56);
    }
}
