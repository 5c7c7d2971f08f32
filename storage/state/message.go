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

// ClaimMessage implements bot.State with the claim (SET NX GET), the
// counter (INCR, PEXPIRE NX) and the GETs sent together, in the pipeline shared with other calls (see
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
	cmds := make([]redis.Cmder, 0, 3+len(k.Get))
	claim := setNXGet(ctx, r.key(nsClaim, k.Claim), pendingMark, k.ClaimTTL)
	cmds = append(cmds, claim)
	var count, expire *redis.IntCmd
	if k.Rate != "" {
		count, expire = incrCmds(ctx, r.key(nsCount, k.Rate), k.RateWindow)
		cmds = append(cmds, count, expire)
	}
	gets := make([]*redis.StringCmd, len(k.Get))
	for i, key := range k.Get {
		gets[i] = redis.NewStringCmd(ctx, "get", r.key(nsValue, key))
		cmds = append(cmds, gets[i])
	}
	if err := r.pipe.do(ctx, cmds...); err != nil {
		return c, wrap("claim message", err)
	}
	var err error
	if c.Claimed, c.Done, c.Result, err = claimResult(claim); err != nil {
		return c, err
	}
	if count != nil {
		if err := errors.Join(count.Err(), expire.Err()); err != nil {
			return c, wrap("claim message", err)
		}
		c.Count = count.Val()
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

// claimResult interprets a claim's SET NX GET: claimed (nothing was
// there), pending, or done with its result.
func claimResult(cmd *redis.StringCmd) (claimed, done bool, result []byte, err error) {
	v, err := cmd.Result()
	switch {
	case errors.Is(err, redis.Nil):
		return true, false, nil, nil
	case err != nil:
		return false, false, nil, wrap("claim", err)
	case v == pendingMark:
		return false, false, nil, nil
	case len(v) > 0 && v[:1] == doneMark:
		return false, true, []byte(v[1:]), nil
	}
	return false, false, nil, fmt.Errorf("state: claim: unexpected stored value: %w", bot.ErrUnavailable)
}
