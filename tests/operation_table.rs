//! Every operation AWS defines for the served services is routed: it answers with a result or an
//! honest 501, never an unknown-operation error. The lists are botocore 1.44.5's, kept as test data.

use crate::support::*;
use codemock::services::ServiceKind;

fn reference(service: &str) -> Vec<String> {
    let path = format!(
        "{}/../tests/data/operations/{service}.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_operation_table_matches_the_api_models() {
    let mut total = 0;
    for (kind, file) in [
        (ServiceKind::CodePipeline, "codepipeline"),
        (ServiceKind::CodeBuild, "codebuild"),
        (ServiceKind::CodeDeploy, "codedeploy"),
        (ServiceKind::Events, "events"),
        (ServiceKind::Sqs, "sqs"),
        (ServiceKind::Logs, "logs"),
    ] {
        let ours: Vec<String> = kind
            .schema()
            .operations
            .iter()
            .map(|o| o.name.to_owned())
            .collect();
        assert_eq!(ours, reference(file), "{file}");
        if !matches!(kind, ServiceKind::Sqs | ServiceKind::Logs) {
            total += ours.len();
        }
    }
    assert_eq!(total, 207);
}

#[tokio::test]
async fn all_207_operations_answer_with_a_result_or_501() {
    let server = MockServer::start().await;
    let mut implemented = 0;
    let mut not_implemented = 0;
    for kind in [
        ServiceKind::CodePipeline,
        ServiceKind::CodeBuild,
        ServiceKind::CodeDeploy,
        ServiceKind::Events,
    ] {
        let schema = kind.schema();
        for op in schema.operations {
            let r = call(
                &server,
                &format!("{}.{}", schema.target_prefix, op.name),
                "{}",
            )
            .await;
            let body = r.json();
            match r.status {
                501 => {
                    assert_eq!(body["__type"], "NotImplementedException", "{}", op.name);
                    assert!(body["message"].as_str().unwrap_or("").contains(op.name));
                    assert!(!kind.handles(op.name));
                    not_implemented += 1;
                }
                _ => {
                    // Implemented: a result, or a modeled error for the empty input.
                    assert!(kind.handles(op.name), "{} answered {}", op.name, r.status);
                    assert_ne!(body["__type"], "UnknownOperationException");
                    implemented += 1;
                }
            }
        }
    }
    assert_eq!(implemented + not_implemented, 207);
}
