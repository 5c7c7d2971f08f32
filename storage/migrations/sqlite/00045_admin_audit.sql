-- +goose Up
-- The audit trail of administrative changes (school renamed, merged or
-- removed, staff removed or deactivated, the demo school removed). The
-- school is not a reference: the entry outlives a removed school.
CREATE TABLE admin_audit (
    id        INTEGER  PRIMARY KEY AUTOINCREMENT,
    at        DATETIME NOT NULL,
    command   TEXT     NOT NULL,
    school_id INTEGER  NULL,
    detail    TEXT     NOT NULL
);
CREATE INDEX ix_admin_audit_at ON admin_audit (at);

-- +goose Down
DROP TABLE admin_audit;
