"""boto3 and the AWS CLI against the binary: a CodeBuild project, a simulated build walked on the
manual clock, a failing phase from an outcome rule, `aws codebuild start-build` /
`batch-get-builds`, and a sandbox running commands."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import control

ROLE = "arn:aws:iam::000000000000:role/cb"
BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n"


def _project(cb, name, tags=()):
    return cb.create_project(
        name=name,
        source={"type": "NO_SOURCE", "buildspec": BUILDSPEC},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_SMALL",
        },
        serviceRole=ROLE,
        tags=list(tags),
    )["project"]


def test_a_build_walks_its_phases_and_fails_as_the_outcome_rule_says(client, endpoint):
    cb = client("codebuild")
    project = _project(cb, "app")
    assert project["arn"] == "arn:aws:codebuild:us-east-1:000000000000:project/app"
    control(endpoint, "/_codemock/outcomes", {"service": "codebuild", "step": "BUILD", "outcome": "FAILED", "code": "2", "count": 1})
    failing = cb.start_build(projectName="app")["build"]
    ok = cb.start_build(projectName="app")["build"]
    assert failing["buildStatus"] == "IN_PROGRESS"
    control(endpoint, "/_codemock/clock/advance", {"seconds": 120})
    builds = cb.batch_get_builds(ids=[failing["id"], ok["id"], "app:missing"])
    by_id = {b["id"]: b for b in builds["builds"]}
    assert builds["buildsNotFound"] == ["app:missing"]
    assert by_id[ok["id"]]["buildStatus"] == "SUCCEEDED"
    bad = by_id[failing["id"]]
    assert bad["buildStatus"] == "FAILED"
    build_phase = [p for p in bad["phases"] if p["phaseType"] == "BUILD"][0]
    assert build_phase["phaseStatus"] == "FAILED"
    assert build_phase["contexts"] == [
        {"statusCode": "COMMAND_EXECUTION_ERROR", "message": "Error while executing command: exit 2. Reason: exit status 2"}
    ]
    with pytest.raises(ClientError) as e:
        cb.start_build(projectName="nope")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_the_aws_cli_starts_and_reads_builds(client, endpoint, cli):
    _project(client("codebuild"), "cli")

    def aws(*args):
        return json.loads(cli("--output", "json", "codebuild", *args))

    started = aws("start-build", "--project-name", "cli")["build"]
    assert started["currentPhase"] == "QUEUED"
    control(endpoint, "/_codemock/clock/advance", {"seconds": 60})
    got = aws("batch-get-builds", "--ids", started["id"])["builds"][0]
    assert got["buildStatus"] == "SUCCEEDED"
    assert [p["phaseType"] for p in got["phases"]][-1] == "COMPLETED"


def test_a_sandbox_gets_ready_runs_a_command_and_stops(client, endpoint):
    cb = client("codebuild")
    _project(cb, "box")
    sandbox = cb.start_sandbox(projectName="box")["sandbox"]
    assert sandbox["status"] == "QUEUED"
    assert sandbox["currentSession"]["logs"]["groupName"] == "/aws/codebuild/box"
    control(endpoint, "/_codemock/outcomes", {"service": "codebuild", "step": "COMMAND_EXECUTION", "outcome": "FAILED", "code": "4", "count": 1})
    failing = cb.start_command_execution(sandboxId=sandbox["id"], command="make")["commandExecution"]
    passing = cb.start_command_execution(sandboxId=sandbox["arn"], command="echo ok", type="SHELL")["commandExecution"]
    assert failing["status"] == "SUBMITTED"
    control(endpoint, "/_codemock/clock/advance", {"seconds": 20})
    assert cb.batch_get_sandboxes(ids=[sandbox["id"]])["sandboxes"][0]["status"] == "READY"
    got = cb.batch_get_command_executions(sandboxId=sandbox["id"], commandExecutionIds=[failing["id"], passing["id"]])
    assert [(c["status"], c["exitCode"]) for c in got["commandExecutions"]] == [("FAILED", "4"), ("SUCCEEDED", "0")]
    listed = cb.list_command_executions_for_sandbox(sandboxId=sandbox["id"], sortOrder="ASCENDING")
    assert [c["command"] for c in listed["commandExecutions"]] == ["make", "echo ok"]
    assert cb.list_sandboxes()["ids"] == [sandbox["id"]]
    assert cb.list_sandboxes_for_project(projectName="box")["ids"] == [sandbox["id"]]
    ssm = cb.start_sandbox_connection(sandboxId=sandbox["id"])["ssmSession"]
    assert ssm["streamUrl"].startswith("wss://ssmmessages.us-east-1.amazonaws.com/")
    assert cb.stop_sandbox(id=sandbox["id"])["sandbox"]["status"] == "STOPPING"
    control(endpoint, "/_codemock/clock/advance", {"seconds": 5})
    assert cb.batch_get_sandboxes(ids=[sandbox["id"]])["sandboxes"][0]["status"] == "STOPPED"
    with pytest.raises(ClientError) as e:
        cb.start_command_execution(sandboxId=sandbox["id"], command="ls")
    assert e.value.response["Error"]["Code"] == "InvalidInputException"
    with pytest.raises(ClientError) as e:
        cb.start_sandbox(projectName="nope")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
