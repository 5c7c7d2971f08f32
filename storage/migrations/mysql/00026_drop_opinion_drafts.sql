-- +goose Up
-- Drafts of the 我要建议 flow held their text beside a keyed hash and a
-- sealed openid of the sender. They now live in the state store, for
-- minutes.
DROP TABLE opinion_drafts;

-- +goose Down
CREATE TABLE opinion_drafts (
    sender_hash   VARCHAR(64)    NOT NULL,
    school_id     BIGINT         NOT NULL,
    sealed_openid VARBINARY(160) NOT NULL,
    parts         MEDIUMTEXT     NOT NULL,
    source        VARCHAR(16)    NOT NULL,
    started_at    DATETIME(6)    NOT NULL,
    deadline      DATETIME(6)    NOT NULL,
    PRIMARY KEY (sender_hash),
    KEY ix_opinion_drafts_deadline (deadline),
    CONSTRAINT fk_opinion_drafts_school FOREIGN KEY (school_id) REFERENCES org_units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
