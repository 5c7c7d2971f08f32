-- +goose Up
-- The departments, campuses and classes a person works in.
CREATE TABLE person_units (
    person_id BIGINT NOT NULL,
    unit_id   BIGINT NOT NULL,
    PRIMARY KEY (person_id, unit_id),
    KEY ix_person_units_unit (unit_id),
    CONSTRAINT fk_person_units_person FOREIGN KEY (person_id) REFERENCES people (id) ON DELETE CASCADE,
    CONSTRAINT fk_person_units_unit FOREIGN KEY (unit_id) REFERENCES org_units (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE person_units;
