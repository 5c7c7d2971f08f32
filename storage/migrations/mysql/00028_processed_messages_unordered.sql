-- +goose Up
-- Processed-message records are keyed under a rotating key kept only in the
-- state store and dated to the hour (InnoDB keeps them in key order, not in
-- arrival order). The records written before (full timestamps, keys under
-- MINQING_SECRET) are dropped; they only served WeChat's retries, which
-- come within seconds.
DELETE FROM processed_messages;

-- +goose Down
SELECT 1;
