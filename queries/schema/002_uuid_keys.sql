-- Pseudonyms as UUID: the 128 bits kept of each HMAC-SHA256 in 16 fixed bytes instead of
-- 32 hex characters. The same bits (the hex text casts to the UUID of the same value), half
-- the size on disk, and the bulk load no longer treats them as strings.
ALTER TABLE access_events ALTER user_key TYPE UUID USING user_key::UUID;
ALTER TABLE access_events ALTER patient_key TYPE UUID USING patient_key::UUID;
COMMENT ON COLUMN access_events.user_key IS '利用者の仮名（HMAC-SHA256 の先頭128ビット、UUID 表記）';
COMMENT ON COLUMN access_events.patient_key IS '患者の仮名（HMAC-SHA256 の先頭128ビット、UUID 表記）';
