-- +goose Up
-- The ledger (民情台帐). An anonymous opinion's row holds nothing of its
-- sender: no openid and nothing derived from one.
CREATE TABLE opinions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id        INTEGER  NOT NULL REFERENCES org_units (id),
    code             TEXT     NOT NULL UNIQUE,
    category         TEXT     NOT NULL,
    unit_id          INTEGER  NULL REFERENCES org_units (id),
    text             TEXT     NOT NULL,
    text_hash        TEXT     NOT NULL,
    source           TEXT     NOT NULL,
    anonymous        BOOLEAN  NOT NULL,
    recorder_id      INTEGER  NULL REFERENCES people (id),
    status           TEXT     NOT NULL,
    assigned_unit_id INTEGER  NULL REFERENCES org_units (id),
    due_date         DATE     NULL,
    answer           TEXT     NULL,
    answered_at      DATETIME NULL,
    rating           TEXT     NULL,
    rated_at         DATETIME NULL,
    merged_into      INTEGER  NULL REFERENCES opinions (id),
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE INDEX ix_opinions_school_status ON opinions (school_id, status);
CREATE INDEX ix_opinions_school_created ON opinions (school_id, created_at);

-- +goose Down
DROP TABLE opinions;
