-- +goose Up
-- The only link from an anonymous opinion back to its sender: a keyed hash
-- of the openid (rate limits, merging repeats) and the openid sealed with
-- the server secret (to push the school's answer). Purged when it expires.
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

-- +goose Down
DROP TABLE receipts;
