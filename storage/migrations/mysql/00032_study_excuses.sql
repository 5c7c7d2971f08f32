-- +goose Up
-- Excused school weeks (请假): the weekly study target does not count.
CREATE TABLE study_excuses (
    person_id  BIGINT      NOT NULL,
    school_id  BIGINT      NOT NULL,
    week       VARCHAR(8)  NOT NULL,
    source     VARCHAR(8)  NOT NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (person_id, week),
    KEY ix_study_excuses_school_week (school_id, week),
    CONSTRAINT fk_study_excuses_person FOREIGN KEY (person_id) REFERENCES people (id),
    CONSTRAINT fk_study_excuses_school FOREIGN KEY (school_id) REFERENCES org_units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE study_excuses;
