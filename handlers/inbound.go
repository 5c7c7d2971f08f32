package handlers

import (
	"strings"
	"time"

	"minqing/bot"
	"minqing/handlers/wechat"
)

// The adapter between the WeChat protocol (package wechat) and the bot: a
// verified, decrypted message becomes a bot.Inbound.

// toInbound converts a WeChat message to the bot's form. The caller has verified
// it; toInbound only maps fields. Event names are normalised to the bot's
// constants whatever their case; unknown events and message types are
// kept (KindOther for unknown message types).
func toInbound(m wechat.Message) bot.Inbound {
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
