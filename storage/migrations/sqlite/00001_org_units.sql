-- +goose Up
CREATE TABLE org_units (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id  INTEGER NULL REFERENCES org_units (id),
    kind       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_org_units_parent ON org_units (parent_id);

-- +goose Down
DROP TABLE org_units;
