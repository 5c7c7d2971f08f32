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
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
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
	err := walkXML(body, func(parent, name, value []byte) error {
		if len(parent) != 0 {
			return nil
		}
		switch string(name) {
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
	err := walkXML(b, func(parent, name, value []byte) error {
		if len(parent) != 0 {
			if !reply {
				return nil
			}
			switch string(parent) {
			case "Image", "Voice", "Video", "Music":
			default:
				return nil
			}
			switch string(name) {
			case "MediaId", "Title", "Description", "ThumbMediaId":
			default:
				return nil
			}
		}
		var err error
		switch string(name) {
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
// the <xml> root with the local name of its parent (empty for a child of
// the root), its own local name, and its character data: text with
// references decoded and CDATA sections, joined, line ends normalised to
// "\n". name, parent and value are only valid during the call. Errors wrap
// ErrMalformed, or are fn's.
//
// It is a small scanner for the XML WeChat and its SDKs write, not a
// general XML parser. It accepts a well-formed document of one <xml> root
// element, with an XML declaration, other processing instructions,
// comments and whitespace around and within elements, attributes (checked,
// then ignored), self-closing elements, the five predefined entities and
// character references. It rejects anything else: text, CDATA sections or
// references outside the root, a second root, mismatched tags, nesting
// deeper than maxDepth, unknown entities, and <!DOCTYPE> or any other
// declaration (so there are no entities to expand). The whole document
// must be UTF-8 made of the characters XML allows.
//
// It replaces encoding/xml and agrees with it (FuzzWalkXML checks) except
// where it is stricter, as listed above (encoding/xml skipped declarations
// and whatever followed the root, and checked characters only in text and
// names), and where it is more lenient: it does not check an XML
// declaration's version or encoding, and takes any non-ASCII character as
// a name character. Like encoding/xml, it drops a namespace prefix
// (<a:Content> is Content) and makes a reference to a surrogate U+FFFD.
//
// The value passed to fn is a sub-slice of b when the element holds a
// single text or CDATA segment that needs no decoding (WeChat's usual
// form), so that walkXML itself does not allocate.
func walkXML(b []byte, fn func(parent, name, value []byte) error) error {
	if len(b) > maxXMLSize {
		return fmt.Errorf("%w: %d bytes is more than %d", ErrMalformed, len(b), maxXMLSize)
	}
	if i := invalidChar(b); i >= 0 {
		return fmt.Errorf("%w: invalid UTF-8 or character at byte %d", ErrMalformed, i)
	}
	var w walker
	for i := 0; i < len(b); {
		if b[i] != '<' {
			// Character data, up to the next markup.
			end := len(b)
			if j := bytes.IndexByte(b[i:], '<'); j >= 0 {
				end = i + j
			}
			if err := w.text(b[i:end]); err != nil {
				return err
			}
			i = end
			continue
		}
		s := b[i:]
		switch {
		case bytes.HasPrefix(s, commentStart):
			// A comment ends at its first "--", which must be followed by '>'.
			j := bytes.Index(s[len(commentStart):], []byte("--"))
			end := len(commentStart) + j + len("--")
			if j < 0 || end >= len(s) || s[end] != '>' {
				return malformed("bad comment", i)
			}
			i += end + 1
		case bytes.HasPrefix(s, piStart):
			// A processing instruction (the XML declaration is one): a
			// target name, then anything up to "?>".
			n := nameLen(s[len(piStart):])
			j := bytes.Index(s[len(piStart)+n:], piEnd)
			if n == 0 || j < 0 {
				return malformed("bad processing instruction", i)
			}
			i += len(piStart) + n + j + len(piEnd)
		case bytes.HasPrefix(s, cdataStart):
			j := bytes.Index(s[len(cdataStart):], cdataEnd)
			if j < 0 {
				return malformed("unterminated CDATA section", i)
			}
			if err := w.cdata(s[len(cdataStart) : len(cdataStart)+j]); err != nil {
				return err
			}
			i += len(cdataStart) + j + len(cdataEnd)
		case bytes.HasPrefix(s, []byte("<!")):
			// <!DOCTYPE, <!ENTITY, …: WeChat never sends them, and refusing
			// them leaves no entity to expand.
			return malformed("declarations (<!DOCTYPE …>) are not allowed", i)
		case bytes.HasPrefix(s, []byte("</")):
			name, n := endTag(s)
			if n == 0 {
				return malformed("bad end tag", i)
			}
			if err := w.end(name, fn); err != nil {
				return err
			}
			i += n
		default:
			name, n, empty := startTag(s)
			if n == 0 {
				return malformed("bad start tag", i)
			}
			if err := w.start(name); err != nil {
				return err
			}
			if empty { // <A/> is <A></A>
				if err := w.end(name, fn); err != nil {
					return err
				}
			}
			i += n
		}
	}
	switch {
	case w.depth > 0:
		return fmt.Errorf("%w: unexpected end of input in <%.40s>", ErrMalformed, w.open[w.depth-1])
	case !w.done:
		return fmt.Errorf("%w: no root element", ErrMalformed)
	}
	return nil
}

var (
	commentStart = []byte("<!--")
	piStart      = []byte("<?")
	piEnd        = []byte("?>")
	cdataStart   = []byte("<![CDATA[")
	cdataEnd     = []byte("]]>")
)

func malformed(what string, offset int) error {
	return fmt.Errorf("%w: %s at byte %d", ErrMalformed, what, offset)
}

// walker follows walkXML's elements and collects the leaves' text. (It
// does not hold fn: that would move the callers' closures to the heap.)
type walker struct {
	open  [maxDepth][]byte // names of the open elements, root first
	depth int              // how many are open
	done  bool             // the root has been closed
	leaf  bool             // the innermost open element has no child (yet)
	chars chars            // its character data so far
}

func (w *walker) start(name []byte) error {
	switch {
	case w.done:
		return fmt.Errorf("%w: a second root element <%.40s>", ErrMalformed, name)
	case w.depth == 0 && string(localName(name)) != "xml":
		return fmt.Errorf("%w: root element is <%.40s>, want <xml>", ErrMalformed, name)
	case w.depth == maxDepth:
		return fmt.Errorf("%w: nested deeper than %d", ErrMalformed, maxDepth)
	}
	w.open[w.depth] = name
	w.depth++
	w.leaf = true
	w.chars.reset()
	return nil
}

func (w *walker) end(name []byte, fn func(parent, name, value []byte) error) error {
	if w.depth == 0 {
		return fmt.Errorf("%w: </%.40s> outside the root element", ErrMalformed, name)
	}
	w.depth--
	if !bytes.Equal(name, w.open[w.depth]) {
		return fmt.Errorf("%w: </%.40s> closes <%.40s>", ErrMalformed, name, w.open[w.depth])
	}
	leaf := w.leaf && w.depth > 0 // the root is no leaf
	w.leaf = false
	w.done = w.depth == 0
	if leaf {
		var parent []byte
		if w.depth > 1 {
			parent = localName(w.open[w.depth-1])
		}
		if err := fn(parent, localName(name), w.chars.val); err != nil {
			return err
		}
	}
	w.chars.reset()
	return nil
}

// text handles character data outside CDATA sections.
func (w *walker) text(s []byte) error {
	if w.depth == 0 {
		if !isSpace(s) {
			return fmt.Errorf("%w: text outside the root element", ErrMalformed)
		}
		return nil
	}
	if bytes.Contains(s, cdataEnd) {
		return fmt.Errorf("%w: %q outside a CDATA section", ErrMalformed, cdataEnd)
	}
	if !w.chars.add(s, false) {
		return fmt.Errorf("%w: unknown entity or bad character reference", ErrMalformed)
	}
	return nil
}

// cdata handles the content of a CDATA section.
func (w *walker) cdata(s []byte) error {
	if w.depth == 0 {
		return fmt.Errorf("%w: CDATA section outside the root element", ErrMalformed)
	}
	w.chars.add(s, true)
	return nil
}

// chars collects an element's character data: a sub-slice of the input
// while it is a single segment that needs no decoding, a copy in buf once
// it is not.
type chars struct {
	val   []byte
	buf   []byte // reused from element to element
	inBuf bool   // val is buf
}

func (c *chars) reset() { c.val, c.inBuf = nil, false }

// add appends a segment of text (cdata false: references are decoded) or
// the content of a CDATA section, normalising line ends. It reports false
// for an unknown entity or a bad character reference.
func (c *chars) add(s []byte, cdata bool) bool {
	plain := bytes.IndexByte(s, '\r') < 0 && (cdata || bytes.IndexByte(s, '&') < 0)
	switch {
	case len(s) == 0:
		return true
	case c.val == nil && plain:
		c.val = s // the usual case: no copy
		return true
	case !c.inBuf:
		c.buf = append(c.buf[:0], c.val...)
		c.inBuf = true
	}
	special := "\r&"
	if cdata {
		special = "\r"
	}
	for len(s) > 0 {
		j := bytes.IndexAny(s, special)
		if j < 0 {
			j = len(s)
		}
		c.buf = append(c.buf, s[:j]...)
		switch s = s[j:]; {
		case len(s) == 0:
		case s[0] == '\r': // "\r\n" and a lone "\r" are "\n"
			c.buf = append(c.buf, '\n')
			s = s[1:]
			if len(s) > 0 && s[0] == '\n' {
				s = s[1:]
			}
		default: // '&'
			r, n := reference(s)
			if n == 0 {
				return false
			}
			c.buf = utf8.AppendRune(c.buf, r)
			s = s[n:]
		}
	}
	c.val = c.buf
	return true
}

// reference decodes the entity or character reference at the start of s
// (which starts with '&'): &lt; &gt; &amp; &apos; &quot; &#ddd; or &#xhhh;.
// n is its length, 0 if it is not one of those or names a character that
// XML does not allow.
func reference(s []byte) (r rune, n int) {
	semi := bytes.IndexByte(s, ';')
	if semi < 0 {
		return 0, 0
	}
	name := s[1:semi]
	switch string(name) {
	case "lt":
		return '<', semi + 1
	case "gt":
		return '>', semi + 1
	case "amp":
		return '&', semi + 1
	case "apos":
		return '\'', semi + 1
	case "quot":
		return '"', semi + 1
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, 0
	}
	digits, base := name[1:], rune(10)
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 {
		return 0, 0
	}
	for _, d := range digits {
		v := rune(base) // not a digit in base
		switch {
		case '0' <= d && d <= '9':
			v = rune(d - '0')
		case 'a' <= d && d <= 'f':
			v = rune(d-'a') + 10
		case 'A' <= d && d <= 'F':
			v = rune(d-'A') + 10
		}
		if v >= base {
			return 0, 0
		}
		if r = r*base + v; r > unicode.MaxRune {
			return 0, 0
		}
	}
	if 0xD800 <= r && r <= 0xDFFF {
		r = utf8.RuneError // a surrogate: encoding/xml made it U+FFFD, keep that
	}
	if notXMLChar(r) {
		return 0, 0
	}
	return r, semi + 1
}

// startTag parses the start tag at the start of s:
// "<" name (S? attribute)* S? ("/>" | ">"), attribute = name S? "=" S?
// quoted value. It returns the element's name, the tag's length (0 if it is
// not a valid start tag) and whether it is self-closing. Attributes are
// checked and ignored; like encoding/xml, it needs no space between them.
func startTag(s []byte) (name []byte, n int, empty bool) {
	i := 1 + qNameLen(s[1:])
	if i == 1 {
		return nil, 0, false
	}
	name = s[1:i]
	for {
		i = skipSpace(s, i)
		switch {
		case i == len(s):
			return nil, 0, false
		case s[i] == '>':
			return name, i + 1, false
		case s[i] == '/':
			if i+1 < len(s) && s[i+1] == '>' {
				return name, i + 2, true
			}
			return nil, 0, false
		}
		// An attribute.
		k := qNameLen(s[i:])
		if k == 0 {
			return nil, 0, false
		}
		i = skipSpace(s, i+k)
		if i == len(s) || s[i] != '=' {
			return nil, 0, false
		}
		i = skipSpace(s, i+1)
		if i == len(s) || (s[i] != '"' && s[i] != '\'') {
			return nil, 0, false
		}
		quote := s[i]
		i++
		k = bytes.IndexByte(s[i:], quote)
		if k < 0 || !attrValue(s[i:i+k]) {
			return nil, 0, false
		}
		i += k + 1
	}
}

// attrValue reports whether v is a valid attribute value (between quotes):
// no '<', and valid references.
func attrValue(v []byte) bool {
	if bytes.IndexByte(v, '<') >= 0 {
		return false
	}
	for {
		j := bytes.IndexByte(v, '&')
		if j < 0 {
			return true
		}
		_, n := reference(v[j:])
		if n == 0 {
			return false
		}
		v = v[j+n:]
	}
}

// endTag parses the end tag at the start of s: "</" name S? ">". It returns
// the element's name and the tag's length, 0 if it is not a valid end tag.
func endTag(s []byte) (name []byte, n int) {
	i := 2 + qNameLen(s[2:])
	if i == 2 {
		return nil, 0
	}
	name = s[2:i]
	if i = skipSpace(s, i); i == len(s) || s[i] != '>' {
		return nil, 0
	}
	return name, i + 1
}

// nameLen returns the length of the XML name at the start of s, 0 if there
// is none. Non-ASCII characters are all accepted as name characters.
func nameLen(s []byte) int {
	i := 0
	for i < len(s) && isNameByte(s[i]) {
		i++
	}
	if i > 0 && ('0' <= s[0] && s[0] <= '9' || s[0] == '.' || s[0] == '-') {
		return 0 // not a name's first character
	}
	return i
}

// qNameLen is nameLen for the names of elements and attributes, which, as
// in encoding/xml, can have at most one colon.
func qNameLen(s []byte) int {
	n, colons := nameLen(s), 0
	for _, c := range s[:n] {
		if c == ':' {
			colons++
		}
	}
	if colons > 1 {
		return 0
	}
	return n
}

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == ':' || c == '.' || c == '-' || c >= utf8.RuneSelf
}

// localName strips a namespace prefix: <a:Content> is Content, as
// encoding/xml had it. A colon at either end is part of the name.
func localName(name []byte) []byte {
	if i := bytes.IndexByte(name, ':'); i > 0 && i < len(name)-1 {
		return name[i+1:]
	}
	return name
}

// skipSpace returns the index of the first byte at or after i that is not
// XML whitespace.
func skipSpace(s []byte, i int) int {
	for i < len(s) && isSpaceByte(s[i]) {
		i++
	}
	return i
}

func isSpace(s []byte) bool { return skipSpace(s, 0) == len(s) }

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// invalidChar returns the offset of the first invalid UTF-8 sequence or
// character XML does not allow (see notXMLChar) in b, -1 if there is none.
func invalidChar(b []byte) int {
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	for i := 0; i < len(b); {
		// Fast path: eight bytes all in 0x20–0x7F. Then no byte borrows in
		// x-0x20*ones and none has its top bit set. Otherwise the lowest
		// byte below 0x20 (which no lower byte borrows from) sets its top
		// bit in x-0x20*ones, or a byte from 0x80 has it set in x.
		if i+8 <= len(b) {
			if x := binary.LittleEndian.Uint64(b[i:]); (x-0x20*ones|x)&tops == 0 {
				i += 8
				continue
			}
		}
		if c := b[i]; c < utf8.RuneSelf {
			if c < 0x20 && !isSpaceByte(c) { // the space bytes are the allowed controls
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || notXMLChar(r) {
			return i
		}
		i += n
	}
	return -1
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
	if strings.EqualFold(m.Event, "LOCATION") {
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
	err := walkXML(body, func(parent, name, value []byte) error {
		if len(parent) != 0 {
			return nil
		}
		switch string(name) {
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
