-- +goose Up
-- Drafts of the 我要建议 flow held their text beside a keyed hash and a
-- sealed openid of the sender. They now live in the state store, for
-- minutes.
DROP TABLE opinion_drafts;

-- +goose Down
CREATE TABLE opinion_drafts (
    sender_hash   TEXT     NOT NULL PRIMARY KEY,
    school_id     INTEGER  NOT NULL REFERENCES org_units (id),
    sealed_openid BLOB     NOT NULL,
    parts         TEXT     NOT NULL,
    source        TEXT     NOT NULL,
    started_at    DATETIME NOT NULL,
    deadline      DATETIME NOT NULL
);
CREATE INDEX ix_opinion_drafts_deadline ON opinion_drafts (deadline);
