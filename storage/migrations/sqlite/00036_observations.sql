-- +goose Up
-- Lessons observed by leaders (推门听课). campus_id is the branch school
-- (完小), NULL for the school itself; teacher_id is NULL when the name did
-- not resolve to one person.
CREATE TABLE observations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id    INTEGER  NOT NULL REFERENCES org_units (id),
    observer_id  INTEGER  NOT NULL REFERENCES people (id),
    campus_id    INTEGER  NULL REFERENCES org_units (id),
    class_id     INTEGER  NULL REFERENCES org_units (id),
    class_name   TEXT     NOT NULL,
    subject      TEXT     NOT NULL,
    teacher_id   INTEGER  NULL REFERENCES people (id),
    teacher_name TEXT     NOT NULL,
    day          DATE     NOT NULL,
    notes        TEXT     NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE INDEX ix_observations_school_day ON observations (school_id, day);
CREATE INDEX ix_observations_observer_day ON observations (observer_id, day);

-- +goose Down
DROP TABLE observations;
