//! What other services may ask of this one: nothing yet.

use super::Call;
use crate::error::ServiceError;
use serde_json::Value;

/// The commands this service accepts from others (none yet).
#[derive(Debug)]
pub enum Command {}

pub fn on_command(_call: &mut Call<'_>, command: Command) -> Result<Value, ServiceError> {
    match command {}
}
