-- +goose Up
-- A reflection essay being written over several messages (心得 … 提交).
CREATE TABLE essay_drafts (
    person_id  BIGINT      NOT NULL,
    body       MEDIUMTEXT  NOT NULL,
    parts      INT         NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    PRIMARY KEY (person_id),
    CONSTRAINT fk_essay_drafts_person FOREIGN KEY (person_id) REFERENCES people (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE essay_drafts;
