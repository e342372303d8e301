import { type ColumnDef, column } from "../../schema/column.ts";

/**
 * CloudFront log fields by their W3C / real-time name. Standard and real-time tables pick from this one dictionary,
 * so a field has the same column name, type and description wherever it appears.
 * Column names are AWS's own Parquet names for standard logging (`cs(Host)` → `cs_host`).
 */
export const CLOUDFRONT_FIELDS = {
  "x-edge-location": column.string("Edge location (POP) that served the request, e.g. IAD89-C1"),
  "sc-bytes": column.int64("Bytes sent to the viewer, headers included"),
  "c-ip": column.string("Viewer IP address (IPv4 or IPv6), or the proxy in front of it"),
  "cs-method": column.string("HTTP request method"),
  "cs-host": column.string("CloudFront domain name of the distribution (dxxxx.cloudfront.net)"),
  "cs-uri-stem": column.string("Request path without the query string, URL-decoded once"),
  "sc-status": column.int32("HTTP status code; 0 when the viewer closed the connection first (logged as 000)"),
  "cs-referer": column.string("Referer header, URL-decoded once"),
  "cs-user-agent": column.string("User-Agent header, URL-decoded once"),
  "cs-uri-query": column.string("Query string, URL-decoded once; null when the request had none"),
  "cs-cookie": column.string("Cookie header when cookie logging is on"),
  "x-edge-result-type": column.string(
    "How the request was classified: Hit, RefreshHit, Miss, LimitExceeded, CapacityExceeded, Error, Redirect",
  ),
  "x-edge-request-id": column.string("Unique request id (x-amz-cf-id)"),
  "x-host-header": column.string("Host header the viewer sent (alternate domain name)"),
  "cs-protocol": column.string("Viewer protocol: http, https, ws, wss"),
  "cs-bytes": column.int64("Bytes in the viewer request, headers included"),
  "time-taken": column.double("Seconds from request received to last byte queued"),
  "x-forwarded-for": column.string("Original viewer IP when the request came through a proxy"),
  "ssl-protocol": column.string("TLS protocol negotiated with the viewer"),
  "ssl-cipher": column.string("TLS cipher negotiated with the viewer"),
  "x-edge-response-result-type": column.string("Result type just before the response was returned"),
  "cs-protocol-version": column.string("HTTP version of the viewer request"),
  "fle-status": column.string("Field-level encryption status"),
  "fle-encrypted-fields": column.int32("Number of fields encrypted by field-level encryption"),
  "c-port": column.int32("Viewer source port"),
  "time-to-first-byte": column.double("Seconds from request received to first byte of the response"),
  "x-edge-detailed-result-type": column.string("Detailed result type, e.g. OriginShieldHit, ClientCommError"),
  "sc-content-type": column.string("Content-Type of the response"),
  "sc-content-len": column.int64("Content-Length of the response"),
  "sc-range-start": column.int64("Start of the range for Range responses"),
  "sc-range-end": column.int64("End of the range for Range responses"),
  "c-ip-version": column.string("IP version of the viewer: IPv4 or IPv6"),
  "c-country": column.string("Viewer country code (ISO 3166-1 alpha-2)"),
  "cs-accept-encoding": column.string("Accept-Encoding header"),
  "cs-accept": column.string("Accept header"),
  "cache-behavior-path-pattern": column.string("Path pattern of the cache behavior that matched"),
  "cs-headers": column.string("Request headers (names and values), URL-encoded as CloudFront logs them"),
  "cs-header-names": column.string("Request header names"),
  "cs-headers-count": column.int32("Number of request headers"),
  "primary-distribution-id": column.string("Primary distribution id (continuous deployment)"),
  "primary-distribution-dns-name": column.string("Primary distribution domain name (continuous deployment)"),
  "origin-fbl": column.double("Origin first-byte latency, seconds"),
  "origin-lbl": column.double("Origin last-byte latency, seconds"),
  asn: column.int64("Autonomous system number of the viewer"),
} as const satisfies Record<string, ColumnDef>;

export type CloudFrontField = keyof typeof CLOUDFRONT_FIELDS;

/** Snake-case column name of a W3C field name: `cs(User-Agent)` and `cs-user-agent` both give `cs_user_agent`. */
export function fieldColumnName(field: string): string {
  return field
    .toLowerCase()
    .replace(/[()]/g, (ch) => (ch === "(" ? "-" : ""))
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/** Fields of a standard log in the 33-field era, in AWS's order (`date` and `time` become `event_time`). */
export const STANDARD_FIELDS = [
  "x-edge-location",
  "sc-bytes",
  "c-ip",
  "cs-method",
  "cs-host",
  "cs-uri-stem",
  "sc-status",
  "cs-referer",
  "cs-user-agent",
  "cs-uri-query",
  "cs-cookie",
  "x-edge-result-type",
  "x-edge-request-id",
  "x-host-header",
  "cs-protocol",
  "cs-bytes",
  "time-taken",
  "x-forwarded-for",
  "ssl-protocol",
  "ssl-cipher",
  "x-edge-response-result-type",
  "cs-protocol-version",
  "fle-status",
  "fle-encrypted-fields",
  "c-port",
  "time-to-first-byte",
  "x-edge-detailed-result-type",
  "sc-content-type",
  "sc-content-len",
  "sc-range-start",
  "sc-range-end",
] as const satisfies readonly CloudFrontField[];

/** Fields whose `#Fields` name is in W3C header form, e.g. `cs(Host)` for `cs-host`. */
const W3C_HEADER_FORM: Partial<Record<CloudFrontField, string>> = {
  "cs-host": "cs(Host)",
  "cs-referer": "cs(Referer)",
  "cs-user-agent": "cs(User-Agent)",
  "cs-cookie": "cs(Cookie)",
};

/** The `#Fields` names of a 33-field standard log as AWS writes them: `date`, `time`, then `STANDARD_FIELDS`. */
export const STANDARD_W3C_FIELDS: readonly string[] = [
  "date",
  "time",
  ...STANDARD_FIELDS.map((f) => W3C_HEADER_FORM[f] ?? f),
];

/** AWS's canonical real-time field order (after `timestamp`), the default configured field list. */
export const REALTIME_FIELDS = [
  "c-ip",
  "time-to-first-byte",
  "sc-status",
  "sc-bytes",
  "cs-method",
  "cs-protocol",
  "cs-host",
  "cs-uri-stem",
  "cs-bytes",
  "x-edge-location",
  "x-edge-request-id",
  "x-host-header",
  "time-taken",
  "cs-protocol-version",
  "c-ip-version",
  "cs-user-agent",
  "cs-referer",
  "cs-cookie",
  "cs-uri-query",
  "x-edge-response-result-type",
  "x-forwarded-for",
  "ssl-protocol",
  "ssl-cipher",
  "x-edge-result-type",
  "fle-encrypted-fields",
  "fle-status",
  "sc-content-type",
  "sc-content-len",
  "sc-range-start",
  "sc-range-end",
  "c-port",
  "x-edge-detailed-result-type",
  "c-country",
  "cs-accept-encoding",
  "cs-accept",
  "cache-behavior-path-pattern",
  "cs-headers",
  "cs-header-names",
  "cs-headers-count",
  "primary-distribution-id",
  "primary-distribution-dns-name",
  "origin-fbl",
  "origin-lbl",
  "asn",
] as const satisfies readonly CloudFrontField[];

type Pick<F extends readonly CloudFrontField[]> = {
  [K in F[number] as SnakeOf<K>]: (typeof CLOUDFRONT_FIELDS)[K];
};
type SnakeOf<S extends string> = S extends `${infer A}-${infer B}` ? `${A}_${SnakeOf<B>}` : S;

/**
 * Column map for a field list, keyed by snake-case column name. Each column reads its field: `from` holds the name
 * as `#Fields` headers write it and, when that differs, the real-time form (`cs(Host)`, `cs-host`).
 */
export function columnsFor<const F extends readonly CloudFrontField[]>(fields: F): Pick<F> {
  return Object.fromEntries(
    fields.map((f) => {
      const w3c = W3C_HEADER_FORM[f];
      return [
        fieldColumnName(f),
        { ...CLOUDFRONT_FIELDS[f], from: w3c ? [{ path: w3c }, { path: f }] : [{ path: f }] },
      ];
    }),
  ) as unknown as Pick<F>;
}
