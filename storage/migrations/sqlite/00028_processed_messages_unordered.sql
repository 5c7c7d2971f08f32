-- +goose Up
-- Processed-message records are keyed under a rotating key kept only in the
-- state store and dated to the hour. A rowid would keep them in arrival
-- order, beside opinions of the same hour: the table has none. The records
-- written before (full timestamps, keys under MINQING_SECRET) are dropped;
-- they only served WeChat's retries, which come within seconds.
DROP TABLE processed_messages;
CREATE TABLE processed_messages (
    dedup_key  TEXT     NOT NULL PRIMARY KEY,
    reply      BLOB     NOT NULL,
    created_at DATETIME NOT NULL
) WITHOUT ROWID;
CREATE INDEX ix_processed_messages_created ON processed_messages (created_at);

-- +goose Down
DROP TABLE processed_messages;
CREATE TABLE processed_messages (
    dedup_key  TEXT     NOT NULL PRIMARY KEY,
    reply      BLOB     NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_processed_messages_created ON processed_messages (created_at);
