package bot

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind is what an inbound message is.
type Kind string

// The kinds of inbound message the bot understands. Anything else WeChat
// sends (video, link, …) arrives as KindOther.
const (
	KindText     Kind = "text"
	KindVoice    Kind = "voice"
	KindImage    Kind = "image"
	KindLocation Kind = "location"
	KindEvent    Kind = "event"
	KindOther    Kind = "other"
)

// Event is the event of a KindEvent message.
type Event string

// The events the bot reacts to.
const (
	EventSubscribe   Event = "subscribe"
	EventUnsubscribe Event = "unsubscribe"
	EventClick       Event = "CLICK"
	EventView        Event = "VIEW"
	EventScan        Event = "SCAN"
	EventLocation    Event = "LOCATION"
)

// Inbound is one message or event from a WeChat user, whatever its type,
// already verified and decrypted by the transport.
type Inbound struct {
	// OpenID identifies the sender within this official account. It must
	// never be logged or stored in clear except for bound staff.
	OpenID string
	// Account is the official account's own ID (ToUserName).
	Account string
	// MsgID is WeChat's message ID; zero for events.
	MsgID int64
	// Created is when WeChat received the message (CreateTime).
	Created time.Time
	Kind    Kind
	// Text is the text of a text message, or WeChat's speech recognition of
	// a voice message (empty when recognition is off or failed).
	Text string
	// MediaID and PicURL describe images and voice recordings.
	MediaID string
	PicURL  string
	// Lat, Lon and Label describe a location message.
	Lat, Lon float64
	Label    string
	// Event and EventKey describe an event (menu click, scan, subscribe).
	Event    Event
	EventKey string
}

// dedupSubject is what identifies one delivery of this message across
// WeChat's retries: the sender plus MsgId for messages (MsgId alone has been
// seen to collide across users), the sender plus CreateTime for events.
func (in Inbound) dedupSubject() string {
	if in.Kind == KindEvent || in.MsgID == 0 {
		return "evt\x00" + in.OpenID + "\x00" + strconv.FormatInt(in.Created.Unix(), 10) + "\x00" + string(in.Event)
	}
	return "msg\x00" + in.OpenID + "\x00" + strconv.FormatInt(in.MsgID, 10)
}

// Reply is the bot's answer to one inbound message. An empty reply means
// "nothing to say": the transport answers WeChat with "success".
type Reply struct {
	Text string `json:"text,omitempty"`
}

// IsEmpty reports whether there is nothing to send back.
func (r Reply) IsEmpty() bool { return r.Text == "" }

// Text returns a text reply.
func Text(s string) Reply { return Reply{Text: s} }

// Clip shortens s to at most n characters, marking the cut.
func Clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// Dedup sources of an Outcome.
const (
	// DupState means the reply came from the state store's dedup claim.
	DupState = "state"
	// DupDB means the reply came from the processed-message record in the
	// database (the state store was unavailable or had forgotten).
	DupDB = "db"
	// DupPending means another delivery of the message was still at work
	// when this one stopped waiting for it: no reply here (the transport
	// answers "success"); the other delivery's reply or push will come.
	DupPending = "pending"
	// DupRecovered means this delivery took over the claim of one whose
	// process died after committing the message but before answering: the
	// reply came from the database, and the transport must deliver it (a
	// late one is pushed), since nobody else will.
	DupRecovered = "recovered"
)

// Outcome is what Process did with one delivery of a message.
type Outcome struct {
	Reply Reply
	// Duplicate is empty when this delivery was processed now, or says
	// where the reply of an earlier delivery came from (DupState, DupDB).
	// The transport must not push a duplicate's reply again.
	Duplicate string
}
