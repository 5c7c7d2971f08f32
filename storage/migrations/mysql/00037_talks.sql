-- +goose Up
-- Talks of leaders with staff (谈心).
CREATE TABLE talks (
    id           BIGINT      NOT NULL AUTO_INCREMENT,
    school_id    BIGINT      NOT NULL,
    leader_id    BIGINT      NOT NULL,
    teacher_id   BIGINT      NULL,
    teacher_name VARCHAR(64) NOT NULL,
    day          DATE        NOT NULL,
    notes        TEXT        NOT NULL,
    created_at   DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY ix_talks_school_day (school_id, day),
    KEY ix_talks_leader_day (leader_id, day),
    CONSTRAINT fk_talks_school FOREIGN KEY (school_id) REFERENCES org_units (id),
    CONSTRAINT fk_talks_leader FOREIGN KEY (leader_id) REFERENCES people (id),
    CONSTRAINT fk_talks_teacher FOREIGN KEY (teacher_id) REFERENCES people (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE talks;
