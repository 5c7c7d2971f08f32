-- +goose Up
-- Talks of leaders with staff (谈心).
CREATE TABLE talks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id    INTEGER  NOT NULL REFERENCES org_units (id),
    leader_id    INTEGER  NOT NULL REFERENCES people (id),
    teacher_id   INTEGER  NULL REFERENCES people (id),
    teacher_name TEXT     NOT NULL,
    day          DATE     NOT NULL,
    notes        TEXT     NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE INDEX ix_talks_school_day ON talks (school_id, day);
CREATE INDEX ix_talks_leader_day ON talks (leader_id, day);

-- +goose Down
DROP TABLE talks;
