-- How each response came and where (DESIGN §12). The columns `channel` and `point` of responses
-- are added by the migration's column step (SQLite has no ADD COLUMN IF NOT EXISTS): `channel`
-- defaults to 'kiosk', the only channel before this; `point` is left empty for those responses,
-- which never named one. Both are copied from the chained body on ingest.
CREATE INDEX IF NOT EXISTS responses_by_channel ON responses (facility_id, channel, local_day);
-- The tallies are kept per channel and point as well, so every figure can be filtered by them:
-- the three tables are made afresh and recomputed from the stored responses.
DROP TABLE IF EXISTS tallies;
DROP TABLE IF EXISTS tallies_month;
DROP TABLE IF EXISTS tallies_facility;
CREATE TABLE tallies (
    local_day TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    department TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    questionnaire_version INTEGER NOT NULL,
    rapid_repeat INTEGER NOT NULL,
    channel TEXT NOT NULL,
    point TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (local_day, kiosk_id, department, questionnaire_id, questionnaire_version, rapid_repeat, channel, point)
) WITHOUT ROWID;
CREATE TABLE tallies_month (
    local_day TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    department TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    questionnaire_version INTEGER NOT NULL,
    rapid_repeat INTEGER NOT NULL,
    channel TEXT NOT NULL,
    point TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (local_day, kiosk_id, department, questionnaire_id, questionnaire_version, rapid_repeat, channel, point)
) WITHOUT ROWID;
CREATE TABLE tallies_facility (
    local_day TEXT NOT NULL,
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    department TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    questionnaire_version INTEGER NOT NULL,
    rapid_repeat INTEGER NOT NULL,
    channel TEXT NOT NULL,
    point TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (local_day, facility_id, department, questionnaire_id, questionnaire_version, rapid_repeat, channel, point)
) WITHOUT ROWID;
CREATE INDEX tallies_facility_by_facility ON tallies_facility (facility_id, local_day);
CREATE INDEX tallies_month_by_facility ON tallies_month (facility_id, local_day);
CREATE INDEX tallies_by_facility ON tallies (facility_id, local_day);
