-- +goose Up
-- Excused school weeks (请假): the weekly study target does not count.
CREATE TABLE study_excuses (
    person_id  INTEGER  NOT NULL REFERENCES people (id),
    school_id  INTEGER  NOT NULL REFERENCES org_units (id),
    week       TEXT     NOT NULL,
    source     TEXT     NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (person_id, week)
);
CREATE INDEX ix_study_excuses_school_week ON study_excuses (school_id, week);

-- +goose Down
DROP TABLE study_excuses;
