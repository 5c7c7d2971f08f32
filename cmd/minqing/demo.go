package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"minqing/bot"
	"minqing/bot/chat"
	"minqing/handlers/dev"
	"minqing/handlers/wechatapi"
)

// `minqing demo` and `minqing menu`. What they print is for the school's
// IT teacher, in Chinese.

const (
	textDemoDone = `已创建演示学校：%s（代码 %s）
  教职工 %d 人，学生 %d 人，民情台帐 %d 条（各种办理状态都有），学习打卡 %d 次，心得 %d 篇
  模拟器里的身份：%s
下一步：运行 go run ./cmd/minqing ，在浏览器打开 http://localhost:8080/dev/ 体验。
`
	textDemoExists = "演示学校已经存在，无需重复创建。删除数据目录（默认 ./data）可以从头开始。\n"
	textDemoUsage  = "用法：minqing demo [--load-staff N]（使用与服务相同的 MINQING_* 配置）"
	textLoadStaff  = "已为压测绑定 %d 名教职工（共 %d 个压测身份）。\n"
	textMenuSynced = "已把自定义菜单设置到公众号（%s）：\n%s\n"
)

func cmdDemo(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	loadStaff := fs.Int("load-staff", 0, "also bind N staff of the demo school to minqing-bench loadtest's senders (oLoad…), for -checkins")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *loadStaff < 0 {
		fmt.Fprintln(e.stderr, textDemoUsage)
		return 2
	}
	a, ok := openAdmin(ctx, e)
	if !ok {
		return 1
	}
	defer a.close()
	if *loadStaff > 0 {
		defer func() {
			n, err := a.admin.SeedLoadStaff(ctx, *loadStaff, func(i int) string { return fmt.Sprintf("oLoad%023d", i) })
			if err != nil {
				fmt.Fprintf(e.stderr, "minqing: %v\n", err)
				return
			}
			fmt.Fprintf(e.stdout, textLoadStaff, n, *loadStaff)
		}()
	}
	personas := map[string]string{}
	for _, p := range dev.Personas {
		personas[p.Key] = p.OpenID
	}
	rep, err := a.admin.SeedDemo(ctx, personas)
	if errors.Is(err, bot.ErrConflict) {
		fmt.Fprint(e.stdout, textDemoExists)
		return 0
	}
	if err == nil {
		var more int
		more, err = seedDemoHistory(ctx, a.db, rep.School.Code, time.Now(), loadLocation(e))
		rep.Opinions += more
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return 1
	}
	var who string
	for _, p := range dev.Personas {
		if name, ok := rep.Bound[p.Key]; ok {
			who += fmt.Sprintf("%s=%s ", p.Name, name)
		} else if p.Key == "parent" {
			who += p.Name + "=匿名 "
		}
	}
	fmt.Fprintf(e.stdout, textDemoDone, rep.School.Name, rep.School.Code, rep.Staff, rep.Students, rep.Opinions, rep.Checkins, rep.Essays, who)
	return 0
}

func cmdMenu(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("menu", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	file := fs.String("file", "", "菜单 JSON 文件（不写则用默认菜单：我要建议 / 学习打卡 / 家访记录 / 我的）")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 || (pos[0] != "sync" && pos[0] != "show") {
		fmt.Fprintln(e.stderr, "用法：minqing menu show|sync [--file menu.json]")
		return 2
	}
	items := chat.DefaultMenu()
	if *file != "" {
		b, err := os.ReadFile(*file)
		if err == nil {
			err = json.Unmarshal(b, &items)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "minqing: menu file: %v\n", err)
			return 1
		}
	}
	doc, _ := json.MarshalIndent(items, "", "  ")
	if pos[0] == "show" {
		fmt.Fprintln(e.stdout, string(doc))
		return 0
	}
	cfg, log, ok := loadConfig(e)
	if !ok {
		return 2
	}
	base := cfg.WeChat.APIBase
	if base == "" && cfg.Dev {
		// Dev mode: the fake WeChat API lives in the running service.
		_, port, _ := net.SplitHostPort(cfg.HTTPAddr)
		base = "http://127.0.0.1:" + port + "/dev/wechat-api"
	}
	a, ok := openAdmin(ctx, e)
	if !ok {
		return 1
	}
	defer a.close()
	api, err := wechatapi.New(wechatapi.Options{AppID: cfg.WeChat.AppID, Secret: cfg.WeChat.Secret, APIBase: base, State: a.stateStore, Logger: log})
	if err != nil {
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return 1
	}
	if err := api.SetMenu(ctx, menuButtons(items)); err != nil {
		fmt.Fprintf(e.stderr, "minqing: 设置菜单失败：%v\n", err)
		return 1
	}
	target := "api.weixin.qq.com"
	if base != "" {
		target = base
	}
	fmt.Fprintf(e.stdout, textMenuSynced, target, string(doc))
	return 0
}

func menuButtons(items []bot.MenuItem) []wechatapi.MenuButton {
	out := make([]wechatapi.MenuButton, len(items))
	for i, it := range items {
		b := wechatapi.MenuButton{Name: it.Name, Key: it.Key, URL: it.URL, Sub: menuButtons(it.Sub)}
		switch {
		case len(it.Sub) > 0:
		case it.URL != "":
			b.Type = "view"
		default:
			b.Type = "click"
		}
		out[i] = b
	}
	return out
}
