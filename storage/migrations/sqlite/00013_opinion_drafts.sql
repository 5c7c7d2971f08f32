-- +goose Up
-- An opinion being written through the 我要建议 menu, submitted on 提交 or
-- after two minutes of silence; deleted when submitted or cancelled.
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

-- +goose Down
DROP TABLE opinion_drafts;
