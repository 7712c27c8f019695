"""boto3 against the binary: a custom action done by a job worker written with boto3 (poll,
acknowledge, succeed or fail), as AWS's job-worker protocol goes, on the manual clock."""

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import control

TYPE_ID = {"category": "Test", "owner": "Custom", "provider": "PyChecker", "version": "1"}


@pytest.fixture
def s3(endpoint):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


def settle(endpoint):
    # Advancing by nothing runs what is due and waits for running jobs.
    control(endpoint, "/_codemock/clock/advance", {"seconds": 0})


def make_pipeline(cp, s3):
    s3.create_bucket(Bucket="src")
    s3.put_bucket_versioning(Bucket="src", VersioningConfiguration={"Status": "Enabled"})
    s3.create_bucket(Bucket="artifacts")
    s3.put_object(Bucket="src", Key="app.zip", Body=b"PK-python")
    cp.create_custom_action_type(
        category="Test",
        provider="PyChecker",
        version="1",
        configurationProperties=[
            {"name": "Suite", "required": True, "key": True, "secret": False, "queryable": True}
        ],
        inputArtifactDetails={"minimumCount": 1, "maximumCount": 1},
        outputArtifactDetails={"minimumCount": 0, "maximumCount": 0},
    )
    cp.create_pipeline(
        pipeline={
            "name": "py",
            "roleArn": "arn:aws:iam::000000000000:role/p",
            "artifactStore": {"type": "S3", "location": "artifacts"},
            "stages": [
                {
                    "name": "Source",
                    "actions": [
                        {
                            "name": "Src",
                            "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                            "configuration": {"S3Bucket": "src", "S3ObjectKey": "app.zip"},
                            "outputArtifacts": [{"name": "Code"}],
                        }
                    ],
                },
                {
                    "name": "Test",
                    "actions": [
                        {
                            "name": "Check",
                            "actionTypeId": TYPE_ID,
                            "configuration": {"Suite": "unit"},
                            "inputArtifacts": [{"name": "Code"}],
                        }
                    ],
                },
            ],
        }
    )


def work_one_job(cp, succeed):
    """What a job worker does: poll, acknowledge, do the work, report."""
    jobs = cp.poll_for_jobs(actionTypeId=TYPE_ID, maxBatchSize=1, queryParam={"Suite": "unit"})["jobs"]
    assert len(jobs) == 1
    job = jobs[0]
    assert job["data"]["inputArtifacts"][0]["name"] == "Code"
    assert job["data"]["pipelineContext"]["pipelineName"] == "py"
    assert cp.acknowledge_job(jobId=job["id"], nonce=job["nonce"])["status"] == "InProgress"
    if succeed:
        cp.put_job_success_result(
            jobId=job["id"],
            executionDetails={"summary": "all green", "externalExecutionId": "run-1", "percentComplete": 100},
            outputVariables={"Result": "green"},
        )
    else:
        cp.put_job_failure_result(
            jobId=job["id"], failureDetails={"type": "JobFailed", "message": "3 tests failed"}
        )
    return job["id"]


def latest(cp):
    return cp.list_pipeline_executions(pipelineName="py")["pipelineExecutionSummaries"][0]


def test_a_python_job_worker_succeeds_a_custom_action(client, endpoint, s3):
    cp = client("codepipeline")
    make_pipeline(cp, s3)
    settle(endpoint)
    job_id = work_one_job(cp, succeed=True)
    settle(endpoint)
    assert latest(cp)["status"] == "Succeeded"
    details = cp.list_action_executions(pipelineName="py")["actionExecutionDetails"]
    check = [d for d in details if d["actionName"] == "Check"][0]
    assert check["output"]["executionResult"]["externalExecutionSummary"] == "all green"
    assert check["output"]["outputVariables"] == {"Result": "green"}
    # A result for a job already answered is refused.
    with pytest.raises(ClientError) as e:
        cp.put_job_success_result(jobId=job_id)
    assert e.value.response["Error"]["Code"] == "InvalidJobStateException"


def test_a_python_job_worker_fails_a_custom_action(client, endpoint, s3):
    cp = client("codepipeline")
    make_pipeline(cp, s3)
    settle(endpoint)
    work_one_job(cp, succeed=False)
    settle(endpoint)
    assert latest(cp)["status"] == "Failed"
    state = cp.get_pipeline_state(name="py")
    test = [s for s in state["stageStates"] if s["stageName"] == "Test"][0]
    action = test["actionStates"][0]["latestExecution"]
    assert action["status"] == "Failed"
    assert action["errorDetails"] == {"code": "JobFailed", "message": "3 tests failed"}
    with pytest.raises(ClientError) as e:
        cp.get_job_details(jobId="00000000-0000-0000-0000-000000000000")
    assert e.value.response["Error"]["Code"] == "JobNotFoundException"
