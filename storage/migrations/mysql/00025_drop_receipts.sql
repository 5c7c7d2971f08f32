-- +goose Up
-- Receipts linked an anonymous opinion to its sender for months: a keyed
-- hash of the openid and the openid sealed, both under MINQING_SECRET, so a
-- backup plus the secret named the sender. The link now lives only in the
-- state store, under random keys that expire. Opinions keep their codes.
DROP TABLE receipts;

-- +goose Down
CREATE TABLE receipts (
    opinion_id    BIGINT         NOT NULL,
    sender_hash   VARCHAR(64)    NOT NULL,
    sealed_openid VARBINARY(160) NOT NULL,
    expires_at    DATETIME(6)    NOT NULL,
    created_at    DATETIME(6)    NOT NULL,
    PRIMARY KEY (opinion_id),
    KEY ix_receipts_sender (sender_hash, created_at),
    KEY ix_receipts_expires (expires_at),
    CONSTRAINT fk_receipts_opinion FOREIGN KEY (opinion_id) REFERENCES opinions (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
