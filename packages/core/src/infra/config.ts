import { ConfigValidationError } from "../config/issues.ts";
import type { LoglakeConfig } from "../config/types.ts";

/** Lambda's limit on all environment variables of a function together, in bytes. */
export const LAMBDA_ENVIRONMENT_LIMIT = 4096;

/**
 * The resolved config as the functions receive it (`LOGLAKE_CONFIG`): JSON without the parsed key templates, which
 * the functions derive again. Throws when it would not fit Lambda's 4 KB environment, naming what to shorten.
 */
export function functionConfigJson(config: LoglakeConfig): string {
  const { worm, destinations, ...rest } = config;
  const json = JSON.stringify({
    ...rest,
    worm: { mode: worm.mode, retentionDays: worm.retentionDays, keyTemplate: worm.keyTemplate },
    destinations: destinations.map((dest) => {
      if (dest.type !== "s3") return dest;
      const { keyTemplateParts: _parts, ...d } = dest;
      return d;
    }),
  });
  // Leave room for the variables SST and the runtime add.
  const budget = LAMBDA_ENVIRONMENT_LIMIT - 1024;
  if (json.length > budget)
    throw new ConfigValidationError([
      {
        field: "destinations",
        message: `the config is ${json.length} bytes as JSON, more than the ${budget} a Lambda environment can carry; use fewer or shorter destination entries`,
      },
    ]);
  return json;
}
