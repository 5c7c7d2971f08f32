// Package wechat is the WeChat official-account message protocol, without
// an HTTP server: signatures, safe-mode (AES) encryption, the XML of
// messages, events and passive replies, and a Client that talks to a
// webhook exactly as WeChat's servers do.
//
// Nothing in this package logs; callers must not log a Message either: its
// FromUserName is an openid and its Content is what a user wrote.
package wechat

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"minqing/bot"
)

// ErrMalformed means an XML body is not a WeChat message, envelope or reply:
// not well-formed XML, a root other than <xml>, nested too deep, too large,
// or missing a required field.
var ErrMalformed = errors.New("wechat: malformed XML")

const (
	// maxXMLSize bounds what the parsers accept. The webhook caps request
	// bodies at 64 KiB already; this is a second line of defence.
	maxXMLSize = 1 << 20
	// maxDepth bounds element nesting, root included. WeChat's deepest
	// documented structure (SendPicsInfo>PicList>item>PicMd5Sum) has 5.
	maxDepth = 8
)

// Message is one message or event as WeChat posts it to the webhook (the
// inner XML, decrypted in safe mode), or a passive reply. Field names are
// WeChat's element names. Numbers that WeChat sends are numbers here;
// strings are kept exactly as sent.
type Message struct {
	ToUserName   string // the account (gh_…) for inbound messages; the user for replies
	FromUserName string // the sender's openid for inbound messages; the account for replies
	CreateTime   int64  // Unix seconds
	MsgType      string // text, image, voice, video, shortvideo, location, link, event
	MsgId        int64  // zero for events

	// text
	Content string

	// image, voice, video
	PicUrl       string
	MediaId      string
	Format       string // voice: amr, speex
	Recognition  string // voice: WeChat's speech recognition, when enabled
	ThumbMediaId string // video, shortvideo

	// location
	Location_X float64 // latitude
	Location_Y float64 // longitude
	Scale      float64
	Label      string

	// link (also the title and description of a video reply)
	Title       string
	Description string
	Url         string

	// event
	Event     string // subscribe, unsubscribe, SCAN, LOCATION, CLICK, VIEW, …
	EventKey  string // qrscene_… for a subscribe through a QR code
	Ticket    string
	Latitude  float64
	Longitude float64
	Precision float64
}

// Envelope is the outer XML of a safe-mode message.
type Envelope struct {
	ToUserName string
	Encrypt    string
}

// ParseEnvelope parses the body of a safe-mode POST,
// <xml><ToUserName/><Encrypt/></xml>. Compatible-mode bodies also carry the
// message in clear; those fields are ignored. Errors wrap ErrMalformed.
func ParseEnvelope(body []byte) (Envelope, error) {
	var e Envelope
	err := walkXML(body, func(parent, name string, value []byte) error {
		if parent != "" {
			return nil
		}
		switch name {
		case "ToUserName":
			e.ToUserName = string(value)
		case "Encrypt":
			e.Encrypt = string(value)
		}
		return nil
	})
	if err != nil {
		return Envelope{}, fmt.Errorf("parse envelope: %w", err)
	}
	if e.Encrypt == "" {
		return Envelope{}, fmt.Errorf("parse envelope: %w: no Encrypt", ErrMalformed)
	}
	return e, nil
}

// ParseMessage parses a message or event (the inner XML in safe mode).
// Errors wrap ErrMalformed: not XML, a root other than <xml>, nesting or
// size beyond the limits, a number that does not parse, or a missing
// FromUserName, MsgType or CreateTime. Unknown elements are ignored.
func ParseMessage(b []byte) (Message, error) {
	m, err := parseMessage(b, false)
	if err != nil {
		return Message{}, fmt.Errorf("parse message: %w", err)
	}
	return m, nil
}

// ParseReply parses a passive reply in clear (for a safe-mode reply, open
// it with OpenEncryptedReply first). A text reply gives MsgType "text" and
// Content; the MediaId, Title and Description of image, voice, video and
// music replies are lifted to the top level. "success" and empty bodies are
// not replies: they give ErrMalformed, like any other body that is not a
// message.
func ParseReply(body []byte) (Message, error) {
	m, err := parseMessage(body, true)
	if err != nil {
		return Message{}, fmt.Errorf("parse reply: %w", err)
	}
	return m, nil
}

func parseMessage(b []byte, reply bool) (Message, error) {
	var (
		m                            Message
		hasFrom, hasType, hasCreated bool
	)
	err := walkXML(b, func(parent, name string, value []byte) error {
		if parent != "" {
			if !reply {
				return nil
			}
			switch parent {
			case "Image", "Voice", "Video", "Music":
			default:
				return nil
			}
			switch name {
			case "MediaId", "Title", "Description", "ThumbMediaId":
			default:
				return nil
			}
		}
		var err error
		switch name {
		case "ToUserName":
			m.ToUserName = string(value)
		case "FromUserName":
			m.FromUserName, hasFrom = string(value), true
		case "CreateTime":
			m.CreateTime, err = parseInt(value)
			hasCreated = true
		case "MsgType":
			m.MsgType, hasType = string(value), true
		case "MsgId":
			m.MsgId, err = parseInt(value)
		case "Content":
			m.Content = string(value)
		case "PicUrl":
			m.PicUrl = string(value)
		case "MediaId":
			m.MediaId = string(value)
		case "Format":
			m.Format = string(value)
		case "Recognition":
			m.Recognition = string(value)
		case "ThumbMediaId":
			m.ThumbMediaId = string(value)
		case "Location_X":
			m.Location_X, err = parseFloat(value)
		case "Location_Y":
			m.Location_Y, err = parseFloat(value)
		case "Scale":
			m.Scale, err = parseFloat(value)
		case "Label":
			m.Label = string(value)
		case "Title":
			m.Title = string(value)
		case "Description":
			m.Description = string(value)
		case "Url":
			m.Url = string(value)
		case "Event":
			m.Event = string(value)
		case "EventKey":
			m.EventKey = string(value)
		case "Ticket":
			m.Ticket = string(value)
		case "Latitude":
			m.Latitude, err = parseFloat(value)
		case "Longitude":
			m.Longitude, err = parseFloat(value)
		case "Precision":
			m.Precision, err = parseFloat(value)
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrMalformed, name, err)
		}
		return nil
	})
	if err != nil {
		return Message{}, err
	}
	switch {
	case !hasFrom || m.FromUserName == "":
		return Message{}, fmt.Errorf("%w: no FromUserName", ErrMalformed)
	case !hasType || m.MsgType == "":
		return Message{}, fmt.Errorf("%w: no MsgType", ErrMalformed)
	case !hasCreated:
		return Message{}, fmt.Errorf("%w: no CreateTime", ErrMalformed)
	}
	return m, nil
}

func parseInt(b []byte) (int64, error) {
	return strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64)
}

func parseFloat(b []byte) (float64, error) {
	s := string(bytes.TrimSpace(b))
	if s == "" {
		return 0, nil
	}
	return strconv.ParseFloat(s, 64)
}

// walkXML calls fn for every leaf element (one without child elements) of
// the <xml> root, with the name of its parent ("" for a child of the root)
// and its text, CDATA sections joined. value is only valid during the call.
// Errors wrap ErrMalformed, or are fn's.
func walkXML(b []byte, fn func(parent, name string, value []byte) error) error {
	if len(b) > maxXMLSize {
		return fmt.Errorf("%w: %d bytes is more than %d", ErrMalformed, len(b), maxXMLSize)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	var root xml.Name
	// RawToken skips Token's namespace bookkeeping (and its allocations) but
	// does not check that end tags match start tags: path below does.
	// First the root: skip the prolog (declaration, comments, whitespace).
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return fmt.Errorf("%w: no root element", ErrMalformed)
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != "xml" {
				return fmt.Errorf("%w: root element is <%s>, want <xml>", ErrMalformed, se.Name.Local)
			}
			root = se.Name
			break
		}
		if cd, ok := tok.(xml.CharData); ok && len(bytes.TrimSpace(cd)) > 0 {
			return fmt.Errorf("%w: text before the root element", ErrMalformed)
		}
	}
	var (
		path  = [maxDepth]xml.Name{root} // open elements, root first
		depth = 1
		leaf  bool // the innermost open element has no child element (yet)
		text  []byte
	)
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return fmt.Errorf("%w: unexpected end of input", ErrMalformed)
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == maxDepth {
				return fmt.Errorf("%w: nested deeper than %d", ErrMalformed, maxDepth)
			}
			path[depth] = t.Name
			depth++
			leaf = true
			text = text[:0]
		case xml.EndElement:
			depth--
			if t.Name != path[depth] {
				return fmt.Errorf("%w: </%s> closes <%s>", ErrMalformed, t.Name.Local, path[depth].Local)
			}
			if depth == 0 {
				return nil // the rest (trailing whitespace, comments) is ignored
			}
			if leaf {
				parent := ""
				if depth >= 2 {
					parent = path[depth-1].Local
				}
				if err := fn(parent, path[depth].Local, text); err != nil {
					return err
				}
			}
			leaf = false
		case xml.CharData:
			if leaf {
				text = append(text, t...)
			}
		}
	}
}

// Inbound converts the message to the bot's form. The caller has verified
// it; Inbound only maps fields. Event names are normalised to the bot's
// constants whatever their case; unknown events and message types are
// kept (KindOther for unknown message types).
func (m Message) Inbound() bot.Inbound {
	in := bot.Inbound{
		OpenID:  m.FromUserName,
		Account: m.ToUserName,
		MsgID:   m.MsgId,
		Created: time.Unix(m.CreateTime, 0).UTC(),
	}
	switch strings.ToLower(m.MsgType) {
	case "text":
		in.Kind = bot.KindText
		in.Text = m.Content
	case "voice":
		in.Kind = bot.KindVoice
		in.Text = strings.TrimSpace(m.Recognition)
		in.MediaID = m.MediaId
	case "image":
		in.Kind = bot.KindImage
		in.MediaID = m.MediaId
		in.PicURL = m.PicUrl
	case "location":
		in.Kind = bot.KindLocation
		in.Lat, in.Lon = m.Location_X, m.Location_Y
		in.Label = m.Label
	case "event":
		in.Kind = bot.KindEvent
		in.MsgID = 0
		in.Event = normaliseEvent(m.Event)
		in.EventKey = m.EventKey
		if in.Event == bot.EventLocation {
			in.Lat, in.Lon = m.Latitude, m.Longitude
		}
	default:
		in.Kind = bot.KindOther
		in.MediaID = m.MediaId
	}
	return in
}

var knownEvents = [...]bot.Event{
	bot.EventSubscribe, bot.EventUnsubscribe, bot.EventClick,
	bot.EventView, bot.EventScan, bot.EventLocation,
}

func normaliseEvent(e string) bot.Event {
	for _, k := range knownEvents {
		if strings.EqualFold(e, string(k)) {
			return k
		}
	}
	return bot.Event(e)
}

// XML returns the message as WeChat posts it: an <xml> root, strings in
// CDATA sections, numbers bare, in WeChat's element order. Empty strings
// are left out, and so are zero numbers except CreateTime, the coordinates
// of a location message and those of a LOCATION event.
func (m Message) XML() []byte {
	return m.AppendXML(make([]byte, 0, 256+len(m.Content)+len(m.Recognition)))
}

// AppendXML appends what XML returns to dst.
func (m Message) AppendXML(dst []byte) []byte {
	dst = append(dst, "<xml>"...)
	dst = appendStringElem(dst, "ToUserName", m.ToUserName)
	dst = appendStringElem(dst, "FromUserName", m.FromUserName)
	dst = appendIntElem(dst, "CreateTime", m.CreateTime)
	dst = appendStringElem(dst, "MsgType", m.MsgType)
	dst = appendStringElem(dst, "Content", m.Content)
	dst = appendStringElem(dst, "Event", m.Event)
	dst = appendStringElem(dst, "EventKey", m.EventKey)
	dst = appendStringElem(dst, "Ticket", m.Ticket)
	if strings.EqualFold(m.Event, string(bot.EventLocation)) {
		dst = appendFloatElem(dst, "Latitude", m.Latitude)
		dst = appendFloatElem(dst, "Longitude", m.Longitude)
		dst = appendFloatElem(dst, "Precision", m.Precision)
	}
	dst = appendStringElem(dst, "PicUrl", m.PicUrl)
	dst = appendStringElem(dst, "MediaId", m.MediaId)
	dst = appendStringElem(dst, "Format", m.Format)
	dst = appendStringElem(dst, "Recognition", m.Recognition)
	dst = appendStringElem(dst, "ThumbMediaId", m.ThumbMediaId)
	if strings.EqualFold(m.MsgType, "location") {
		dst = appendFloatElem(dst, "Location_X", m.Location_X)
		dst = appendFloatElem(dst, "Location_Y", m.Location_Y)
		dst = appendFloatElem(dst, "Scale", m.Scale)
	}
	dst = appendStringElem(dst, "Label", m.Label)
	dst = appendStringElem(dst, "Title", m.Title)
	dst = appendStringElem(dst, "Description", m.Description)
	dst = appendStringElem(dst, "Url", m.Url)
	if m.MsgId != 0 {
		dst = appendIntElem(dst, "MsgId", m.MsgId)
	}
	return append(dst, "</xml>"...)
}

// TextReply returns the passive text reply to a user: toUser is the
// sender's openid, fromAccount the account's ID (the message's ToUserName),
// created Unix seconds. Any content is safe: "]]>" splits the CDATA
// section, and characters XML 1.0 forbids (control characters, invalid
// UTF-8) are dropped or replaced by U+FFFD.
func TextReply(toUser, fromAccount string, created int64, content string) []byte {
	dst := make([]byte, 0, 192+len(toUser)+len(fromAccount)+len(content))
	dst = append(dst, "<xml>"...)
	dst = appendStringElem(dst, "ToUserName", toUser)
	dst = appendStringElem(dst, "FromUserName", fromAccount)
	dst = appendIntElem(dst, "CreateTime", created)
	dst = appendStringElem(dst, "MsgType", "text")
	dst = appendCDATAElem(dst, "Content", content) // even when empty
	return append(dst, "</xml>"...)
}

// EncryptedReply seals a passive reply (inner, e.g. from TextReply) for
// safe mode: the result is
// <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>, signed with
// token over timestamp and nonce (echo the request's, as WeChat's samples
// do).
func EncryptedReply(c *Crypto, token string, inner []byte, timestamp int64, nonce string) ([]byte, error) {
	if c == nil {
		return nil, errors.New("wechat: encrypted reply: no Crypto (plain mode)")
	}
	enc, err := c.Encrypt(inner)
	if err != nil {
		return nil, fmt.Errorf("wechat: encrypted reply: %w", err)
	}
	var tsBuf [20]byte
	ts := strconv.AppendInt(tsBuf[:0], timestamp, 10)
	d := digest(token, string(ts), nonce, []string{enc})
	dst := make([]byte, 0, 160+len(enc)+len(nonce))
	dst = append(dst, "<xml>"...)
	dst = appendCDATAElem(dst, "Encrypt", enc)
	dst = append(dst, "<MsgSignature><![CDATA["...)
	dst = append(dst, d[:]...)
	dst = append(dst, "]]></MsgSignature><TimeStamp>"...)
	dst = append(dst, ts...)
	dst = append(dst, "</TimeStamp>"...)
	dst = appendCDATAElem(dst, "Nonce", nonce)
	return append(dst, "</xml>"...), nil
}

// OpenEncryptedReply verifies a safe-mode reply's MsgSignature with token
// and decrypts it, returning the inner XML (parse it with ParseReply).
// Errors wrap ErrMalformed, ErrBadSignature, or Decrypt's errors.
func OpenEncryptedReply(c *Crypto, token string, body []byte) ([]byte, error) {
	if c == nil {
		return nil, errors.New("wechat: open reply: no Crypto (plain mode)")
	}
	var enc, sig, ts, nonce string
	err := walkXML(body, func(parent, name string, value []byte) error {
		if parent != "" {
			return nil
		}
		switch name {
		case "Encrypt":
			enc = string(value)
		case "MsgSignature":
			sig = string(value)
		case "TimeStamp":
			ts = string(bytes.TrimSpace(value))
		case "Nonce":
			nonce = string(value)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("wechat: open reply: %w", err)
	}
	if enc == "" || sig == "" {
		return nil, fmt.Errorf("wechat: open reply: %w: no Encrypt or MsgSignature", ErrMalformed)
	}
	if !VerifySignature(sig, token, ts, nonce, enc) {
		return nil, fmt.Errorf("wechat: open reply: %w", ErrBadSignature)
	}
	inner, err := c.Decrypt(enc)
	if err != nil {
		return nil, fmt.Errorf("wechat: open reply: %w", err)
	}
	return inner, nil
}

// envelopeXML returns the safe-mode body WeChat posts.
func envelopeXML(toUser, encrypt string) []byte {
	dst := make([]byte, 0, 96+len(toUser)+len(encrypt))
	dst = append(dst, "<xml>"...)
	dst = appendStringElem(dst, "ToUserName", toUser)
	dst = appendCDATAElem(dst, "Encrypt", encrypt)
	return append(dst, "</xml>"...)
}

func appendStringElem(dst []byte, name, value string) []byte {
	if value == "" {
		return dst
	}
	return appendCDATAElem(dst, name, value)
}

func appendCDATAElem(dst []byte, name, value string) []byte {
	dst = append(dst, '<')
	dst = append(dst, name...)
	dst = append(dst, '>')
	dst = appendCDATA(dst, value)
	dst = append(dst, "</"...)
	dst = append(dst, name...)
	return append(dst, '>')
}

func appendIntElem(dst []byte, name string, v int64) []byte {
	dst = append(dst, '<')
	dst = append(dst, name...)
	dst = append(dst, '>')
	dst = strconv.AppendInt(dst, v, 10)
	dst = append(dst, "</"...)
	dst = append(dst, name...)
	return append(dst, '>')
}

func appendFloatElem(dst []byte, name string, v float64) []byte {
	dst = append(dst, '<')
	dst = append(dst, name...)
	dst = append(dst, '>')
	dst = strconv.AppendFloat(dst, v, 'f', -1, 64)
	dst = append(dst, "</"...)
	dst = append(dst, name...)
	return append(dst, '>')
}

// appendCDATA appends s as one or more CDATA sections: each "]]>" in s is
// split across two sections ("]]" ends one, ">" starts the next).
// Characters XML 1.0 forbids are cleaned out first, so that dropping one
// cannot create a "]]>".
func appendCDATA(dst []byte, s string) []byte {
	s = xmlChars(s)
	dst = append(dst, "<![CDATA["...)
	for {
		i := strings.Index(s, "]]>")
		if i < 0 {
			break
		}
		dst = append(dst, s[:i+2]...)
		dst = append(dst, "]]><![CDATA["...)
		s = s[i+2:]
	}
	dst = append(dst, s...)
	return append(dst, "]]>"...)
}

// xmlChars returns s without the characters XML 1.0 does not allow
// (control characters other than tab, newline and carriage return,
// surrogates, U+FFFE, U+FFFF), invalid UTF-8 replaced with U+FFFD. It
// returns s itself, without allocating, when there is nothing to clean.
func xmlChars(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			clean = false
			break
		}
	}
	if clean || (utf8.ValidString(s) && !strings.ContainsFunc(s, notXMLChar)) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case !notXMLChar(r):
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func notXMLChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r',
		r >= 0x20 && r <= 0xD7FF,
		r >= 0xE000 && r <= 0xFFFD,
		r >= 0x10000 && r <= 0x10FFFF:
		return false
	}
	return true
}
