-- +goose Up
-- The weekly digest finds the opinions that moved since a week began.
CREATE INDEX ix_opinions_school_updated ON opinions (school_id, updated_at);

-- +goose Down
DROP INDEX ix_opinions_school_updated;
