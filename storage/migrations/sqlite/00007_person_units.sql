-- +goose Up
-- The departments, campuses and classes a person works in.
CREATE TABLE person_units (
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    unit_id   INTEGER NOT NULL REFERENCES org_units (id) ON DELETE CASCADE,
    PRIMARY KEY (person_id, unit_id)
);
CREATE INDEX ix_person_units_unit ON person_units (unit_id);

-- +goose Down
DROP TABLE person_units;
