package wechatapi

import (
	"context"
	"fmt"

	"minqing/bot"
)

// WeChat's limits on the custom menu.
const (
	maxTopButtons = 3
	maxSubButtons = 5
	maxTopName    = 16 // bytes
	maxSubName    = 60 // bytes
	maxKey        = 128
	maxURL        = 1024
)

// MenuButton is one button of the custom menu: a "click" button sends Key
// to the service as a CLICK event, a "view" button opens URL. A button with
// Sub is a sub-menu: its Type, Key and URL are ignored.
type MenuButton struct {
	Name string
	Type string // "click" or "view"
	Key  string
	URL  string
	Sub  []MenuButton
}

// menuButton is WeChat's JSON for a button of /cgi-bin/menu/create.
type menuButton struct {
	Type string        `json:"type,omitempty"`
	Name string        `json:"name"`
	Key  string        `json:"key,omitempty"`
	URL  string        `json:"url,omitempty"`
	Sub  []*menuButton `json:"sub_button,omitempty"`
}

// SetMenu replaces the account's custom menu (1–3 buttons, each with at
// most 5 sub-buttons). Buttons that break WeChat's limits give an error
// wrapping bot.ErrInvalid before anything is sent.
func (c *Client) SetMenu(ctx context.Context, buttons []MenuButton) error {
	wire, err := menuButtons(buttons)
	if err != nil {
		return c.failed(APIMenuCreate, fmt.Errorf("wechatapi: set menu: %w", err))
	}
	payload := struct {
		Button []*menuButton `json:"button"`
	}{wire}
	if err := c.call(ctx, APIMenuCreate, pathMenuCreate, payload); err != nil {
		return c.failed(APIMenuCreate, fmt.Errorf("wechatapi: set menu: %w", err))
	}
	return nil
}

// menuButtons checks buttons against WeChat's limits and converts them.
func menuButtons(buttons []MenuButton) ([]*menuButton, error) {
	if len(buttons) == 0 || len(buttons) > maxTopButtons {
		return nil, fmt.Errorf("%d top-level buttons, want 1 to %d: %w", len(buttons), maxTopButtons, bot.ErrInvalid)
	}
	out := make([]*menuButton, 0, len(buttons))
	for _, b := range buttons {
		if len(b.Sub) == 0 {
			btn, err := leafButton(b, maxTopName)
			if err != nil {
				return nil, err
			}
			out = append(out, btn)
			continue
		}
		if err := checkName(b.Name, maxTopName); err != nil {
			return nil, err
		}
		if len(b.Sub) > maxSubButtons {
			return nil, fmt.Errorf("menu %q has %d sub-buttons, want at most %d: %w", b.Name, len(b.Sub), maxSubButtons, bot.ErrInvalid)
		}
		subs := make([]*menuButton, 0, len(b.Sub))
		for _, s := range b.Sub {
			if len(s.Sub) > 0 {
				return nil, fmt.Errorf("button %q: sub-menus do not nest: %w", s.Name, bot.ErrInvalid)
			}
			btn, err := leafButton(s, maxSubName)
			if err != nil {
				return nil, err
			}
			subs = append(subs, btn)
		}
		out = append(out, &menuButton{Name: b.Name, Sub: subs})
	}
	return out, nil
}

func leafButton(b MenuButton, maxName int) (*menuButton, error) {
	if err := checkName(b.Name, maxName); err != nil {
		return nil, err
	}
	switch b.Type {
	case "click":
		if b.Key == "" || len(b.Key) > maxKey {
			return nil, fmt.Errorf("button %q: key must have 1 to %d bytes: %w", b.Name, maxKey, bot.ErrInvalid)
		}
		return &menuButton{Type: "click", Name: b.Name, Key: b.Key}, nil
	case "view":
		if b.URL == "" || len(b.URL) > maxURL {
			return nil, fmt.Errorf("button %q: url must have 1 to %d bytes: %w", b.Name, maxURL, bot.ErrInvalid)
		}
		return &menuButton{Type: "view", Name: b.Name, URL: b.URL}, nil
	}
	return nil, fmt.Errorf("button %q: type %q, want click or view: %w", b.Name, b.Type, bot.ErrInvalid)
}

func checkName(name string, maxBytes int) error {
	if name == "" || len(name) > maxBytes {
		return fmt.Errorf("button name %q must have 1 to %d bytes: %w", name, maxBytes, bot.ErrInvalid)
	}
	return nil
}
