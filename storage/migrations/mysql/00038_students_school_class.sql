-- +goose Up
-- Coverage counts the active students of a school per class.
CREATE INDEX ix_students_school_class ON students (school_id, class_id);

-- +goose Down
DROP INDEX ix_students_school_class ON students;
