-- +goose Up
-- Staff known by name. Parents are never people: they stay anonymous.
CREATE TABLE people (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id  INTEGER  NOT NULL REFERENCES org_units (id),
    name       TEXT     NOT NULL,
    roles      TEXT     NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX ix_people_school ON people (school_id);

-- +goose Down
DROP TABLE people;
