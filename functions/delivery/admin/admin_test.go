package admin_test

import (
	"net/http"
	"testing"

	"nemrefusion.dk/functions/delivery/admin"
	"nemrefusion.dk/functions/delivery/contribution"
)

func TestDPOLinkSetByAdministratorsShownToAll(t *testing.T) {
	t.Parallel()
	f := start(t)
	path := "/api/v1/admin/municipalities/101/dpo"
	before := len(f.entries("admin/municipalities/101")) // the ledger is shared by every run
	if code := f.call("GET", path, nil, nil, nil); code != http.StatusNotFound {
		t.Fatalf("unset link: %d", code)
	}
	op := operator
	var d admin.DPOLink
	if code := f.call("PUT", path, &op, admin.DPORequest{URL: "https://www.kk.dk/dpo"}, &d); code != http.StatusOK || d.Name == "" {
		t.Fatalf("operator sets link: %d %+v", code, d)
	}
	if code := f.call("GET", path, nil, nil, &d); code != http.StatusOK || d.URL != "https://www.kk.dk/dpo" {
		t.Fatalf("public read: %d %+v", code, d)
	}
	own := caseworker("101", admin.RightMunicipalAdmin)
	if code := f.call("PUT", path, &own, admin.DPORequest{URL: "https://www.kk.dk/databeskyttelse"}, nil); code != http.StatusOK {
		t.Fatalf("the municipality's own administrator: %d", code)
	}
	plain, foreignAdmin, cs := caseworker("101"), caseworker("147", admin.RightMunicipalAdmin), caseSystem("101")
	for name, code := range map[string]int{
		"caseworker without the right": f.call("PUT", path, &plain, admin.DPORequest{URL: "https://x.example/"}, nil),
		"another municipality's admin": f.call("PUT", path, &foreignAdmin, admin.DPORequest{URL: "https://x.example/"}, nil),
		"case system":                  f.call("PUT", path, &cs, admin.DPORequest{URL: "https://x.example/"}, nil),
	} {
		if code != http.StatusForbidden {
			t.Errorf("%s: %d", name, code)
		}
	}
	if code := f.call("PUT", path, &op, admin.DPORequest{URL: "javascript:alert(1)"}, nil); code != http.StatusBadRequest {
		t.Fatalf("bad link: %d", code)
	}
	if f.call("GET", path, nil, nil, &d); d.URL != "https://www.kk.dk/databeskyttelse" {
		t.Fatalf("link: %+v", d)
	}
	if code := f.call("GET", "/api/v1/admin/municipalities/999/dpo", nil, nil, nil); code != http.StatusNotFound {
		t.Fatalf("unknown municipality: %d", code)
	}
	if n := len(f.entries("admin/municipalities/101")) - before; n != 2 {
		t.Fatalf("%d ledger entries for the link changes", n)
	}
}

func TestContributionKeyByPopulation(t *testing.T) {
	t.Parallel()
	f := start(t)
	cw, op, emp := caseworker("101"), operator, employer(cvrA)
	var k admin.ContributionKey
	if code := f.call("GET", "/api/v1/admin/contribution-key?year=2024", &cw, nil, &k); code != http.StatusOK {
		t.Fatalf("report: %d", code)
	}
	if !k.Synthetic || k.Source != admin.SyntheticPopulationSource || len(k.Shares) != 98 {
		t.Fatalf("synthetic 2024 table: synthetic %v, %d municipalities, source %q", k.Synthetic, len(k.Shares), k.Source)
	}
	var sum int64
	for _, s := range k.Shares {
		sum += s.PPM
	}
	if sum != contribution.PartsPerMillion {
		t.Fatalf("shares add up to %d", sum)
	}
	if code := f.call("GET", "/api/v1/admin/contribution-key?year=2025", &cw, nil, nil); code != http.StatusUnprocessableEntity {
		t.Fatalf("year without a table: %d", code)
	}
	if code := f.call("GET", "/api/v1/admin/contribution-key?year=2024", &emp, nil, nil); code != http.StatusForbidden {
		t.Fatalf("employer read the key: %d", code)
	}
	// An operator loads a complete table for 2025; an incomplete one is refused.
	table := admin.PopulationTable{Source: "test table", Municipalities: []admin.PopulationEntry{}}
	for _, s := range k.Shares {
		table.Municipalities = append(table.Municipalities, admin.PopulationEntry{Municipality: s.Municipality, Inhabitants: 1000})
	}
	short := table
	short.Municipalities = table.Municipalities[1:]
	if code := f.call("PUT", "/api/v1/admin/populations/2025", &op, short, nil); code != http.StatusBadRequest {
		t.Fatalf("incomplete table: %d", code)
	}
	if code := f.call("PUT", "/api/v1/admin/populations/2025", &cw, table, nil); code != http.StatusForbidden {
		t.Fatalf("caseworker loaded a table: %d", code)
	}
	if code := f.call("PUT", "/api/v1/admin/populations/2025", &op, table, nil); code != http.StatusOK {
		t.Fatalf("load: %d", code)
	}
	if f.call("GET", "/api/v1/admin/contribution-key?year=2025", &op, nil, &k); k.Synthetic || k.Source != "test table" || k.Inhabitants != 98_000 {
		t.Fatalf("2025 key: %+v", k)
	}
}
