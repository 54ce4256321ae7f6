-- The login throttle (centre::accounts::throttle): one row per key — an account at an address,
-- or an address — keyed by a hash, never by the name or address typed; rows a day old go, and
-- never more than 50,000 are kept. It replaces a table that kept every failed try, raw name
-- included.
DROP TABLE IF EXISTS login_failures;
CREATE TABLE IF NOT EXISTS login_throttle (
    key TEXT PRIMARY KEY,
    account TEXT,
    address TEXT NOT NULL,
    failures INT NOT NULL,
    since TIMESTAMPTZ NOT NULL,
    last TIMESTAMPTZ NOT NULL,
    blocked_until TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS login_throttle_by_last ON login_throttle (last);
CREATE INDEX IF NOT EXISTS login_throttle_by_account ON login_throttle (account);
CREATE INDEX IF NOT EXISTS login_throttle_by_address ON login_throttle (address);
