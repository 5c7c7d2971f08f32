-- +goose Up
-- Reflection essays (心得体会), whole. similar_to is the earlier essay of
-- the same school this one largely copies (0: none), for leaders only.
CREATE TABLE essays (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id      INTEGER  NOT NULL REFERENCES people (id),
    school_id      INTEGER  NOT NULL REFERENCES org_units (id),
    title          TEXT     NOT NULL DEFAULT '',
    body           TEXT     NOT NULL,
    chars          INTEGER  NOT NULL,
    similar_to     INTEGER  NOT NULL DEFAULT 0,
    similar_person INTEGER  NOT NULL DEFAULT 0,
    similarity     REAL     NOT NULL DEFAULT 0,
    created_at     DATETIME NOT NULL
);
CREATE INDEX ix_essays_school_created ON essays (school_id, created_at);

-- +goose Down
DROP TABLE essays;
