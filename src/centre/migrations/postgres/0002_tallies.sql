CREATE TABLE tallies (
    local_day DATE NOT NULL,
    kiosk_id TEXT NOT NULL,
    facility_id BIGINT NOT NULL REFERENCES facilities(id),
    department TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    questionnaire_version INT NOT NULL,
    rapid_repeat BOOLEAN NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (local_day, kiosk_id, department, questionnaire_id, questionnaire_version, rapid_repeat)
);
CREATE TABLE tallies_month (LIKE tallies INCLUDING ALL);
ALTER TABLE tallies_month ADD FOREIGN KEY (facility_id) REFERENCES facilities(id);
