package state

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// SetRedisLogger sends go-redis's own messages (failed dials, pool
// trouble) to log at Warn instead of the standard error. go-redis's logger
// is process-wide, so call it once, at start-up. Its messages carry
// addresses, never keys or values.
func SetRedisLogger(log *slog.Logger) {
	redis.SetLogger(redisLogger{log})
}

type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis_client", "detail", fmt.Sprintf(format, v...))
}
