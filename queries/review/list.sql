-- 対象月の事案の一覧
-- 問い: 対象月の事案は、優先度の順にどうなっているか。状態は最新の記録（なければ新規）。
--       患者の仮名は先頭8文字だけを、多い順に5人まで示す。
-- param: month MONTH 対象月（月初日）
-- col: case_id 事案番号
-- col: user_key 利用者の仮名
-- col: facility 利用者の施設
-- col: rules 当たった規則（英字コード、重みの大きい順）
-- col: patients 所見のある患者の数（人）
-- col: events 所見のある操作の数（件）
-- col: priority 優先度
-- col: first_at 最初の所見の日時
-- col: last_at 最後の所見の日時
-- col: state 状態（新規・照会中・回答・判定・完了）
-- col: verdict 判定（まだなければ空）
-- col: patient_keys 患者の仮名（先頭8文字）
WITH shown AS (
    SELECT case_id, string_agg(short, ' ' ORDER BY n DESC, short) AS patient_keys
    FROM (
        SELECT case_id, left(replace(CAST(patient_key AS VARCHAR), '-', ''), 8) AS short, sum(events) AS n,
            row_number() OVER (PARTITION BY case_id ORDER BY sum(events) DESC, left(replace(CAST(patient_key AS VARCHAR), '-', ''), 8)) AS k
        FROM review_findings
        WHERE patient_key IS NOT NULL
        GROUP BY case_id, patient_key
    )
    WHERE k <= 5
    GROUP BY case_id
)
SELECT
    c.case_id,
    CAST(c.user_key AS VARCHAR) AS user_key,
    f.name AS facility,
    c.rules,
    c.patients,
    c.events,
    c.priority,
    c.first_at,
    c.last_at,
    l.state,
    l.verdict,
    s.patient_keys
FROM review_cases AS c
LEFT JOIN facilities AS f USING (facility_id)
JOIN review_case_states AS l USING (case_id)
LEFT JOIN shown AS s USING (case_id)
WHERE c.month = CAST($month AS DATE)
ORDER BY c.priority DESC, c.case_id;
