package parse

// Low-level readers for the parser: numbers (Arabic and Chinese),
// durations, character counts, dates, classes and people's names. Every
// offset is a byte offset into the normalised text.

import (
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// span is a byte range [start, end) of the normalised text.
type span struct{ start, end int }

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

func isASCIIAlnum(c byte) bool {
	return isASCIIDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// isHan reports whether r is a Chinese character.
func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// cnDigit is the value of a Chinese digit, or -1.
func cnDigit(r rune) int {
	switch r {
	case '零', '〇':
		return 0
	case '一':
		return 1
	case '二', '两':
		return 2
	case '三':
		return 3
	case '四':
		return 4
	case '五':
		return 5
	case '六':
		return 6
	case '七':
		return 7
	case '八':
		return 8
	case '九':
		return 9
	}
	return -1
}

// cnUnit is the value of a Chinese numeral unit, or 0.
func cnUnit(r rune) int {
	switch r {
	case '十':
		return 10
	case '百':
		return 100
	case '千':
		return 1000
	case '万':
		return 10000
	}
	return 0
}

// isNumeralRune reports whether r can be part of a number.
func isNumeralRune(r rune) bool {
	if r < 0x3007 { // below 〇: only the Arabic digits
		return r >= '0' && r <= '9'
	}
	return cnDigit(r) >= 0 || cnUnit(r) > 0
}

// runeAt decodes the rune at byte offset i (utf8.RuneError, 0 at the end).
func runeAt(s string, i int) (rune, int) {
	if i >= len(s) {
		return utf8.RuneError, 0
	}
	return utf8.DecodeRuneInString(s[i:])
}

// runeBefore decodes the rune ending at byte offset i.
func runeBefore(s string, i int) (rune, int) {
	if i <= 0 {
		return utf8.RuneError, 0
	}
	return utf8.DecodeLastRuneInString(s[:i])
}

// numberAt reads a number at byte offset i: Arabic (12, 1.5) or Chinese
// (两, 十八, 一千五, 两万五, 一点五, 二零二六). It returns the value and the
// offset after it.
func numberAt(s string, i int) (float64, int, bool) {
	if i >= len(s) {
		return 0, i, false
	}
	if isASCIIDigit(s[i]) {
		j := i
		for j < len(s) && isASCIIDigit(s[j]) {
			j++
		}
		if j+1 < len(s) && s[j] == '.' && isASCIIDigit(s[j+1]) {
			j++
			for j < len(s) && isASCIIDigit(s[j]) {
				j++
			}
		}
		if j-i > 12 {
			return 0, j, false
		}
		v, err := strconv.ParseFloat(s[i:j], 64)
		return v, j, err == nil
	}
	var total, section, cur, lastUnit int
	seen, prevDigit, afterUnit, concat := false, false, false, false
	j := i
	for j < len(s) && j-i < 40 {
		r, size := utf8.DecodeRuneInString(s[j:])
		if d := cnDigit(r); d >= 0 {
			if prevDigit {
				cur, concat = cur*10+d, true
			} else {
				cur = d
			}
			afterUnit = lastUnit > 0 && !prevDigit && !concat
			prevDigit, seen = true, true
			j += size
			continue
		}
		u := cnUnit(r)
		if u == 0 {
			break
		}
		if u == 10000 {
			v := section + cur
			if v == 0 {
				v = 1
			}
			total += v * 10000
			section = 0
		} else {
			if cur == 0 {
				cur = 1
			}
			section += cur * u
		}
		cur, lastUnit, prevDigit, afterUnit, seen = 0, u, false, false, true
		j += size
	}
	if !seen {
		return 0, i, false
	}
	// 一千五 is 1500, 一百二 is 120, 两万五 is 25000.
	if prevDigit && afterUnit && lastUnit >= 100 && cur < 10 {
		cur *= lastUnit / 10
	}
	v := float64(total + section + cur)
	// 一点五 is 1.5.
	if r, size := runeAt(s, j); r == '点' {
		k := j + size
		frac, scale := 0.0, 0.1
		for {
			r, sz := runeAt(s, k)
			d := cnDigit(r)
			if sz == 0 || d < 0 {
				break
			}
			frac += float64(d) * scale
			scale /= 10
			k += sz
		}
		if k > j+size {
			v += frac
			j = k
		}
	}
	return v, j, true
}

// matchAny returns the first of words that s[i:] starts with (put longer
// words first where one is a prefix of another).
//
// A long list is looked up by the first character of s[i:] in an index
// built once per list (wordIndexOf): the words starting with it, in list
// order, so the first that matches is the one the list order picks —
// instead of trying every word of the list at every position.
func matchAny(s string, i int, words []string) (string, bool) {
	if i >= len(s) {
		for _, w := range words {
			if w == "" {
				return w, true
			}
		}
		return "", false
	}
	if len(words) >= indexedListMin {
		if ix := wordIndexOf(words); ix != nil {
			r, sz := rune(s[i]), 1
			if r >= utf8.RuneSelf {
				r, sz = utf8.DecodeRuneInString(s[i:])
			}
			_ = sz
			for _, k := range ix.byRune[r] {
				if w := words[k]; strings.HasPrefix(s[i:], w) {
					return w, true
				}
			}
			if ix.empty >= 0 {
				return words[ix.empty], true
			}
			return "", false
		}
	}
	for _, w := range words {
		if strings.HasPrefix(s[i:], w) {
			return w, true
		}
	}
	return "", false
}

// indexedListMin is the length from which matchAny indexes a word list.
const indexedListMin = 8

// maxWordIndexes bounds the lists indexed: the package's lists are a few
// dozen; a list built anew on every call is not worth indexing, and past
// the bound it is simply scanned.
const maxWordIndexes = 256

// wordIndex is a word list indexed by first character.
type wordIndex struct {
	words  []string         // the list (to tell it from another at the same address)
	byRune map[rune][]int32 // first character → indices into words, ascending
	empty  int              // index of the first "" in words, or -1
}

// wordIndexes maps a list's first element to its index. Lookups read the
// current map without locking; a new index is added to a copy.
var (
	wordIndexes atomic.Pointer[map[uintptr]*wordIndex]
	wordIndexMu sync.Mutex
)

// wordIndexOf returns the index of words, building it the first time.
func wordIndexOf(words []string) *wordIndex {
	// The list's address names it; as a number, so that the lists the
	// callers build on their stacks stay there. The index keeps a copy,
	// and a list found at an address that another one had is told apart
	// by its words.
	key := uintptr(unsafe.Pointer(&words[0]))
	if m := wordIndexes.Load(); m != nil {
		if ix := (*m)[key]; ix != nil {
			if sameWords(ix.words, words) {
				return ix
			}
			// Another list at an address an indexed one had (lists
			// built on a caller's stack): scanned, not indexed anew.
			return nil
		}
	}
	wordIndexMu.Lock()
	defer wordIndexMu.Unlock()
	old := wordIndexes.Load()
	if old != nil {
		if _, taken := (*old)[key]; taken || len(*old) >= maxWordIndexes {
			return nil
		}
	}
	ix := &wordIndex{words: slices.Clone(words), byRune: make(map[rune][]int32), empty: -1}
	for k, w := range words {
		if w == "" {
			if ix.empty < 0 {
				ix.empty = k
			}
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		if r == utf8.RuneError {
			// An invalid first byte: keyed by the byte, as matchAny
			// reads it.
			r = rune(w[0])
			if w[0] >= utf8.RuneSelf {
				r = utf8.RuneError
			}
		}
		ix.byRune[r] = append(ix.byRune[r], int32(k))
	}
	if ix.empty >= 0 {
		// Words after the first "" can never be picked; those before it
		// still can.
		for r, ks := range ix.byRune {
			n := 0
			for _, k := range ks {
				if int(k) < ix.empty {
					ks[n] = k
					n++
				}
			}
			ix.byRune[r] = ks[:n]
		}
	}
	m := make(map[uintptr]*wordIndex, 1)
	if old != nil {
		m = make(map[uintptr]*wordIndex, len(*old)+1)
		for k, v := range *old {
			m[k] = v
		}
	}
	m[key] = ix
	wordIndexes.Store(&m)
	return ix
}

// sameWords reports whether a and b are the same list: the same strings in
// the same places (quick when they share their bytes, as a list and its
// copy do).
func sameWords(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if len(a[k]) != len(b[k]) || unsafe.StringData(a[k]) != unsafe.StringData(b[k]) {
			return a[k] == b[k] && sameWordsFrom(a, b, k+1)
		}
	}
	return true
}

func sameWordsFrom(a, b []string, k int) bool {
	for ; k < len(a); k++ {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}
func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// hourUnits are the words after a number that make it hours. "个半小时"
// adds half an hour.
var hourUnits = []string{"个半小时", "个半钟头", "个多小时", "个多钟头", "多个小时", "多个钟头", "多小时", "个小时", "个钟头", "个钟", "小时", "钟头", "学时", "hours", "hour", "hrs", "hr", "h", "H"}

// durationAt reads a duration at byte offset i: 2小时, 一个半小时, 两个钟头,
// 40分钟, 1.5h, 一小时二十分钟, 半小时, 3学时. It returns minutes.
func durationAt(s string, i int) (int, int, bool) {
	if strings.HasPrefix(s[i:], "半") {
		j := i + len("半")
		for _, w := range []string{"个", "多"} {
			if strings.HasPrefix(s[j:], w) {
				j += len(w)
			}
		}
		if u, ok := matchAny(s, j, []string{"小时", "钟头", "学时"}); ok {
			return 30, j + len(u), true
		}
		return 0, i, false
	}
	v, j, ok := numberAt(s, i)
	if !ok {
		return 0, i, false
	}
	k := skipSpaces(s, j)
	if u, ok := matchAny(s, k, hourUnits); ok {
		end := k + len(u)
		if isASCIIAlnum(u[len(u)-1]) && end < len(s) && isASCIIAlnum(s[end]) {
			// 1h30m, 1h30min; but not "2hello"
			m, e, ok := minutesAt(s, end, true)
			if !ok || !isASCIIDigit(s[end]) {
				return 0, j, false
			}
			return int(v*60 + float64(m) + 0.5), e, true
		}
		minutes := v * 60
		if strings.Contains(u, "半") {
			minutes += 30
		}
		// 一小时半, 一小时二十分钟, 1h30min, 1小时20分
		if strings.HasPrefix(s[end:], "半") {
			minutes += 30
			end += len("半")
		} else if m, e, ok := minutesAt(s, skipSpaces(s, end), true); ok {
			minutes += float64(m)
			end = e
		}
		return int(minutes + 0.5), end, true
	}
	if m, e, ok := minutesAt(s, i, false); ok {
		return m, e, true
	}
	return 0, j, false
}

// minutesAt reads "40分钟", "45min" (and "20分" when afterHours).
func minutesAt(s string, i int, afterHours bool) (int, int, bool) {
	if afterHours && strings.HasPrefix(s[i:], "零") {
		i += len("零")
	}
	v, j, ok := numberAt(s, i)
	if !ok {
		return 0, i, false
	}
	k := skipSpaces(s, j)
	units := []string{"分钟", "多分钟", "minutes", "minute", "mins", "min"}
	if afterHours {
		units = append(units, "分", "m")
	}
	if u, ok := matchAny(s, k, units); ok {
		end := k + len(u)
		if isASCIIAlnum(u[len(u)-1]) && end < len(s) && isASCIIAlnum(s[end]) {
			return 0, i, false
		}
		return int(v + 0.5), end, true
	}
	if strings.HasPrefix(s[k:], "刻钟") {
		return int(v*15 + 0.5), k + len("刻钟"), true
	}
	return 0, i, false
}

// scanNumbers calls f at each number or 半 in s (not inside a longer
// number); f returns the offset to continue from, or -1 to move on past the
// number.
func scanNumbers(s string, f func(i int) int) {
	prevNum := false
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if !prevNum && (isNumeralRune(r) || r == '半') {
			if next := f(i); next > i {
				i, prevNum = next, false
				continue
			}
		}
		prevNum = isNumeralRune(r) || r == '.'
		i += size
	}
}

// durations sums every duration in s, in minutes, and returns their spans.
func durations(s string) (int, []span) {
	total := 0
	var spans []span
	scanNumbers(s, func(i int) int {
		m, end, ok := durationAt(s, i)
		if !ok {
			return -1
		}
		total += m
		spans = append(spans, span{i, end})
		return end
	})
	return total, spans
}

// charCount reads how many characters of notes a message reports
// (笔记1500字, 1.5千字, 两千字, 2万字) and the span of the phrase, including
// the words around it (做了…笔记, 写笔记…).
func charCount(s string) (int, span, bool) {
	n, at := 0, span{-1, -1}
	scanNumbers(s, func(i int) int {
		if at.start >= 0 {
			return len(s)
		}
		v, j, ok := numberAt(s, i)
		if !ok {
			return -1
		}
		k := skipSpaces(s, j)
		switch {
		case strings.HasPrefix(s[k:], "千"), strings.HasPrefix(s[k:], "k"), strings.HasPrefix(s[k:], "K"):
			v *= 1000
			_, sz := runeAt(s, k)
			k = skipSpaces(s, k+sz)
		case strings.HasPrefix(s[k:], "万"), strings.HasPrefix(s[k:], "w"), strings.HasPrefix(s[k:], "W"):
			v *= 10000
			_, sz := runeAt(s, k)
			k = skipSpaces(s, k+sz)
		}
		if strings.HasPrefix(s[k:], "多") {
			k += len("多")
		}
		end := k
		if strings.HasPrefix(s[k:], "字") {
			end = k + len("字")
		} else {
			// 笔记 1500 / 笔记：1500 without 字
			before := strings.TrimRight(s[:i], " :")
			if !strings.HasSuffix(before, "笔记") || (k < len(s) && s[k] != ' ' && s[k] != ',') {
				return -1
			}
		}
		n, at = int(v+0.5), span{i, end}
		return end
	})
	if at.start < 0 || n <= 0 {
		return 0, span{}, false
	}
	// Widen the span over the words around the count.
	for changed := true; changed; {
		changed = false
		pre := strings.TrimRight(s[:at.start], " :")
		for _, w := range []string{"读书笔记", "学习笔记", "写笔记", "做笔记", "记笔记", "笔记", "做了", "写了", "记了", "约", "大约", "共"} {
			if strings.HasSuffix(pre, w) {
				at.start, changed = len(pre)-len(w), true
				break
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, w := range []string{"的读书笔记", "的学习笔记", "的笔记", "读书笔记", "学习笔记", "笔记", "左右"} {
			if strings.HasPrefix(s[at.end:], w) {
				at.end, changed = at.end+len(w), true
				break
			}
		}
	}
	return n, at, true
}

// dayOffsets are the words naming a day relative to today.
var dayOffsets = []struct {
	word string
	days int
}{
	{"大前天", -3}, {"前天", -2}, {"昨天", -1}, {"昨日", -1}, {"昨晚", -1}, {"昨儿", -1},
	{"今天", 0}, {"今日", 0}, {"今晚", 0}, {"今早", 0}, {"今儿", 0},
	{"明天", 1}, {"明日", 1}, {"明儿", 1}, {"后天", 2},
}

// weekPrefixes name a week, with its offset in weeks (-99: the most recent
// such weekday, on or before today).
var weekPrefixes = []struct {
	word  string
	weeks int
}{
	{"上上周", -2}, {"上上个星期", -2}, {"上个星期", -1}, {"上个礼拜", -1}, {"上星期", -1}, {"上礼拜", -1}, {"上周", -1},
	{"这个星期", 0}, {"这星期", 0}, {"本星期", 0}, {"这周", 0}, {"本周", 0}, {"这礼拜", 0},
	{"下个星期", 1}, {"下个礼拜", 1}, {"下星期", 1}, {"下礼拜", 1}, {"下周", 1},
	{"星期", -99}, {"礼拜", -99}, {"周", -99},
}

func weekdayNumber(r rune) int {
	switch r {
	case '一', '1':
		return 1
	case '二', '2':
		return 2
	case '三', '3':
		return 3
	case '四', '4':
		return 4
	case '五', '5':
		return 5
	case '六', '6':
		return 6
	case '日', '天', '7':
		return 7
	}
	return 0
}

// dateAt reads a date at byte offset i of s, resolved against today
// (midnight in the school's location). Relative dates need a non-zero today.
func dateAt(s string, i int, today time.Time) (time.Time, int, bool) {
	known := !today.IsZero()
	rest := s[i:]
	if known {
		for _, d := range dayOffsets {
			if strings.HasPrefix(rest, d.word) {
				return today.AddDate(0, 0, d.days), i + len(d.word), true
			}
		}
		for _, w := range weekPrefixes {
			if !strings.HasPrefix(rest, w.word) {
				continue
			}
			r, size := runeAt(s, i+len(w.word))
			wd := weekdayNumber(r)
			if wd == 0 {
				break
			}
			end := i + len(w.word) + size
			// 每周五个小时, 一周五次: a count, not a day.
			if nr, _ := runeAt(s, end); nr == '个' || nr == '次' || nr == '天' || nr == '节' || isNumeralRune(nr) {
				break
			}
			if w.weeks == -99 {
				if pr, _ := runeBefore(s, i); pr == '每' || pr == '一' || pr == '两' || pr == '几' || pr == '上' || pr == '下' || pr == '本' || pr == '这' {
					break
				}
			}
			todayWd := int(today.Weekday())
			if todayWd == 0 {
				todayWd = 7
			}
			monday := today.AddDate(0, 0, 1-todayWd)
			if w.weeks == -99 {
				diff := todayWd - wd
				if diff < 0 {
					diff += 7
				}
				return today.AddDate(0, 0, -diff), end, true
			}
			return monday.AddDate(0, 0, 7*w.weeks+wd-1), end, true
		}
	}
	if pr, _ := runeBefore(s, i); isNumeralRune(pr) || pr == '.' || pr == '/' || pr == '-' {
		return time.Time{}, i, false
	}
	loc := time.UTC
	if known {
		loc = today.Location()
	}
	// 2026-11-18, 2026.11.18, 2026/11/18
	if i+8 <= len(s) && isASCIIDigit(s[i]) {
		j := i
		for j < len(s) && isASCIIDigit(s[j]) {
			j++
		}
		if j-i == 4 && j < len(s) && (s[j] == '-' || s[j] == '.' || s[j] == '/') {
			sep := s[j]
			y, _ := strconv.Atoi(s[i:j])
			mo, k, ok1 := smallInt(s, j+1, 2)
			if ok1 && k < len(s) && s[k] == sep {
				d, e, ok2 := smallInt(s, k+1, 2)
				if ok2 && (e >= len(s) || !isASCIIDigit(s[e])) {
					if t, ok := makeDate(y, mo, d, loc); ok {
						return t, e, true
					}
				}
			}
		}
	}
	n, j, ok := intAt(s, i)
	if !ok {
		return time.Time{}, i, false
	}
	year := 0
	k := j
	if strings.HasPrefix(s[k:], "年") && n >= 1000 && n < 3000 {
		year = n
		k += len("年")
		n, j, ok = intAt(s, k)
		if !ok {
			return time.Time{}, i, false
		}
		k = j
	}
	if strings.HasPrefix(s[k:], "月") && n >= 1 && n <= 12 {
		mo := n
		k += len("月")
		dv, e, ok := intAt(s, k)
		if !ok {
			return time.Time{}, i, false
		}
		if w, ok := matchAny(s, e, []string{"日", "号"}); ok {
			e += len(w)
		} else if e < len(s) && isASCIIDigit(s[e]) {
			return time.Time{}, i, false
		}
		return resolveDate(year, mo, dv, today, loc, e)
	}
	if year != 0 {
		return time.Time{}, i, false
	}
	// 11.18, 11/18
	if isASCIIDigit(s[i]) && j-i <= 2 && j+1 < len(s) && (s[j] == '.' || s[j] == '/') && n >= 1 && n <= 12 {
		d, e, ok := smallInt(s, j+1, 2)
		if ok && (e >= len(s) || !isASCIIDigit(s[e])) && !quantityUnitAt(s, e) {
			return resolveDate(0, n, d, today, loc, e)
		}
		return time.Time{}, i, false
	}
	// 18号, 18日
	if w, ok := matchAny(s, j, []string{"号", "日"}); ok && n >= 1 && n <= 31 && known {
		e := j + len(w)
		if nr, _ := runeAt(s, e); strings.ContainsRune("楼线门床车室窗桌位球三之教机", nr) {
			return time.Time{}, i, false
		}
		t := time.Date(today.Year(), today.Month(), n, 0, 0, 0, 0, loc)
		if t.Day() != n {
			return time.Time{}, i, false
		}
		if t.After(today) {
			t = time.Date(today.Year(), today.Month()-1, n, 0, 0, 0, 0, loc)
			if t.Day() != n {
				return time.Time{}, i, false
			}
		}
		return t, e, true
	}
	return time.Time{}, i, false
}

// quantityUnitAt reports whether a unit that makes the number before it a
// quantity (not a date) starts at i: 1.5h, 1.5小时, 1.5千字.
func quantityUnitAt(s string, i int) bool {
	i = skipSpaces(s, i)
	if i >= len(s) {
		return false
	}
	if c := s[i]; c < 0x80 {
		return c == 'h' || c == 'H' || c == 'k' || c == 'K' || c == 'w' || c == 'W' || c == 'm' || c == '%'
	}
	_, ok := matchAny(s, i, []string{"小时", "个", "分", "千", "万", "字", "学时", "元", "块", "倍", "米", "公", "斤", "钟", "天", "次", "遍", "页", "节", "篇", "岁", "度"})
	return ok
}

// smallInt reads up to max ASCII digits.
func smallInt(s string, i, max int) (int, int, bool) {
	j := i
	for j < len(s) && j-i < max && isASCIIDigit(s[j]) {
		j++
	}
	if j == i {
		return 0, i, false
	}
	n, _ := strconv.Atoi(s[i:j])
	return n, j, true
}

func makeDate(y, m, d int, loc *time.Location) (time.Time, bool) {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc)
	return t, t.Day() == d
}

// resolveDate places a month and day without a year in the most recent
// year where it is on or before today.
func resolveDate(year, m, d int, today time.Time, loc *time.Location, end int) (time.Time, int, bool) {
	if year == 0 {
		if today.IsZero() {
			return time.Time{}, end, false
		}
		year = today.Year()
		if t, ok := makeDate(year, m, d, loc); ok && t.After(today) {
			year--
		}
	}
	t, ok := makeDate(year, m, d, loc)
	return t, end, ok
}

// firstDate finds the first date named in s.
func (m *message) firstDate() (string, span) {
	if m.dateDone {
		return m.dateVal, span{m.dateAt, m.dateEnd}
	}
	m.dateDone = true
	m.dateAt, m.dateEnd = -1, -1
	today := m.ctx.Today
	if !today.IsZero() {
		today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, today.Location())
	}
	s := m.s
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if strings.ContainsRune("今昨前大明后上这本下周星礼", r) || isNumeralRune(r) {
			// 3.2班 is a class, not the 2nd of March
			if t, end, ok := dateAt(s, i, today); ok && end > i && !strings.HasPrefix(s[end:], "班") {
				m.dateVal, m.dateAt, m.dateEnd = t.Format("2006-01-02"), i, end
				break
			}
		}
		i += size
	}
	return m.dateVal, span{m.dateAt, m.dateEnd}
}

// timeOfDay are words for a part of the day; they carry no date.
var timeOfDay = []string{"早上", "早晨", "上午", "中午", "下午", "傍晚", "晚上", "夜里", "晚自习", "刚才", "刚刚"}

// classIn finds a class (三(2)班, 初二3班, 高一(5)班, 三年级二班) or, failing
// that, a grade (三年级) in s.
func classIn(s string) (string, span, bool) {
	for at := range occurrences(s, "班") {
		end := at + len("班")
		if start, ok := classStart(s, at); ok {
			return s[start:end], span{start, end}, true
		}
	}
	for at := range occurrences(s, "年级") {
		end := at + len("年级")
		if j, n := numeralsBefore(s, at, 2); n > 0 {
			return s[j:end], span{j, end}, true
		}
	}
	return "", span{}, false
}

// occurrences yields the byte offset of each occurrence of word in s, from
// the left, none overlapping the one before.
func occurrences(s, word string) iter.Seq[int] {
	return func(yield func(int) bool) {
		for from := 0; from < len(s); {
			k := strings.Index(s[from:], word)
			if k < 0 || !yield(from+k) {
				return
			}
			from += k + len(word)
		}
	}
}

// classStart finds where the class whose 班 is at byte offset at starts.
func classStart(s string, at int) (int, bool) {
	j := at
	// numbered: the class number is bracketed, or written with its grade
	// (初二3班, 32班), so that it is not a lone 一班 or 二班.
	numbered := false
	if r, sz := runeBefore(s, j); r == ')' {
		open := strings.LastIndexByte(s[:j-sz], '(')
		if open < 0 || j-sz-open > 12 {
			return 0, false
		}
		inner := s[open+1 : j-sz]
		if inner == "" || strings.IndexFunc(inner, func(r rune) bool { return !isNumeralRune(r) || cnUnit(r) > 10 }) >= 0 {
			return 0, false
		}
		j, numbered = open, true
	} else {
		var n int
		if j, n = numeralsBefore(s, j, 4); n == 0 {
			return 0, false
		}
		numbered = n >= 2
	}
	graded := false
	if strings.HasSuffix(s[:j], "年级") {
		k, n := numeralsBefore(s, j-len("年级"), 2)
		if n == 0 {
			return 0, false
		}
		j, graded = k, true
	} else if k, n := numeralsBefore(s, j, 2); n > 0 && n < 3 {
		j, graded = k, true
	} else if r, sz := runeBefore(s, j); r == '.' || r == '-' {
		// 3.2班, 3-2班
		if k, n := numeralsBefore(s, j-sz, 1); n == 1 {
			j, graded = k, true
		}
	}
	if r, sz := runeBefore(s, j); r == '初' || r == '高' || r == '小' {
		j -= sz
		graded = true
	}
	return j, graded || numbered
}

// numeralsBefore walks back over at most max numeral runes (no 百/千/万)
// ending at byte offset j.
func numeralsBefore(s string, j, max int) (int, int) {
	n := 0
	for n < max {
		r, sz := runeBefore(s, j)
		if sz == 0 || !isNumeralRune(r) || cnUnit(r) > 10 {
			break
		}
		j -= sz
		n++
	}
	return j, n
}

// intAt reads a whole number at byte offset i: ASCII digits (a decimal
// point is not read) or Chinese numerals.
func intAt(s string, i int) (int, int, bool) {
	if i < len(s) && isASCIIDigit(s[i]) {
		j := i
		for j < len(s) && isASCIIDigit(s[j]) && j-i < 9 {
			j++
		}
		n, err := strconv.Atoi(s[i:j])
		return n, j, err == nil
	}
	v, j, ok := numberAt(s, i)
	if !ok || v != float64(int(v)) || v > 1e9 {
		return 0, i, false
	}
	return int(v), j, true
}

// surnames are common Chinese family names; a name is one of them followed
// by one or two characters.
var surnames = func() map[rune]bool {
	m := map[rune]bool{}
	for _, r := range "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池乐匡钮" {
		m[r] = true
	}
	return m
}()

var compoundSurnames = []string{"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "尉迟", "长孙", "宇文", "夏侯", "公孙", "端木", "司徒", "南宫"}

// nameFollowers are characters that end a name when they follow it: 张小明家,
// 王浩同学, 李娜老师, 刘洋的.
const nameFollowers = "家同的老上电视微入来到去在说是和与跟妈爸爷奶姥外等今昨这那他她也都很父母哥姐弟妹班年级语数英物化政历地音美体信科课听谈了们，,。 "

// nameAt reads a person's name at byte offset i: a surname and one or two
// more characters. It returns the offset after the name.
func nameAt(s string, i int) (int, bool) {
	j := i
	if w, ok := matchAny(s, i, compoundSurnames); ok {
		j += len(w)
	} else {
		r, size := runeAt(s, i)
		if !surnames[r] {
			return i, false
		}
		j += size
	}
	given := 0
	for given < 2 {
		r, size := runeAt(s, j)
		if size == 0 || !isHan(r) || strings.ContainsRune(nameFollowers, r) || isNumeralRune(r) && given == 0 && r != '一' {
			break
		}
		// The third character of a name must not start a follower word.
		j += size
		given++
	}
	if given == 0 {
		return i, false
	}
	return j, true
}

// isName reports whether the whole of t is a plausible name.
func isName(t string) bool {
	n := utf8.RuneCountInString(t)
	if n < 2 || n > 4 {
		return false
	}
	end, ok := nameAt(t, 0)
	return ok && end == len(t)
}

// teacherBefore reads the name in front of 老师 at byte offset at: 李老师
// (kept with 老师), 李明老师 (the name alone).
func teacherBefore(s string, at int) (string, int, bool) {
	best, bestStart := "", -1
	j := at
	for k := 1; k <= 3; k++ {
		r, sz := runeBefore(s, j)
		if sz == 0 || !isHan(r) {
			break
		}
		j -= sz
		cand := s[j:at]
		if k == 1 {
			if surnames[r] {
				best, bestStart = cand+"老师", j
			}
			continue
		}
		if !surnames[r] && !startsWithCompound(cand) {
			continue
		}
		// 班主任李老师: 任 is a surname but 主任 is a title.
		if titleEndsAt(s, j+sz) {
			continue
		}
		if e, ok := nameAt(s, j); ok && e == at {
			best, bestStart = cand, j
		}
	}
	if bestStart < 0 {
		return "", at, false
	}
	return best, bestStart, true
}

func startsWithCompound(s string) bool {
	_, ok := matchAny(s, 0, compoundSurnames)
	return ok
}

// titleEndsAt reports whether a title word (主任, 校长, 教师 …) ends at i.
func titleEndsAt(s string, i int) bool {
	for _, w := range []string{"主任", "校长", "教师", "老师", "组长", "书记", "同学", "年级", "学生", "家长"} {
		if strings.HasSuffix(s[:i], w) {
			return true
		}
	}
	return false
}
