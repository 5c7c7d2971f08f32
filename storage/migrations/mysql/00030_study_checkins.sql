-- +goose Up
-- Study check-ins (学习打卡): minutes studied and characters of notes on
-- one day (YYYY-MM-DD in the school's time zone, so that days compare as
-- text). Totals per school and period read ix_study_checkins_school_day,
-- which covers them.
CREATE TABLE study_checkins (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    person_id  BIGINT       NOT NULL,
    school_id  BIGINT       NOT NULL,
    day        CHAR(10)     NOT NULL,
    minutes    INT          NOT NULL,
    chars      INT          NOT NULL,
    title      VARCHAR(128) NOT NULL DEFAULT '',
    created_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_study_checkins_school_day (school_id, day, person_id, minutes, chars),
    KEY ix_study_checkins_person_day (person_id, day),
    CONSTRAINT fk_study_checkins_person FOREIGN KEY (person_id) REFERENCES people (id),
    CONSTRAINT fk_study_checkins_school FOREIGN KEY (school_id) REFERENCES org_units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE study_checkins;
