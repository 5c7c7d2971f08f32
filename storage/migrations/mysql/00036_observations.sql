-- +goose Up
-- Lessons observed by leaders (推门听课). campus_id is the branch school
-- (完小), NULL for the school itself; teacher_id is NULL when the name did
-- not resolve to one person.
CREATE TABLE observations (
    id           BIGINT      NOT NULL AUTO_INCREMENT,
    school_id    BIGINT      NOT NULL,
    observer_id  BIGINT      NOT NULL,
    campus_id    BIGINT      NULL,
    class_id     BIGINT      NULL,
    class_name   VARCHAR(64) NOT NULL,
    subject      VARCHAR(32) NOT NULL,
    teacher_id   BIGINT      NULL,
    teacher_name VARCHAR(64) NOT NULL,
    day          DATE        NOT NULL,
    notes        TEXT        NOT NULL,
    created_at   DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY ix_observations_school_day (school_id, day),
    KEY ix_observations_observer_day (observer_id, day),
    CONSTRAINT fk_observations_school FOREIGN KEY (school_id) REFERENCES org_units (id),
    CONSTRAINT fk_observations_observer FOREIGN KEY (observer_id) REFERENCES people (id),
    CONSTRAINT fk_observations_campus FOREIGN KEY (campus_id) REFERENCES org_units (id),
    CONSTRAINT fk_observations_class FOREIGN KEY (class_id) REFERENCES org_units (id),
    CONSTRAINT fk_observations_teacher FOREIGN KEY (teacher_id) REFERENCES people (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE observations;
