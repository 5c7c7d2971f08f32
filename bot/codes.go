package bot

import (
	"crypto/rand"
	"math/big"
)

// codeAlphabet is the alphabet of every code a person types or reads out:
// 32 symbols, without 0/O and 1/I, so 5 bits a character.
const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// RandomCode returns n characters of codeAlphabet from crypto/rand.
func RandomCode(n int) string {
	max := big.NewInt(int64(len(codeAlphabet)))
	b := make([]byte, n)
	for i := range b {
		x, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("bot: crypto/rand failed: " + err.Error())
		}
		b[i] = codeAlphabet[x.Int64()]
	}
	return string(b)
}
