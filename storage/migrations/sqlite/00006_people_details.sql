-- +goose Up
-- What an import file says of a person, to recognise them on re-import.
ALTER TABLE people ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN phone_tail TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN staff_no TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
CREATE INDEX ix_people_school_name ON people (school_id, name);

-- +goose Down
DROP INDEX ix_people_school_name;
ALTER TABLE people DROP COLUMN active;
ALTER TABLE people DROP COLUMN staff_no;
ALTER TABLE people DROP COLUMN phone_tail;
ALTER TABLE people DROP COLUMN title;
