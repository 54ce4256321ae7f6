-- Chains the centre keeps itself (DESIGN §12): the responses it takes (phone, ticket, poster)
-- are chained per facility, channel and point, each chain a row of `kiosks` whose
-- `chain_channel` and `chain_point` say which (both empty for a kiosk's enrolment).
ALTER TABLE kiosks ADD COLUMN IF NOT EXISTS chain_channel TEXT,
    ADD COLUMN IF NOT EXISTS chain_point TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS kiosks_centre_chain ON kiosks (facility_id, chain_channel, chain_point)
    WHERE chain_channel IS NOT NULL;
-- Each single-use code redeemed (a kiosk's rotating code, a ticket), kept until it could no
-- longer be presented: a second redemption, through any process, finds it here.
CREATE TABLE IF NOT EXISTS phone_redemptions (code TEXT PRIMARY KEY, until TIMESTAMPTZ NOT NULL);
-- Answer sessions on patients' phones: the answers so far stay here, never in a URL, until the
-- last section is sent (or the session runs out, and what was answered is kept as partial).
-- `device` is SHA-256(the browser's random id ‖ the month's salt), nothing else of the phone.
CREATE TABLE IF NOT EXISTS phone_sessions (
    token_hash TEXT PRIMARY KEY,
    chain TEXT NOT NULL REFERENCES kiosks(id),
    facility_id BIGINT NOT NULL REFERENCES facilities(id),
    questionnaire_id TEXT NOT NULL,
    questionnaire_version INT NOT NULL,
    channel TEXT NOT NULL,
    point TEXT NOT NULL,
    response_id TEXT NOT NULL UNIQUE,
    device TEXT,
    started_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    section INT NOT NULL DEFAULT 0,
    answers TEXT NOT NULL DEFAULT '{}',
    answered_at TIMESTAMPTZ,
    stored_at TIMESTAMPTZ,
    complete BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS phone_sessions_open ON phone_sessions (expires_at) WHERE stored_at IS NULL;
CREATE INDEX IF NOT EXISTS phone_sessions_by_device ON phone_sessions (device, facility_id, stored_at);
-- The month's salt of the device hashes: a month later the hashes can no longer be linked.
CREATE TABLE IF NOT EXISTS phone_salts (month TEXT PRIMARY KEY, salt TEXT NOT NULL);
