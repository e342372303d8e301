-- name: Completeness per source and day
-- description: Days of the period on which a log source has no data at all (missing) or data in fewer than 24
--   hours (partial), with the first and last hour that has data. Quiet sites and apps have idle hours, so a
--   partial day is evidence to review, not proof of loss; a missing day for a busy source is.
-- tables: cloudtrail, cloudtrail_digest, cloudfront, cloudfront_realtime, app_events
-- params: from, to, from, to, from, to, from, to, from, to, from, to
-- severity: medium
-- report: compliance
-- section: Completeness
-- schedule: cron(0 7 1 * ? *)
-- chart: source missing_hours
WITH days AS (
  SELECT CAST(d AS varchar) AS day
  FROM UNNEST(sequence(CAST(? AS date), CAST(? AS date))) AS t (d)
),
sources AS (
  SELECT source
  FROM (
    VALUES ('cloudtrail'), ('cloudtrail_digest'), ('cloudfront'), ('cloudfront_realtime'), ('app_events')
  ) AS s (source)
),
present AS (
  SELECT 'cloudtrail' AS source, dt, count(*) AS row_count, count(DISTINCT hour) AS hours, min(hour) AS first_hour,
    max(hour) AS last_hour
  FROM cloudtrail WHERE dt BETWEEN ? AND ? GROUP BY dt
  UNION ALL
  SELECT 'cloudtrail_digest', dt, count(*), count(DISTINCT hour), min(hour), max(hour)
  FROM cloudtrail_digest WHERE dt BETWEEN ? AND ? GROUP BY dt
  UNION ALL
  SELECT 'cloudfront', dt, count(*), count(DISTINCT hour), min(hour), max(hour)
  FROM cloudfront WHERE dt BETWEEN ? AND ? GROUP BY dt
  UNION ALL
  SELECT 'cloudfront_realtime', dt, count(*), count(DISTINCT hour), min(hour), max(hour)
  FROM cloudfront_realtime WHERE dt BETWEEN ? AND ? GROUP BY dt
  UNION ALL
  SELECT 'app_events', dt, count(*), count(DISTINCT hour), min(hour), max(hour)
  FROM app_events WHERE dt BETWEEN ? AND ? GROUP BY dt
)
SELECT
  s.source,
  d.day,
  CASE WHEN p.hours IS NULL THEN 'missing' ELSE 'partial' END AS status,
  coalesce(p.row_count, 0) AS row_count,
  coalesce(p.hours, 0) AS hours_with_data,
  24 - coalesce(p.hours, 0) AS missing_hours,
  p.first_hour,
  p.last_hour
FROM sources s
CROSS JOIN days d
LEFT JOIN present p ON p.source = s.source AND p.dt = d.day
WHERE coalesce(p.hours, 0) < 24
ORDER BY d.day, s.source
