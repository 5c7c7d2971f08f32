-- +goose Up
-- Every unit records the school it belongs to (a school itself; NULL for a
-- bureau) and may have a short code (schools: for QR codes and links).
ALTER TABLE org_units
    ADD COLUMN school_id BIGINT NULL AFTER parent_id,
    ADD COLUMN code VARCHAR(16) NULL AFTER name,
    ADD KEY ix_org_units_school (school_id),
    ADD UNIQUE KEY ux_org_units_code (code),
    ADD UNIQUE KEY ux_org_units_parent_kind_name (parent_id, kind, name);

-- +goose Down
ALTER TABLE org_units
    DROP INDEX ux_org_units_parent_kind_name,
    DROP INDEX ux_org_units_code,
    DROP INDEX ix_org_units_school,
    DROP COLUMN code,
    DROP COLUMN school_id;
