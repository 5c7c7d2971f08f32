-- +goose Up
-- One row per inbound message handled, written in the same transaction as
-- the message's side effects. The key is a keyed hash (never the openid);
-- rows are purged after a day.
CREATE TABLE processed_messages (
    dedup_key  TEXT     NOT NULL PRIMARY KEY,
    reply      BLOB     NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_processed_messages_created ON processed_messages (created_at);

-- +goose Down
DROP TABLE processed_messages;
