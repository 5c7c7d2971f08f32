package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minqing/handlers/wechat"
)

// Compatible mode (兼容模式): the body carries the message in clear AND
// encrypted; the service reads the encrypted one and answers encrypted.
func TestWebhookCompatibleMode(t *testing.T) {
	env, _ := backends[0].env(t)
	_, env = withAccount(t, env)
	s := startService(t, env)
	crypto := mustCrypto(t, vecAESKey, vecAppID)
	c := client(s, crypto)
	msg := wechat.NewText("oCompat", "gh_x", "帮助", 99, time.Now())
	req, err := c.NewRequest(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	env2, err := wechat.ParseEnvelope(mustRead(t, req))
	if err != nil {
		t.Fatal(err)
	}
	plain := msg.XML()
	body := bytes.Replace(plain, []byte("</xml>"), []byte("<Encrypt><![CDATA["+env2.Encrypt+"]]></Encrypt></xml>"), 1)
	res, err := http.Post(req.URL.String(), "text/xml", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out := new(bytes.Buffer)
	out.ReadFrom(res.Body)
	dec, err := c.Decode(res.StatusCode, out.Bytes())
	if err != nil || res.StatusCode != 200 || !strings.Contains(dec.Reply.Content, "建议") {
		t.Fatalf("compatible mode: %d %v %+v", res.StatusCode, err, dec)
	}
}

func mustRead(t *testing.T, r *http.Request) []byte {
	t.Helper()
	b := new(bytes.Buffer)
	if _, err := b.ReadFrom(r.Body); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Limits and settings: length bounds, the daily cap a school configures,
// the unit an opinion names, and the custom menu.
func TestOpinionLimitsSettingsMenu(t *testing.T) {
	w := newWorld(t, backends[0])
	settings := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(settings, []byte(`{"daily_opinion_cap": 2, "lexicon": {"safety": ["电瓶车"]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out := w.admin(t, "settings", "--school", testSchool, "--set", settings)
	expect(t, "settings", out, "已保存", `"daily_opinion_cap": 2`)
	var errOut strings.Builder
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"supervisor": "principal"}`), 0o600)
	if code := run(context.Background(), []string{"settings", "--school", testSchool, "--set", bad}, func(k string) string { return w.Env[k] }, nil, &errOut, &errOut); code != 1 || !strings.Contains(errOut.String(), "supervisor") {
		t.Errorf("bad settings accepted: %d %s", code, errOut.String())
	}

	p := w.as(t, "oLimits")
	expect(t, "too short", p.say("建议：太咸"), "太短")
	expect(t, "too long", p.say("建议："+strings.Repeat("食堂饭菜太咸了。", 130)), "超过了1000字")
	r := p.say("教务处的老师办事态度太差了，问个问题爱答不理")
	code := codeIn(t, r)
	var unit string
	if err := w.db.SQL().Get(&unit, `SELECT u.name FROM opinions o JOIN org_units u ON u.id = o.unit_id WHERE o.code = ?`, code); err != nil || unit != "教务处" {
		t.Errorf("named unit = %q, %v; want 教务处", unit, err)
	}
	// The school's lexicon makes 电瓶车 a safety matter. (The service
	// caches settings for 30 s; it has not read this school's yet.)
	r = p.say("建议管一管骑电瓶车上学的学生")
	expect(t, "lexicon", r, "安全")
	expect(t, "cap", p.say("希望学校门口的小卖部不要卖辣条"), "上限")

	// The custom menu, through the (fake) WeChat API.
	out = w.admin(t, "menu", "sync")
	expect(t, "menu sync", out, "我要建议")
	var menu struct {
		Button []struct {
			Name      string `json:"name"`
			SubButton []struct {
				Name string `json:"name"`
			} `json:"sub_button"`
		} `json:"button"`
	}
	if err := json.Unmarshal(w.fake.Menu(), &menu); err != nil {
		t.Fatalf("menu %s: %v", w.fake.Menu(), err)
	}
	var names []string
	for _, b := range menu.Button {
		names = append(names, b.Name)
	}
	if strings.Join(names, "/") != "我要建议/教职工/我的" || len(menu.Button[1].SubButton) != 4 || menu.Button[1].SubButton[0].Name != "学习打卡" || menu.Button[1].SubButton[1].Name != "交心得" {
		t.Errorf("menu = %s", w.fake.Menu())
	}
}
