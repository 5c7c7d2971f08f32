package bot

import "context"

// Notifier sends messages to WeChat users outside the passive reply: the
// customer-service text messages (the answer to an opinion, a reply that
// missed the 5-second deadline) and template messages (the weekly digest).
// The implementation lives in handlers/wechatapi.
type Notifier interface {
	// SendText sends a customer-service text message to openid. It returns
	// ErrOutsideWindow when the user has not written within 48 hours,
	// ErrNotFollowing when the user does not follow the account, and
	// ErrUnavailable for network or server trouble.
	SendText(ctx context.Context, openid, text string) error
	// SendTemplate sends a template message. Errors as for SendText.
	SendTemplate(ctx context.Context, msg TemplateMessage) error
}

// TemplateMessage is a WeChat template message. Since 2023-05 WeChat shows
// no colours and no first/remark lines; each field is at most 20 characters
// without newlines.
type TemplateMessage struct {
	ToOpenID   string
	TemplateID string
	// URL is the page opened when the user taps the message; may be empty.
	URL    string
	Fields []TemplateField
}

// TemplateField is one keyword of a template message.
type TemplateField struct {
	Key   string
	Value string
}
