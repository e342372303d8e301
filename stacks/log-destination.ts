import {
  logDestinationPolicy,
  logDestinationRoleStatements,
  logDestinationTrustPolicy,
  memberSubscriptionRole,
} from "@app/core/infra/log-destination";
import { policyDocument } from "@app/core/infra/policy";
import { stream } from "./ingest";
import { accountId, deploy, partition, prefix, region } from "./settings";
import { kmsKey } from "./storage";

function deployDestination(d: NonNullable<typeof deploy.cloudwatchLogsDestination>) {
  const identity = $resolve([partition, region, accountId]).apply(([p, r, a]) => ({
    partition: p,
    region: r,
    accountId: a,
    name: d.name,
  }));

  /** The role CloudWatch Logs assumes to put the destination's records on the ingest stream. */
  const role = new aws.iam.Role("LogDestinationRole", {
    name: `${prefix}-log-destination`.slice(0, 64),
    description: `${prefix}: CloudWatch Logs puts the organization's subscribed log events on the ingest stream`,
    assumeRolePolicy: identity.apply((i) =>
      JSON.stringify(
        policyDocument(logDestinationTrustPolicy({ ...i, ...(d.accountIds ? { accountIds: d.accountIds } : {}) })),
      ),
    ),
    inlinePolicies: [
      {
        name: "put-on-stream",
        policy: $resolve([stream.arn, kmsKey.arn]).apply(([streamArn, kmsKeyArn]) =>
          JSON.stringify(policyDocument(logDestinationRoleStatements({ streamArn, kmsKeyArn }))),
        ),
      },
    ],
  });

  const destination = new aws.cloudwatch.LogDestination("LogDestination", {
    name: d.name,
    roleArn: role.arn,
    targetArn: stream.arn,
  });

  new aws.cloudwatch.LogDestinationPolicy("LogDestinationPolicy", {
    destinationName: destination.name,
    accessPolicy: destination.arn.apply((destinationArn) =>
      JSON.stringify(
        logDestinationPolicy({
          destinationArn,
          organizationId: d.organizationId,
          ...(d.accountIds ? { accountIds: d.accountIds } : {}),
        }),
      ),
    ),
  });

  // What a member account's administrator needs: the ARN to subscribe to, and the role its filters name.
  const handover = identity.apply((i) =>
    destination.arn.apply((arn) => {
      const member = memberSubscriptionRole(i);
      return {
        destinationArn: arn,
        region: i.region,
        organizationId: d.organizationId,
        ...(d.accountIds ? { accountIds: d.accountIds } : {}),
        memberRoleTrustPolicy: JSON.stringify(member.trustPolicy),
        memberRolePermissionPolicy: JSON.stringify(member.permissionPolicy),
      };
    }),
  );
  return { destination, role, handover };
}

/** The organization's CloudWatch Logs destination of `deploy.cloudwatchLogsDestination`; undefined when none. */
export const logDestination = deploy.cloudwatchLogsDestination
  ? deployDestination(deploy.cloudwatchLogsDestination)
  : undefined;
