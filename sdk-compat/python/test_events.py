"""boto3 against the binary: EventBridge rules delivering to SQS through an input transformer,
schedules on the manual clock, CloudWatch Logs targets, and AWS's errors."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import control

ACCOUNT = "000000000000"


def _queue(client, name):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return sqs, url, arn


def test_put_events_reaches_a_queue_through_an_input_transformer(client):
    events = client("events")
    sqs, url, arn = _queue(client, "pipeline-failures")
    assert arn == f"arn:aws:sqs:us-east-1:{ACCOUNT}:pipeline-failures"
    events.put_rule(
        Name="failed-pipelines",
        EventPattern=json.dumps({"source": ["my.app"], "detail": {"state": ["FAILED"]}}),
    )
    events.put_targets(
        Rule="failed-pipelines",
        Targets=[
            {
                "Id": "q",
                "Arn": arn,
                "InputTransformer": {
                    "InputPathsMap": {"p": "$.detail.pipeline", "s": "$.detail.state"},
                    "InputTemplate": '{"text": "Pipeline <p> is <s>", "pipeline": <p>}',
                },
            }
        ],
    )
    out = events.put_events(
        Entries=[
            {"Source": "my.app", "DetailType": "Run", "Detail": json.dumps({"pipeline": "web", "state": "FAILED"})},
            {"Source": "my.app", "DetailType": "Run", "Detail": json.dumps({"pipeline": "api", "state": "SUCCEEDED"})},
        ]
    )
    assert out["FailedEntryCount"] == 0
    assert len(out["Entries"]) == 2 and all("EventId" in e for e in out["Entries"])
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"]) for m in messages] == [{"text": "Pipeline web is FAILED", "pipeline": "web"}]


def test_a_rate_rule_fires_on_the_manual_clock(client, endpoint):
    events = client("events")
    sqs, url, arn = _queue(client, "ticks")
    events.put_rule(Name="every-5", ScheduleExpression="rate(5 minutes)")
    events.put_targets(Rule="every-5", Targets=[{"Id": "q", "Arn": arn}])
    control(endpoint, "/_codemock/clock/advance", {"seconds": 3600})
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            break
        bodies += [json.loads(m["Body"]) for m in got]
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]
        )
    assert len(bodies) == 12
    assert {b["detail-type"] for b in bodies} == {"Scheduled Event"}
    assert bodies[0]["source"] == "aws.events"
    assert bodies[0]["resources"] == [f"arn:aws:events:us-east-1:{ACCOUNT}:rule/every-5"]


def test_events_reach_a_log_group(client):
    events, logs = client("events"), client("logs")
    logs.create_log_group(logGroupName="/aws/events/audit")
    events.put_rule(Name="audit", EventPattern=json.dumps({"source": ["my.app"]}))
    events.put_targets(
        Rule="audit",
        Targets=[{"Id": "log", "Arn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/events/audit"}],
    )
    events.put_events(Entries=[{"Source": "my.app", "DetailType": "Audit", "Detail": "{}"}])
    found = logs.filter_log_events(logGroupName="/aws/events/audit")["events"]
    assert len(found) == 1
    assert json.loads(found[0]["message"])["detail-type"] == "Audit"


def test_errors_are_aws_shaped(client):
    events = client("events")
    with pytest.raises(ClientError) as e:
        events.describe_rule(Name="missing")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        events.put_rule(Name="bad", EventPattern='{"source": "not-a-list"}')
    assert e.value.response["Error"]["Code"] == "InvalidEventPatternException"
    assert client("events").test_event_pattern(
        EventPattern=json.dumps({"detail": {"n": [{"numeric": [">", 5]}]}}),
        Event=json.dumps(
            {
                "id": "1",
                "account": ACCOUNT,
                "source": "x",
                "time": "2024-01-01T00:00:00Z",
                "region": "us-east-1",
                "resources": [],
                "detail-type": "t",
                "detail": {"n": 7},
            }
        ),
    )["Result"]


def test_sqs_round_trip_with_message_attributes(client):
    sqs, url, _ = _queue(client, "plain")
    sqs.send_message(
        QueueUrl=url,
        MessageBody="hello",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "greeting"}},
    )
    # boto3 checks MD5OfBody and MD5OfMessageAttributes itself; a wrong digest raises here.
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], AttributeNames=["SentTimestamp"])
    message = got["Messages"][0]
    assert message["Body"] == "hello"
    assert message["MessageAttributes"]["kind"]["StringValue"] == "greeting"
    assert "SentTimestamp" in message["Attributes"]
    with pytest.raises(ClientError) as e:
        sqs.get_queue_url(QueueName="nope")
    assert e.value.response["Error"]["Code"] in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")


# AWS's recorded behaviour (LocalStack's AWS-validated EventBridge snapshots): TestEventPattern
# does not require `resources`, and answers exactly "Parameter Event is not valid." otherwise.
def test_test_event_pattern_accepts_an_event_without_resources(client):
    events = client("events")
    event = {
        "id": "1",
        "account": "123456789012",
        "source": "aws.ec2",
        "time": "2022-07-13T13:48:01Z",
        "region": "us-east-2",
        "detail-type": "x",
        "detail": {"state": "running"},
    }
    got = events.test_event_pattern(EventPattern=json.dumps({"source": ["aws.ec2"]}), Event=json.dumps(event))
    assert got["Result"] is True
    for bad in ("plain string", json.dumps(["plain string"]), json.dumps({"testEvent": "value"})):
        with pytest.raises(ClientError) as e:
            events.test_event_pattern(EventPattern=json.dumps({"source": ["aws.ec2"]}), Event=bad)
        assert e.value.response["Error"]["Code"] == "ValidationException"
        assert e.value.response["Error"]["Message"] == "Parameter Event is not valid."


# Recorded: test_events_inputs.py::test_input_transformer_predefined_variables.
def test_predefined_event_variables_deliver_the_whole_event(client):
    events = client("events")
    sqs, url, arn = _queue(client, "originals")
    events.put_rule(Name="commands", EventPattern=json.dumps({"source": ["core.update-account-command"]}))
    events.put_targets(
        Rule="commands",
        Targets=[
            {
                "Id": "q",
                "Arn": arn,
                "InputTransformer": {
                    "InputTemplate": '{"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>}'
                },
            }
        ],
    )
    detail = {"command": "update-account", "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"}}
    events.put_events(
        Entries=[
            {
                "Source": "core.update-account-command",
                "DetailType": "core.update-account-command",
                "Detail": json.dumps(detail),
            }
        ]
    )
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    full = body["originalEventJson"]
    assert full["detail"] == detail
    assert full["source"] == "core.update-account-command"
    assert full["resources"] == []
    assert isinstance(full["id"], str)
    envelope = body["originalEvent"]
    assert sorted(envelope) == sorted(
        ["id", "account", "detailType", "time", "source", "region", "resources", "version"]
    )
    assert envelope["id"] == full["id"]
