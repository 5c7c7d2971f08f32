-- +goose Up
-- The weekly digest's response and resolution rates count opinions by due date.
CREATE INDEX ix_opinions_school_due ON opinions (school_id, due_date);

-- +goose Down
DROP INDEX ix_opinions_school_due ON opinions;
