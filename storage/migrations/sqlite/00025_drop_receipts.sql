-- +goose Up
-- Receipts linked an anonymous opinion to its sender for months: a keyed
-- hash of the openid and the openid sealed, both under MINQING_SECRET, so a
-- backup plus the secret named the sender. The link now lives only in the
-- state store, under random keys that expire. Opinions keep their codes.
DROP TABLE receipts;

-- +goose Down
CREATE TABLE receipts (
    opinion_id    INTEGER  NOT NULL PRIMARY KEY REFERENCES opinions (id) ON DELETE CASCADE,
    sender_hash   TEXT     NOT NULL,
    sealed_openid BLOB     NOT NULL,
    expires_at    DATETIME NOT NULL,
    created_at    DATETIME NOT NULL
);
CREATE INDEX ix_receipts_sender ON receipts (sender_hash, created_at);
CREATE INDEX ix_receipts_expires ON receipts (expires_at);
