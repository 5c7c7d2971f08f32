-- +goose Up
-- Every step of an opinion through the ledger: who (staff; NULL for the
-- anonymous sender), when, and a note.
CREATE TABLE opinion_events (
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    opinion_id BIGINT      NOT NULL,
    kind       VARCHAR(16) NOT NULL,
    actor_id   BIGINT      NULL,
    note       TEXT        NULL,
    at         DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY ix_opinion_events_opinion (opinion_id, id),
    CONSTRAINT fk_opinion_events_opinion FOREIGN KEY (opinion_id) REFERENCES opinions (id) ON DELETE CASCADE,
    CONSTRAINT fk_opinion_events_actor FOREIGN KEY (actor_id) REFERENCES people (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE opinion_events;
