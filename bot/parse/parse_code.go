package parse

import "strings"

// receiptSymbol reports whether c (upper case) is in ReceiptAlphabet.
func receiptSymbol(c byte) bool {
	return (c >= '2' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O')
}

// isDash reports whether r separates the halves of a written code.
func isDash(r rune) bool {
	switch r {
	case '-', '－', '—', '–', '‐', '‑', '_', '·':
		return true
	}
	return false
}

// NormalizeCode reads a receipt code as users type it: lower case,
// full-width characters, with or without the dash, with spaces — "k7m29qxd",
// "K7M2 9QXD", "Ｋ７Ｍ２－９ＱＸＤ" — and returns it as XXXX-XXXX. It rejects
// anything that is not eight symbols of ReceiptAlphabet (0, 1, O and I are
// never guessed at: a code with them is a typo the user must fix).
func NormalizeCode(s string) (string, bool) {
	var b [8]byte
	n := 0
	for _, r := range foldWidth(s) {
		switch {
		case r == ' ' || r == '\t' || isDash(r):
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		if r >= 0x80 || !receiptSymbol(byte(r)) || n == len(b) {
			return "", false
		}
		b[n] = byte(r)
		n++
	}
	if n != len(b) {
		return "", false
	}
	return string(b[:4]) + "-" + string(b[4:]), true
}

// codeIn finds the first receipt code in s (normalised text): eight
// symbols, written together or as two halves joined by a dash or a space,
// and not part of a longer run of letters and digits. It returns the code
// and its span.
func codeIn(s string) (string, span, bool) {
	return codeFrom(s, 0)
}

func codeFrom(s string, from int) (string, span, bool) {
	for i := from; i < len(s); i++ {
		if !isASCIIAlnum(s[i]) || (i > 0 && isASCIIAlnum(s[i-1])) {
			continue
		}
		j := i
		for j < len(s) && isASCIIAlnum(s[j]) {
			j++
		}
		switch j - i {
		case 8:
			if c, ok := NormalizeCode(s[i:j]); ok {
				return c, span{i, j}, true
			}
		case 4:
			// a second half after a dash or a space
			k := j
			if k < len(s) && (s[k] == ' ' || s[k] == '-') {
				k++
			} else if r, sz := runeAt(s, k); isDash(r) {
				k += sz
			}
			if k < len(s) && s[k] == ' ' {
				k++
			}
			e := k
			for e < len(s) && isASCIIAlnum(s[e]) {
				e++
			}
			if e-k == 4 {
				if c, ok := NormalizeCode(s[i:j] + s[k:e]); ok {
					return c, span{i, e}, true
				}
			}
		}
		i = j
	}
	return "", span{}, false
}

// cutSpan removes the span sp from s and tidies the spaces around it.
func cutSpan(s string, sp span) string {
	return strings.TrimSpace(strings.TrimSpace(s[:sp.start]) + " " + strings.TrimSpace(s[sp.end:]))
}
