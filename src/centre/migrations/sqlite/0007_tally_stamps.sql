-- The version of each facility-month's tallies, drawn afresh at random in the transaction that
-- changes any of them (the kiosks' daily and monthly rows and the roll-up alike): a server
-- process that keeps figures in memory (centre::cache) uses them while their month's version
-- stands. Random rather than counted, so a database restored from a backup under a running
-- server never comes back to a version that server has seen with other figures.
CREATE TABLE IF NOT EXISTS tally_stamps (
    month TEXT NOT NULL,
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    version INTEGER NOT NULL,
    PRIMARY KEY (month, facility_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO tally_stamps (month, facility_id, version)
    SELECT local_day, facility_id, random() FROM (SELECT DISTINCT local_day, facility_id FROM tallies_facility);
