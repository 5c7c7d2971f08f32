-- +goose Up
-- Every unit records the school it belongs to (a school itself; NULL for a
-- bureau) and may have a short code (schools: for QR codes and links).
ALTER TABLE org_units ADD COLUMN school_id INTEGER NULL REFERENCES org_units (id);
ALTER TABLE org_units ADD COLUMN code TEXT NULL;
CREATE INDEX ix_org_units_school ON org_units (school_id);
CREATE UNIQUE INDEX ux_org_units_code ON org_units (code);
CREATE UNIQUE INDEX ux_org_units_parent_kind_name ON org_units (parent_id, kind, name);

-- +goose Down
DROP INDEX ux_org_units_parent_kind_name;
DROP INDEX ux_org_units_code;
DROP INDEX ix_org_units_school;
ALTER TABLE org_units DROP COLUMN code;
ALTER TABLE org_units DROP COLUMN school_id;
