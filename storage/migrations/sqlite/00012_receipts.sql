-- +goose Up
-- The only link from an anonymous opinion back to its sender: a keyed hash
-- of the openid (rate limits, merging repeats) and the openid sealed with
-- the server secret (to push the school's answer). Purged when it expires.
CREATE TABLE receipts (
    opinion_id    INTEGER  NOT NULL PRIMARY KEY REFERENCES opinions (id) ON DELETE CASCADE,
    sender_hash   TEXT     NOT NULL,
    sealed_openid BLOB     NOT NULL,
    expires_at    DATETIME NOT NULL,
    created_at    DATETIME NOT NULL
);
CREATE INDEX ix_receipts_sender ON receipts (sender_hash, created_at);
CREATE INDEX ix_receipts_expires ON receipts (expires_at);

-- +goose Down
DROP TABLE receipts;
