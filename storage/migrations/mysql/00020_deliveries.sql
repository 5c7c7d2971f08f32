-- +goose Up
-- The sent log of scheduled deliveries (study reminders, weekly digests):
-- one row per kind, person and period, claimed by one instance at a time,
-- so that each goes once and a failed one is retried a bounded number of
-- times. error says why an attempt failed, never with personal data.
-- person_id is not a foreign key: a claim inserts with INSERT IGNORE, which
-- would turn a foreign-key error into a silently skipped row.
CREATE TABLE deliveries (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    kind       VARCHAR(32)  NOT NULL,
    person_id  BIGINT       NOT NULL,
    period     VARCHAR(16)  NOT NULL,
    status     VARCHAR(16)  NOT NULL,
    attempts   INT          NOT NULL,
    channel    VARCHAR(16)  NOT NULL DEFAULT '',
    error      VARCHAR(255) NOT NULL DEFAULT '',
    created_at DATETIME(6)  NOT NULL,
    updated_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_deliveries_kind_person_period (kind, person_id, period),
    KEY ix_deliveries_kind_period (kind, period, person_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE deliveries;
