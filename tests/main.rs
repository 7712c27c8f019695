//! Wire tests: literal JSON and CBOR over HTTP against an in-process server, no AWS SDK.

mod support;

mod architecture;
mod binary;
mod cbor;
mod codebuild;
mod codebuild_reports;
mod codebuild_sandboxes;
mod codedeploy_blue_green;
mod codedeploy_deployments;
mod codedeploy_wire;
mod codepipeline_git;
mod codepipeline_s3_deploy;
mod codepipeline_wire;
mod control;
mod control_rules;
mod developer_tools;
mod errors;
mod event_patterns;
mod events_aws_recorded;
mod events_wire;
mod hostile_input;
mod list_operations;
mod logs;
mod operation_table;
mod s3_bench;
mod s3_wire;
mod sqs;
