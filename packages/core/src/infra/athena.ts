/** The Athena engine every query is written for (Trino dialect). */
export const ATHENA_ENGINE_VERSION = "Athena engine version 3";

// Athena bills $5 per TB scanned (us-east-1 price list, checked 2025-01). A 50 GiB cutoff caps one query at about
// $0.25: a month of CloudTrail Parquet for a few hundred accounts filtered on `dt` stays well below it, while a query
// that forgot its partition filter on a multi-year lake is stopped instead of billing several dollars per run.
/** Default per-query scan limit of the workgroup, in bytes. */
export const DEFAULT_BYTES_SCANNED_CUTOFF = 50 * 1024 ** 3;

/** Athena's smallest allowed per-query cutoff (10 MB). */
export const MIN_BYTES_SCANNED_CUTOFF = 10_000_000;

/** The `configuration` of `aws.athena.Workgroup`. */
export interface WorkgroupConfiguration {
  enforceWorkgroupConfiguration: true;
  publishCloudwatchMetricsEnabled: true;
  bytesScannedCutoffPerQuery: number;
  engineVersion: { selectedEngineVersion: string };
  resultConfiguration: {
    outputLocation: string;
    encryptionConfiguration: { encryptionOption: "SSE_KMS"; kmsKeyArn: string };
  };
}

/**
 * Workgroup settings: engine v3, configuration enforced (clients cannot pick another output location or turn
 * encryption off), results encrypted with the project key, and a scan cutoff per query.
 */
export function workgroupConfiguration(input: {
  resultsBucket: string;
  kmsKeyArn: string;
  bytesScannedCutoffPerQuery: number;
}): WorkgroupConfiguration {
  if (
    !Number.isInteger(input.bytesScannedCutoffPerQuery) ||
    input.bytesScannedCutoffPerQuery < MIN_BYTES_SCANNED_CUTOFF
  )
    throw new Error(`bytesScannedCutoffPerQuery must be a whole number of bytes >= ${MIN_BYTES_SCANNED_CUTOFF}`);
  return {
    enforceWorkgroupConfiguration: true,
    publishCloudwatchMetricsEnabled: true,
    bytesScannedCutoffPerQuery: input.bytesScannedCutoffPerQuery,
    engineVersion: { selectedEngineVersion: ATHENA_ENGINE_VERSION },
    resultConfiguration: {
      outputLocation: `s3://${input.resultsBucket}/results/`,
      encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: input.kmsKeyArn },
    },
  };
}
