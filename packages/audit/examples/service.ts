import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { type AuditSink, createAuditLogger } from "@loglake/audit";
import { cloudWatchLogsSink } from "@loglake/audit/cloudwatch-logs";
import { kinesisSink } from "@loglake/audit/kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";

const { KINESIS_ENDPOINT, STREAM_NAME = "loglake-dev-stream", LOG_GROUP } = process.env;
// HTTP/1.1: kinesalite, behind `loglake dev`, speaks nothing else.
const kinesis = new KinesisClient({ endpoint: KINESIS_ENDPOINT, requestHandler: new NodeHttpHandler() });
const sinks: AuditSink[] = [kinesisSink({ client: kinesis, streamName: STREAM_NAME })];
if (LOG_GROUP) {
  const logs = new CloudWatchLogsClient({});
  const create = { retentionInDays: 400, tags: { team: "checkout" } };
  sinks.push(cloudWatchLogsSink({ client: logs, logGroupName: LOG_GROUP, logStreamName: "checkout", create }));
}
const audit = createAuditLogger({ service: "checkout", sinks });

for (const [i, user_id] of ["alice", "bob", "carol"].entries()) {
  const request_id = `checkout-${i}`;
  void audit.auth({ action: "login", user_id, result: "success", ip_address: "198.51.100.7", request_id });
  void audit.api({ action: "POST /orders", user_id, method: "POST", path: "/orders", status_code: 201, request_id });
}
await audit.close();
console.log(JSON.stringify(audit.health()));
