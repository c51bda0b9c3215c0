package ids

import "strings"

// CVR is a Danish company registration number: eight digits, the first not
// 0, whose digits weighted 2,7,6,5,4,3,2,1 sum to a multiple of 11
// (http://erhvervsstyrelsen.dk/modulus_11).
type CVR struct{ s string }

// ParseCVR parses eight digits (surrounding spaces are ignored). It returns
// ErrCVRFormat for the wrong shape and ErrCVRChecksum when the modulus-11
// check fails.
func ParseCVR(s string) (CVR, error) {
	s = strings.TrimSpace(s)
	if !digits(s, 8) || s[0] == '0' {
		return CVR{}, ErrCVRFormat
	}
	if !Modulus11CVR(s) {
		return CVR{}, ErrCVRChecksum
	}
	return CVR{s: s}, nil
}

// MustCVR is ParseCVR for constants in tests and seed data; it panics on an
// invalid number and must not be used on input.
func MustCVR(s string) CVR {
	c, err := ParseCVR(s)
	if err != nil {
		panic("ids.MustCVR: " + err.Error())
	}
	return c
}

// Modulus11CVR reports whether the eight ASCII digits in s pass the CVR
// modulus-11 check.
func Modulus11CVR(s string) bool {
	weights := [8]int{2, 7, 6, 5, 4, 3, 2, 1}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return sum%11 == 0
}

// IsZero reports whether c is the zero value (no CVR number).
func (c CVR) IsZero() bool { return c.s == "" }

// String returns the eight digits.
func (c CVR) String() string { return c.s }

// MarshalText returns the eight digits; the zero value marshals to "".
func (c CVR) MarshalText() ([]byte, error) { return []byte(c.s), nil }

// UnmarshalText parses like ParseCVR; "" is rejected with ErrCVRFormat.
func (c *CVR) UnmarshalText(b []byte) error {
	v, err := ParseCVR(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}
