-- +goose Up
-- Staff known by name. Parents are never people: they stay anonymous.
CREATE TABLE people (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    school_id  BIGINT       NOT NULL,
    name       VARCHAR(64)  NOT NULL,
    roles      VARCHAR(255) NOT NULL DEFAULT '',
    created_at DATETIME(6)  NOT NULL,
    updated_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_people_school (school_id),
    CONSTRAINT fk_people_school FOREIGN KEY (school_id) REFERENCES org_units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE people;
