-- 対象月の見る操作と、その説明
-- 問い: 対象月の閲覧・ダウンロードのそれぞれに、診療の関係を示す記録があるか。
--       利用者 u（施設 F）の患者 p の閲覧は、次のどれかで説明がつく:
--       recorded  F が p をそれより前に登録・更新していた;
--       own_data  F 自身が開示した情報だった;
--       verdict   (u, p) が正当と判定されている;
--       colleague F の別の利用者が、前 before_days 日〜後 after_days 日に p について説明の
--                 つく操作をしていた（説明のない同僚の閲覧どうしは説明にならない）;
--       repeat    u が p をそれより前に説明のつく形で閲覧していた。
--       登録の行が1件もないシステムのログでは、同僚の操作は説明がなくても説明とみなす
--       （fallback が true）。
-- param: month MONTH 対象月（月初日）
-- param: before_days INTEGER 同僚の操作を見る日数（前）
-- param: after_days INTEGER 同僚の操作を見る日数（後）
CREATE OR REPLACE TEMP TABLE review_looks AS
WITH month_pairs AS (
    SELECT DISTINCT facility_id, patient_key
    FROM access_events
    WHERE in_month(occurred_at, $month) AND is_look(action) AND user_key IS NOT NULL AND patient_key IS NOT NULL
),
history AS (
    SELECT e.occurred_at, e.system, e.user_key, e.facility_id, e.patient_key, e.disclosing_facility_id,
        e.data_type, e.action
    FROM access_events AS e
    SEMI JOIN month_pairs AS p ON e.facility_id = p.facility_id AND e.patient_key = p.patient_key
    WHERE e.occurred_at < days_after(month_stop($month), $after_days)
),
registered AS (
    SELECT facility_id, patient_key, min(occurred_at) AS first_at
    FROM history
    WHERE is_record(action)
    GROUP BY ALL
),
recording_systems AS (
    SELECT DISTINCT system FROM access_events WHERE is_record(action)
),
judged AS (
    SELECT DISTINCT user_key, patient_key FROM review_explanations
),
direct AS (
    SELECT
        h.*,
        CASE
            WHEN is_record(h.action) OR coalesce(r.first_at <= h.occurred_at, false) THEN 'recorded'
            WHEN coalesce(h.disclosing_facility_id = h.facility_id, false) THEN 'own_data'
            WHEN j.user_key IS NOT NULL THEN 'verdict'
        END AS direct_by,
        h.system NOT IN (SELECT system FROM recording_systems) AS fallback
    FROM history AS h
    LEFT JOIN registered AS r USING (facility_id, patient_key)
    LEFT JOIN judged AS j ON j.user_key = h.user_key AND j.patient_key = h.patient_key
),
-- Only looks without a direct explanation need the colleague and repeat rules: most have one.
needs AS (
    SELECT DISTINCT occurred_at, user_key, facility_id, patient_key, fallback
    FROM direct
    WHERE is_look(action) AND user_key IS NOT NULL AND direct_by IS NULL
),
by_colleague AS (
    SELECT DISTINCT n.occurred_at, n.user_key, n.facility_id, n.patient_key
    FROM needs AS n
    JOIN direct AS c
      ON c.facility_id = n.facility_id AND c.patient_key = n.patient_key
     AND c.user_key IS DISTINCT FROM n.user_key
     AND c.occurred_at BETWEEN days_after(n.occurred_at, -$before_days) AND days_after(n.occurred_at, $after_days)
    WHERE c.direct_by IS NOT NULL OR n.fallback
),
-- The first explained look of each user and patient: any later look of the pair is a repeat.
first_explained AS (
    SELECT user_key, patient_key, min(occurred_at) AS first_at
    FROM (
        SELECT user_key, patient_key, occurred_at FROM direct
        WHERE is_look(action) AND user_key IS NOT NULL AND direct_by IS NOT NULL
        UNION ALL
        SELECT user_key, patient_key, occurred_at FROM by_colleague
    )
    GROUP BY ALL
)
SELECT d.occurred_at, d.system, d.user_key, d.facility_id, d.patient_key, d.disclosing_facility_id, d.data_type,
    d.action,
    coalesce(
        d.direct_by,
        CASE WHEN b.user_key IS NOT NULL THEN 'colleague' END,
        CASE WHEN f.first_at < d.occurred_at THEN 'repeat' END
    ) AS explained_by,
    d.fallback
FROM direct AS d
LEFT JOIN by_colleague AS b
  ON b.occurred_at = d.occurred_at AND b.user_key = d.user_key AND b.facility_id = d.facility_id
 AND b.patient_key = d.patient_key
LEFT JOIN first_explained AS f ON f.user_key = d.user_key AND f.patient_key = d.patient_key
WHERE in_month(d.occurred_at, $month) AND is_look(d.action) AND d.user_key IS NOT NULL;
