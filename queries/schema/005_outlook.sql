-- renkei schema, version 5: the outlook's collapse alerts (見通し). A month whose use fell
-- far below its forecast (a server or link down, a facility that stopped) is recorded once,
-- when first seen, so the admin is told once, and every later fit keeps it out as a known
-- outage. Counts only; no pseudonym.

CREATE TABLE collapse_alerts (
    series_key VARCHAR NOT NULL,
    label VARCHAR NOT NULL,
    month DATE NOT NULL,
    observed BIGINT NOT NULL,
    expected DOUBLE NOT NULL,
    covered_share DOUBLE NOT NULL,
    noticed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (series_key, month)
);
COMMENT ON TABLE collapse_alerts IS '急減の記録（予測を大きく下回った月。管理者への通知は1回、以後の予測ではこの月を除く）';
COMMENT ON COLUMN collapse_alerts.series_key IS '系列（network:views、hospital:施設番号:image_views など）';
COMMENT ON COLUMN collapse_alerts.label IS 'ネットワーク全体、または病院名';
COMMENT ON COLUMN collapse_alerts.month IS '月（月初日）';
COMMENT ON COLUMN collapse_alerts.observed IS '届いた件数（件）';
COMMENT ON COLUMN collapse_alerts.expected IS '予測が見込んだ件数（届いている日数分、件）';
COMMENT ON COLUMN collapse_alerts.covered_share IS 'その月のうちログの届いていた割合（0〜1）';
COMMENT ON COLUMN collapse_alerts.noticed_at IS '見つけた日時（日本時間）';
