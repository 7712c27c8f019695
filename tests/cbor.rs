//! Smithy RPC v2 CBOR requests, encoded as the spec says, for the three Code services.

use crate::support::*;
use bytes::Bytes;
use ciborium::value::Value as Cbor;
use http_body_util::Full;

fn cbor(v: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(v, &mut out).expect("encodable");
    out
}

async fn rpc(server: &MockServer, service: &str, op: &str, body: Vec<u8>) -> (Reply, Cbor) {
    let req = http::Request::post(format!("/service/{service}/operation/{op}"))
        .header("smithy-protocol", "rpc-v2-cbor")
        .header("content-type", "application/cbor")
        .header("accept", "application/cbor")
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    let r = send(server, req).await;
    let v: Cbor = ciborium::de::from_reader(&r.body[..]).expect("CBOR response");
    (r, v)
}

fn get<'a>(v: &'a Cbor, key: &str) -> Option<&'a Cbor> {
    v.as_map()?
        .iter()
        .find(|(k, _)| k.as_text() == Some(key))
        .map(|(_, v)| v)
}

#[tokio::test]
async fn the_three_code_services_answer_list_operations_in_cbor() {
    let server = MockServer::start().await;
    for (service, op, key) in [
        ("CodePipeline_20150709", "ListPipelines", "pipelines"),
        ("CodeBuild_20161006", "ListProjects", "projects"),
        ("CodeDeploy_20141006", "ListApplications", "applications"),
    ] {
        let (r, v) = rpc(&server, service, op, cbor(&Cbor::Map(vec![]))).await;
        assert_eq!(r.status, 200, "{op}");
        assert_eq!(r.header("smithy-protocol"), Some("rpc-v2-cbor"));
        assert_eq!(r.header("content-type"), Some("application/cbor"));
        assert_eq!(get(&v, key), Some(&Cbor::Array(vec![])), "{op}");
    }
    let log = server.requests();
    assert!(log.iter().all(|r| r.protocol == "rpcv2Cbor"));
}

#[tokio::test]
async fn cbor_errors_carry_the_full_shape_id() {
    let server = MockServer::start().await;
    let body = cbor(&Cbor::Map(vec![(
        Cbor::Text("maxResults".into()),
        Cbor::Integer(0.into()),
    )]));
    let (r, v) = rpc(&server, "CodePipeline_20150709", "ListPipelines", body).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        get(&v, "__type").and_then(Cbor::as_text),
        Some("com.amazonaws.codepipeline#ValidationException")
    );
    // No operation of the three CBOR services answers 501 any more (CloudWatch Logs, whose
    // DescribeExportTasks is the 501 example in errors.rs, has no CBOR endpoint): a modeled
    // error of an operation carries its full shape id the same way.
    let (r, v) = rpc(
        &server,
        "CodePipeline_20150709",
        "GetPipeline",
        cbor(&Cbor::Map(vec![(
            Cbor::Text("name".into()),
            Cbor::Text("nope".into()),
        )])),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        get(&v, "__type").and_then(Cbor::as_text),
        Some("com.amazonaws.codepipeline#PipelineNotFoundException")
    );
}

#[tokio::test]
async fn malformed_cbor_is_a_serialization_exception() {
    let server = MockServer::start().await;
    let (r, v) = rpc(
        &server,
        "CodeBuild_20161006",
        "ListProjects",
        vec![0xbf, 0x61],
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        get(&v, "__type").and_then(Cbor::as_text),
        Some("com.amazonaws.codebuild#SerializationException")
    );
}

#[tokio::test]
async fn eventbridge_has_no_cbor_endpoint() {
    let server = MockServer::start().await;
    let (r, _) = rpc(&server, "AWSEvents", "ListRules", cbor(&Cbor::Map(vec![]))).await;
    assert_eq!(r.status, 400);
}
