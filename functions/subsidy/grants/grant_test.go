package grants

import (
	"encoding/json"
	"errors"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

func TestNewGrantRefusesAnUnknownSchemeAndMissingParties(t *testing.T) {
	t.Parallel()
	if _, err := NewGrant("c1", "pension", "30000000", "0101901234", "", "JC-1"); !errors.Is(err, ErrScheme) {
		t.Errorf("unknown scheme: err = %v, want ErrScheme", err)
	}
	if _, err := NewGrant("c1", SchemeWage, "30000000", "0101901234", "", ""); err == nil {
		t.Error("no reference: want an error")
	}
	g, err := NewGrant("c1", SchemeMentor, "30000000", "0101901234", "", "JC-1")
	if err != nil || g.Status != StatusRequested || g.Version != 0 {
		t.Fatalf("NewGrant = %+v, %v", g, err)
	}
	if got, want := g.Key(), "mentor|30000000|0101901234|JC-1"; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
}

// TestGrantPaysEachDayOnce follows the rule that no period is paid twice
// under one agreement: a period sharing a single day with one requested
// before overlaps it; the next day does not.
func TestGrantPaysEachDayOnce(t *testing.T) {
	t.Parallel()
	g, err := NewGrant("c1", SchemeWage, "30000000", "0101901234", "", "JC-1")
	if err != nil {
		t.Fatal(err)
	}
	g.Add(events.DatePeriod{From: "2024-03-01", To: "2024-03-31"})
	if g.Version != 1 || len(g.Periods) != 1 {
		t.Fatalf("after Add: %+v", g)
	}
	if e, ok := g.Overlap(kernel.NewDate(2024, 3, 31), kernel.NewDate(2024, 4, 30)); !ok || e.From != "2024-03-01" {
		t.Errorf("31 March again: overlap = %v, %v; want the March period", e, ok)
	}
	if _, ok := g.Overlap(kernel.NewDate(2024, 4, 1), kernel.NewDate(2024, 4, 30)); ok {
		t.Error("April overlaps March")
	}
}

// TestGrantCountsThePaidSubsidyPerYear: the yearly cap of LAB §§ 133 and
// 136 counts what was computed in the calendar year of each period.
func TestGrantCountsThePaidSubsidyPerYear(t *testing.T) {
	t.Parallel()
	var g Grant
	g.Count(2024, kernel.Kr(1000, 0))
	g.Count(2024, kernel.Kr(500, 50))
	g.Count(2025, kernel.Kr(1, 0))
	if g.ComputedByYear[2024] != kernel.Kr(1500, 50) || g.ComputedByYear[2025] != kernel.Kr(1, 0) {
		t.Errorf("ComputedByYear = %v", g.ComputedByYear)
	}
}

// TestGrantStateJSONIsStable pins the stored field names of a grant: the
// state of every open case is stored in this shape.
func TestGrantStateJSONIsStable(t *testing.T) {
	t.Parallel()
	g, err := NewGrant("c1", SchemeFlexjob, "30000000", "0101901234", "1003388394", "JC-1")
	if err != nil {
		t.Fatal(err)
	}
	g.Add(events.DatePeriod{From: "2024-03-01", To: "2024-03-31"})
	g.Count(2024, kernel.Kr(2500, 0))
	b, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"c1","scheme":"flexjob","cpr":"0101901234","cvr":"30000000","pNumber":"1003388394","reference":"JC-1","status":"requested","version":1,"periods":[{"from":"2024-03-01","to":"2024-03-31"}],"computedByYear":{"2024":2500.00}}`
	if string(b) != want {
		t.Errorf("state = %s\nwant    %s", b, want)
	}
}
