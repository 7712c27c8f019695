"""boto3 and the AWS CLI against the binary: a CodeBuild project, a simulated build walked on the
manual clock, a failing phase from an outcome rule, and `aws codebuild start-build` /
`batch-get-builds`."""

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
