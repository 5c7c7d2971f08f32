-- +goose Up
-- The audit trail of administrative changes (school renamed, merged or
-- removed, staff removed or deactivated, the demo school removed). The
-- school is not a reference: the entry outlives a removed school.
CREATE TABLE admin_audit (
    id        BIGINT       NOT NULL AUTO_INCREMENT,
    at        DATETIME(6)  NOT NULL,
    command   VARCHAR(64)  NOT NULL,
    school_id BIGINT       NULL,
    detail    TEXT         NOT NULL,
    PRIMARY KEY (id),
    KEY ix_admin_audit_at (at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE admin_audit;
