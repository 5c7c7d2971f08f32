package state

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"minqing/bot"
)

// ClaimMessage implements bot.State with the calls in turn; in process
// they cost nothing.
func (m *Memory) ClaimMessage(ctx context.Context, k bot.MessageKeys) (bot.MessageClaim, error) {
	var c bot.MessageClaim
	var err error
	if c.Claimed, c.Done, c.Result, err = m.Claim(ctx, k.Claim, k.ClaimTTL); err != nil {
		return c, err
	}
	if k.Rate != "" {
		if c.Count, err = m.Incr(ctx, k.Rate, k.RateWindow); err != nil {
			return c, err
		}
	}
	c.Values = make([][]byte, len(k.Get))
	for i, key := range k.Get {
		v, err := m.Get(ctx, key)
		switch {
		case err == nil:
			c.Values[i] = v
		case !errors.Is(err, bot.ErrNotFound):
			return c, err
		}
	}
	return c, nil
}

// ClaimMessage implements bot.State with the claim and counter scripts and
// the GETs sent together, in the pipeline shared with other calls (see
// pipeline.go). Each command touches one key, so this also works on a
// cluster (go-redis splits the pipeline by node).
func (r *Redis) ClaimMessage(ctx context.Context, k bot.MessageKeys) (bot.MessageClaim, error) {
	var c bot.MessageClaim
	if err := checkTTL("claim message", k.ClaimTTL); err != nil {
		return c, err
	}
	if k.Rate != "" {
		if err := checkTTL("claim message", k.RateWindow); err != nil {
			return c, err
		}
	}
	cmds := make([]redis.Cmder, 0, 2+len(k.Get))
	claim := evalSHA(ctx, claimSHA, r.key(nsClaim, k.Claim), pendingMark, ceilMillis(k.ClaimTTL).Milliseconds())
	cmds = append(cmds, claim)
	var count *redis.Cmd
	if k.Rate != "" {
		count = evalSHA(ctx, incrSHA, r.key(nsCount, k.Rate), ceilMillis(k.RateWindow).Milliseconds())
		cmds = append(cmds, count)
	}
	gets := make([]*redis.StringCmd, len(k.Get))
	for i, key := range k.Get {
		gets[i] = redis.NewStringCmd(ctx, "get", r.key(nsValue, key))
		cmds = append(cmds, gets[i])
	}
	if err := r.pipe.do(ctx, cmds...); err != nil {
		return c, wrap("claim message", err)
	}
	v, err := claim.Result()
	if err != nil {
		return c, wrap("claim message", err)
	}
	if c.Claimed, c.Done, c.Result, err = claimResult(v); err != nil {
		return c, err
	}
	if count != nil {
		if c.Count, err = count.Int64(); err != nil {
			return c, wrap("claim message", err)
		}
	}
	c.Values = make([][]byte, len(gets))
	for i, g := range gets {
		b, err := g.Bytes()
		switch {
		case err == nil:
			c.Values[i] = b
		case !errors.Is(err, redis.Nil):
			return c, wrap("claim message", err)
		}
	}
	return c, nil
}

// claimResult interprets what the claim script returned.
func claimResult(v any) (claimed, done bool, result []byte, err error) {
	switch v := v.(type) {
	case int64:
		return true, false, nil, nil
	case string:
		if v == pendingMark {
			return false, false, nil, nil
		}
		if len(v) > 0 && v[:1] == doneMark {
			return false, true, []byte(v[1:]), nil
		}
	}
	return false, false, nil, fmt.Errorf("state: claim: unexpected stored value: %w", bot.ErrUnavailable)
}
