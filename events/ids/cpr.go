package ids

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"log/slog"
	"strings"
	"time"
)

// CPR is a Danish personal identity number (personnummer): the date of
// birth DDMMYY followed by a four-digit serial number SSSS. The first serial
// digit together with YY gives the century; the last digit is even for
// women and odd for men.
//
// Numbers without a valid modulus-11 check digit have been issued since
// 2007 and are accepted (https://www.cpr.dk/cpr-systemet/personnumre-uden-kontrolciffer-modulus-11-kontrol/).
//
// A CPR number is personal data, and so is its first half, the date of
// birth: log Pseudonym() (LogValue does so for log/slog), never String() or
// Masked().
type CPR struct{ s string }

// ParseCPR parses "DDMMYY-SSSS" or "DDMMYYSSSS" (surrounding spaces are
// ignored). It returns ErrCPRFormat when the shape is wrong and ErrCPRDate
// when the first six digits with the century from the seventh are not a
// real date.
func ParseCPR(s string) (CPR, error) {
	s = strings.TrimSpace(s)
	if len(s) == 11 && s[6] == '-' {
		s = s[:6] + s[7:]
	}
	if !digits(s, 10) {
		return CPR{}, ErrCPRFormat
	}
	if _, ok := birthDate(s); !ok {
		return CPR{}, ErrCPRDate
	}
	return CPR{s: s}, nil
}

// MustCPR is ParseCPR for constants in tests and seed data; it panics on an
// invalid number and must not be used on input.
func MustCPR(s string) CPR {
	c, err := ParseCPR(s)
	if err != nil {
		panic("ids.MustCPR: " + err.Error())
	}
	return c
}

// BirthYear returns the full year of birth for the two-digit year yy and the
// seventh digit d of a CPR number, following CPR's century table:
// d 0–3: 1900–1999; d 4 and 9: 2000–2036 for yy 00–36, else 1937–1999;
// d 5–8: 2000–2057 for yy 00–57, else 1858–1899.
func BirthYear(yy, d int) int {
	switch {
	case d <= 3:
		return 1900 + yy
	case d == 4 || d == 9:
		if yy <= 36 {
			return 2000 + yy
		}
		return 1900 + yy
	default: // 5–8
		if yy <= 57 {
			return 2000 + yy
		}
		return 1800 + yy
	}
}

func birthDate(s string) (time.Time, bool) {
	n := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	day, month, yy := n(0), n(2), n(4)
	year := BirthYear(yy, int(s[6]-'0'))
	if month < 1 || month > 12 || day < 1 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day { // time.Date normalised an impossible date such as 30 February
		return time.Time{}, false
	}
	return t, true
}

// IsZero reports whether c is the zero value (no CPR number).
func (c CPR) IsZero() bool { return c.s == "" }

// BirthDate returns the date of birth (midnight UTC); the zero time for the
// zero value.
func (c CPR) BirthDate() time.Time {
	if c.s == "" {
		return time.Time{}
	}
	t, _ := birthDate(c.s)
	return t
}

// Female reports whether the last digit is even (women get even numbers).
func (c CPR) Female() bool { return c.s != "" && (c.s[9]-'0')%2 == 0 }

// HasModulus11 reports whether the number passes the old modulus-11 check
// (weights 4,3,2,7,6,5,4,3,2,1). It is informative only: numbers without it
// are valid.
func (c CPR) HasModulus11() bool {
	if c.s == "" {
		return false
	}
	return Modulus11CPR(c.s)
}

// Modulus11CPR reports whether the ten digits in s pass the CPR modulus-11
// check. s must be ten ASCII digits.
func Modulus11CPR(s string) bool {
	weights := [10]int{4, 3, 2, 7, 6, 5, 4, 3, 2, 1}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return sum%11 == 0
}

// String returns the ten digits DDMMYYSSSS. It is personal data: do not log it.
func (c CPR) String() string { return c.s }

// Masked returns "DDMMYY-xxxx", for screens whose viewer may see the
// person's date of birth (an employer's own employees). It still holds the
// date of birth, which is personal data: logs and error messages use
// Pseudonym.
func (c CPR) Masked() string {
	if c.s == "" {
		return ""
	}
	return c.s[:6] + "-xxxx"
}

// pseudonymKey is drawn at process start and never stored or shared, so
// pseudonyms correlate the lines of one process only and cannot be turned
// back into numbers by trying every CPR number.
var pseudonymKey = func() []byte {
	k := make([]byte, 32)
	rand.Read(k) // never fails (crypto/rand, Go 1.24+)
	return k
}()

// pseudonymLen is the number of letters in a pseudonym: 40 bits, enough
// that two persons in one process's logs rarely share one.
const pseudonymLen = 10

// Pseudonym returns "cpr:" and ten letters a–p (the first 40 bits of an
// HMAC-SHA256 of the number under a key drawn at process start), for logs
// and error messages: the same number gives the same pseudonym within one
// process, so its log lines about one person correlate, but it holds no
// digit of the number, no date of birth, and cannot be reversed. Letters,
// not hex digits, so a pseudonym never looks like a CPR number or a date.
// The zero value gives "". A name that must stay the same across processes
// (ledger streams, cache keys) is the register cache's Pseudonym, keyed by a
// configured secret.
func (c CPR) Pseudonym() string {
	if c.s == "" {
		return ""
	}
	m := hmac.New(sha256.New, pseudonymKey)
	m.Write([]byte(c.s))
	sum := m.Sum(nil)
	b := make([]byte, 0, 4+pseudonymLen)
	b = append(b, "cpr:"...)
	for i := range pseudonymLen {
		nibble := sum[i/2] >> 4
		if i%2 == 1 {
			nibble = sum[i/2] & 0x0f
		}
		b = append(b, 'a'+nibble)
	}
	return string(b)
}

// LogValue makes log/slog print the pseudonym (never the number or its
// date of birth).
func (c CPR) LogValue() slog.Value { return slog.StringValue(c.Pseudonym()) }

// MarshalText returns the ten digits; the zero value marshals to "".
func (c CPR) MarshalText() ([]byte, error) { return []byte(c.s), nil }

// UnmarshalText parses like ParseCPR; "" is rejected with ErrCPRFormat.
func (c *CPR) UnmarshalText(b []byte) error {
	v, err := ParseCPR(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}
