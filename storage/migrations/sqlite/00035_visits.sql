-- +goose Up
-- Home visits (家访). class_id and student_id are NULL for a class or a
-- student the roster does not know (flagged for the admin).
CREATE TABLE visits (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id  INTEGER  NOT NULL REFERENCES org_units (id),
    teacher_id INTEGER  NOT NULL REFERENCES people (id),
    class_id   INTEGER  NULL REFERENCES org_units (id),
    student_id INTEGER  NULL REFERENCES students (id),
    class_name TEXT     NOT NULL,
    student    TEXT     NOT NULL,
    day        DATE     NOT NULL,
    mode       TEXT     NOT NULL,
    notes      TEXT     NOT NULL,
    follow_up  BOOLEAN  NOT NULL,
    flagged    BOOLEAN  NOT NULL,
    opinion_id INTEGER  NULL REFERENCES opinions (id),
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_visits_school_day ON visits (school_id, day);
CREATE INDEX ix_visits_teacher_day ON visits (teacher_id, day);

-- +goose Down
DROP TABLE visits;
