-- The facility roll-up of the monthly tallies: what all of a facility's kiosks added in a
-- month, per key, for the figures that add up whole facilities (the overview, the public page,
-- the quarterly report). Rebuilt from tallies_month (see FACILITY_TALLIES_MIGRATION).
CREATE TABLE IF NOT EXISTS tallies_facility (
    local_day DATE NOT NULL,
    facility_id BIGINT NOT NULL REFERENCES facilities(id),
    department TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    questionnaire_version INT NOT NULL,
    rapid_repeat BOOLEAN NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (local_day, facility_id, department, questionnaire_id, questionnaire_version, rapid_repeat)
);
-- One facility's rows without reading every facility's (its page, public page, report).
CREATE INDEX IF NOT EXISTS tallies_facility_by_facility ON tallies_facility (facility_id, local_day);
CREATE INDEX IF NOT EXISTS tallies_month_by_facility ON tallies_month (facility_id, local_day);
CREATE INDEX IF NOT EXISTS tallies_by_facility ON tallies (facility_id, local_day);
CREATE INDEX IF NOT EXISTS responses_by_facility ON responses (facility_id, local_day);
