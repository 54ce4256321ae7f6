-- The public page's snapshots (centre::published): what a facility's period showed the public
-- when last taken — at most once a day, figures to the end of the day before, final once the
-- period has closed — and which department cells were withheld, so they stay withheld.
CREATE TABLE IF NOT EXISTS public_snapshots (
    facility TEXT NOT NULL,
    period TEXT NOT NULL,
    taken_on TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (facility, period)
);
