-- +goose Up
-- Anonymous opinions filed before the upgrade: times to the hour, and the
-- events their senders caused (received, rated, withdrawn, a category
-- corrected) dropped, since those events' exact times and ascending IDs
-- placed each among the requests of a proxy's access log. The ledger shows
-- receipt, rating and withdrawal from the opinion itself.
DELETE FROM opinion_events
WHERE actor_id IS NULL AND kind IN ('received', 'rated', 'withdrawn', 'recategorized')
  AND opinion_id IN (SELECT id FROM opinions WHERE anonymous);
UPDATE opinions SET
    created_at = strftime('%Y-%m-%d %H:00:00', created_at),
    updated_at = strftime('%Y-%m-%d %H:00:00', updated_at),
    rated_at   = CASE WHEN rated_at IS NULL THEN NULL ELSE strftime('%Y-%m-%d %H:00:00', rated_at) END
WHERE anonymous;

-- +goose Down
SELECT 1;
