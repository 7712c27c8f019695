"""boto3 1.44.5 and an independent CBOR library (cbor2) against the codemock binary."""

import urllib.error
import urllib.request

import boto3  # noqa: F401  (imported for its version check below)
import botocore
import cbor2
import pytest
from botocore.exceptions import ClientError


def test_botocore_is_the_pinned_version():
    assert botocore.__version__ == "1.44.5"


def test_list_operations(client):
    assert client("codepipeline").list_pipelines()["pipelines"] == []
    assert client("codebuild").list_projects()["projects"] == []
    assert client("codedeploy").list_applications()["applications"] == []
    events = client("events")
    buses = events.list_event_buses()["EventBuses"]
    assert "default" in [b["Name"] for b in buses]
    assert events.list_rules()["Rules"] == []


def test_boto3_speaks_a_protocol_the_server_logs(client, endpoint):
    from conftest import control

    client("codepipeline").list_pipelines()
    log = control(endpoint, "/_codemock/requests")["requests"]
    assert log[-1]["operation"] == "ListPipelines"
    assert log[-1]["protocol"] in ("awsJson1_1", "rpcv2Cbor")


def test_account_and_region_come_from_the_credentials(client):
    buses = client("events", region="ap-southeast-2", access_key="111122223333").list_event_buses()["EventBuses"]
    default = [b for b in buses if b["Name"] == "default"][0]
    assert default["Arn"] == "arn:aws:events:ap-southeast-2:111122223333:event-bus/default"


def test_validation_exception(client):
    with pytest.raises(ClientError) as e:
        client("codepipeline", validate=False).list_pipelines(maxResults=0)
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException"
    assert err["Message"] == (
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_unimplemented_operation_is_501(client):
    with pytest.raises(ClientError) as e:
        # CloudWatch Logs export tasks are not built (CodeBuild has no 501 left).
        client("logs").describe_export_tasks()
    assert e.value.response["Error"]["Code"] == "NotImplementedException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def _rpc(endpoint, service, operation, payload):
    req = urllib.request.Request(
        f"{endpoint}/service/{service}/operation/{operation}",
        data=cbor2.dumps(payload),
        method="POST",
        headers={
            "smithy-protocol": "rpc-v2-cbor",
            "content-type": "application/cbor",
            "accept": "application/cbor",
        },
    )
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, dict(r.headers), cbor2.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), cbor2.loads(e.read())


@pytest.mark.parametrize(
    "service,operation,key",
    [
        ("CodePipeline_20150709", "ListPipelines", "pipelines"),
        ("CodeBuild_20161006", "ListProjects", "projects"),
        ("CodeDeploy_20141006", "ListApplications", "applications"),
    ],
)
def test_cbor_list_operations(endpoint, service, operation, key):
    status, headers, body = _rpc(endpoint, service, operation, {})
    assert status == 200
    assert headers.get("smithy-protocol") == "rpc-v2-cbor"
    assert body == {key: []}


def test_cbor_validation_error(endpoint):
    status, _, body = _rpc(endpoint, "CodePipeline_20150709", "ListPipelines", {"maxResults": 0})
    assert status == 400
    assert body["__type"] == "com.amazonaws.codepipeline#ValidationException"
