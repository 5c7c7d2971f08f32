-- +goose Up
-- Per-person study preferences: reminders paused (暂停提醒).
CREATE TABLE study_prefs (
    person_id        INTEGER  NOT NULL PRIMARY KEY REFERENCES people (id),
    school_id        INTEGER  NOT NULL REFERENCES org_units (id),
    reminders_paused INTEGER  NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE INDEX ix_study_prefs_school ON study_prefs (school_id);

-- +goose Down
DROP TABLE study_prefs;
