//! SQS's state in one account and region.

#[derive(Debug, Default)]
pub struct State {}
