-- +goose Up
-- The ledger (民情台帐). An anonymous opinion's row holds nothing of its
-- sender: no openid and nothing derived from one.
CREATE TABLE opinions (
    id               BIGINT      NOT NULL AUTO_INCREMENT,
    school_id        BIGINT      NOT NULL,
    code             VARCHAR(9)  NOT NULL,
    category         VARCHAR(16) NOT NULL,
    unit_id          BIGINT      NULL,
    text             TEXT        NOT NULL,
    text_hash        VARCHAR(64) NOT NULL,
    source           VARCHAR(16) NOT NULL,
    anonymous        BOOLEAN     NOT NULL,
    recorder_id      BIGINT      NULL,
    status           VARCHAR(16) NOT NULL,
    assigned_unit_id BIGINT      NULL,
    due_date         DATE        NULL,
    answer           TEXT        NULL,
    answered_at      DATETIME(6) NULL,
    rating           VARCHAR(16) NULL,
    rated_at         DATETIME(6) NULL,
    merged_into      BIGINT      NULL,
    created_at       DATETIME(6) NOT NULL,
    updated_at       DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_opinions_code (code),
    KEY ix_opinions_school_status (school_id, status),
    KEY ix_opinions_school_created (school_id, created_at),
    CONSTRAINT fk_opinions_school FOREIGN KEY (school_id) REFERENCES org_units (id),
    CONSTRAINT fk_opinions_unit FOREIGN KEY (unit_id) REFERENCES org_units (id),
    CONSTRAINT fk_opinions_assigned FOREIGN KEY (assigned_unit_id) REFERENCES org_units (id),
    CONSTRAINT fk_opinions_recorder FOREIGN KEY (recorder_id) REFERENCES people (id),
    CONSTRAINT fk_opinions_merged FOREIGN KEY (merged_into) REFERENCES opinions (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE opinions;
