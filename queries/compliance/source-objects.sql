-- name: Source objects per source and day
-- description: How many source objects (log files, streams) each day of data was built from, with the first
--   and last ingest time and the longest delay between an event and its ingest, in minutes. Evidence of what
--   was received and when.
-- tables: cloudtrail, cloudtrail_digest, cloudfront, cloudfront_realtime, app_events
-- params: from, to, from, to, from, to, from, to, from, to
-- severity: info
-- report: compliance
-- section: Evidence
-- schedule: cron(0 7 1 * ? *)
-- chart: source source_objects
WITH received AS (
  SELECT 'cloudtrail' AS source, dt, source_object, ingest_time, event_time
  FROM cloudtrail WHERE dt BETWEEN ? AND ?
  UNION ALL
  SELECT 'cloudtrail_digest', dt, source_object, ingest_time, event_time
  FROM cloudtrail_digest WHERE dt BETWEEN ? AND ?
  UNION ALL
  SELECT 'cloudfront', dt, source_object, ingest_time, event_time
  FROM cloudfront WHERE dt BETWEEN ? AND ?
  UNION ALL
  SELECT 'cloudfront_realtime', dt, source_object, ingest_time, event_time
  FROM cloudfront_realtime WHERE dt BETWEEN ? AND ?
  UNION ALL
  SELECT 'app_events', dt, source_object, ingest_time, event_time
  FROM app_events WHERE dt BETWEEN ? AND ?
)
SELECT
  source,
  dt AS day,
  count(DISTINCT source_object) AS source_objects,
  count(*) AS row_count,
  min(ingest_time) AS first_ingest,
  max(ingest_time) AS last_ingest,
  max(date_diff('minute', event_time, ingest_time)) AS max_ingest_delay_minutes
FROM received
GROUP BY source, dt
ORDER BY day, source
