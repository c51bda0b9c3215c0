package ids

import (
	"encoding/json"
	"errors"
	"testing"
)

// Source: the official kommunekodeliste (98 municipalities since 2007).
func TestMunicipalities(t *testing.T) {
	t.Parallel()
	all := AllMunicipalities()
	if len(all) != 98 {
		t.Fatalf("AllMunicipalities has %d entries, want 98", len(all))
	}
	seen := map[int]bool{}
	names := map[string]bool{}
	for i, m := range all {
		if seen[m.Number()] || names[m.Name()] || m.Name() == "" {
			t.Errorf("duplicate or unnamed municipality %d %q", m.Number(), m.Name())
		}
		seen[m.Number()], names[m.Name()] = true, true
		if i > 0 && all[i-1].Number() >= m.Number() {
			t.Errorf("not in number order at %d", m.Number())
		}
	}
	tests := []struct {
		name string
		in   string
		num  int
		want string
		err  error
	}{
		{name: "kommunekode 101 is København", in: "101", num: 101, want: "København"},
		{name: "kommunekode 147 is Frederiksberg", in: "147", num: 147, want: "Frederiksberg"},
		{name: "kommunekode 400 is Bornholm", in: "400", num: 400, want: "Bornholm"},
		{name: "kommunekode 461 is Odense", in: "461", num: 461, want: "Odense"},
		{name: "kommunekode 751 is Aarhus", in: "751", num: 751, want: "Aarhus"},
		{name: "kommunekode 825 is Læsø", in: "825", num: 825, want: "Læsø"},
		{name: "kommunekode 851 is Aalborg", in: "851", num: 851, want: "Aalborg"},
		{name: "kommunekode 860 is Hjørring (the last)", in: "860", num: 860, want: "Hjørring"},
		{name: "four-digit form 0101 accepted", in: "0101", num: 101, want: "København"},
		{name: "411 Christiansø is not a municipality", in: "411", err: ErrMunicipalityUnknown},
		{name: "pre-2007 number 102 unknown", in: "102", err: ErrMunicipalityUnknown},
		{name: "0 unknown", in: "0", err: ErrMunicipalityUnknown},
		{name: "letters unknown", in: "KBH", err: ErrMunicipalityUnknown},
		{name: "empty unknown", in: "", err: ErrMunicipalityUnknown},
		{name: "negative unknown", in: "-101", err: ErrMunicipalityUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := ParseMunicipality(tc.in)
			if !errors.Is(err, tc.err) {
				t.Fatalf("ParseMunicipality(%q) error = %v, want %v", tc.in, err, tc.err)
			}
			if tc.err != nil {
				return
			}
			if m.Number() != tc.num || m.Name() != tc.want {
				t.Fatalf("got %d %q, want %d %q", m.Number(), m.Name(), tc.num, tc.want)
			}
			l, err := LookupMunicipality(tc.num)
			if err != nil || l != m {
				t.Fatalf("LookupMunicipality(%d) = %v, %v", tc.num, l, err)
			}
		})
	}
	if _, err := LookupMunicipality(1101); !errors.Is(err, ErrMunicipalityUnknown) {
		t.Errorf("LookupMunicipality(1101) error = %v", err)
	}
}

func TestMunicipalityJSON(t *testing.T) {
	t.Parallel()
	var v struct {
		M Municipality `json:"m"`
	}
	if err := json.Unmarshal([]byte(`{"m":"751"}`), &v); err != nil || v.M.Name() != "Aarhus" {
		t.Fatalf("unmarshal: %v %v", err, v.M)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"m":"751"}` {
		t.Fatalf("marshal = %s", b)
	}
	if err := json.Unmarshal([]byte(`{"m":"999"}`), &v); !errors.Is(err, ErrMunicipalityUnknown) {
		t.Fatalf("unmarshal unknown: %v", err)
	}
}

// Rule (DOMAIN.md, Senders and blankets): a recipient is a municipality or UDK.
func TestParseRecipient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		udk    bool
		muni   int
		string string
		title  string
		err    error
	}{
		{name: "UDK is Udbetaling Danmark", in: "UDK", udk: true, string: "UDK", title: "Udbetaling Danmark"},
		{name: "udk in lower case accepted", in: "udk", udk: true, string: "UDK", title: "Udbetaling Danmark"},
		{name: "municipality 101", in: "101", muni: 101, string: "101", title: "Københavns Kommune"},
		{name: "municipality 400", in: "400", muni: 400, string: "400", title: "Bornholms Regionskommune"},
		{name: "municipality 751", in: "751", muni: 751, string: "751", title: "Aarhus Kommune"},
		{name: "unknown municipality number", in: "999", err: ErrMunicipalityUnknown},
		{name: "free text rejected", in: "Kommunen", err: ErrRecipientFormat},
		{name: "empty rejected", in: "", err: ErrRecipientFormat},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := ParseRecipient(tc.in)
			if !errors.Is(err, tc.err) {
				t.Fatalf("ParseRecipient(%q) error = %v, want %v", tc.in, err, tc.err)
			}
			if tc.err != nil {
				if !r.IsZero() {
					t.Fatal("non-zero recipient with an error")
				}
				return
			}
			m, isMuni := r.Municipality()
			if r.IsUDK() != tc.udk || isMuni == tc.udk || m.Number() != tc.muni || r.String() != tc.string || r.Name() != tc.title {
				t.Fatalf("got udk=%v muni=%d string=%q name=%q", r.IsUDK(), m.Number(), r.String(), r.Name())
			}
		})
	}
	if MunicipalityRecipient(MustMunicipality(751)).String() != "751" {
		t.Error("MunicipalityRecipient(751)")
	}
	var v struct {
		R Recipient `json:"r"`
	}
	for _, in := range []string{`{"r":"UDK"}`, `{"r":"851"}`} {
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			t.Fatalf("unmarshal %s: %v", in, err)
		}
		b, _ := json.Marshal(v)
		if string(b) != in {
			t.Fatalf("round trip %s = %s", in, b)
		}
	}
}
