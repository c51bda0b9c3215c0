package kernel

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Money is an amount in øre (1 kr = 100 øre). Computations never use floats;
// JSON carries it as a number of kroner with two decimals (126.89).
type Money int64

// Kr returns kr kroner and ore øre as Money; Kr(126, 89) is 126,89 kr.
func Kr(kr, ore int64) Money { return Money(kr*100 + ore) }

// ParseKr parses a decimal amount of kroner ("126.89", "4695", "-3.5") exactly.
// It rejects more than two decimals unless the extra ones are zeros, because
// an amount finer than one øre cannot be paid.
func ParseKr(s string) (Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("parse amount: empty")
	}
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	if strings.ContainsAny(s, "eE") {
		return 0, fmt.Errorf("parse amount %q: exponents are not accepted", s)
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 {
		return 0, fmt.Errorf("parse amount %q: at most two decimals (øre)", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	kr, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || kr < 0 {
		return 0, fmt.Errorf("parse amount %q: not a decimal number", s)
	}
	ore, err := strconv.ParseInt(frac, 10, 64)
	if err != nil || ore < 0 {
		return 0, fmt.Errorf("parse amount %q: not a decimal number", s)
	}
	if kr > (math.MaxInt64-99)/100 {
		return 0, fmt.Errorf("parse amount %q: too large", s)
	}
	m := Money(kr*100 + ore)
	if neg {
		m = -m
	}
	return m, nil
}

// Ore returns the amount in øre.
func (m Money) Ore() int64 { return int64(m) }

// String formats m as kroner with two decimals and a point, "126.89".
func (m Money) String() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign = "-"
		v = -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// Danish formats m the Danish way, "4.695,00 kr.".
func (m Money) Danish() string {
	s := m.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	out := b.String() + "," + frac + " kr."
	if neg {
		out = "-" + out
	}
	return out
}

// English formats m as "DKK 4,695.00".
func (m Money) English() string {
	s := m.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := "DKK " + b.String() + "." + frac
	if neg {
		out = "-" + out
	}
	return out
}

// MarshalJSON writes m as a JSON number of kroner with two decimals.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalJSON reads a JSON number of kroner (at most two decimals) exactly,
// without passing through a float.
func (m *Money) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*m = 0
		return nil
	}
	v, err := ParseKr(string(b))
	if err != nil {
		return fmt.Errorf("amount: %w", err)
	}
	*m = v
	return nil
}

// MulDiv returns m × num / den rounded half up (away from zero) to whole
// øre, the rounding every refusion and subsidy amount uses ("2/3 of the
// wages": m.MulDiv(2, 3)). den must be positive.
func (m Money) MulDiv(num, den int64) Money { return Money(divRoundHalfUp(int64(m)*num, den)) }

// Kroner converts a schema-checked amount in kroner with at most two
// decimals (a JSON number decoded into a float64) to Money exactly, by way
// of its two-decimal text. It returns 0 for a value ParseKr refuses (NaN,
// ±Inf), which a validated blanket never carries.
func Kroner(v float64) Money {
	m, err := ParseKr(strconv.FormatFloat(v, 'f', 2, 64))
	if err != nil {
		return 0
	}
	return m
}

// divRoundHalfUp divides n by d and rounds half up (away from zero), the
// rounding used for every øre amount.
func divRoundHalfUp(n, d int64) int64 {
	if n < 0 {
		return -divRoundHalfUp(-n, d)
	}
	return (n + d/2) / d
}

// hundredths converts hours to whole hundredths of an hour (37.5 → 3750),
// rounding half away from zero; hours are not money, but the amounts they
// multiply stay in integers.
func hundredths(hours float64) int64 { return int64(math.Round(hours * 100)) }

// RoundHours returns hours rounded half away from zero to hundredths of an
// hour, the precision every hour count in a refusion is taken to.
func RoundHours(hours float64) float64 { return float64(hundredths(hours)) / 100 }

// TimesHours returns m × hours rounded half up to whole øre, with the hours
// taken to hundredths (an hourly rate times the hours of a period).
func (m Money) TimesHours(hours float64) Money {
	return Money(divRoundHalfUp(int64(m)*hundredths(hours), 100))
}
