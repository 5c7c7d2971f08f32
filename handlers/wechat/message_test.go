package wechat

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"minqing/internal/goldentest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// MustParseMessage parses b or fails the test.
func MustParseMessage(tb testing.TB, b []byte) Message {
	tb.Helper()
	m, err := ParseMessage(b)
	if err != nil {
		tb.Fatalf("ParseMessage(%s): %v", b, err)
	}
	return m
}

func TestVectorMessage(t *testing.T) {
	inner, err := MustCrypto(t, vecAppID).Decrypt(vecEncrypt)
	if err != nil {
		t.Fatal(err)
	}
	got := MustParseMessage(t, inner)
	want := Message{
		ToUserName: "asdasdasd", FromUserName: "asdasdasdsadasd", CreateTime: 1234567898,
		MsgType: "text", Content: "hello", MsgId: 12345,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseMessage mismatch (-want +got):\n%s", diff)
	}
}

func TestParseMessageMalformed(t *testing.T) {
	const ok = `<ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>`
	tests := []struct{ name, body string }{
		{"empty", ""},
		{"whitespace", "  \n"},
		{"not XML", "hello"},
		{"success", "success"},
		{"JSON", `{"ToUserName":"gh"}`},
		{"text before the root", "x<xml>" + ok + "</xml>"},
		{"other root", "<message>" + ok + "</message>"},
		{"unclosed root", "<xml>" + ok},
		{"mismatched tags", "<xml>" + ok + "<Content>a</MsgId></xml>"},
		{"bad entity", "<xml>" + ok + "<Content>&bogus;</Content></xml>"},
		{"no FromUserName", "<xml><ToUserName>gh</ToUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>"},
		{"empty FromUserName", "<xml><FromUserName><![CDATA[]]></FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>"},
		{"no MsgType", "<xml><FromUserName>o1</FromUserName><CreateTime>1</CreateTime></xml>"},
		{"no CreateTime", "<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType></xml>"},
		{"bad CreateTime", "<xml><FromUserName>o1</FromUserName><CreateTime>yesterday</CreateTime><MsgType>text</MsgType></xml>"},
		{"bad MsgId", "<xml>" + ok + "<MsgId>12x</MsgId></xml>"},
		{"bad Location_X", "<xml>" + ok + "<Location_X>north</Location_X></xml>"},
		{"too deep", "<xml>" + ok + strings.Repeat("<a>", maxDepth) + strings.Repeat("</a>", maxDepth) + "</xml>"},
		{"too large", "<xml>" + ok + "<Content>" + strings.Repeat("x", maxXMLSize) + "</Content></xml>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMessage([]byte(tt.body))
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseMessage error = %v, want ErrMalformed", err)
			}
			if diff := cmp.Diff(Message{}, m); diff != "" {
				t.Errorf("ParseMessage returned a non-zero Message on error:\n%s", diff)
			}
		})
	}
	// Just within the nesting limit is fine.
	deep := "<xml>" + ok + strings.Repeat("<a>", maxDepth-1) + strings.Repeat("</a>", maxDepth-1) + "</xml>"
	if _, err := ParseMessage([]byte(deep)); err != nil {
		t.Errorf("ParseMessage at depth %d: %v", maxDepth, err)
	}
}

func TestParseEnvelope(t *testing.T) {
	tests := []struct {
		name, body string
		want       Envelope
		wantErr    error
	}{
		{
			name: "safe mode",
			body: "<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[" + vecEncrypt + "]]></Encrypt></xml>",
			want: Envelope{ToUserName: "gh_x", Encrypt: vecEncrypt},
		},
		{
			name: "compatible mode",
			body: "<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>1</MsgId><Encrypt><![CDATA[abc=]]></Encrypt></xml>",
			want: Envelope{ToUserName: "gh_x", Encrypt: "abc="},
		},
		{name: "no Encrypt", body: "<xml><ToUserName>gh_x</ToUserName></xml>", wantErr: ErrMalformed},
		{name: "not XML", body: "Encrypt", wantErr: ErrMalformed},
		{name: "other root", body: "<x><Encrypt>a</Encrypt></x>", wantErr: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEnvelope([]byte(tt.body))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseEnvelope error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseEnvelope mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGolden(t *testing.T) {
	created := time.Unix(1700000000, 0)
	c := MustCrypto(t, vecAppID)
	c.random = fixedRandom{}
	inner := TextReply("oParent1", "gh_school", 1700000001, "收到，回执码 K7M2-9QXD")
	encrypted, err := EncryptedReply(c, vecToken, inner, 1700000001, "260774613")
	if err != nil {
		t.Fatal(err)
	}
	loc := Message{
		ToUserName: "gh_school", FromUserName: "oParent1", CreateTime: 1700000000,
		MsgType: "location", Location_X: 25.04, Location_Y: 0, Scale: 15, Label: "楚雄市", MsgId: 9,
	}
	tests := []struct {
		name string
		got  []byte
	}{
		{"text_reply", inner},
		{"text_reply_tricky", TextReply("o<&>", "gh", 1, "a]]>b]]]>\x00\x01c\xff\tok\r\n")},
		{"text_reply_empty", TextReply("o1", "gh", 1, "")},
		{"encrypted_reply", encrypted},
		{"message_text", NewText("oParent1", "gh_school", "建议：食堂饭菜太咸了", 23456789012345678, created).XML()},
		{"message_voice", NewVoice("oParent1", "gh_school", "我的学习。", "media1", 2, created).XML()},
		{"message_event", NewEvent("oParent1", "gh_school", "subscribe", "qrscene_bind42", created).XML()},
		{"message_location", loc.XML()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			goldentest.Check(t, tt.name+".golden", tt.got, *update)
			// Every golden file is well-formed XML for encoding/xml too.
			var v struct {
				XMLName xml.Name `xml:"xml"`
			}
			if err := xml.Unmarshal(tt.got, &v); err != nil {
				t.Errorf("not well-formed: %v", err)
			}
		})
	}
}

func TestTextReplyRoundTrip(t *testing.T) {
	for _, content := range []string{
		"", "hello", "收到。\n第二行", "a]]>b", "]]>", "]]]]>>", "<b>&amp;</b>", "emoji 👍",
		"\x00drop\x01", "]]\x01>", "bad \xff utf8",
	} {
		got, err := ParseReply(TextReply("oUser", "gh_acc", 42, content))
		if err != nil {
			t.Fatalf("ParseReply(TextReply(%q)): %v", content, err)
		}
		want := Message{
			ToUserName: "oUser", FromUserName: "gh_acc", CreateTime: 42, MsgType: "text",
			Content: xmlChars(content),
		}
		want.Content = strings.ReplaceAll(want.Content, "\r", "\n") // XML normalises CR
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("TextReply(%q) round trip mismatch (-want +got):\n%s", content, diff)
		}
	}
}

func TestMessageXMLRoundTrip(t *testing.T) {
	created := time.Unix(1700000000, 0)
	for _, m := range []Message{
		NewText("oParent1", "gh_school", "建议：a]]>b <&>", 1, created),
		NewVoice("oParent1", "gh_school", "我的学习。", "media1", 2, created),
		NewEvent("oParent1", "gh_school", "subscribe", "qrscene_1", created),
		NewEvent("oParent1", "gh_school", "LOCATION", "", created),
		{ToUserName: "gh", FromUserName: "o", CreateTime: 1, MsgType: "location", Location_X: -1.5, Location_Y: 0, Scale: 20, Label: "x", MsgId: 3},
		{ToUserName: "gh", FromUserName: "o", CreateTime: 1, MsgType: "image", PicUrl: "http://x/y?a=1&b=2", MediaId: "m", MsgId: 4},
		{ToUserName: "gh", FromUserName: "o", CreateTime: 1, MsgType: "link", Title: "t", Description: "d", Url: "http://x", MsgId: 5},
	} {
		got := MustParseMessage(t, m.XML())
		if diff := cmp.Diff(m, got); diff != "" {
			t.Errorf("round trip mismatch (-want +got):\n%s", diff)
		}
	}
}

// TestSDKInterop checks that the SDK understands our messages and that we
// understand its replies.
func TestSDKInterop(t *testing.T) {
	m := NewText("oParent1", "gh_school", "建议：a]]>b", 77, time.Unix(1700000000, 0))
	var mix message.MixMessage
	if err := xml.Unmarshal(m.XML(), &mix); err != nil {
		t.Fatal(err)
	}
	if mix.FromUserName != "oParent1" || mix.ToUserName != "gh_school" || mix.Content != m.Content ||
		mix.MsgID != 77 || mix.CreateTime != 1700000000 || mix.MsgType != message.MsgTypeText {
		t.Errorf("SDK parsed %+v", mix.CommonToken)
	}

	text := message.NewText("回复 ]]> 内容")
	text.SetToUserName("oParent1")
	text.SetFromUserName("gh_school")
	text.SetMsgType(message.MsgTypeText)
	text.SetCreateTime(1700000001)
	raw, err := xml.Marshal(text)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseReply(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := Message{ToUserName: "oParent1", FromUserName: "gh_school", CreateTime: 1700000001, MsgType: "text", Content: "回复 ]]> 内容"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseReply(SDK reply) mismatch (-want +got):\n%s", diff)
	}
}

func TestParseReplyMedia(t *testing.T) {
	body := `<xml><ToUserName><![CDATA[o1]]></ToUserName><FromUserName><![CDATA[gh]]></FromUserName><CreateTime>5</CreateTime><MsgType><![CDATA[image]]></MsgType><Image><MediaId><![CDATA[mid]]></MediaId></Image></xml>`
	got, err := ParseReply([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := Message{ToUserName: "o1", FromUserName: "gh", CreateTime: 5, MsgType: "image", MediaId: "mid"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseReply mismatch (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"", "success", "<xml></xml>", "<xml><MsgType>text</MsgType></xml>"} {
		if _, err := ParseReply([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseReply(%q) error = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestEncryptedReplyRoundTrip(t *testing.T) {
	c := MustCrypto(t, vecAppID)
	inner := TextReply("oParent1", "gh_school", 1700000001, "你好")
	body, err := EncryptedReply(c, vecToken, inner, 1700000001, "n]]>once")
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenEncryptedReply(c, vecToken, body)
	if err != nil {
		t.Fatalf("OpenEncryptedReply: %v", err)
	}
	if !bytes.Equal(got, inner) {
		t.Errorf("OpenEncryptedReply = %s, want %s", got, inner)
	}

	// The SDK's reply type parses our envelope the same way.
	var sdk message.ResponseEncryptedXMLMsg
	if err := xml.Unmarshal(body, &sdk); err != nil {
		t.Fatal(err)
	}
	if !VerifySignature(sdk.MsgSignature, vecToken, "1700000001", sdk.Nonce, sdk.EncryptedMsg) || sdk.Timestamp != 1700000001 {
		t.Errorf("SDK view of the reply: %+v", sdk)
	}

	tests := []struct {
		name    string
		token   string
		body    []byte
		wantErr error
	}{
		{"wrong token", "other", body, ErrBadSignature},
		{"tampered timestamp", vecToken, bytes.Replace(body, []byte("1700000001"), []byte("1700000002"), 1), ErrBadSignature},
		{"plain reply", vecToken, inner, ErrMalformed},
		{"success", vecToken, []byte("success"), ErrMalformed},
		{"no signature", vecToken, []byte("<xml><Encrypt>abc</Encrypt></xml>"), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := OpenEncryptedReply(c, tt.token, tt.body); !errors.Is(err, tt.wantErr) {
				t.Errorf("OpenEncryptedReply error = %v, want %v", err, tt.wantErr)
			}
		})
	}
	if _, err := EncryptedReply(nil, vecToken, inner, 1, "n"); err == nil {
		t.Error("EncryptedReply(nil Crypto): no error")
	}
}

// walkLeaves runs walkXML over b and returns the leaves it reports, one
// "parent/name=value" string (value quoted) each.
func walkLeaves(b []byte) ([]string, error) {
	var leaves []string
	err := walkXML(b, func(parent, name, value []byte) error {
		leaves = append(leaves, fmt.Sprintf("%s/%s=%q", parent, name, value))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return leaves, nil
}

// walkXMLTests are TestWalkXML's cases, and seeds for FuzzWalkXML.
var walkXMLTests = []struct {
	name, in string
	want     []string // nil: ErrMalformed
}{
	// Accepted.
	{"empty root", "<xml/>", []string{}},
	{"empty root pair", "<xml></xml>", []string{}},
	{"WeChat's form", "<xml><ToUserName><![CDATA[gh_1]]></ToUserName>\n<CreateTime>17</CreateTime>\n</xml>",
		[]string{`/ToUserName="gh_1"`, `/CreateTime="17"`}},
	{"declaration, comments, whitespace", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- a -->\r\n<xml>\n\t<A>1</A>\n</xml>\n<!-- b -->\n\n",
		[]string{`/A="1"`}},
	{"other processing instructions", "<?pi x?><xml><?pi?><A>1<?pi ?>2</A></xml><?pi?>", []string{`/A="12"`}},
	{"attributes ignored", `<xml a="1" b = '2'><A x="&amp;&#60;]]>'" y='"'>v</A><B c=""d=''/></xml>`,
		[]string{`/A="v"`, `/B=""`}},
	{"self-closing", "<xml><A/><B /><C></C></xml>", []string{`/A=""`, `/B=""`, `/C=""`}},
	{"CDATA kept as is", "<xml><A><![CDATA[<b>&amp;</b>]]></A></xml>", []string{`/A="<b>&amp;</b>"`}},
	{"]]> as two CDATA sections", "<xml><A><![CDATA[a]]]]><![CDATA[>b]]></A></xml>", []string{`/A="a]]>b"`}},
	{"text and CDATA joined", "<xml><A> x <![CDATA[y]]><![CDATA[]]> z&amp; </A></xml>", []string{`/A=" x y z& "`}},
	{"predefined entities", "<xml><A>&lt;&gt;&amp;&apos;&quot;</A></xml>", []string{`/A="<>&'\""`}},
	{"character references", "<xml><A>&#65;&#x42;&#x1F600;&#0067;&#xe9;</A></xml>", []string{`/A="AB😀Cé"`}},
	{"surrogate reference is U+FFFD, as in encoding/xml", "<xml><A>&#xD800;</A></xml>", []string{"/A=\"\uFFFD\""}},
	{"line ends normalised, but not &#13;", "<xml><A>a\r\nb\rc&#13;\n</A><B><![CDATA[d\r\n]]>\r</B></xml>",
		[]string{`/A="a\nb\nc\r\n"`, `/B="d\n\n"`}},
	{"comments inside a value", "<xml><A>a<!--x-->b<!---->c</A></xml>", []string{`/A="abc"`}},
	{"UTF-8", "<xml><Label>楚雄市 👍</Label></xml>", []string{`/Label="楚雄市 👍"`}},
	{"nested: parent is the innermost", "<xml><ScanCodeInfo><ScanType>qrcode</ScanType><ScanResult>1</ScanResult></ScanCodeInfo>" +
		"<SendPicsInfo><Count>1</Count><PicList><item><PicMd5Sum>abc</PicMd5Sum></item></PicList></SendPicsInfo></xml>",
		[]string{`ScanCodeInfo/ScanType="qrcode"`, `ScanCodeInfo/ScanResult="1"`, `SendPicsInfo/Count="1"`, `item/PicMd5Sum="abc"`}},
	{"text around children ignored", "<xml>x<A>y<B>1</B>z</A>w</xml>", []string{`A/B="1"`}},
	{"namespace prefixes dropped", "<p:xml><a:A>1</a:A><:B>2</:B><C:>3</C:></p:xml>", []string{`/A="1"`, `/:B="2"`, `/C:="3"`}},
	{"non-ASCII names", "<xml><名字>1</名字></xml>", []string{`/名字="1"`}},
	{"space in end tags", "<xml><A>1</A \n></xml\t>", []string{`/A="1"`}},
	{"as deep as allowed", deepXML(maxDepth), []string{`a/b="v"`}},

	// Rejected.
	{"empty", "", nil},
	{"whitespace only", " \n", nil},
	{"not XML", "success", nil},
	{"comment only", "<!-- x -->", nil},
	{"text before the root", "x<xml/>", nil},
	{"reference before the root", "&#32;<xml/>", nil},
	{"CDATA before the root", "<![CDATA[ ]]><xml/>", nil},
	{"Unicode space before the root", "\u3000<xml/>", nil},
	{"byte order mark", "\ufeff<xml/>", nil},
	{"end tag before the root", "</a><xml/>", nil},
	{"text after the root", "<xml/>x", nil},
	{"a second root", "<xml/><xml/>", nil},
	{"end tag after the root", "<xml></xml></xml>", nil},
	{"root other than xml", "<message><A>1</A></message>", nil},
	{"unclosed root", "<xml><A>1</A>", nil},
	{"unclosed element", "<xml><A>1</xml>", nil},
	{"mismatched tags", "<xml><A>1</B></xml>", nil},
	{"prefix mismatch", "<xml><a:A>1</b:A></xml>", nil},
	{"too deep", deepXML(maxDepth + 1), nil},
	{"too deep, self-closing", "<xml>" + strings.Repeat("<a>", maxDepth-1) + "<b/>" + strings.Repeat("</a>", maxDepth-1) + "</xml>", nil},
	{"too large", "<xml><A>" + strings.Repeat("x", maxXMLSize) + "</A></xml>", nil},
	{"DOCTYPE", "<!DOCTYPE xml><xml/>", nil},
	{"entity expansion", `<!DOCTYPE xml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><xml><A>&b;</A></xml>`, nil},
	{"declaration inside the root", `<xml><!ENTITY a "b"></xml>`, nil},
	{"declaration after the root", "<xml/><!DOCTYPE xml>", nil},
	{"unknown entity", "<xml><A>&bogus;</A></xml>", nil},
	{"entity without ;", "<xml><A>&amp</A></xml>", nil},
	{"bare &", "<xml><A>a & b</A></xml>", nil},
	{"empty character reference", "<xml><A>&#;</A></xml>", nil},
	{"empty hex reference", "<xml><A>&#x;</A></xml>", nil},
	{"&#X", "<xml><A>&#X41;</A></xml>", nil},
	{"bad digit", "<xml><A>&#4a;</A></xml>", nil},
	{"reference to NUL", "<xml><A>&#0;</A></xml>", nil},
	{"reference to U+FFFE", "<xml><A>&#xFFFE;</A></xml>", nil},
	{"reference beyond Unicode", "<xml><A>&#x110000;</A></xml>", nil},
	{"huge reference", "<xml><A>&#99999999999999999999999;</A></xml>", nil},
	{"]]> in text", "<xml><A>a]]>b</A></xml>", nil},
	{"invalid UTF-8 in text", "<xml><A>\xff</A></xml>", nil},
	{"invalid UTF-8 in CDATA", "<xml><A><![CDATA[\xc3]]></A></xml>", nil},
	{"invalid UTF-8 in a comment", "<xml><!-- \xff --></xml>", nil},
	{"encoded surrogate", "<xml><A>\xed\xa0\x80</A></xml>", nil},
	{"control character", "<xml><A>\x01</A></xml>", nil},
	{"NUL", "<xml><A>\x00</A></xml>", nil},
	{"U+FFFF", "<xml><A>\uffff</A></xml>", nil},
	{"unterminated CDATA", "<xml><A><![CDATA[x</A></xml>", nil},
	{"lower-case CDATA", "<xml><A><![cdata[x]]></A></xml>", nil},
	{"unterminated comment", "<xml><!-- x</xml>", nil},
	{"-- in a comment", "<xml><!-- a -- b --></xml>", nil},
	{"comment ending --->", "<xml><!-- a ---></xml>", nil},
	{"<!- ", "<xml><!- x -></xml>", nil},
	{"unterminated processing instruction", "<?xml version='1.0'<xml/>", nil},
	{"processing instruction without target", "<? x?><xml/>", nil},
	{"space after <", "< xml/>", nil},
	{"name starting with a digit", "<xml><1A/></xml>", nil},
	{"two colons", "<xml><a:b:c/></xml>", nil},
	{"attribute without value", "<xml a><A/></xml>", nil},
	{"unquoted attribute", "<xml a=1><A/></xml>", nil},
	{"unterminated attribute", `<xml a="1><A/></xml>`, nil},
	{"< in an attribute", `<xml a="<"><A/></xml>`, nil},
	{"bad entity in an attribute", `<xml a="&b;"><A/></xml>`, nil},
	{"attribute with two colons", `<xml a:b:c="1"><A/></xml>`, nil},
	{"/ >", "<xml><A/ ></xml>", nil},
	{"junk in an end tag", "<xml><A></A x></xml>", nil},
	{"space after </", "<xml><A></ A></xml>", nil},
	{"truncated start tag", "<xml><A", nil},
	{"truncated end tag", "<xml></xml", nil},
}

// deepXML is a document nested depth elements deep, the root included.
func deepXML(depth int) string {
	return "<xml>" + strings.Repeat("<a>", depth-2) + "<b>v</b>" + strings.Repeat("</a>", depth-2) + "</xml>"
}

func TestWalkXML(t *testing.T) {
	for _, tt := range walkXMLTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := walkLeaves([]byte(tt.in))
			if tt.want == nil {
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("walkXML(%q) = %q, %v; want ErrMalformed", tt.in, got, err)
				}
				if _, err, _ := refWalkXML([]byte(tt.in)); err == nil {
					t.Errorf("the reference accepts %q", tt.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("walkXML(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("walkXML(%q) leaves mismatch (-want +got):\n%s", tt.in, diff)
			}
			// What walkXML accepts here, encoding/xml accepts too.
			if ref, err, _ := refWalkXML([]byte(tt.in)); err != nil {
				t.Errorf("reference rejects it: %v", err)
			} else if diff := cmp.Diff(ref, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("reference leaves mismatch (-ref +got):\n%s", diff)
			}
		})
	}
}

// TestWalkXMLFnError checks that an error from fn stops the walk and is
// returned as is.
func TestWalkXMLFnError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := walkXML([]byte("<xml><A>1</A><B>2</B></xml>"), func(_, _, _ []byte) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Errorf("walkXML = %v after %d calls, want %v after 1", err, calls, stop)
	}
}

// TestParseAllocs checks that parsing allocates only the strings it keeps.
func TestParseAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage counters change allocations")
	}
	env := []byte("<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[" + vecEncrypt + "]]></Encrypt></xml>")
	voice, text := []byte(benchVoice), []byte(benchText)
	tests := []struct {
		name  string
		f     func()
		wantN float64
	}{
		{"walkXML, envelope", func() { _ = walkXML(env, func(_, _, _ []byte) error { return nil }) }, 0},
		{"walkXML, voice", func() { _ = walkXML(voice, func(_, _, _ []byte) error { return nil }) }, 0},
		{"ParseEnvelope", func() { _, _ = ParseEnvelope(env) }, 2},      // ToUserName, Encrypt
		{"ParseMessage, text", func() { _, _ = ParseMessage(text) }, 4}, // ToUserName, FromUserName, MsgType, Content
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, tt.f); n > tt.wantN {
			t.Errorf("%s: %v allocations, want %v", tt.name, n, tt.wantN)
		}
	}
}

// refWalkXML is the reference for walkXML in tests: the encoding/xml code
// walkXML replaced, with the rules walkXML adds on purpose:
//   - the whole document must be UTF-8 made of XML characters (encoding/xml
//     checks text, CDATA sections, attribute values and names, not comments
//     or processing instructions);
//   - no <!DOCTYPE> or other declaration, anywhere (they were skipped);
//   - before and after the root, only whitespace (space, tab, CR, LF),
//     comments and processing instructions. The old code ignored everything
//     after the root and, before it, accepted end tags, Unicode spaces
//     (U+3000), references and CDATA sections that decode to whitespace.
//
// excused reports an error for what walkXML deliberately accepts although
// encoding/xml does not:
//   - an XML declaration's version (other than 1.0) or encoding (other than
//     UTF-8): the content must be UTF-8 whatever it says;
//   - a non-ASCII character in a name that XML 1.0's tables do not list as
//     a name character (walkXML takes any non-ASCII character).
func refWalkXML(b []byte) (leaves []string, err error, excused bool) {
	if len(b) > maxXMLSize {
		return nil, errors.New("too large"), false
	}
	for s := string(b); s != ""; {
		r, n := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && n == 1 || notXMLChar(r) {
			return nil, fmt.Errorf("invalid character %q", s[:n]), false
		}
		s = s[n:]
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	var (
		path []xml.Name // open elements, root first
		leaf bool       // the innermost has no child element (yet)
		text []byte
		done bool // the root is closed
	)
	for {
		start := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF {
			if !done {
				return nil, errors.New("no root, or unclosed"), false
			}
			return leaves, nil, false
		}
		if err != nil {
			msg := err.Error()
			name, isName := strings.CutPrefix(msg[strings.Index(msg, ":")+1:], " invalid XML name: ")
			excused = strings.Contains(msg, "unsupported version") || strings.Contains(msg, "CharsetReader is nil") ||
				strings.HasPrefix(msg, "XML syntax error") && isName && !isASCII(name)
			return nil, err, excused
		}
		raw := b[start:d.InputOffset()]
		switch t := tok.(type) {
		case xml.Directive:
			return nil, errors.New("declaration"), false
		case xml.StartElement:
			switch {
			case done:
				return nil, errors.New("second root"), false
			case len(path) == 0 && t.Name.Local != "xml":
				return nil, errors.New("root is not <xml>"), false
			case len(path) == maxDepth:
				return nil, errors.New("too deep"), false
			}
			path = append(path, t.Name)
			leaf, text = true, text[:0]
		case xml.EndElement:
			if len(path) == 0 {
				return nil, errors.New("end tag outside the root"), false
			}
			name := path[len(path)-1]
			path = path[:len(path)-1]
			if t.Name != name {
				return nil, errors.New("mismatched end tag"), false
			}
			if len(path) == 0 {
				done = true
			} else if leaf {
				parent := ""
				if len(path) >= 2 {
					parent = path[len(path)-1].Local
				}
				leaves = append(leaves, fmt.Sprintf("%s/%s=%q", parent, name.Local, text))
			}
			leaf = false
		case xml.CharData:
			if len(path) == 0 && strings.Trim(string(raw), " \t\r\n") != "" {
				return nil, errors.New("text outside the root"), false
			}
			if leaf {
				text = append(text, t...)
			}
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// FuzzWalkXML checks walkXML against refWalkXML: both accept or both
// reject (unless the reference's error is excused), and where both accept,
// they find the same leaves with the same values.
func FuzzWalkXML(f *testing.F) {
	for _, s := range []string{
		vecXML, benchText, benchVoice, benchEvent,
		"<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[" + vecEncrypt + "]]></Encrypt></xml>",
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->\n<xml>\n <A a=\"1\" b='&amp;'>x&lt;&#65;&#x1F600;</A>\n <B/>\n</xml>\n",
		"<xml><A><![CDATA[a]]]]><![CDATA[>b]]> c\r\n&#13;<!-- x --><?pi y?></A></xml>",
		"<xml><SendPicsInfo><PicList><item><PicMd5Sum>abc</PicMd5Sum></item></PicList></SendPicsInfo></xml>",
		"<p:xml><a:A>1</a:A><:B/></p:xml>",
		"<!DOCTYPE xml><xml/>", "<xml/><xml/>", "<xml></xml>x", "<xml><A>&#xD800;&bogus;</A></xml>",
		"<?xml version=\"1.1\"?><xml/>", "<xml><名字 属性=\"值\">1</名字></xml>", "<xml><A>]]></A></xml>",
	} {
		f.Add([]byte(s))
	}
	for _, tt := range walkXMLTests {
		if len(tt.in) <= 4096 { // not "too large"
			f.Add([]byte(tt.in))
		}
	}
	for _, name := range []string{"message_text", "message_voice", "message_event", "message_location", "encrypted_reply", "text_reply_tricky"} {
		b, err := os.ReadFile(filepath.Join("testdata", name+".golden"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := walkLeaves(b)
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("walkXML error %v does not wrap ErrMalformed", err)
		}
		want, refErr, excused := refWalkXML(b)
		switch {
		case err != nil && refErr == nil:
			t.Fatalf("walkXML rejects what the reference accepts: %v", err)
		case err == nil && refErr != nil && !excused:
			t.Fatalf("walkXML accepts what the reference rejects: %v; leaves %q", refErr, got)
		case err == nil && refErr == nil:
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("leaves mismatch (-reference +walkXML):\n%s", diff)
			}
		}
	})
}

func FuzzParseMessage(f *testing.F) {
	f.Add([]byte(vecXML))
	f.Add([]byte("<xml><a><b></b></a></xml>"))
	f.Add([]byte("<xml><Content><![CDATA[a]]]]><![CDATA[>]]></Content></xml>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if _, err := ParseMessage(m.XML()); err != nil {
			t.Fatalf("ParseMessage(XML()) of a parsed message: %v", err)
		}
	})
}

// Bodies as WeChat posts them (one element per line, as in its samples),
// with openids and account IDs of realistic length.
const (
	benchText = "<xml><ToUserName><![CDATA[gh_3a1b2c3d4e5f]]></ToUserName>\n" +
		"<FromUserName><![CDATA[oABCD1234efgh5678IJKL90mnopq]]></FromUserName>\n" +
		"<CreateTime>1700000000</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n" +
		"<Content><![CDATA[建议：食堂饭菜太咸了，希望少放盐。]]></Content>\n<MsgId>23456789012345678</MsgId>\n</xml>"
	benchVoice = "<xml><ToUserName><![CDATA[gh_3a1b2c3d4e5f]]></ToUserName>\n" +
		"<FromUserName><![CDATA[oABCD1234efgh5678IJKL90mnopq]]></FromUserName>\n" +
		"<CreateTime>1700000000</CreateTime>\n<MsgType><![CDATA[voice]]></MsgType>\n" +
		"<MediaId><![CDATA[Kq9yJ3-t0C9r4b1Xh2QH1gXbYwZl8uGQpFm2sZ3v4Q5r6T7u8V9w0X]]></MediaId>\n" +
		"<Format><![CDATA[amr]]></Format>\n<MsgId>23456789012345679</MsgId>\n" +
		"<Recognition><![CDATA[我的孩子这周的学习情况怎么样。]]></Recognition>\n</xml>"
	benchEvent = "<xml><ToUserName><![CDATA[gh_3a1b2c3d4e5f]]></ToUserName>\n" +
		"<FromUserName><![CDATA[oABCD1234efgh5678IJKL90mnopq]]></FromUserName>\n" +
		"<CreateTime>1700000000</CreateTime>\n<MsgType><![CDATA[event]]></MsgType>\n" +
		"<Event><![CDATA[subscribe]]></Event>\n<EventKey><![CDATA[qrscene_bind42]]></EventKey>\n" +
		"<Ticket><![CDATA[gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2taZ2Z3TVRtNzJXV1Brb3ZhYmJJAAIEZ23sUwMEmm3sUw==]]></Ticket>\n</xml>"
)

func BenchmarkParseEnvelope(b *testing.B) {
	body := []byte("<xml>\n    <ToUserName><![CDATA[gh_3a1b2c3d4e5f]]></ToUserName>\n    <Encrypt><![CDATA[" + vecEncrypt + "]]></Encrypt>\n</xml>")
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ParseEnvelope(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseMessage(b *testing.B) {
	for _, bm := range []struct{ name, body string }{
		{"text", benchText},
		{"voice", benchVoice},
		{"event", benchEvent},
	} {
		b.Run(bm.name, func(b *testing.B) {
			body := []byte(bm.body)
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := ParseMessage(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTextReply(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		TextReply("oParent1", "gh_school", 1700000001, "收到，回执码 K7M2-9QXD。本周 3.5/5 小时")
	}
}
