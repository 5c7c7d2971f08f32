package chat

import (
	"testing"

	"minqing/bot"
)

func TestClassifyTalk(t *testing.T) {
	for _, c := range []struct {
		text string
		want talkKind
	}{
		{"你好", talkGreeting},
		{"您好，老师！", talkGreeting},
		{"在吗？", talkGreeting},
		{"hello", talkGreeting},
		{"谢谢", talkThanks},
		{"谢谢老师，辛苦了！", talkThanks},
		{"收到", talkAck},
		{"嗯嗯", talkAck},
		{"您好，请问怎么反映问题？", talkHowTo},
		{"这个公众号能做什么", talkHowTo},
		{"😊", talkSymbols},
		{"👍👍", talkSymbols},
		{"？？？", talkSymbols},
		{"hello, is anyone there?", talkForeign},
		{"食堂", talkFragment},
		{"作业太多", talkFragment},
		{"我想问一下期末考试什么时候", talkStatement},
		{"老师暗示家长送购物卡", talkStatement},
	} {
		if got := classifyTalk(c.text); got != c.want {
			t.Errorf("classifyTalk(%q) = %d, want %d", c.text, got, c.want)
		}
	}
}

func TestSchoolPick(t *testing.T) {
	schools := []bot.OrgUnit{{ID: 1, Name: "岳阳市第七中学", Code: "K7MQ"}, {ID: 2, Name: "楚雄市大地基乡中心小学", Code: "CX2P"}}
	for _, c := range []struct {
		text string
		want int64 // 0: no pick
	}{
		{"1", 1}, {"２", 2}, {"第2个", 2}, {"二", 2}, {"2.", 2}, {" 1 ", 1},
		{"cx2p", 2}, {"岳阳市第七中学", 1}, {"大地基乡", 2},
		{"3", 0}, {"0", 0}, {"投诉：食堂太咸", 0}, {"中", 0},
	} {
		s, ok := schoolPick(schools, c.text)
		if (c.want == 0 && ok) || (c.want != 0 && (!ok || s.ID != c.want)) {
			t.Errorf("schoolPick(%q) = %d %v, want %d", c.text, s.ID, ok, c.want)
		}
	}
}
