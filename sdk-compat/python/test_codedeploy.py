"""boto3 and the AWS CLI against the codemock binary: CodeDeploy resources, an in-place deployment
to on-premises instances walked on the manual clock, `aws deploy create-deployment` and the CLI's
`aws deploy wait deployment-successful` waiter, a Lambda hook status, and a blue/green deployment
continued from Ready with its trigger notifications."""

import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

APPSPEC = "version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: scripts/check.sh\n"


def advance(endpoint, seconds):
    req = urllib.request.Request(
        endpoint + "/_codemock/clock/advance",
        data=json.dumps({"seconds": seconds}).encode(),
        method="POST",
    )
    return json.loads(urllib.request.urlopen(req).read())


def fleet(cd, n):
    cd.create_application(applicationName="web")
    cd.create_deployment_group(
        applicationName="web",
        deploymentGroupName="prod",
        serviceRoleArn="arn:aws:iam::000000000000:role/cd",
        deploymentConfigName="CodeDeployDefault.HalfAtATime",
        onPremisesInstanceTagFilters=[{"Key": "env", "Value": "prod", "Type": "KEY_AND_VALUE"}],
    )
    for i in range(n):
        name = f"box-{i}"
        cd.register_on_premises_instance(
            instanceName=name, iamUserArn=f"arn:aws:iam::000000000000:user/{name}"
        )
        cd.add_tags_to_on_premises_instances(
            instanceNames=[name], tags=[{"Key": "env", "Value": "prod"}]
        )


def test_resources_and_errors(client):
    cd = client("codedeploy")
    cd.create_application(applicationName="web", computePlatform="Server")
    with pytest.raises(ClientError) as e:
        cd.create_application(applicationName="web")
    assert e.value.response["Error"]["Code"] == "ApplicationAlreadyExistsException"
    assert cd.list_applications()["applications"] == ["web"]
    cfg = cd.get_deployment_config(deploymentConfigName="CodeDeployDefault.AllAtOnce")
    assert cfg["deploymentConfigInfo"]["minimumHealthyHosts"] == {"type": "HOST_COUNT", "value": 0}
    names = cd.list_deployment_configs()["deploymentConfigsList"]
    assert "CodeDeployDefault.LambdaCanary10Percent5Minutes" in names
    with pytest.raises(ClientError) as e:
        cd.get_deployment_group(applicationName="web", deploymentGroupName="nope")
    assert e.value.response["Error"]["Code"] == "DeploymentGroupDoesNotExistException"


def test_in_place_deployment_on_the_manual_clock(client, endpoint):
    cd = client("codedeploy")
    fleet(cd, 4)
    dep = cd.create_deployment(
        applicationName="web",
        deploymentGroupName="prod",
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": APPSPEC}},
    )["deploymentId"]
    advance(endpoint, 0)
    info = cd.get_deployment(deploymentId=dep)["deploymentInfo"]
    assert info["status"] == "InProgress"
    assert info["deploymentOverview"]["InProgress"] == 2
    # Two waves of three one-second events.
    advance(endpoint, 6)
    info = cd.get_deployment(deploymentId=dep)["deploymentInfo"]
    assert info["status"] == "Succeeded"
    assert info["deploymentOverview"]["Succeeded"] == 4
    cd.get_waiter("deployment_successful").wait(deploymentId=dep)
    t = cd.batch_get_deployment_targets(deploymentId=dep, targetIds=["box-0"])
    events = t["deploymentTargets"][0]["instanceTarget"]["lifecycleEvents"]
    assert [e["lifecycleEventName"] for e in events][3:7] == [
        "ApplicationStop",
        "DownloadBundle",
        "BeforeInstall",
        "Install",
    ]


def test_lambda_hook_status(client, endpoint):
    cd = client("codedeploy")
    cd.create_application(applicationName="fn", computePlatform="Lambda")
    cd.create_deployment_group(
        applicationName="fn",
        deploymentGroupName="live",
        serviceRoleArn="arn:aws:iam::000000000000:role/cd",
    )
    spec = (
        "version: 0.0\nResources:\n  - f:\n      Type: AWS::Lambda::Function\n      Properties:\n"
        "        Name: orders\n        Alias: live\n        CurrentVersion: '1'\n        TargetVersion: '2'\n"
        "Hooks:\n  - BeforeAllowTraffic: pre-check\n"
    )
    dep = cd.create_deployment(
        applicationName="fn",
        deploymentGroupName="live",
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": spec}},
    )["deploymentId"]
    advance(endpoint, 0)
    log = json.loads(urllib.request.urlopen(endpoint + "/_codemock/invocations").read())
    entries = log["invocations"] if isinstance(log, dict) else log
    payload = json.loads([i for i in entries if i["function"] == "pre-check"][0]["payload"])
    assert payload["DeploymentId"] == dep
    cd.put_lifecycle_event_hook_execution_status(
        deploymentId=dep,
        lifecycleEventHookExecutionId=payload["LifecycleEventHookExecutionId"],
        status="Succeeded",
    )
    advance(endpoint, 0)
    assert cd.get_deployment(deploymentId=dep)["deploymentInfo"]["status"] == "Succeeded"


def test_cli_create_deployment_and_wait(cli, client, endpoint):
    fleet(client("codedeploy"), 2)
    out = cli(
        "deploy",
        "create-deployment",
        "--application-name",
        "web",
        "--deployment-group-name",
        "prod",
        "--revision",
        json.dumps({"revisionType": "AppSpecContent", "appSpecContent": {"content": APPSPEC}}),
    )
    dep = json.loads(out)["deploymentId"]
    advance(endpoint, 10)
    cli("deploy", "wait", "deployment-successful", "--deployment-id", dep)
    got = json.loads(cli("deploy", "get-deployment", "--deployment-id", dep))
    assert got["deploymentInfo"]["status"] == "Succeeded"


def control(endpoint, method, path, body=None):
    req = urllib.request.Request(
        endpoint + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
    )
    return json.loads(urllib.request.urlopen(req).read())


def test_blue_green_continue_deployment_and_trigger_notifications(client, endpoint):
    cd = client("codedeploy")
    cd.create_application(applicationName="bg")
    topic = "arn:aws:sns:us-east-1:000000000000:deploys"
    cd.create_deployment_group(
        applicationName="bg",
        deploymentGroupName="prod",
        serviceRoleArn="arn:aws:iam::000000000000:role/cd",
        deploymentConfigName="CodeDeployDefault.AllAtOnce",
        onPremisesInstanceTagFilters=[{"Key": "fleet", "Value": "blue", "Type": "KEY_AND_VALUE"}],
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        loadBalancerInfo={"targetGroupInfoList": [{"name": "tg"}]},
        blueGreenDeploymentConfiguration={
            "deploymentReadyOption": {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": 10},
            "terminateBlueInstancesOnDeploymentSuccess": {"action": "KEEP_ALIVE"},
            "greenFleetProvisioningOption": {"action": "DISCOVER_EXISTING"},
        },
        triggerConfigurations=[
            {"triggerName": "ready", "triggerTargetArn": topic,
             "triggerEvents": ["DeploymentReady", "DeploymentSuccess"]}
        ],
    )
    for name, fleet_tag in (("old-0", "blue"), ("new-0", "green")):
        cd.register_on_premises_instance(
            instanceName=name, iamUserArn=f"arn:aws:iam::000000000000:user/{name}"
        )
        cd.add_tags_to_on_premises_instances(
            instanceNames=[name], tags=[{"Key": "fleet", "Value": fleet_tag}]
        )
    dep = cd.create_deployment(
        applicationName="bg",
        deploymentGroupName="prod",
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": APPSPEC}},
        targetInstances={"tagFilters": [{"Key": "fleet", "Value": "green", "Type": "KEY_AND_VALUE"}]},
    )["deploymentId"]
    # DownloadBundle, Install, ValidateService on the replacement.
    advance(endpoint, 3)
    info = cd.get_deployment(deploymentId=dep)["deploymentInfo"]
    assert info["status"] == "Ready"
    assert info["targetInstances"]["tagFilters"][0]["Value"] == "green"
    cd.continue_deployment(deploymentId=dep, deploymentWaitType="READY_WAIT")
    # AllowTraffic on the replacement, BlockTraffic on the original.
    advance(endpoint, 2)
    assert cd.get_deployment(deploymentId=dep)["deploymentInfo"]["status"] == "Succeeded"
    notes = control(endpoint, "GET", "/_codemock/sns/notifications")["notifications"]
    mine = [json.loads(n["message"]) for n in notes if n["topicArn"] == topic]
    assert [m["status"] for m in mine] == ["Ready", "Succeeded"]
    assert mine[0]["eventTriggerName"] == "ready"
    assert mine[0]["deploymentId"] == dep
    # The alarm control answers what it set.
    assert control(
        endpoint, "POST", "/_codemock/cloudwatch/alarms", {"name": "HighErrors", "state": "OK"}
    ) == {"name": "HighErrors", "state": "OK"}
