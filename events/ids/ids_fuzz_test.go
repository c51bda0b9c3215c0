package ids

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// Fuzz targets for the identifier parsers: every identifier that reaches the
// system from outside (a blanket, a token, a URL) goes through one of them.
// Each checks, beyond "no panic": a parsed value prints in its canonical
// form and parses back to itself (also through JSON), and a rejection is
// one of the package's sentinel errors (stable code, Danish and English
// text, never the rejected value).

// checkRejection fails unless err is exactly one of the allowed sentinel
// errors with a code and both texts.
func checkRejection(t *testing.T, in string, err error, allowed ...*Error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%q: error %v is not an *ids.Error", in, err)
	}
	if e.Code == "" || e.Da == "" || e.En == "" {
		t.Fatalf("%q: error without code or texts: %+v", in, e)
	}
	for _, a := range allowed {
		if e == a { // the sentinel itself: its fixed texts cannot hold the input
			return
		}
	}
	t.Fatalf("%q: unexpected error %v", in, err)
}

// checkText checks that v marshals to want as JSON text and back.
func checkText[T interface {
	comparable
	MarshalText() ([]byte, error)
}](t *testing.T, v T, want string, unmarshal func([]byte) (T, error)) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %q: %v", want, err)
	}
	if string(b) != `"`+want+`"` {
		t.Fatalf("marshal %q: %s", want, b)
	}
	back, err := unmarshal(b)
	if err != nil || back != v {
		t.Fatalf("JSON round trip of %q: %v %v", want, back, err)
	}
}

func asDigits(s string) bool { return s != "" && digits(s, len(s)) }

func FuzzParseCPR(f *testing.F) {
	for _, s := range []string{"070761-4285", "0707614285", " 0707614285 ", "1203854321", "3002001234", "2902004000",
		"2902001000", "0101003001", "0101364000", "0101585000", "0101588000", "3112993999", "010190-1234", "",
		"07076-14285", "070761--4285", "0000000000", "3213991234", "١٢٠٣٨٥٤٣٢١", "0707614285\x00", "\u00a00707614285"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ParseCPR(in)
		if err != nil {
			checkRejection(t, in, err, ErrCPRFormat, ErrCPRDate)
			if !c.IsZero() {
				t.Fatalf("%q: rejected but not zero", in)
			}
			return
		}
		s := c.String()
		if !digits(s, 10) || c.IsZero() {
			t.Fatalf("%q: parsed to %q", in, s)
		}
		for _, form := range []string{s, s[:6] + "-" + s[6:], " " + s + "\t"} {
			if back, err := ParseCPR(form); err != nil || back != c {
				t.Fatalf("%q: %q does not parse back: %v", in, form, err)
			}
		}
		// The date of birth is the first six digits.
		if got := c.BirthDate().Format("020106"); got != s[:6] {
			t.Fatalf("%q: birth date %s, digits %s", in, got, s[:6])
		}
		if c.Masked() != s[:6]+"-xxxx" {
			t.Fatalf("%q: masked %q shows the serial number", in, c.Masked())
		}
		if p := c.Pseudonym(); len(p) != 14 || strings.ContainsAny(p, "0123456789") || p != c.LogValue().String() {
			t.Fatalf("%q: pseudonym %q is not cpr: and ten letters, or not what is logged", in, p)
		}
		checkText(t, c, s, func(b []byte) (CPR, error) { var v CPR; return v, json.Unmarshal(b, &v) })
	})
}

func FuzzParseCVR(f *testing.F) {
	for _, s := range []string{"30000005", "19435075", " 30000005 ", "30000006", "03000005", "3000000", "300000050", "", "1234567O", "+3000005"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ParseCVR(in)
		if err != nil {
			checkRejection(t, in, err, ErrCVRFormat, ErrCVRChecksum)
			if !c.IsZero() {
				t.Fatalf("%q: rejected but not zero", in)
			}
			return
		}
		s := c.String()
		if !digits(s, 8) || s[0] == '0' || !Modulus11CVR(s) {
			t.Fatalf("%q: parsed to %q", in, s)
		}
		if back, err := ParseCVR(s); err != nil || back != c {
			t.Fatalf("%q: %q does not parse back: %v", in, s, err)
		}
		checkText(t, c, s, func(b []byte) (CVR, error) { var v CVR; return v, json.Unmarshal(b, &v) })
	})
}

func FuzzParsePNumber(f *testing.F) {
	for _, s := range []string{"1000000001", " 1000000001", "100000000", "10000000011", "", "1O00000001", "0000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParsePNumber(in)
		if err != nil {
			checkRejection(t, in, err, ErrPNumberFormat)
			return
		}
		s := p.String()
		if !digits(s, 10) {
			t.Fatalf("%q: parsed to %q", in, s)
		}
		if back, err := ParsePNumber(s); err != nil || back != p {
			t.Fatalf("%q: %q does not parse back: %v", in, s, err)
		}
		checkText(t, p, s, func(b []byte) (PNumber, error) { var v PNumber; return v, json.Unmarshal(b, &v) })
	})
}

func FuzzParseMunicipality(f *testing.F) {
	for _, s := range []string{"101", "0101", " 851 ", "860", "411", "000", "0", "", "99999", "1O1", "-101", "+101", "00101"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		m, err := ParseMunicipality(in)
		if err != nil {
			checkRejection(t, in, err, ErrMunicipalityUnknown)
			return
		}
		s := m.String()
		if m.IsZero() || m.Name() == "" || len(s) != 3 || !asDigits(s) {
			t.Fatalf("%q: parsed to %q (%q)", in, s, m.Name())
		}
		if back, err := ParseMunicipality(s); err != nil || back != m {
			t.Fatalf("%q: %q does not parse back: %v", in, s, err)
		}
		if back, err := LookupMunicipality(m.Number()); err != nil || back != m {
			t.Fatalf("%q: number %d does not look up: %v", in, m.Number(), err)
		}
		checkText(t, m, s, func(b []byte) (Municipality, error) { var v Municipality; return v, json.Unmarshal(b, &v) })
	})
}

func FuzzParseRecipient(f *testing.F) {
	for _, s := range []string{"UDK", "udk", " Udk ", "101", "0101", "851", "411", "", "UDK1", "U D K", "99999", "ｕｄｋ", "K101"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := ParseRecipient(in)
		if err != nil {
			checkRejection(t, in, err, ErrRecipientFormat, ErrMunicipalityUnknown)
			return
		}
		s := r.String()
		m, isMunicipality := r.Municipality()
		switch {
		case r.IsZero() || r.Name() == "":
			t.Fatalf("%q: parsed to an empty recipient", in)
		case r.IsUDK() == isMunicipality:
			t.Fatalf("%q: UDK %v and municipality %v at once", in, r.IsUDK(), isMunicipality)
		case r.IsUDK() && s != "UDK", isMunicipality && s != m.String():
			t.Fatalf("%q: prints as %q", in, s)
		}
		if back, err := ParseRecipient(s); err != nil || back != r {
			t.Fatalf("%q: %q does not parse back: %v", in, s, err)
		}
		checkText(t, r, s, func(b []byte) (Recipient, error) { var v Recipient; return v, json.Unmarshal(b, &v) })
	})
}
