-- +goose Up
-- Per-person study preferences: reminders paused (暂停提醒).
CREATE TABLE study_prefs (
    person_id        BIGINT      NOT NULL,
    school_id        BIGINT      NOT NULL,
    reminders_paused TINYINT     NOT NULL,
    updated_at       DATETIME(6) NOT NULL,
    PRIMARY KEY (person_id),
    KEY ix_study_prefs_school (school_id),
    CONSTRAINT fk_study_prefs_person FOREIGN KEY (person_id) REFERENCES people (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE study_prefs;
