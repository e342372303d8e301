import { randomUUID } from "node:crypto";
import { logGroupDestinations } from "@app/core/config/destinations";
import type { LogGroupDestination, LoglakeConfig } from "@app/core/config/types";
import type { ForwardSkip, LogEvent } from "@app/core/forward/cloudwatch-logs";
import type { ForwardClaims, ForwardRuntime, LogSender } from "@app/pipeline/forward";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  type PutLogEventsCommandOutput,
  PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { logEventRejection } from "@loglake/aws-limits";
import { type AwsClientOptions, awsClientConfig } from "./clients.ts";
import { assumeRoleCredentials } from "./sts.ts";

const isName = (e: unknown, name: string) => (e as Error | undefined)?.name === name;

async function ignoreExisting(p: Promise<unknown>): Promise<void> {
  await p.catch((e: unknown) => {
    if (!isName(e, "ResourceAlreadyExistsException")) throw e;
  });
}

/** Events CloudWatch refused in one call, by reason, from `rejectedLogEventsInfo` (indexes into the call's events). */
export function rejectedEvents(out: Pick<PutLogEventsCommandOutput, "rejectedLogEventsInfo">, sent: number) {
  const rejected: Partial<Record<ForwardSkip, number>> = {};
  const info = out.rejectedLogEventsInfo;
  if (!info) return rejected;
  for (let i = 0; i < sent; i++) {
    const reason = logEventRejection(info, i);
    if (reason) rejected[reason] = (rejected[reason] ?? 0) + 1;
  }
  return rejected;
}

/**
 * PutLogEvents through each destination's client. A missing stream is created (a stream of `logStream: "instance"`
 * never exists before its first call), and a missing group too when the destination says `createIfMissing`, with
 * its retention; the call is then made once more. Throttling and 5xx are retried by the SDK's standard mode.
 */
export function cloudWatchLogsSender(clientFor: (dest: LogGroupDestination) => CloudWatchLogsClient): LogSender {
  const create = async (client: CloudWatchLogsClient, dest: LogGroupDestination, stream: string) => {
    const createStream = () =>
      ignoreExisting(client.send(new CreateLogStreamCommand({ logGroupName: dest.logGroup, logStreamName: stream })));
    try {
      await createStream();
    } catch (e) {
      if (!isName(e, "ResourceNotFoundException") || !dest.createIfMissing) throw e;
      await ignoreExisting(client.send(new CreateLogGroupCommand({ logGroupName: dest.logGroup })));
      if (dest.retentionDays !== undefined)
        await client.send(
          new PutRetentionPolicyCommand({ logGroupName: dest.logGroup, retentionInDays: dest.retentionDays }),
        );
      await createStream();
    }
  };
  return {
    async put(dest, stream, events: readonly LogEvent[]) {
      const client = clientFor(dest);
      const put = () =>
        client.send(
          new PutLogEventsCommand({ logGroupName: dest.logGroup, logStreamName: stream, logEvents: [...events] }),
        );
      let out: PutLogEventsCommandOutput;
      try {
        out = await put();
      } catch (e) {
        if (!isName(e, "ResourceNotFoundException")) throw e;
        await create(client, dest, stream);
        out = await put();
      }
      return rejectedEvents(out, events.length);
    },
  };
}

/** The stream name of one function instance: its day of start, the env and a random id (as Lambda names its own). */
export function instanceStreamName(env: string, now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/loglake-${env}/${randomUUID()}`;
}

/**
 * The consumers' forwarding on AWS: a CloudWatch Logs client per destination, in its region, with the credentials
 * of its role assumed with its ExternalId through STS (the same path as customer copies; `assumeRoles: false`
 * uses the function's own, for emulators), and the given claims.
 */
export function awsForward(args: {
  config: LoglakeConfig;
  aws: AwsClientOptions;
  claims: ForwardClaims;
  assumeRoles?: boolean;
  now?: () => number;
}): ForwardRuntime | undefined {
  if (logGroupDestinations(args.config).length === 0) return undefined;
  const clients = new Map<string, CloudWatchLogsClient>();
  const clientFor = (dest: LogGroupDestination) => {
    let client = clients.get(dest.name);
    if (!client) {
      const own: AwsClientOptions = { ...args.aws, region: dest.region };
      const credentials =
        dest.roleArn && dest.externalId && args.assumeRoles !== false
          ? assumeRoleCredentials(args.aws, {
              roleArn: dest.roleArn,
              externalId: dest.externalId,
              sessionName: `loglake-${args.config.env}-${dest.name}`.slice(0, 64),
            })
          : undefined;
      client = new CloudWatchLogsClient(awsClientConfig(credentials ? { ...own, credentials } : own));
      clients.set(dest.name, client);
    }
    return client;
  };
  return {
    sender: cloudWatchLogsSender(clientFor),
    claims: args.claims,
    instance: instanceStreamName(args.config.env),
    now: args.now ?? Date.now,
  };
}
