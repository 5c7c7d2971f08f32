package main

import (
	"strings"
	"testing"

	"minqing/storage/storagetest"
)

// TestBureauChoosesSchool: in a deployment serving several schools, a
// parent's opinion waits for their choice of school; a QR code's scene
// chooses it up front. Opinions about a school's leadership go to the
// bureau when the school says so.
func TestBureauChoosesSchool(t *testing.T) {
	w := newWorld(t, backends[0])
	second := "楚雄市大地基乡中心小学"
	w.admin(t, "import", "staff", testdata("staff_messy.csv"), "--school", second, "--new", "--bureau", "楚雄市教育局")
	var codes = map[string]string{}
	for _, line := range strings.Split(w.admin(t, "schools"), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			codes[f[1]] = f[0]
		}
	}
	if codes[second] == "" || codes[testSchool] == "" {
		t.Fatalf("schools: %v", codes)
	}

	parent := w.as(t, "oBureauParent")
	r := parent.say("建议学校食堂每周公布菜谱")
	expect(t, "asked to choose", r, "请先选择", testSchool, second)
	if n := storagetest.CountRows(t, w.db, "opinions"); n != 0 {
		t.Fatalf("filed before the school was chosen")
	}
	r = parent.say("2")
	expect(t, "filed after choosing", r, "已收到", "回执码")
	var school string
	if err := w.db.SQL().Get(&school, `SELECT u.name FROM opinions o JOIN org_units u ON u.id = o.school_id`); err != nil {
		t.Fatal(err)
	}
	if school != second {
		t.Errorf("opinion went to %s, want %s", school, second)
	}
	// The choice is remembered.
	expect(t, "remembered", parent.say("希望学校的校车能多开一条线路"), "已收到")

	// A QR code with the first school's code chooses it at subscription.
	qr := w.as(t, "oQRParent")
	expect(t, "qr subscribe", qr.event("subscribe", "qrscene_"+codes[testSchool]), "欢迎关注"+testSchool)
	expect(t, "qr opinion", qr.say("建议学校在雨天开放风雨操场"), "已收到")
	var n int
	if err := w.db.SQL().Get(&n, `SELECT COUNT(*) FROM opinions o JOIN org_units u ON u.id = o.school_id WHERE u.name = ?`, testSchool); err != nil || n != 1 {
		t.Errorf("%d opinions at %s, %v; want 1", n, testSchool, err)
	}
}
