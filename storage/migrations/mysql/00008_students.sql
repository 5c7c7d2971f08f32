-- +goose Up
CREATE TABLE students (
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    school_id  BIGINT      NOT NULL,
    class_id   BIGINT      NOT NULL,
    name       VARCHAR(64) NOT NULL,
    student_no VARCHAR(32) NOT NULL DEFAULT '',
    active     BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY ix_students_class (class_id),
    KEY ix_students_school_name (school_id, name),
    CONSTRAINT fk_students_school FOREIGN KEY (school_id) REFERENCES org_units (id),
    CONSTRAINT fk_students_class FOREIGN KEY (class_id) REFERENCES org_units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE students;
