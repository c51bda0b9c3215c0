package ids

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Rules from https://www.cpr.dk/cpr-systemet/personnumre-uden-kontrolciffer-modulus-11-kontrol/
// and the century table in CPR's "Personnummeret i CPR-systemet" (DOMAIN.md, Identifiers).
func TestParseCPR(t *testing.T) {
	t.Parallel()
	date := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name  string
		in    string
		want  time.Time
		err   error
		mod11 bool
	}{
		{name: "format: DDMMYY-SSSS accepted", in: "070761-4285", want: date(1961, 7, 7), mod11: true},
		{name: "format: 10 digits accepted", in: "0707614285", want: date(1961, 7, 7), mod11: true},
		{name: "format: surrounding spaces ignored", in: " 0707614285 ", want: date(1961, 7, 7), mod11: true},
		{name: "format: 9 digits rejected", in: "070761428", err: ErrCPRFormat},
		{name: "format: 11 digits rejected", in: "07076142851", err: ErrCPRFormat},
		{name: "format: dash in wrong place rejected", in: "07076-14285", err: ErrCPRFormat},
		{name: "format: space instead of dash rejected", in: "070761 4285", err: ErrCPRFormat},
		{name: "format: letters rejected", in: "07076I4285", err: ErrCPRFormat},
		{name: "format: empty rejected", in: "", err: ErrCPRFormat},
		{name: "format: two dashes rejected", in: "070761--4285", err: ErrCPRFormat},
		{name: "century: 7th digit 0 is 1900s", in: "0101380000", want: date(1938, 1, 1)},
		{name: "century: 7th digit 3 is 1900s", in: "3112993999", want: date(1999, 12, 31)},
		{name: "century: 7th digit 3 with yy 00 is 1900", in: "0101003001", want: date(1900, 1, 1)},
		{name: "century: 7th digit 4 and yy 36 is 2036", in: "0101364000", want: date(2036, 1, 1)},
		{name: "century: 7th digit 4 and yy 37 is 1937", in: "0101374000", want: date(1937, 1, 1)},
		{name: "century: 7th digit 9 and yy 00 is 2000", in: "0101009000", want: date(2000, 1, 1)},
		{name: "century: 7th digit 9 and yy 99 is 1999", in: "0101999000", want: date(1999, 1, 1)},
		{name: "century: 7th digit 5 and yy 57 is 2057", in: "0101575000", want: date(2057, 1, 1)},
		{name: "century: 7th digit 5 and yy 58 is 1858", in: "0101585000", want: date(1858, 1, 1)},
		{name: "century: 7th digit 8 and yy 99 is 1899", in: "0101998000", want: date(1899, 1, 1)},
		{name: "century: 7th digit 6 and yy 10 is 2010", in: "1506106001", want: date(2010, 6, 15)},
		{name: "date: 29 February 2000 (leap year) accepted", in: "2902004001", want: date(2000, 2, 29), mod11: true},
		{name: "date: 29 February 1900 (not a leap year) rejected", in: "2902001002", err: ErrCPRDate},
		{name: "date: 29 February 2000 via 7th digit 5 accepted", in: "2902005000", want: date(2000, 2, 29)},
		{name: "date: 31 April rejected", in: "3104901234", err: ErrCPRDate},
		{name: "date: month 13 rejected", in: "0113901234", err: ErrCPRDate},
		{name: "date: month 00 rejected", in: "0100901234", err: ErrCPRDate},
		{name: "date: day 00 rejected", in: "0001901234", err: ErrCPRDate},
		{name: "date: day 32 rejected", in: "3201901234", err: ErrCPRDate},
		{name: "modulus 11: number without check digit accepted (issued since 2007)", in: "0101901234", want: date(1990, 1, 1)},
		{name: "modulus 11: number with check digit accepted", in: "0101901238", want: date(1990, 1, 1), mod11: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := ParseCPR(tc.in)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("ParseCPR(%q) error = %v, want %v", tc.in, err, tc.err)
				}
				if !c.IsZero() {
					t.Fatalf("ParseCPR(%q) returned a non-zero CPR with an error", tc.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCPR(%q): %v", tc.in, err)
			}
			if got := c.BirthDate(); !got.Equal(tc.want) {
				t.Errorf("BirthDate = %s, want %s", got.Format(time.DateOnly), tc.want.Format(time.DateOnly))
			}
			if got := c.HasModulus11(); got != tc.mod11 {
				t.Errorf("HasModulus11 = %v, want %v", got, tc.mod11)
			}
		})
	}
}

func TestCPRBirthYearTable(t *testing.T) {
	t.Parallel()
	// Every (7th digit, yy) pair against the table written out in words.
	for d := 0; d <= 9; d++ {
		for yy := 0; yy <= 99; yy++ {
			var want int
			switch {
			case d <= 3:
				want = 1900 + yy
			case (d == 4 || d == 9) && yy <= 36:
				want = 2000 + yy
			case d == 4 || d == 9:
				want = 1900 + yy
			case yy <= 57:
				want = 2000 + yy
			default:
				want = 1800 + yy
			}
			if got := BirthYear(yy, d); got != want {
				t.Errorf("BirthYear(%02d, %d) = %d, want %d", yy, d, got, want)
			}
		}
	}
}

func TestCPRMethods(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		female bool
	}{
		{name: "gender: even last digit is female", in: "010190-1234", female: true},
		{name: "gender: odd last digit is male", in: "010190-1233", female: false},
		{name: "gender: 0 is even", in: "010190-1230", female: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := MustCPR(tc.in)
			if c.Female() != tc.female {
				t.Errorf("Female = %v, want %v", c.Female(), tc.female)
			}
			if got, want := c.String(), strings.ReplaceAll(tc.in, "-", ""); got != want {
				t.Errorf("String = %q, want %q", got, want)
			}
			if got, want := c.Masked(), tc.in[:6]+"-xxxx"; got != want {
				t.Errorf("Masked = %q, want %q", got, want)
			}
		})
	}
	var zero CPR
	if !zero.IsZero() || zero.Female() || zero.Masked() != "" || !zero.BirthDate().IsZero() || zero.HasModulus11() {
		t.Error("zero CPR must be empty in every method")
	}
}

// No personal data in logs (the executive order's § 1 stk. 10: data
// protected against unauthorised use; GDPR art. 5(1)(c), data
// minimisation): a logged CPR shows neither the serial number nor the date
// of birth, only the pseudonym.
func TestCPRNeverLoggedInFull(t *testing.T) {
	t.Parallel()
	var buf strings.Builder
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	c := MustCPR("0707614285")
	log.Info("lookup", "cpr", c)
	line := buf.String()
	for _, part := range []string{"4285", "070761", "0707", "0761"} {
		if strings.Contains(line, part) {
			t.Fatalf("log line holds %q of the CPR: %s", part, line)
		}
	}
	if !strings.Contains(line, `"cpr":"`+c.Pseudonym()+`"`) {
		t.Fatalf("log line must hold the pseudonym %s: %s", c.Pseudonym(), line)
	}
}

// The pseudonym correlates one process's log lines about one person and
// holds nothing of the number: no digit at all (so no part of the date of
// birth), the same value for the same number, different values for
// different numbers, "" for the zero value.
func TestCPRPseudonym(t *testing.T) {
	t.Parallel()
	shape := regexp.MustCompile(`^cpr:[a-p]{10}$`)
	seen := map[string]string{}
	for _, in := range []string{"0707614285", "070761-4285", "0707614286", "0807614285", "1203854321", "1203854322", "3112999999", "0101000001"} {
		c := MustCPR(in)
		p := c.Pseudonym()
		if !shape.MatchString(p) {
			t.Fatalf("Pseudonym(%s) = %q, want cpr: and ten letters a–p", c.Masked(), p)
		}
		if strings.ContainsAny(p, "0123456789") {
			t.Fatalf("Pseudonym(%s) = %q holds a digit", c.Masked(), p)
		}
		if again := MustCPR(c.String()).Pseudonym(); again != p {
			t.Fatalf("Pseudonym(%s) differs between calls: %q, %q", c.Masked(), p, again)
		}
		if other, ok := seen[p]; ok && other != c.String() {
			t.Fatalf("%s and %s share the pseudonym %q", other[:6], c.Masked(), p)
		}
		seen[p] = c.String()
		if got := c.LogValue().String(); got != p {
			t.Fatalf("LogValue(%s) = %q, want the pseudonym %q", c.Masked(), got, p)
		}
	}
	if len(seen) != 7 { // "0707614285" and "070761-4285" are one number
		t.Fatalf("%d distinct pseudonyms for 7 numbers: %v", len(seen), seen)
	}
	if (CPR{}).Pseudonym() != "" {
		t.Fatal("the zero CPR must have no pseudonym")
	}
}

func TestCPRJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		CPR CPR `json:"cpr"`
	}
	b, err := json.Marshal(doc{CPR: MustCPR("070761-4285")})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"cpr":"0707614285"}` {
		t.Fatalf("marshal = %s", b)
	}
	var back doc
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.CPR != MustCPR("0707614285") {
		t.Fatalf("round trip = %v", back.CPR.Masked())
	}
	for _, in := range []string{`{"cpr":"3104901234"}`, `{"cpr":""}`, `{"cpr":"x"}`, `{"cpr":707614285}`} {
		err := json.Unmarshal([]byte(in), &back)
		if err == nil {
			t.Errorf("unmarshal %s: want error", in)
		}
	}
	var e *Error
	if err := json.Unmarshal([]byte(`{"cpr":"3104901234"}`), &back); !errors.As(err, &e) || e.Code != "cpr.date" {
		t.Errorf("unmarshal invalid date: error %v, want code cpr.date", err)
	}
}

func TestErrorsHaveCodesAndBothLanguages(t *testing.T) {
	t.Parallel()
	for _, e := range []*Error{ErrCPRFormat, ErrCPRDate, ErrCVRFormat, ErrCVRChecksum, ErrPNumberFormat, ErrMunicipalityUnknown, ErrRecipientFormat} {
		if e.Code == "" || e.Da == "" || e.En == "" || e.Da == e.En {
			t.Errorf("%+v: code, Danish and English text are required", e)
		}
		if got := fmt.Sprint(e); !strings.HasPrefix(got, e.Code+": ") {
			t.Errorf("Error() = %q, want the code first", got)
		}
	}
}
