-- +goose Up
-- Home visits (家访). class_id and student_id are NULL for a class or a
-- student the roster does not know (flagged for the admin).
CREATE TABLE visits (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    school_id  BIGINT       NOT NULL,
    teacher_id BIGINT       NOT NULL,
    class_id   BIGINT       NULL,
    student_id BIGINT       NULL,
    class_name VARCHAR(64)  NOT NULL,
    student    VARCHAR(64)  NOT NULL,
    day        DATE         NOT NULL,
    mode       VARCHAR(16)  NOT NULL,
    notes      TEXT         NOT NULL,
    follow_up  BOOLEAN      NOT NULL,
    flagged    BOOLEAN      NOT NULL,
    opinion_id BIGINT       NULL,
    created_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_visits_school_day (school_id, day),
    KEY ix_visits_teacher_day (teacher_id, day),
    CONSTRAINT fk_visits_school FOREIGN KEY (school_id) REFERENCES org_units (id),
    CONSTRAINT fk_visits_teacher FOREIGN KEY (teacher_id) REFERENCES people (id),
    CONSTRAINT fk_visits_class FOREIGN KEY (class_id) REFERENCES org_units (id),
    CONSTRAINT fk_visits_student FOREIGN KEY (student_id) REFERENCES students (id),
    CONSTRAINT fk_visits_opinion FOREIGN KEY (opinion_id) REFERENCES opinions (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE visits;
