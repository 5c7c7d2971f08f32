package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
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
下一步：运行 go run ./cmd/minqing ，在浏览器打开 %s 体验。
用完后运行 go run ./cmd/minqing demo --remove 删除演示学校。
`
	textDemoExists = "演示学校已经存在，无需重复创建。go run ./cmd/minqing demo --remove 可以删除它。\n"
	textLoadStaff  = "已为压测绑定 %d 名教职工（共 %d 个压测身份）。\n"
	textMenuSynced = "已把自定义菜单设置到公众号（%s）：\n%s\n"
)

func cmdDemo(ctx context.Context, e *env, args []string) int {
	fs := adminFlags(e, "demo", textDemoUsage)
	remove := fs.Bool("remove", false, "删除演示学校及其全部演示数据")
	loadStaff := fs.Int("load-staff", 0, "另外把演示学校的 N 名教职工绑定到 minqing-bench loadtest 的压测身份（oLoad…），用于 -checkins")
	_, ok := parseArgs(e, fs, args, textDemoUsage, func(pos []string) bool {
		return len(pos) == 0 && *loadStaff >= 0 && !(*remove && *loadStaff > 0)
	})
	if !ok {
		return 2
	}
	return withAdmin(ctx, e, func(a *adminEnv) int {
		if *remove {
			s, err := a.admin.RemoveDemo(ctx)
			if err != nil {
				return fail(e, err)
			}
			fmt.Fprintf(e.stdout, textDemoRemoved, s.Name, s.Code)
			return 0
		}
		if *loadStaff > 0 {
			defer func() {
				n, err := a.admin.SeedLoadStaff(ctx, *loadStaff, func(i int) string { return fmt.Sprintf("oLoad%023d", i) })
				if err != nil {
					fail(e, err)
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
			return fail(e, err)
		}
		var who string
		for _, p := range dev.Personas {
			if name, ok := rep.Bound[p.Key]; ok {
				who += fmt.Sprintf("%s=%s ", p.Name, name)
			} else if p.Key == "parent" {
				who += p.Name + "=匿名 "
			}
		}
		fmt.Fprintf(e.stdout, textDemoDone, rep.School.Name, rep.School.Code, rep.Staff, rep.Students, rep.Opinions, rep.Checkins, rep.Essays, who, simulatorURL(e))
		return 0
	})
}

// simulatorURL is where the running service's simulator is, from
// MINQING_PUBLIC_URL or MINQING_HTTP_ADDR as the service reads them.
func simulatorURL(e *env) string {
	if u := strings.TrimRight(e.getenv("MINQING_PUBLIC_URL"), "/"); u != "" {
		return u + "/dev/"
	}
	addr := e.getenv("MINQING_HTTP_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://localhost:8080/dev/"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/dev/"
}

func cmdMenu(ctx context.Context, e *env, args []string) int {
	fs := adminFlags(e, "menu", textMenuUsage)
	file := fs.String("file", "", "菜单 JSON 文件（不写则用默认菜单：我要建议 / 学习打卡 / 家访记录 / 我的）")
	pos, ok := parseArgs(e, fs, args, textMenuUsage, func(pos []string) bool {
		return len(pos) == 1 && (pos[0] == "sync" || pos[0] == "show")
	})
	if !ok {
		return 2
	}
	items := chat.DefaultMenu()
	if *file != "" {
		b, err := os.ReadFile(*file)
		if err == nil {
			err = json.Unmarshal(b, &items)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, textMenuFile, *file, err)
			return 1
		}
	}
	doc, _ := json.MarshalIndent(items, "", "  ")
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
		return fail(e, err)
	}
	target := "api.weixin.qq.com"
	if base != "" {
		target = base
	}
	if pos[0] == "show" {
		// What the account shows now; the built-in menu when it has none
		// or cannot be asked.
		installed, err := api.GetMenu(ctx)
		if err != nil {
			fmt.Fprintf(e.stdout, textMenuShowDefault, err, string(doc))
			return 0
		}
		var pretty bytes.Buffer
		if json.Indent(&pretty, installed, "", "  ") != nil {
			pretty.Write(installed)
		}
		fmt.Fprintf(e.stdout, textMenuShowInstalled, target, pretty.String())
		return 0
	}
	if err := api.SetMenu(ctx, menuButtons(items)); err != nil {
		fmt.Fprintf(e.stderr, textMenuSyncFailed, err)
		return 1
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
