//! The SNS notifications codemock would publish. codemock has no SNS: a service that publishes
//! to a topic (CodeDeploy's deployment-group triggers) records the message here, with the topic,
//! subject and body AWS would send, and a test reads them (`GET /_codemock/sns/notifications`,
//! `MockServer::sns_notifications()`). Server-wide, like the invocation log.

use parking_lot::Mutex;
use serde::Serialize;

/// One message published to an SNS topic.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnsNotification {
    /// Virtual time of the publish (epoch seconds).
    pub time: f64,
    pub message_id: String,
    pub topic_arn: String,
    pub subject: String,
    /// The message body, as AWS sends it (for CodeDeploy triggers a JSON document in a string).
    pub message: String,
    /// The publishing service, e.g. `codedeploy`.
    pub source: String,
    pub account: String,
    pub region: String,
}

/// Published notifications, oldest first.
#[derive(Debug, Default)]
pub struct SnsNotifications {
    log: Mutex<Vec<SnsNotification>>,
}

/// At most this many are kept, the oldest dropped first.
const CAPACITY: usize = 100_000;

impl SnsNotifications {
    pub fn publish(&self, n: SnsNotification) {
        let mut log = self.log.lock();
        if log.len() >= CAPACITY {
            log.remove(0);
        }
        log.push(n);
    }

    pub fn all(&self) -> Vec<SnsNotification> {
        self.log.lock().clone()
    }

    pub fn reset(&self) {
        self.log.lock().clear();
    }
}
