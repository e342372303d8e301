/** Report-level wording the HTML and JSON outputs use; queries say which report they belong to. */
export interface ReportInfo {
  title: string;
  description: string;
  /** Evidence the report cannot show from the lake, stated plainly rather than left out. */
  limits: string[];
}

/** Titles and known limits of the reports the saved queries build. */
export const REPORT_INFO: Readonly<Record<string, ReportInfo>> = {
  security: {
    title: "Security report",
    description:
      "Detections over CloudTrail, CloudFront and application logs: risky account activity, configuration tampering, " +
      "rate and error anomalies against a trailing seven-day baseline, scanners and brute force.",
    limits: ["Findings cover only logs that reached the lake; check the compliance report for missing days and hours."],
  },
  compliance: {
    title: "Compliance report",
    description:
      "Evidence that logs were collected completely and kept: completeness per source and day, quarantined records, " +
      "CloudTrail digest coverage, integrity evidence from loglake verify, retained days and the source objects each " +
      "day was built from.",
    limits: [
      "Object Lock mode and retain-until dates of the WORM copies are S3 object settings, not lake rows: verify them " +
        "with S3 Inventory or GetObjectRetention on the archive bucket.",
      "Delivery of raw copies to customer buckets is not recorded in the lake; the copy function's metrics and the " +
        "destination buckets are the evidence for it.",
      "Integrity evidence covers the hours a loglake verify run checked and recorded; CloudTrail log files outside " +
        "every digest's span, and lake files written before manifests were chained, are counted as unchecked, not valid.",
    ],
  },
};

/** Report wording, with a plain fallback for a report that has no entry in `REPORT_INFO`. */
export function reportInfo(report: string): ReportInfo {
  return REPORT_INFO[report] ?? { title: `${report} report`, description: "", limits: [] };
}
