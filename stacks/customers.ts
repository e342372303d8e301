import { customerDestinations } from "@app/core/config/destinations";
import {
  type CustomerGrantInput,
  customerRoleDocuments,
  customerStatements,
  templatePrefixes,
} from "@app/core/infra/grants";
import { policyDocument } from "@app/core/infra/policy";
import { receivesTrailFiles } from "@app/core/infra/trail";
import { config, deploy, partition } from "./settings";
import { kmsKey } from "./storage";

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;

/** Each customer destination as IAM sees it: its bucket, the prefixes its key template writes under, role and key. */
export const customers = partition.apply((p) =>
  customerDestinations(config).map((d): CustomerGrantInput & { externalId?: string } => ({
    name: d.name,
    bucketArn: `arn:${p}:s3:::${d.bucket}`,
    prefixes: templatePrefixes(d.keyTemplateParts, { env: config.env, sources: d.sources }),
    ...(d.roleArn ? { roleArn: d.roleArn } : {}),
    ...(d.externalId ? { externalId: d.externalId } : {}),
    ...(d.kmsKeyId && KEY_ARN.test(d.kmsKeyId) ? { kmsKeyArn: d.kmsKeyId } : {}),
  })),
);

/** What the ingest functions need to deliver to every customer: AssumeRole, or direct writes and key use. */
export const customerGrants = customers.apply((all) => all.flatMap(customerStatements));

/**
 * What each customer with a role applies in its own account, as a stack output: the role's trust policy (only our
 * writer roles, only with its ExternalId) and the role's permission policy.
 */
export function customerHandover(writerRoleArns: $util.Input<string>[]) {
  const writers: $util.Output<string[]> = $resolve(writerRoleArns);
  return customers.apply((all) =>
    writers.apply((writerArns) =>
      $resolve([partition, kmsKey.arn]).apply(([p, keyArn]) =>
        Object.fromEntries(
          all
            .filter((c) => c.roleArn && c.externalId)
            .map((c) => {
              const sources = customerDestinations(config).find((d) => d.name === c.name)?.sources ?? [];
              const docs = customerRoleDocuments(
                { ...c, externalId: c.externalId as string },
                writerArns,
                sourceScopes(p),
                deploy.trail && receivesTrailFiles(sources) ? keyArn : undefined,
              );
              return [
                c.name,
                {
                  roleArn: c.roleArn,
                  trustPolicy: JSON.stringify(policyDocument(docs.trustPolicy)),
                  permissionPolicy: JSON.stringify(policyDocument(docs.permissionPolicy)),
                },
              ];
            }),
        ),
      ),
    ),
  );
}

function sourceScopes(p: string) {
  return deploy.sourceBuckets.map((b) => ({ bucketArn: `arn:${p}:s3:::${b.name}`, prefixes: [b.prefix] }));
}
