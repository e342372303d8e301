import {
  computeStatus,
  computeTableFiles,
  criticalityMap,
  criticalTables,
  type HourObservation,
  STATUS_TABLES,
  statusSql,
  statusWindow,
} from "@app/core/status/index";
import { describe, expect, it } from "vitest";

const NOW = new Date("2024-03-10T06:00:00Z");
const DAYS3 = ["2024-03-07", "2024-03-08", "2024-03-09"];

/** One row per hour of the given days, the last event at minute 30. */
function hours(stream: string, days: readonly string[], hourList: readonly number[] = [...Array(24).keys()]) {
  return days.flatMap((dt) =>
    hourList.map(
      (hour): HourObservation => ({
        stream,
        table: stream.split(".")[0] as string,
        dt,
        hour,
        rows: 10,
        lastEvent: `${dt}T${String(hour).padStart(2, "0")}:30:00.000Z`,
        lastIngest: `${dt}T${String(hour).padStart(2, "0")}:40:00.000Z`,
      }),
    ),
  );
}

const sourcesOfTable = (table: string) => (table === "app_events" ? ["app_json"] : [table]);

function status(obs: HourObservation[], extra: Partial<Parameters<typeof computeStatus>[0]> = {}) {
  return computeStatus({ now: NOW, days: 3, hours: obs, quarantine: [], sourcesOfTable, ...extra });
}

function stream(report: ReturnType<typeof computeStatus>, name: string) {
  return report.streams.find((s) => s.stream === name);
}

describe("statusWindow", () => {
  it("covers the full UTC days before today", () => {
    expect(statusWindow(NOW, 3)).toStrictEqual({ from: "2024-03-07", to: "2024-03-09", today: "2024-03-10" });
  });

  it("rejects a window of no days", () => {
    expect(() => statusWindow(NOW, 0)).toThrow("--days 0: use 1 to 366");
  });
});

describe("computeStatus", () => {
  const complete = [
    ...hours("cloudtrail", DAYS3),
    ...hours("cloudfront", DAYS3),
    ...hours("cloudtrail_digest", DAYS3),
    ...hours("app_events.auth", DAYS3, [9, 10]),
  ];

  it("is Healthy when every stream has every day and recent events", () => {
    const r = status([...complete, ...hours("cloudtrail", ["2024-03-10"], [0, 1, 2, 3, 4, 5])]);
    expect(stream(r, "cloudtrail")).toStrictEqual({
      stream: "cloudtrail",
      table: "cloudtrail",
      criticality: "critical",
      health: "Healthy",
      last_event_time: "2024-03-10T05:30:00.000Z",
      last_ingest_time: "2024-03-10T05:40:00.000Z",
      rows: 780,
      quarantined: 0,
      quarantine_rate: 0,
      days_with_data: 3,
      missing_days: [],
      missing_hours: [],
      problems: [],
    });
    // Auth sign-ins happen at 09 and 10 only: quiet hours are noted, never a problem, on an event-driven stream.
    expect(stream(r, "app_events.auth")?.health).toBe("Healthy");
    expect(stream(r, "app_events.auth")?.problems[0]?.level).toBe("Healthy");
  });

  it("flags a missing day of a critical source as Critical", () => {
    const obs = complete.filter((h) => !(h.stream === "app_events.auth" && h.dt === "2024-03-08"));
    const auth = stream(status(obs), "app_events.auth");
    expect([auth?.health, auth?.missing_days, auth?.problems]).toStrictEqual([
      "Critical",
      ["2024-03-08"],
      [
        { level: "Critical", text: "1 missing day: 2024-03-08" },
        {
          level: "Healthy",
          text: "44 hours without data on days with data (the stream is quiet for hours on most days)",
        },
      ],
    ]);
    expect(status(obs).health).toBe("Critical");
  });

  it("makes the same gap a Warning for a standard source and a note for an optional one", () => {
    const obs = complete.filter((h) => !(h.stream === "cloudfront" && h.dt === "2024-03-08"));
    expect(stream(status(obs), "cloudfront")?.health).toBe("Warning");
    const relaxed = status(obs, { criticality: criticalityMap({ optional: ["cloudfront"] }) });
    expect(stream(relaxed, "cloudfront")?.health).toBe("Healthy");
  });

  it("warns about missing hours of a dense stream and lists them", () => {
    const obs = [
      ...hours("cloudtrail", ["2024-03-07", "2024-03-08"]),
      ...hours("cloudtrail", ["2024-03-09"], [...Array(21).keys()]),
    ];
    const ct = stream(status(obs), "cloudtrail");
    expect([ct?.health, ct?.missing_hours]).toStrictEqual([
      "Warning",
      ["2024-03-09T21", "2024-03-09T22", "2024-03-09T23"],
    ]);
  });

  it("calls a stream stale when its last event is older than the threshold", () => {
    const obs = hours("cloudtrail", DAYS3, [0]);
    const ct = stream(status(obs, { thresholds: { staleHours: 12 } }), "cloudtrail");
    expect(ct?.problems.map((p) => p.text)).toStrictEqual([
      "last event 29 h ago (over 12 h)",
      "69 hours without data on days with data (the stream is quiet for hours on most days)",
    ]);
    expect(ct?.health).toBe("Critical");
  });

  it("reports a source with no data at all by its criticality", () => {
    const r = status([]);
    expect(r.streams.map((s) => [s.stream, s.criticality, s.health])).toStrictEqual([
      ["app_events.api", "optional", "Healthy"],
      ["app_events.audit", "optional", "Healthy"],
      ["app_events.auth", "critical", "Critical"],
      ["cloudfront", "standard", "Warning"],
      ["cloudfront_realtime", "optional", "Healthy"],
      ["cloudtrail", "critical", "Critical"],
      ["cloudtrail_digest", "standard", "Warning"],
      ["cloudwatch_logs", "optional", "Healthy"],
    ]);
  });

  it("charges quarantined records to the tables their source writes", () => {
    const obs = hours("app_events.auth", DAYS3);
    const warn = stream(status(obs, { quarantine: [{ source_kind: "app_json", records: 2 }] }), "app_events.auth");
    expect([warn?.quarantined, warn?.quarantine_rate, warn?.health]).toStrictEqual([2, 0.0028, "Healthy"]);
    const bad = stream(status(obs, { quarantine: [{ source_kind: "app_json", records: 100 }] }), "app_events.auth");
    expect([bad?.quarantine_rate, bad?.health, bad?.problems]).toStrictEqual([
      0.122,
      "Critical",
      [{ level: "Critical", text: "12.2% of records quarantined" }],
    ]);
  });

  it("rejects a malformed stream name in the criticality options", () => {
    expect(() => criticalityMap({ critical: ["App Events"] })).toThrow("--critical App Events");
  });
});

describe("statusSql", () => {
  it("splits app_events by type and keeps other tables whole", () => {
    expect(statusSql("app_events")).toBe(
      `SELECT 'app_events.' || coalesce(lower("type"), 'other') AS stream, dt, hour, count(*) AS row_count, count("cwl_event_id") AS via_log_events, max(event_time) AS last_event, max(ingest_time) AS last_ingest FROM "app_events" WHERE dt BETWEEN ? AND ? GROUP BY 1, 2, 3`,
    );
    expect(statusSql("cloudtrail")).toBe(
      `SELECT 'cloudtrail' AS stream, dt, hour, count(*) AS row_count, count("cwl_event_id") AS via_log_events, max(event_time) AS last_event, max(ingest_time) AS last_ingest FROM "cloudtrail" WHERE dt BETWEEN ? AND ? GROUP BY 1, 2, 3`,
    );
  });
});

describe("computeTableFiles", () => {
  const file = (table: string, dt: string, hour: string, bytes: number) => ({
    table,
    path: `dt=${dt}/hour=${hour}/kinesis-x-${bytes}.parquet`,
    bytes,
  });

  it("counts files and bytes per table and partition-hour, and names the hours over the threshold", () => {
    const files = [
      file("cloudtrail", "2024-03-09", "01", 100),
      file("cloudtrail", "2024-03-09", "01", 300),
      file("cloudtrail", "2024-03-09", "01", 200),
      file("cloudtrail", "2024-03-09", "2", 400),
    ];
    expect(computeTableFiles(files, ["cloudfront", "cloudtrail"], 2)).toStrictEqual([
      {
        table: "cloudfront",
        files: 0,
        total_bytes: 0,
        avg_file_bytes: null,
        partition_hours: 0,
        max_files_per_partition_hour: 0,
        avg_files_per_partition_hour: null,
        over_threshold: [],
      },
      {
        table: "cloudtrail",
        files: 4,
        total_bytes: 1000,
        avg_file_bytes: 250,
        partition_hours: 2,
        max_files_per_partition_hour: 3,
        avg_files_per_partition_hour: 2,
        over_threshold: ["2024-03-09T01"],
      },
    ]);
  });

  it("makes the lake a Warning when a table's partition-hour holds more files than the threshold", () => {
    const files = [file("cloudfront", "2024-03-09", "01", 1), file("cloudfront", "2024-03-09", "01", 1)];
    const r = (max: number) =>
      computeStatus({
        now: NOW,
        days: 3,
        hours: [],
        quarantine: [],
        sourcesOfTable,
        // Every stream optional, so only the files can raise the lake's health.
        criticality: Object.fromEntries(STATUS_TABLES.map((t) => [t, "optional" as const])),
        thresholds: { maxFilesPerPartitionHour: max },
        files,
      });
    expect([r(1).health, r(2).health]).toStrictEqual(["Warning", "Healthy"]);
  });

  it("charges CloudWatch Logs quarantine to every row that arrived in a log event", () => {
    const obs = hours("cloudtrail", DAYS3).map((h) => ({ ...h, viaLogEvents: 5 }));
    const r = status(obs, { quarantine: [{ source_kind: "cloudwatch_logs", records: 40 }] });
    expect(stream(r, "cloudwatch_logs")?.quarantine_rate).toBe(0.1);
  });
});

describe("criticalTables", () => {
  const tables = ["app_events", "cloudfront", "cloudtrail", "cloudtrail_digest"];
  it.each([
    ["the defaults: cloudtrail, and app_events for its auth stream", {}, ["app_events", "cloudtrail"]],
    ["auth accepted as standard", { standard: ["app_events.auth"] }, ["cloudtrail"]],
    [
      "cloudfront made critical, cloudtrail optional",
      { critical: ["cloudfront"], optional: ["cloudtrail"] },
      ["app_events", "cloudfront"],
    ],
  ] as const)("names the tables holding a critical stream under %s", (_what, overrides, expected) => {
    expect(criticalTables(tables, criticalityMap(overrides))).toStrictEqual(expected);
  });
});
