-- 対象月の見る操作と、その説明
-- 問い: 対象月の閲覧・ダウンロードのそれぞれに、診療の関係を示す記録があるか。
--       利用者 u（施設 F）の患者 p の閲覧は、次のどれかで説明がつく:
--       recorded  F が p をそれより前に登録・更新していた;
--       own_data  F 自身が開示した情報だった;
--       verdict   (u, p) が正当と判定されている;
--       colleague F の別の利用者が、前 before_days 日〜後 after_days 日に p について説明の
--                 つく操作をしていた（説明のない同僚の閲覧どうしは説明にならない）;
--       repeat    u が p をそれより前に説明のつく形で閲覧していた（登録・自施設の情報・
--                 判定で説明のつく閲覧はいつのものでも、同僚で説明のつく閲覧は対象月と
--                 その前 before_days 日のもの）。
--       ほとんどの閲覧は recorded か own_data で説明がつくので、残りだけについて、その施設と
--       患者の前後の操作を読む（ストア全体の履歴は読まない）。
--       登録の行が1件もないシステムのログでは、同僚の操作は説明がなくても説明とみなす
--       （fallback が true）。
-- param: month MONTH 対象月（月初日）
-- param: before_days INTEGER 同僚の操作を見る日数（前）
-- param: after_days INTEGER 同僚の操作を見る日数（後）
CREATE OR REPLACE TEMP TABLE review_looks AS
WITH month_looks AS (
    SELECT occurred_at, system, user_key, facility_id, patient_key, disclosing_facility_id, data_type, action
    FROM access_events
    WHERE in_month(occurred_at, $month) AND is_look(action) AND user_key IS NOT NULL AND patient_key IS NOT NULL
),
recording_systems AS (
    SELECT DISTINCT system FROM access_events WHERE is_record(action)
),
-- The patients looked at this month, and when each facility first recorded each of them.
month_patients AS (
    SELECT DISTINCT patient_key FROM month_looks
),
registered AS (
    SELECT e.facility_id, e.patient_key, min(e.occurred_at) AS first_at
    FROM access_events AS e
    SEMI JOIN month_patients AS p ON p.patient_key = e.patient_key
    WHERE is_record(e.action) AND e.occurred_at < days_after(month_stop($month), $after_days)
    GROUP BY ALL
),
judged AS (
    SELECT DISTINCT user_key, patient_key FROM review_explanations
),
-- Any event of these patients, explained by itself or not.
direct AS (
    SELECT
        e.*,
        CASE
            WHEN is_record(e.action) OR coalesce(r.first_at <= e.occurred_at, false) THEN 'recorded'
            WHEN coalesce(e.disclosing_facility_id = e.facility_id, false) THEN 'own_data'
            WHEN j.user_key IS NOT NULL THEN 'verdict'
        END AS direct_by,
        e.system NOT IN (SELECT system FROM recording_systems) AS fallback
    FROM month_looks AS e
    LEFT JOIN registered AS r USING (facility_id, patient_key)
    LEFT JOIN judged AS j ON j.user_key = e.user_key AND j.patient_key = e.patient_key
),
needs AS (
    SELECT DISTINCT occurred_at, user_key, facility_id, patient_key, fallback FROM direct WHERE direct_by IS NULL
),
need_pairs AS (
    SELECT DISTINCT facility_id, patient_key FROM needs
),
-- The events of the facility and patient of a look that needs more, around the month.
around AS (
    SELECT
        e.occurred_at, e.user_key, e.facility_id, e.patient_key,
        is_record(e.action) OR coalesce(r.first_at <= e.occurred_at, false)
            OR coalesce(e.disclosing_facility_id = e.facility_id, false) OR j.user_key IS NOT NULL AS explained
    FROM access_events AS e
    SEMI JOIN need_pairs AS n ON n.facility_id = e.facility_id AND n.patient_key = e.patient_key
    LEFT JOIN registered AS r ON r.facility_id = e.facility_id AND r.patient_key = e.patient_key
    LEFT JOIN judged AS j ON j.user_key = e.user_key AND j.patient_key = e.patient_key
    WHERE e.occurred_at >= days_after(CAST($month AS DATE), -$before_days)
      AND e.occurred_at < days_after(month_stop($month), $after_days)
),
by_colleague AS (
    SELECT DISTINCT n.occurred_at, n.user_key, n.facility_id, n.patient_key
    FROM needs AS n
    JOIN around AS c
      ON c.facility_id = n.facility_id AND c.patient_key = n.patient_key
     AND c.user_key IS DISTINCT FROM n.user_key
     AND c.occurred_at BETWEEN days_after(n.occurred_at, -$before_days) AND days_after(n.occurred_at, $after_days)
    WHERE c.explained OR n.fallback
),
-- The first explained look of each user and patient that still needs one: any later look
-- of the pair is a repeat.
need_users AS (
    SELECT DISTINCT user_key, patient_key FROM needs
),
earlier AS (
    SELECT e.user_key, e.patient_key, e.occurred_at
    FROM access_events AS e
    SEMI JOIN need_users AS u ON u.user_key = e.user_key AND u.patient_key = e.patient_key
    LEFT JOIN judged AS j ON j.user_key = e.user_key AND j.patient_key = e.patient_key
    WHERE is_look(e.action) AND e.occurred_at < month_stop($month)
      AND (coalesce(e.disclosing_facility_id = e.facility_id, false) OR j.user_key IS NOT NULL
           OR EXISTS (SELECT 1 FROM access_events AS r
                      WHERE r.facility_id = e.facility_id AND r.patient_key = e.patient_key
                        AND is_record(r.action) AND r.occurred_at <= e.occurred_at))
    UNION ALL
    SELECT c.user_key, c.patient_key, c.occurred_at FROM around AS c
    SEMI JOIN need_users AS u ON u.user_key = c.user_key AND u.patient_key = c.patient_key
    WHERE c.explained
    UNION ALL
    SELECT user_key, patient_key, occurred_at FROM by_colleague
),
first_explained AS (
    SELECT user_key, patient_key, min(occurred_at) AS first_at FROM earlier GROUP BY ALL
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
LEFT JOIN first_explained AS f ON f.user_key = d.user_key AND f.patient_key = d.patient_key;
