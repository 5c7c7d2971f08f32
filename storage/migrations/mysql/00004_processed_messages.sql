-- +goose Up
-- One row per inbound message handled, written in the same transaction as
-- the message's side effects. The key is a keyed hash (never the openid);
-- rows are purged after a day.
CREATE TABLE processed_messages (
    dedup_key  VARCHAR(64) NOT NULL,
    reply      BLOB        NOT NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (dedup_key),
    KEY ix_processed_messages_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE processed_messages;
