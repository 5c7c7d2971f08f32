-- +goose Up
-- What an import file says of a person, to recognise them on re-import.
ALTER TABLE people
    ADD COLUMN title VARCHAR(64) NOT NULL DEFAULT '' AFTER roles,
    ADD COLUMN phone_tail VARCHAR(4) NOT NULL DEFAULT '' AFTER title,
    ADD COLUMN staff_no VARCHAR(32) NOT NULL DEFAULT '' AFTER phone_tail,
    ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE AFTER staff_no,
    ADD KEY ix_people_school_name (school_id, name);

-- +goose Down
ALTER TABLE people
    DROP INDEX ix_people_school_name,
    DROP COLUMN active,
    DROP COLUMN staff_no,
    DROP COLUMN phone_tail,
    DROP COLUMN title;
