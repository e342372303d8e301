-- name: Retention coverage per source
-- description: What the lake holds for the period per table: days with data out of the days in the period,
--   oldest and newest event, rows and source objects. Evidence that the period's logs are still retained.
-- tables: cloudtrail, cloudtrail_digest, cloudfront, cloudfront_realtime, app_events, quarantine
-- params: from, to, from, to, from, to, from, to, from, to, from, to, from, to
-- severity: info
-- report: compliance
-- section: Evidence
-- schedule: cron(0 7 1 * ? *)
-- chart: source days_with_data
WITH held AS (
  SELECT 'cloudtrail' AS source, count(DISTINCT dt) AS days_with_data, count(*) AS row_count,
    count(DISTINCT source_object) AS source_objects, min(event_time) AS oldest_event, max(event_time) AS newest_event
  FROM cloudtrail WHERE dt BETWEEN ? AND ?
  UNION ALL
  SELECT 'cloudtrail_digest', count(DISTINCT dt), count(*), count(DISTINCT source_object), min(event_time),
    max(event_time)
  FROM cloudtrail_digest WHERE dt BETWEEN ? AND ?
  UNION ALL
  SELECT 'cloudfront', count(DISTINCT dt), count(*), count(DISTINCT source_object), min(event_time), max(event_time)
  FROM cloudfront WHERE dt BETWEEN ? AND ?
  UNION ALL
  SELECT 'cloudfront_realtime', count(DISTINCT dt), count(*), count(DISTINCT source_object), min(event_time),
    max(event_time)
  FROM cloudfront_realtime WHERE dt BETWEEN ? AND ?
  UNION ALL
  SELECT 'app_events', count(DISTINCT dt), count(*), count(DISTINCT source_object), min(event_time), max(event_time)
  FROM app_events WHERE dt BETWEEN ? AND ?
  UNION ALL
  SELECT 'quarantine', count(DISTINCT dt), count(*), count(DISTINCT source_object), min(event_time), max(event_time)
  FROM quarantine WHERE dt BETWEEN ? AND ?
)
SELECT
  source,
  days_with_data,
  date_diff('day', CAST(? AS date), CAST(? AS date)) + 1 AS days_in_period,
  row_count,
  source_objects,
  oldest_event,
  newest_event
FROM held
ORDER BY source
