package handlers

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
	"minqing/handlers/wechat"
)

func mustParse(tb testing.TB, b []byte) wechat.Message {
	tb.Helper()
	m, err := wechat.ParseMessage(b)
	if err != nil {
		tb.Fatalf("ParseMessage: %v", err)
	}
	return m
}

// The public vector of the safe mode (see handlers/wechat) as the bot sees it.
func TestInboundVector(t *testing.T) {
	const xml = `<xml><URL><![CDATA[http://wechat.laravel.so/server]]></URL><ToUserName><![CDATA[asdasdasd]]></ToUserName><FromUserName><![CDATA[asdasdasdsadasd]]></FromUserName><CreateTime>1234567898</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content><MsgId>12345</MsgId></xml>`
	got := mustParse(t, []byte(xml))
	wantIn := bot.Inbound{
		OpenID: "asdasdasdsadasd", Account: "asdasdasd", MsgID: 12345,
		Created: time.Date(2009, 2, 13, 23, 31, 38, 0, time.UTC), Kind: bot.KindText, Text: "hello",
	}
	if diff := cmp.Diff(wantIn, toInbound(got)); diff != "" {
		t.Errorf("Inbound mismatch (-want +got):\n%s", diff)
	}
}

func TestInboundKinds(t *testing.T) {
	const head = `<ToUserName><![CDATA[gh_school]]></ToUserName><FromUserName><![CDATA[oParent1]]></FromUserName><CreateTime>1700000000</CreateTime>`
	created := time.Unix(1700000000, 0).UTC()
	tests := []struct {
		name string
		body string
		want bot.Inbound
	}{
		{
			name: "text with entities and split CDATA",
			body: `<xml>` + head + `<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[a]]]]><![CDATA[>b]]> &amp; c</Content><MsgId>23456789012345678</MsgId></xml>`,
			want: bot.Inbound{Kind: bot.KindText, Text: "a]]>b & c", MsgID: 23456789012345678},
		},
		{
			name: "voice keeps the final 。",
			body: `<xml>` + head + `<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[media1]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[ 建议食堂饭菜少放盐。 ]]></Recognition><MsgId>2</MsgId></xml>`,
			want: bot.Inbound{Kind: bot.KindVoice, Text: "建议食堂饭菜少放盐。", MediaID: "media1", MsgID: 2},
		},
		{
			name: "image",
			body: `<xml>` + head + `<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl><MediaId><![CDATA[m2]]></MediaId><MsgId>3</MsgId></xml>`,
			want: bot.Inbound{Kind: bot.KindImage, PicURL: "http://mmbiz.qpic.cn/x", MediaID: "m2", MsgID: 3},
		},
		{
			name: "location",
			body: `<xml>` + head + `<MsgType><![CDATA[location]]></MsgType><Location_X>25.04</Location_X><Location_Y>101.54</Location_Y><Scale>15</Scale><Label><![CDATA[楚雄市]]></Label><MsgId>4</MsgId></xml>`,
			want: bot.Inbound{Kind: bot.KindLocation, Lat: 25.04, Lon: 101.54, Label: "楚雄市", MsgID: 4},
		},
		{
			name: "link is other",
			body: `<xml>` + head + `<MsgType><![CDATA[link]]></MsgType><Title><![CDATA[t]]></Title><Url><![CDATA[http://x]]></Url><MsgId>5</MsgId></xml>`,
			want: bot.Inbound{Kind: bot.KindOther, MsgID: 5},
		},
		{
			name: "subscribe through a QR code",
			body: `<xml>` + head + `<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_bind42]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket></xml>`,
			want: bot.Inbound{Kind: bot.KindEvent, Event: bot.EventSubscribe, EventKey: "qrscene_bind42"},
		},
		{
			name: "click in another case",
			body: `<xml>` + head + `<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[click]]></Event><EventKey><![CDATA[MENU_OPINION]]></EventKey></xml>`,
			want: bot.Inbound{Kind: bot.KindEvent, Event: bot.EventClick, EventKey: "MENU_OPINION"},
		},
		{
			name: "unsubscribe in capitals",
			body: `<xml>` + head + `<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[UNSUBSCRIBE]]></Event></xml>`,
			want: bot.Inbound{Kind: bot.KindEvent, Event: bot.EventUnsubscribe},
		},
		{
			name: "location event",
			body: `<xml>` + head + `<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[LOCATION]]></Event><Latitude>23.137466</Latitude><Longitude>113.352425</Longitude><Precision>119.385040</Precision></xml>`,
			want: bot.Inbound{Kind: bot.KindEvent, Event: bot.EventLocation, Lat: 23.137466, Lon: 113.352425},
		},
		{
			name: "unknown event kept; nested elements ignored",
			body: `<xml>` + head + `<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[scancode_push]]></Event><EventKey><![CDATA[k]]></EventKey><ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType><ScanResult><![CDATA[1]]></ScanResult></ScanCodeInfo></xml>`,
			want: bot.Inbound{Kind: bot.KindEvent, Event: "scancode_push", EventKey: "k"},
		},
		{
			name: "pretty-printed with a declaration and a comment",
			body: "<?xml version=\"1.0\"?>\n<!-- hi -->\n<xml>\n  " + head + "\n  <MsgType>text</MsgType>\n  <Content>hi</Content>\n  <MsgId> 7 </MsgId>\n</xml>\n",
			want: bot.Inbound{Kind: bot.KindText, Text: "hi", MsgID: 7},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, []byte(tt.body))
			tt.want.OpenID, tt.want.Account, tt.want.Created = "oParent1", "gh_school", created
			if diff := cmp.Diff(tt.want, toInbound(m)); diff != "" {
				t.Errorf("Inbound mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzInbound(f *testing.F) {
	f.Add([]byte("<xml><MsgType>event</MsgType><Event>LOCATION</Event></xml>"))
	f.Add([]byte("<xml><MsgType>text</MsgType><Content>hi</Content></xml>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := wechat.ParseMessage(b)
		if err != nil {
			return
		}
		in := toInbound(m)
		if in.OpenID != m.FromUserName || in.Kind == "" {
			t.Fatalf("toInbound lost the sender or the kind: %+v", in)
		}
	})
}
