-- +goose Up
-- Every step of an opinion through the ledger: who (staff; NULL for the
-- anonymous sender), when, and a note.
CREATE TABLE opinion_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    opinion_id INTEGER  NOT NULL REFERENCES opinions (id) ON DELETE CASCADE,
    kind       TEXT     NOT NULL,
    actor_id   INTEGER  NULL REFERENCES people (id),
    note       TEXT     NULL,
    at         DATETIME NOT NULL
);
CREATE INDEX ix_opinion_events_opinion ON opinion_events (opinion_id, id);

-- +goose Down
DROP TABLE opinion_events;
