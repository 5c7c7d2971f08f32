-- +goose Up
-- Per-school settings (routing, supervisor, holidays, lexicon, limits) as
-- one JSON document; missing keys take the built-in defaults.
CREATE TABLE school_settings (
    school_id  BIGINT      NOT NULL,
    settings   MEDIUMTEXT  NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    PRIMARY KEY (school_id),
    CONSTRAINT fk_school_settings_school FOREIGN KEY (school_id) REFERENCES org_units (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE school_settings;
