-- +goose Up
-- A reflection essay being written over several messages (心得 … 提交).
CREATE TABLE essay_drafts (
    person_id  INTEGER  NOT NULL PRIMARY KEY REFERENCES people (id),
    body       TEXT     NOT NULL,
    parts      INTEGER  NOT NULL,
    updated_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE essay_drafts;
