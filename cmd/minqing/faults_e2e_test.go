package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"minqing/handlers/wechat"
	"minqing/storage/storagetest"
)

// The smaller faults found under load, each checked end to end.
func TestSmallerFaults(t *testing.T) {
	onEachBackend(t, func(t *testing.T, w *world) {
		// A FromUserName too long for any openid is refused with a
		// 400, not answered "busy".
		long := wechat.NewText("o"+strings.Repeat("x", 140), "gh_x", "帮助", msgIDs.Add(1), time.Now())
		crypto := mustCrypto(t, vecAESKey, vecAppID)
		res, err := client(w.service, crypto).Send(context.Background(), long)
		if err != nil || res.Status != 400 {
			t.Errorf("FromUserName of 141 bytes = %+v, %v; want 400", res, err)
		}

		// A too-long opinion is reported with its whole length.
		p := w.as(t, "oLongText")
		reply := p.say("建议：" + strings.Repeat("食", 15000))
		expect(t, "too long", reply, "内容有15000字", "超过了1000字")

		// Flooding: the throttled message is not received, and the
		// reply says so instead of promising it is kept.
		f := w.as(t, "oFlooder")
		var last string
		for i := range 31 {
			last = f.say(fmt.Sprintf("查询 K7M2-%04d", i))
		}
		flooded := f.say("建议：学校门口的电瓶车太多了，放学时很危险")
		expect(t, "flood", flooded, "没有收到")
		expectNot(t, "flood", flooded+last, "不会丢失")
		if n := storagetest.CountRows(t, w.db, "opinions"); n != 0 {
			t.Errorf("%d opinions stored, want none (one too long, one throttled)", n)
		}
	})
}
