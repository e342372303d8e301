import type { CustomerDestination, LogGroupDestination, LoglakeConfig } from "./types.ts";

/** The customer bucket destinations (`type: "s3"`), in config order. */
export function customerDestinations(config: Pick<LoglakeConfig, "destinations">): CustomerDestination[] {
  return config.destinations.filter((d): d is CustomerDestination => d.type === "s3");
}

/** The CloudWatch Logs destinations (`type: "cloudwatch_logs"`), in config order. */
export function logGroupDestinations(config: Pick<LoglakeConfig, "destinations">): LogGroupDestination[] {
  return config.destinations.filter((d): d is LogGroupDestination => d.type === "cloudwatch_logs");
}
