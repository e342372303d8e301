import { alertsTopicPolicy } from "@app/core/infra/keys";
import { accountId, deploy } from "./settings";
import { kmsKey } from "./storage";

/** Alarms, failed exports and the near-real-time alerts of the ingest consumers are published here. */
export const alertsTopic = new aws.sns.Topic("AlertsTopic", { kmsMasterKeyId: kmsKey.arn });

new aws.sns.TopicPolicy("AlertsTopicPolicy", {
  arn: alertsTopic.arn,
  policy: $resolve([alertsTopic.arn, accountId]).apply(([topicArn, account]) =>
    JSON.stringify(alertsTopicPolicy({ topicArn, accountId: account })),
  ),
});

for (const [i, email] of deploy.alarms.emails.entries()) {
  new aws.sns.TopicSubscription(`AlertsEmail${i}`, { topic: alertsTopic.arn, protocol: "email", endpoint: email });
}
