-- +goose Up
-- Study check-ins (学习打卡): minutes studied and characters of notes on
-- one day (YYYY-MM-DD in the school's time zone, so that days compare as
-- text). Totals per school and period read ix_study_checkins_school_day.
CREATE TABLE study_checkins (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id  INTEGER  NOT NULL REFERENCES people (id),
    school_id  INTEGER  NOT NULL REFERENCES org_units (id),
    day        TEXT     NOT NULL,
    minutes    INTEGER  NOT NULL,
    chars      INTEGER  NOT NULL,
    title      TEXT     NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_study_checkins_school_day ON study_checkins (school_id, day, person_id);
CREATE INDEX ix_study_checkins_person_day ON study_checkins (person_id, day);

-- +goose Down
DROP TABLE study_checkins;
