-- +goose Up
-- Anonymous opinions filed before the upgrade: times to the hour, and the
-- events their senders caused (received, rated, withdrawn, a category
-- corrected) dropped, since those events' exact times and ascending IDs
-- placed each among the requests of a proxy's access log. The ledger shows
-- receipt, rating and withdrawal from the opinion itself.
DELETE e FROM opinion_events e JOIN opinions o ON o.id = e.opinion_id
WHERE o.anonymous AND e.actor_id IS NULL AND e.kind IN ('received', 'rated', 'withdrawn', 'recategorized');
UPDATE opinions SET
    created_at = DATE_FORMAT(created_at, '%Y-%m-%d %H:00:00'),
    updated_at = DATE_FORMAT(updated_at, '%Y-%m-%d %H:00:00'),
    rated_at   = DATE_FORMAT(rated_at, '%Y-%m-%d %H:00:00')
WHERE anonymous;

-- +goose Down
SELECT 1;
