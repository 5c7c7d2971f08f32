-- +goose Up
CREATE TABLE students (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id  INTEGER  NOT NULL REFERENCES org_units (id),
    class_id   INTEGER  NOT NULL REFERENCES org_units (id),
    name       TEXT     NOT NULL,
    student_no TEXT     NOT NULL DEFAULT '',
    active     BOOLEAN  NOT NULL DEFAULT TRUE,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX ix_students_class ON students (class_id);
CREATE INDEX ix_students_school_name ON students (school_id, name);

-- +goose Down
DROP TABLE students;
