// The AWS SDK for JavaScript v3 against the binary: an EventBridge rule delivering to SQS, and an
// S3 round trip (path style). CODEMOCK_ENDPOINT names a running server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand } from "@aws-sdk/client-s3";

const config = {
  endpoint: process.env.CODEMOCK_ENDPOINT,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
};

test("an event reaches a queue through a rule", async () => {
  const sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-events" }));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  await events.send(new PutRuleCommand({ Name: "js-rule", EventPattern: JSON.stringify({ source: ["js.app"] }) }));
  await events.send(new PutTargetsCommand({ Rule: "js-rule", Targets: [{ Id: "q", Arn: attrs.Attributes.QueueArn, InputPath: "$.detail" }] }));
  const put = await events.send(new PutEventsCommand({ Entries: [{ Source: "js.app", DetailType: "Hello", Detail: JSON.stringify({ n: 1 }) }] }));
  assert.equal(put.FailedEntryCount, 0);
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  assert.equal(got.Messages.length, 1);
  assert.deepEqual(JSON.parse(got.Messages[0].Body), { n: 1 });
});

test("s3 round-trips an object byte for byte", async () => {
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "js-bucket" }));
  const body = Buffer.from(Array.from({ length: 100000 }, (_, i) => (i * 31) % 256));
  await s3.send(new PutObjectCommand({ Bucket: "js-bucket", Key: "dir/blob.bin", Body: body }));
  const got = await s3.send(new GetObjectCommand({ Bucket: "js-bucket", Key: "dir/blob.bin" }));
  const bytes = Buffer.from(await got.Body.transformToByteArray());
  assert.ok(bytes.equals(body));
});
