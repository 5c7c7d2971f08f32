package parse

// Class names and cell cleaning, shared by the parser and the roster import:
// one normaliser for both, so that a class a teacher writes in chat and the
// class of the import file are the same string.

import (
	"strconv"
	"strings"
)

// Fold makes full-width ASCII half-width, every kind of space an
// ASCII space, and drops zero-width characters and BOMs.
func Fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000, r == 0x00A0, r >= 0x2000 && r <= 0x200A, r == 0x202F, r == 0x205F:
			return ' '
		case r == 0x200B, r == 0x200C, r == 0x200D, r == 0x2060, r == 0xFEFF:
			return -1
		}
		return r
	}, s)
}

// Clean folds s and collapses its runs of white space (line
// breaks included) into single spaces, trimmed.
func Clean(s string) string {
	return strings.Join(strings.Fields(Fold(s)), " ")
}

// NormalizeClass writes a class name in minqing's one form:
//
//	grade + "(" + number + ")班"
//
// where the grade is a Chinese numeral for primary grades and for 七/八/九
// 年级 as the school writes them (“三(2)班”, “七(1)班”), and 初一…初三,
// 高一…高三 for secondary ones (“初二(3)班”, “高一(5)班”); the number is
// in Arabic digits without leading zeros. So “三（2）班”, “3年级2班”,
// “三年级二班”, “3.2班” and “3-2班” are all “三(2)班”, and “初二3班”,
// “初二(03)班”, “初二年级3班” are all “初二(3)班”. A class the rule does
// not recognise (“3班” without a grade, “高三文科1班”, “大班”) comes back
// folded to half-width, without spaces, otherwise as written.
func NormalizeClass(s string) string {
	if c, ok := ParseClass(s); ok {
		return c
	}
	return strings.ReplaceAll(Clean(s), " ", "")
}

var classCNDigit = map[rune]int{'一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

const classCNDigits = "零一二三四五六七八九"

// ParseClass parses a class name into the form of NormalizeClass; ok is
// false if it is not one.
func ParseClass(s string) (string, bool) {
	r := []rune(strings.ReplaceAll(Clean(s), " ", ""))
	at := func(i int) rune {
		if i < len(r) {
			return r[i]
		}
		return 0
	}
	digit := func(c rune) (int, bool) {
		if c >= '0' && c <= '9' {
			return int(c - '0'), true
		}
		n, ok := classCNDigit[c]
		return n, ok
	}
	i := 0
	grade := ""
	explicit := false // the text says it is a class: 年级, 初/高, 班, brackets, a separator
	arabicGrade := false
	switch c := at(0); {
	case c == '初' || c == '高':
		i++
		if at(i) == '中' {
			i++
		}
		n, ok := digit(at(i))
		if !ok || n < 1 || n > 3 {
			return "", false
		}
		grade = string(c) + string([]rune(classCNDigits)[n])
		explicit = true
		i++
	default:
		n, ok := digit(c)
		if !ok || n < 1 {
			return "", false
		}
		grade = string([]rune(classCNDigits)[n])
		arabicGrade = c >= '0' && c <= '9'
		i++
	}
	switch {
	case at(i) == '年' && at(i+1) == '级':
		i += 2
		explicit = true
	case at(i) == '年':
		i++
		explicit = true
	}
	paren := false
	switch at(i) {
	case '(':
		paren = true
		explicit = true
		i++
	case '.', '-', '·', '—', '_', '．':
		explicit = true
		i++
	default:
		if arabicGrade && !explicit && at(i) >= '0' && at(i) <= '9' {
			return "", false // "32班": the 32nd class, or 三(2)班?
		}
	}
	num, k := classNumber(r[i:])
	if k == 0 || num < 1 || num > 99 {
		return "", false
	}
	i += k
	if paren {
		if at(i) != ')' {
			return "", false
		}
		i++
	}
	if at(i) == '班' {
		i++
		explicit = true
	}
	if i != len(r) || !explicit {
		return "", false
	}
	return grade + "(" + strconv.Itoa(num) + ")班", true
}

// classNumber reads a class number at the start of r: Arabic digits
// (at most 2 significant) or a Chinese numeral up to 九十九. It returns the
// number and how many runes it took (0 for none).
func classNumber(r []rune) (int, int) {
	k := 0
	for k < len(r) && r[k] >= '0' && r[k] <= '9' {
		k++
	}
	if k > 0 {
		n, err := strconv.Atoi(string(r[:k]))
		if err != nil || n > 99 {
			return 0, 0
		}
		return n, k
	}
	// Chinese: 三, 十, 十二, 二十, 二十三.
	n, tens := 0, false
	for k < len(r) {
		if r[k] == '十' && !tens {
			if n == 0 {
				n = 1
			}
			n *= 10
			tens = true
			k++
			continue
		}
		d, ok := classCNDigit[r[k]]
		if !ok || (n%10 != 0 && k > 0) || (k > 0 && !tens) {
			break
		}
		n += d
		k++
	}
	return n, k
}
