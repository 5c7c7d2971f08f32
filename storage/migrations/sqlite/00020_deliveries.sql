-- +goose Up
-- The sent log of scheduled deliveries (study reminders, weekly digests):
-- one row per kind, person and period, claimed by one instance at a time,
-- so that each goes once and a failed one is retried a bounded number of
-- times. error says why an attempt failed, never with personal data.
-- person_id is not a foreign key, as on MySQL, where a claim inserts with
-- INSERT IGNORE, which would turn a foreign-key error into a skipped row.
CREATE TABLE deliveries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT     NOT NULL,
    person_id  INTEGER  NOT NULL,
    period     TEXT     NOT NULL,
    status     TEXT     NOT NULL,
    attempts   INTEGER  NOT NULL,
    channel    TEXT     NOT NULL DEFAULT '',
    error      TEXT     NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE (kind, person_id, period)
);
CREATE INDEX ix_deliveries_kind_period ON deliveries (kind, period, person_id);

-- +goose Down
DROP TABLE deliveries;
