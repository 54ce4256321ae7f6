-- Codes printed on paper (DESIGN §12): single-use tickets (a queue ticket, the discharge
-- papers) and one standing code per point and form for a poster. A ticket is kept only as the
-- SHA-256 of its code, and redeemed once through `phone_redemptions` ('ticket/<hash>'); a
-- poster's code is public (it hangs on a wall), so it is kept as printed, to print again.
CREATE TABLE IF NOT EXISTS printed_codes (
    code_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('ticket', 'poster')),
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    point TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    valid_until TEXT,
    retired_at TEXT,
    code TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS printed_codes_one_poster ON printed_codes (facility_id, point, questionnaire_id)
    WHERE kind = 'poster' AND retired_at IS NULL;
