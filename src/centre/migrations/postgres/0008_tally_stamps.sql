-- The version of each facility-month's tallies, drawn afresh at random in the transaction that
-- changes any of them (the kiosks' daily and monthly rows and the roll-up alike): every server
-- process that keeps figures in memory (centre::cache) uses them while their month's version
-- stands. Random rather than counted, so a database restored from a backup under running
-- servers never comes back to a version they have seen with other figures.
CREATE TABLE IF NOT EXISTS tally_stamps (
    month DATE NOT NULL,
    facility_id BIGINT NOT NULL REFERENCES facilities(id),
    version BIGINT NOT NULL,
    PRIMARY KEY (month, facility_id)
);
INSERT INTO tally_stamps (month, facility_id, version)
    SELECT local_day, facility_id, (random() * 9007199254740991)::bigint
    FROM (SELECT DISTINCT local_day, facility_id FROM tallies_facility) AS d
    ON CONFLICT DO NOTHING;
