package events

import (
	"encoding/json"
	"errors"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"nemrefusion.dk/schemas"
)

var (
	dateValue     = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	dateTimeValue = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T`)
)

// withEachDate calls f once per date or date-time string in the JSON
// document v (walked in place), with its dotted path and a setter.
func withEachDate(v any, path string, f func(path, value string, set func(string))) {
	switch n := v.(type) {
	case map[string]any:
		for k, c := range n {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if s, ok := c.(string); ok && (dateValue.MatchString(s) || dateTimeValue.MatchString(s)) {
				f(p, s, func(x string) { n[k] = x })
				continue
			}
			withEachDate(c, p, f)
		}
	case []any:
		for i, c := range n {
			p := path + "." + itoa(i)
			if s, ok := c.(string); ok && (dateValue.MatchString(s) || dateTimeValue.MatchString(s)) {
				f(p, s, func(x string) { n[i] = x })
				continue
			}
			withEachDate(c, p, f)
		}
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// TestYears0And9999AreRefusedInEveryBlanket is issue 16's finding that
// years 0 and 9999 were stored: every date and date-time of every schema's
// example, set to year 0000 or 9999, is a field error "date-range" at that
// field; the range's own ends are accepted.
func TestYears0And9999AreRefusedInEveryBlanket(t *testing.T) {
	files, err := fs.Glob(schemas.FS, "*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas: %v", err)
	}
	dates := 0
	for _, f := range files {
		typ := TypePrefix + strings.TrimSuffix(f, ".json")
		ex := exampleOf(t, typ)
		var doc any
		if err := json.Unmarshal(ex, &doc); err != nil {
			t.Fatal(err)
		}
		withEachDate(doc, "", func(path, value string, set func(string)) {
			if strings.HasPrefix(path, "payload.") {
				return // a delivery's copy of a blanket, checked by the blanket's schema when it was submitted
			}
			dates++
			for _, c := range []struct {
				year string
				ok   bool
			}{{"0000", false}, {"9999", false}, {"1899", false}, {"2200", false}, {MinDate[:4], true}, {MaxDate[:4], true}} {
				v := c.year + "-01-01" + value[10:]
				if c.year == MinDate[:4] {
					v = MinDate + value[10:]
				}
				if c.year == MaxDate[:4] {
					v = MaxDate + value[10:]
				}
				set(v)
				b, _ := json.Marshal(doc)
				err := ValidateJSON(typ, b)
				set(value)
				if c.ok {
					if err != nil {
						t.Errorf("%s %s = %s: refused: %v", typ, path, v, err)
					}
					continue
				}
				var fe FieldErrors
				if !errors.As(err, &fe) {
					t.Errorf("%s %s = %s: accepted (%v)", typ, path, v, err)
					continue
				}
				found := false
				for _, e := range fe {
					if e.Field == path && e.Code == "date-range" && strings.Contains(e.En, MinDate) && strings.Contains(e.Da, MaxDate) {
						found = true
					}
				}
				if !found {
					t.Errorf("%s %s = %s: no date-range error at the field: %v", typ, path, v, fe)
				}
			}
		})
	}
	if dates < 50 {
		t.Fatalf("only %d dates in the examples: the walk is broken", dates)
	}
}

// TestEmployerReportWithYear0Or9999IsRefused: the finding as the attacker
// sent it, the employer's sickness report with its first absence day in
// year 0 or 9999; a real date still passes, and a non-date stays a format
// error.
func TestEmployerReportWithYear0Or9999IsRefused(t *testing.T) {
	ex := exampleOf(t, SicknessEmployerReported)
	for _, c := range []struct{ date, code string }{{"0000-01-01", "date-range"}, {"9999-12-31", "date-range"}, {"2024-02-30", "format"}, {"2024-03-04", ""}} {
		var doc map[string]any
		_ = json.Unmarshal(ex, &doc)
		doc["firstAbsenceDay"] = c.date
		b, _ := json.Marshal(doc)
		err := ValidateJSON(SicknessEmployerReported, b)
		if c.code == "" {
			if err != nil {
				t.Fatalf("%s: %v", c.date, err)
			}
			continue
		}
		var fe FieldErrors
		if !errors.As(err, &fe) || len(fe) != 1 || fe[0].Field != "firstAbsenceDay" || fe[0].Code != c.code {
			t.Fatalf("%s: %v, want one %s error at firstAbsenceDay", c.date, err, c.code)
		}
	}
}

// TestDataThatIsNotUTF8IsRefused: invalid UTF-8 in a string of the data
// would pass encoding/json (which replaces it) and be stored as sent.
func TestDataThatIsNotUTF8IsRefused(t *testing.T) {
	err := ValidateJSON(ProbeRequested, []byte("{\"note\":\"h\xffllo\"}"))
	var fe FieldErrors
	if !errors.As(err, &fe) || len(fe) != 1 || fe[0].Code != "utf8" {
		t.Fatalf("got %v, want one utf8 error", err)
	}
}
