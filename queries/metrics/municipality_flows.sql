-- 市町から開示施設への閲覧
-- 問い: その年度、各市町の施設は、どの開示施設（病院）の情報を何件閲覧したか。
-- param: fiscal_year FISCAL_YEAR 年度（4月が属する西暦年）
-- col: municipality 閲覧した施設の所在市町（市町の表にないものは「その他」）
-- col: disclosing_facility 開示施設（記録にないものは「（開示施設不明）」、行の合計が市町の閲覧件数になる）
-- col: views 閲覧件数（件）
SELECT coalesce(m.name, 'その他') AS municipality, coalesce(d.name, '（開示施設不明）') AS disclosing_facility,
       count(*) AS views
FROM view_events AS e
JOIN facilities AS f ON f.facility_id = e.facility_id
LEFT JOIN municipalities AS m ON m.name = f.municipality
LEFT JOIN facilities AS d ON d.facility_id = e.disclosing_facility_id
WHERE in_fiscal_year(e.occurred_at, $fiscal_year)
GROUP BY ALL
ORDER BY municipality, disclosing_facility;
