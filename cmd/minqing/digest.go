package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"minqing/bot"
	"minqing/bot/chat"
	"minqing/handlers/wechatapi"
	"minqing/storage/sheet"
	"minqing/storage/state"
)

// The weekly digest and the ledger export on the command line.

const (
	textDigestUsage      = "用法：minqing digest --school 学校名称|教育局名称 [--week 2026-W47] [--send] [--text|--json]"
	textLedgerUsage      = "用法：minqing export ledger --school 学校名称 [--week 2026-W47 | --semester 2026-秋] -o 民情台帐.xlsx"
	textLedgerExportDone = "已导出 %s 的民情台帐（%s）：%d 条，写入 %s\n"
	textDigestSent       = "第%s周周报：发送 %d 人，无法送达 %d 人，失败 %d 人（下次定时任务重试）。\n"
	textDigestNoSend     = "没有需要发送的人（已发送过，或没有学校领导）。\n"
)

// digestBot builds the bot for the digest commands: the database, the
// state store and the WeChat API (for --send).
func digestBot(ctx context.Context, e *env) (*chat.Bot, func(), bool) {
	cfg, log, ok := loadConfig(e)
	if !ok {
		return nil, nil, false
	}
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return nil, nil, false
	}
	var st stateStore = state.NewMemory(1000)
	if cfg.RedisURL != "" {
		r, err := state.OpenRedis(ctx, cfg.RedisURL, state.RedisOptions{Prefix: cfg.RedisPrefix})
		if err != nil {
			db.Close()
			fmt.Fprintf(e.stderr, "minqing: %v\n", err)
			return nil, nil, false
		}
		st = r
	}
	closeAll := func() { st.Close(); db.Close() }
	api, err := wechatapi.New(wechatapi.Options{AppID: cfg.WeChat.AppID, Secret: cfg.WeChat.Secret, APIBase: cfg.WeChat.APIBase, State: st, Logger: log})
	if err != nil {
		closeAll()
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return nil, nil, false
	}
	b, err := chat.New(chat.Config{Store: db, State: st, Notifier: api, Secret: cfg.Secret, Location: cfg.Location, Logger: log,
		PublicURL: cmp.Or(cfg.PublicURL, localURL(cfg.HTTPAddr))})
	if err != nil {
		closeAll()
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return nil, nil, false
	}
	return b, closeAll, true
}

// withDigestBot runs fn with the bot of digestBot, or returns 1 when it
// cannot be made (having said why).
func withDigestBot(ctx context.Context, e *env, fn func(b *chat.Bot) int) int {
	b, done, ok := digestBot(ctx, e)
	if !ok {
		return 1
	}
	defer done()
	return fn(b)
}

func cmdDigest(ctx context.Context, e *env, args []string) int {
	fs := cliFlags(e, "digest")
	school := fs.String("school", "", "学校（或教育局）名称或代码")
	week := fs.String("week", "", "周次，如 2026-W47（默认：上一个完整的周）")
	send := fs.Bool("send", false, "发送给该校领导（每人每周只发一次）")
	asText := fs.Bool("text", false, "输出文本（默认）")
	asJSON := fs.Bool("json", false, "输出 JSON")
	_, ok := parseArgs(e, fs, args, textDigestUsage, func(pos []string) bool {
		return *school != "" && !(*asText && *asJSON)
	})
	if !ok {
		return 2
	}
	return withDigestBot(ctx, e, func(b *chat.Bot) int {
		o := chat.DigestOptions{School: *school, Week: *week}
		if *send {
			ds, err := b.SendDigests(ctx, o)
			if err != nil && len(ds) == 0 {
				return reportErr(e, err)
			}
			if len(ds) == 0 {
				fmt.Fprint(e.stdout, textDigestNoSend)
				return 0
			}
			var sent, undeliverable, failed int
			for _, d := range ds {
				switch d.Status {
				case bot.DeliverySent:
					sent++
				case bot.DeliveryUndeliverable:
					undeliverable++
				default:
					failed++
				}
			}
			fmt.Fprintf(e.stdout, textDigestSent, ds[0].Period, sent, undeliverable, failed)
			if failed > 0 {
				return 1
			}
			return 0
		}
		d, err := b.MakeDigest(ctx, o)
		if err != nil {
			return reportErr(e, err)
		}
		if *asJSON {
			js, err := d.JSON()
			if err != nil {
				return reportErr(e, err)
			}
			e.stdout.Write(js)
			return 0
		}
		fmt.Fprint(e.stdout, d.Text(b.Location()))
		return 0
	})
}

func reportErr(e *env, err error) int {
	fmt.Fprintf(e.stderr, "minqing: %v\n", err)
	if errors.Is(err, bot.ErrInvalid) || errors.Is(err, bot.ErrNotFound) {
		return 2
	}
	return 1
}

// cmdExportLedger writes the ledger export: `minqing export ledger`
// (args after "ledger").
func cmdExportLedger(ctx context.Context, e *env, args []string) int {
	fs := cliFlags(e, "export ledger")
	school := schoolFlag(fs)
	week := fs.String("week", "", "周次，如 2026-W47")
	semester := fs.String("semester", "", "学期，如 2026-秋（默认：本学期）")
	out := fs.String("o", "民情台帐.xlsx", "输出文件（.xlsx 或 .csv，- 表示以 CSV 输出到标准输出）")
	_, ok := parseArgs(e, fs, args, textLedgerUsage, func(pos []string) bool {
		return *school != "" && (*week == "" || *semester == "")
	})
	if !ok {
		return 2
	}
	return withDigestBot(ctx, e, func(b *chat.Bot) int {
		head, rows, period, err := b.ExportLedger(ctx, chat.ExportOptions{School: *school, Week: *week, Semester: *semester})
		if err != nil {
			return reportErr(e, err)
		}
		if *out == "-" {
			if err := sheet.WriteTo(e.stdout, sheet.FormatCSV, head, rows); err != nil {
				return reportErr(e, err)
			}
			return 0
		}
		if err := sheet.Write(*out, head, rows); err != nil {
			return reportErr(e, err)
		}
		fmt.Fprintf(e.stdout, textLedgerExportDone, strings.TrimSpace(*school), period, len(rows), *out)
		return 0
	})
}
