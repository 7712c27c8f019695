// The AWS SDK for JavaScript v3 against the codemock binary: list operations, a validation error
// and the 501 of an operation not built yet. CODEMOCK_ENDPOINT names a running server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CodePipelineClient, ListPipelinesCommand } from "@aws-sdk/client-codepipeline";
import { CloudWatchLogsClient, DescribeExportTasksCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CodeBuildClient, ListProjectsCommand } from "@aws-sdk/client-codebuild";
import { CodeDeployClient, ListApplicationsCommand } from "@aws-sdk/client-codedeploy";
import { EventBridgeClient, ListEventBusesCommand, ListRulesCommand } from "@aws-sdk/client-eventbridge";

const endpoint = process.env.CODEMOCK_ENDPOINT;
const config = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
};

test("list operations answer through the JS SDK", async () => {
  assert.ok(endpoint, "CODEMOCK_ENDPOINT must be set");
  const p = await new CodePipelineClient(config).send(new ListPipelinesCommand({}));
  assert.deepEqual(p.pipelines, []);
  const b = await new CodeBuildClient(config).send(new ListProjectsCommand({}));
  assert.deepEqual(b.projects, []);
  const d = await new CodeDeployClient(config).send(new ListApplicationsCommand({}));
  assert.deepEqual(d.applications, []);
  const events = new EventBridgeClient(config);
  const buses = await events.send(new ListEventBusesCommand({}));
  assert.ok(buses.EventBuses.some((bus) => bus.Name === "default"));
  const rules = await events.send(new ListRulesCommand({}));
  assert.deepEqual(rules.Rules, []);
});

test("a bad request is a ValidationException", async () => {
  await assert.rejects(
    new CodePipelineClient(config).send(new ListPipelinesCommand({ maxResults: 0 })),
    (err) => {
      assert.equal(err.name, "ValidationException");
      assert.match(err.message, /^1 validation error detected: Value '0' at 'maxResults'/);
      assert.equal(err.$metadata.httpStatusCode, 400);
      return true;
    },
  );
});

test("an unimplemented operation is a 501 naming it", async () => {
  await assert.rejects(
    // CloudWatch Logs export tasks are not built (CodeBuild has no 501 left).
    new CloudWatchLogsClient(config).send(new DescribeExportTasksCommand({})),
    (err) => {
      assert.equal(err.name, "NotImplementedException");
      assert.equal(err.$metadata.httpStatusCode, 501);
      assert.match(err.message, /DescribeExportTasks/);
      return true;
    },
  );
});
