package ids

import "strings"

// PNumber is a production-unit number (P-nummer): ten digits identifying one
// physical workplace, which always belongs to exactly one CVR number. The
// type checks only the shape; which CVR owns it is the CVR register's
// business.
type PNumber struct{ s string }

// ParsePNumber parses ten digits (surrounding spaces are ignored) and
// returns ErrPNumberFormat for anything else.
func ParsePNumber(s string) (PNumber, error) {
	s = strings.TrimSpace(s)
	if !digits(s, 10) {
		return PNumber{}, ErrPNumberFormat
	}
	return PNumber{s: s}, nil
}

// MustPNumber is ParsePNumber for constants in tests and seed data; it
// panics on an invalid number and must not be used on input.
func MustPNumber(s string) PNumber {
	p, err := ParsePNumber(s)
	if err != nil {
		panic("ids.MustPNumber: " + err.Error())
	}
	return p
}

// IsZero reports whether p is the zero value (no P-number).
func (p PNumber) IsZero() bool { return p.s == "" }

// String returns the ten digits.
func (p PNumber) String() string { return p.s }

// MarshalText returns the ten digits; the zero value marshals to "".
func (p PNumber) MarshalText() ([]byte, error) { return []byte(p.s), nil }

// UnmarshalText parses like ParsePNumber; "" is rejected with ErrPNumberFormat.
func (p *PNumber) UnmarshalText(b []byte) error {
	v, err := ParsePNumber(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}
