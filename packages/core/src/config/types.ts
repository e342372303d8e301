import type * as v from "valibot";
import type { SourceId } from "../sources/types.ts";
import type { configSchema, deploySchema, settingsSchema } from "./schema.ts";

/** The base config as a user writes it (`export default defineConfig({ … })`): everything but `env` has a default. */
export type LoglakeConfigInput = v.InferInput<typeof configSchema>;

/** The ONE base config, validated and with every default applied; infra, handlers and `loglake dev` share it. */
export type LoglakeConfig = v.InferOutput<typeof configSchema>;

/** Validated per-source settings. */
export type SourceConfig = NonNullable<LoglakeConfig["sources"][SourceId]>;

/** A validated destination of either type, with defaults applied. */
export type Destination = LoglakeConfig["destinations"][number];

/** A validated customer bucket destination with defaults applied and its key template parsed. */
export type CustomerDestination = Extract<Destination, { type: "s3" }>;

/** A validated CloudWatch Logs destination with defaults applied (`region` and `sources` always set). */
export type LogGroupDestination = Extract<Destination, { type: "cloudwatch_logs" }>;

/** S3 Object Lock retention mode for the WORM bucket. */
export type WormMode = LoglakeConfig["worm"]["mode"];

/** Deployment-only settings as a user writes them (`export const deploy = defineDeployConfig({ … })`). */
export type DeployConfigInput = v.InferInput<typeof deploySchema>;

/** Deployment settings, validated, with defaults applied. */
export type DeployConfig = v.InferOutput<ReturnType<typeof settingsSchema>>["deploy"];

/** A validated source bucket. */
export type SourceBucket = DeployConfig["sourceBuckets"][number];

/** How an existing source bucket tells the ingest queue about new objects. */
export type NotificationMode = SourceBucket["notifications"];
