-- name: Quarantine summary by reason
-- description: Records that could not be parsed, per source and reason, with how many source objects they came
--   from and one example message. Quarantined records are kept raw in the quarantine table, so none is lost;
--   a rising count means a format change or a broken producer.
-- tables: quarantine
-- params: from, to
-- severity: low
-- report: compliance
-- section: Quarantine
-- schedule: cron(0 7 1 * ? *)
-- chart: reason records
SELECT
  source_kind,
  reason,
  count(*) AS records,
  count(DISTINCT source_object) AS source_objects,
  sum(CASE WHEN raw_truncated THEN 1 ELSE 0 END) AS truncated_records,
  min(message) AS example_message,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen
FROM quarantine
WHERE dt BETWEEN ? AND ?
GROUP BY source_kind, reason
ORDER BY records DESC, source_kind, reason
