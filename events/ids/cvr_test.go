package ids

import (
	"encoding/json"
	"errors"
	"testing"
)

// Rule: http://erhvervsstyrelsen.dk/modulus_11 — 8 digits, not starting with 0,
// weights 2,7,6,5,4,3,2,1, weighted sum divisible by 11.
func TestParseCVR(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		err  error
	}{
		{name: "modulus 11: 24256790 (weighted sum 143 = 13·11) accepted", in: "24256790"},
		{name: "modulus 11: 10150817 accepted", in: "10150817"},
		{name: "modulus 11: 12345674 accepted", in: "12345674"},
		{name: "modulus 11: surrounding spaces ignored", in: " 25313763 "},
		{name: "modulus 11: last digit changed rejected", in: "24256791", err: ErrCVRChecksum},
		{name: "modulus 11: 12345678 rejected", in: "12345678", err: ErrCVRChecksum},
		{name: "modulus 11: swapped digits rejected", in: "42256790", err: ErrCVRChecksum},
		{name: "format: first digit 0 rejected", in: "01234567", err: ErrCVRFormat},
		{name: "format: 7 digits rejected", in: "2425679", err: ErrCVRFormat},
		{name: "format: 9 digits rejected", in: "242567900", err: ErrCVRFormat},
		{name: "format: letters rejected", in: "DK242567", err: ErrCVRFormat},
		{name: "format: empty rejected", in: "", err: ErrCVRFormat},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := ParseCVR(tc.in)
			if !errors.Is(err, tc.err) {
				t.Fatalf("ParseCVR(%q) error = %v, want %v", tc.in, err, tc.err)
			}
			if tc.err == nil && c.String() != tc.in && " "+c.String()+" " != tc.in {
				t.Fatalf("String = %q", c.String())
			}
			if tc.err != nil && !c.IsZero() {
				t.Fatal("non-zero CVR with an error")
			}
		})
	}
}

func TestCVRJSON(t *testing.T) {
	t.Parallel()
	var v struct {
		CVR CVR `json:"cvr"`
	}
	if err := json.Unmarshal([]byte(`{"cvr":"24256790"}`), &v); err != nil || v.CVR.String() != "24256790" {
		t.Fatalf("unmarshal: %v %q", err, v.CVR)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"cvr":"24256790"}` {
		t.Fatalf("marshal = %s", b)
	}
	if err := json.Unmarshal([]byte(`{"cvr":"24256791"}`), &v); !errors.Is(err, ErrCVRChecksum) {
		t.Fatalf("unmarshal bad checksum: %v", err)
	}
}

// Rule: a P-number is 10 digits (DOMAIN.md, Identifiers); the type checks shape only.
func TestParsePNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		err  error
	}{
		{name: "shape: 10 digits accepted", in: "1003388394"},
		{name: "shape: leading zero accepted (shape only)", in: "0000000001"},
		{name: "shape: 9 digits rejected", in: "100338839", err: ErrPNumberFormat},
		{name: "shape: 11 digits rejected", in: "10033883940", err: ErrPNumberFormat},
		{name: "shape: letters rejected", in: "10033883a4", err: ErrPNumberFormat},
		{name: "shape: empty rejected", in: "", err: ErrPNumberFormat},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePNumber(tc.in)
			if !errors.Is(err, tc.err) {
				t.Fatalf("ParsePNumber(%q) error = %v, want %v", tc.in, err, tc.err)
			}
			if tc.err == nil && p.String() != tc.in {
				t.Fatalf("String = %q", p.String())
			}
		})
	}
	var v struct {
		P PNumber `json:"p"`
	}
	if err := json.Unmarshal([]byte(`{"p":"1003388394"}`), &v); err != nil || v.P.String() != "1003388394" {
		t.Fatalf("unmarshal: %v", err)
	}
	if err := json.Unmarshal([]byte(`{"p":"1"}`), &v); !errors.Is(err, ErrPNumberFormat) {
		t.Fatalf("unmarshal bad: %v", err)
	}
}
