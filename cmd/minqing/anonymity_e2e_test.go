package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"minqing/storage"
)

// dumpTables returns every cell of every table of the database as text,
// by table.
func dumpTables(t *testing.T, db *storage.DB) map[string]string {
	t.Helper()
	var tables []string
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.Dialect() == storage.MySQL {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()`
	}
	if err := db.SQL().Select(&tables, q); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, table := range tables {
		rows, err := db.SQL().Queryx("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for rows.Next() {
			vals, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				switch v := v.(type) {
				case []byte:
					sb.Write(v)
				default:
					fmt.Fprint(&sb, v)
				}
				sb.WriteString("\x00")
			}
			sb.WriteString("\n")
		}
		rows.Close()
		out[table] = sb.String()
	}
	return out
}

// TestAnonymity: after parents and teachers have written, been answered and
// rated, no table and no log line holds a parent's openid, and only the
// bindings hold a staff member's; nothing but the receipts (and drafts)
// holds the keyed hash that stands for a sender.
func TestAnonymity(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			w := newWorld(t, b)
			codes := w.bindCodes(t, testSchool)
			principal := w.bound(t, codes, "范小平", "oStaffPrincipal")
			teacher := w.bound(t, codes, "王丽", "oStaffTeacher")
			w.fake.SetWindow(48 * time.Hour)
			parents := []string{"oParentOne", "oParentTwo", "oParentThree"}
			var opinionCodes []string
			for i, openid := range parents {
				w.fake.Touch(openid, time.Now())
				p := w.as(t, openid)
				p.event("subscribe", "")
				r := p.say(fmt.Sprintf("建议：学校门口的第%d个路灯坏了，晚自习放学太黑了", i+1))
				opinionCodes = append(opinionCodes, codeIn(t, r))
				p.voice("食堂的饭菜能不能少放点辣椒孩子们吃不惯。")
				p.say("查询 " + opinionCodes[i])
			}
			// A teacher writes an opinion too: anonymous as well.
			teacherCode := codeIn(t, teacher.say("建议学校的打印机多配几台，每次排队要很久"))
			for _, c := range append(opinionCodes, teacherCode) {
				principal.say("交办 " + c + " 总务处 2天")
				principal.say("答复 " + c + " 已安排维修")
			}
			for _, openid := range parents {
				w.waitPushed(t, openid, "已安排维修")
				w.as(t, openid).say("满意")
			}
			// A draft in progress.
			p := w.as(t, parents[0])
			p.event("CLICK", "OPINION")
			p.say("图书馆周末能不能开放")

			dump := dumpTables(t, w.db)
			var hashes []string
			if err := w.db.SQL().Select(&hashes, `SELECT DISTINCT sender_hash FROM receipts`); err != nil {
				t.Fatal(err)
			}
			if len(hashes) != len(parents)+1 {
				t.Fatalf("%d distinct senders in receipts, want %d", len(hashes), len(parents)+1)
			}
			for table, cells := range dump {
				for _, openid := range parents {
					if strings.Contains(cells, openid) {
						t.Errorf("table %s holds a parent's openid", table)
					}
				}
				for _, openid := range []string{"oStaffPrincipal", "oStaffTeacher"} {
					if strings.Contains(cells, openid) && table != "wechat_bindings" {
						t.Errorf("table %s holds a staff openid", table)
					}
				}
				if table == "receipts" || table == "opinion_drafts" {
					continue
				}
				for _, h := range hashes {
					if strings.Contains(cells, h) {
						t.Errorf("table %s holds a sender's keyed hash", table)
					}
				}
			}
			// The opinions are all there, anonymous.
			var anonymous int
			if err := w.db.SQL().Get(&anonymous, `SELECT COUNT(*) FROM opinions WHERE anonymous = TRUE AND recorder_id IS NULL`); err != nil || anonymous != 7 {
				t.Errorf("%d anonymous opinions, %v; want 7", anonymous, err)
			}
			logs := w.Logs.String()
			for _, secret := range append(parents, "oStaffPrincipal", "oStaffTeacher", "路灯", "辣椒", "范小平", "王丽") {
				if strings.Contains(logs, secret) {
					t.Errorf("the log contains %q", secret)
				}
			}
		})
	}
}
