-- +goose Up
-- One bind code per staff member: a keyed hash to look it up, and the code
-- sealed with the server secret so that the list can be printed again.
CREATE TABLE bind_codes (
    person_id  INTEGER  NOT NULL PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    code_hash  TEXT     NOT NULL UNIQUE,
    sealed     BLOB     NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME NULL,
    created_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE bind_codes;
