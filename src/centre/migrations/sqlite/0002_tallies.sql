CREATE TABLE tallies (
    local_day TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    department TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    questionnaire_version INTEGER NOT NULL,
    rapid_repeat INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (local_day, kiosk_id, department, questionnaire_id, questionnaire_version, rapid_repeat)
) WITHOUT ROWID;
CREATE TABLE tallies_month (
    local_day TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    department TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    questionnaire_version INTEGER NOT NULL,
    rapid_repeat INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (local_day, kiosk_id, department, questionnaire_id, questionnaire_version, rapid_repeat)
) WITHOUT ROWID;
