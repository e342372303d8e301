import { defineConfig } from "@app/core/config/index";

// The one deployment config: `sst deploy`, the Lambda functions and `loglake dev` all read it.
// `env` defaults to the SST stage (LOGLAKE_ENV) so each stage gets its own names and key prefixes.
export default defineConfig({
  env: process.env.LOGLAKE_ENV ?? "dev",
  sources: {
    cloudtrail: {},
    cloudtrail_digest: {},
    cloudfront: {},
    cloudfront_realtime: { worm: false },
    cloudwatch_logs: {},
    app_json: {},
  },
  worm: { mode: "GOVERNANCE", retentionDays: 2557 },
  destinations: [
    // A customer that receives CloudTrail (and its digests) in its own account, encrypted with its own key.
    // {
    //   name: "acme",
    //   bucket: "acme-security-logs",
    //   keyTemplate: "<env>/<source>/<key>",
    //   kmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    //   roleArn: "arn:aws:iam::111122223333:role/loglake-writer",
    //   externalId: "loglake-acme",
    //   sources: ["cloudtrail", "cloudtrail_digest"],
    // },
  ],
});
