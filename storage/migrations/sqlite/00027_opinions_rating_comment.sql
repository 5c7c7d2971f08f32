-- +goose Up
-- What the sender wrote after a rating (不满意，会议还是很多), for leaders.
ALTER TABLE opinions ADD COLUMN rating_comment TEXT NULL;

-- +goose Down
ALTER TABLE opinions DROP COLUMN rating_comment;
