-- +goose Up
-- Reflection essays (心得体会), whole. similar_to is the earlier essay of
-- the same school this one largely copies (0: none), for leaders only.
CREATE TABLE essays (
    id             BIGINT       NOT NULL AUTO_INCREMENT,
    person_id      BIGINT       NOT NULL,
    school_id      BIGINT       NOT NULL,
    title          VARCHAR(128) NOT NULL DEFAULT '',
    body           MEDIUMTEXT   NOT NULL,
    chars          INT          NOT NULL,
    similar_to     BIGINT       NOT NULL DEFAULT 0,
    similar_person BIGINT       NOT NULL DEFAULT 0,
    similarity     DOUBLE       NOT NULL DEFAULT 0,
    created_at     DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_essays_school_created (school_id, created_at),
    CONSTRAINT fk_essays_person FOREIGN KEY (person_id) REFERENCES people (id),
    CONSTRAINT fk_essays_school FOREIGN KEY (school_id) REFERENCES org_units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE essays;
