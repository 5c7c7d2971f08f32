-- +goose Up
-- The weekly digest's satisfaction rate counts opinions by the time they were rated.
CREATE INDEX ix_opinions_school_rated ON opinions (school_id, rated_at);

-- +goose Down
DROP INDEX ix_opinions_school_rated;
