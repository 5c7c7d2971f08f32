package wechatapi

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/silenceper/wechat/v2/cache"

	"minqing/bot"
)

// StateCache adapts bot.State to the SDK's cache.Cache and
// cache.ContextCache. Values are stored as their bytes (strings as is,
// other values as JSON) and Get returns them as a string, as the SDK's
// token and ticket handles expect; a missing key or a store error reads as
// nil.
type StateCache struct {
	state   bot.State
	timeout time.Duration
}

var _ cache.ContextCache = (*StateCache)(nil)

// NewStateCache returns a cache over s; timeout bounds each operation the
// SDK starts without a context (0 means 2 s).
func NewStateCache(s bot.State, timeout time.Duration) *StateCache {
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	return &StateCache{state: s, timeout: timeout}
}

func (c *StateCache) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), c.timeout)
}

// Get returns the value under key as a string, or nil.
func (c *StateCache) Get(key string) any {
	ctx, cancel := c.ctx()
	defer cancel()
	return c.GetContext(ctx, key)
}

// GetContext returns the value under key as a string, or nil.
func (c *StateCache) GetContext(ctx context.Context, key string) any {
	v, err := c.state.Get(ctx, key)
	if err != nil {
		return nil
	}
	return string(v)
}

// Set stores val under key for ttl.
func (c *StateCache) Set(key string, val any, ttl time.Duration) error {
	ctx, cancel := c.ctx()
	defer cancel()
	return c.SetContext(ctx, key, val, ttl)
}

// SetContext stores val under key for ttl.
func (c *StateCache) SetContext(ctx context.Context, key string, val any, ttl time.Duration) error {
	var b []byte
	switch v := val.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		j, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("wechatapi: cache set: encode %T: %w", val, err)
		}
		b = j
	}
	if err := c.state.Set(ctx, key, b, ttl); err != nil {
		return fmt.Errorf("wechatapi: cache set: %w", err)
	}
	return nil
}

// IsExist reports whether key holds a value.
func (c *StateCache) IsExist(key string) bool {
	ctx, cancel := c.ctx()
	defer cancel()
	return c.IsExistContext(ctx, key)
}

// IsExistContext reports whether key holds a value.
func (c *StateCache) IsExistContext(ctx context.Context, key string) bool {
	_, err := c.state.Get(ctx, key)
	return err == nil
}

// Delete removes key.
func (c *StateCache) Delete(key string) error {
	ctx, cancel := c.ctx()
	defer cancel()
	return c.DeleteContext(ctx, key)
}

// DeleteContext removes key.
func (c *StateCache) DeleteContext(ctx context.Context, key string) error {
	if err := c.state.Delete(ctx, key); err != nil {
		return fmt.Errorf("wechatapi: cache delete: %w", err)
	}
	return nil
}
