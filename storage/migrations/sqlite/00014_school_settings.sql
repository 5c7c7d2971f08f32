-- +goose Up
-- Per-school settings (routing, supervisor, holidays, lexicon, limits) as
-- one JSON document; missing keys take the built-in defaults.
CREATE TABLE school_settings (
    school_id  INTEGER  NOT NULL PRIMARY KEY REFERENCES org_units (id) ON DELETE CASCADE,
    settings   TEXT     NOT NULL,
    updated_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE school_settings;
