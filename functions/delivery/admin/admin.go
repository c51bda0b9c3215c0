// Package admin is the delivery function's administration: the
// municipalities' data protection officer links (seeds/003: shown on every
// page of Mit Sygefravær) and the population tables from which the yearly
// contribution key is computed (BEK 509/2024 § 5, package contribution).
// Its tables live in the delivery function's schema (the delivery
// package's migrations); it shares no code with the streams.
package admin

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/delivery/contribution"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

//go:embed population_synthetic_2024.csv
var syntheticPopulation []byte

// Config is the administration's own configuration.
type Config struct {
	// SyntheticPopulation loads the synthetic 2024 population table (marked
	// as synthetic) when no table for 2024 exists. Off in production.
	SyntheticPopulation bool `envconfig:"DELIVERY_SYNTHETIC_POPULATION" default:"true"`
}

// Admin serves the administration routes.
type Admin struct {
	svc *runtime.Service
}

// Register wires the administration routes into svc and loads the
// synthetic population table when configured. Routes other than the
// public DPO link verify tokens with v.
func Register(ctx context.Context, svc *runtime.Service, cfg Config, v *auth.Verifier) (*Admin, error) {
	a := &Admin{svc: svc}
	if v != nil && v.Ledger == nil {
		v.Ledger = svc.DB
	}
	public := auth.Require(v)
	m := svc.Mux
	m.HandleFunc("GET /api/v1/admin/municipalities/{no}/dpo", a.getDPO) // public: shown to citizens on every page
	m.Handle("PUT /api/v1/admin/municipalities/{no}/dpo", public(http.HandlerFunc(a.putDPO)))
	m.Handle("PUT /api/v1/admin/populations/{year}", public(http.HandlerFunc(a.putPopulation)))
	m.Handle("GET /api/v1/admin/contribution-key", public(http.HandlerFunc(a.contributionKey)))
	if cfg.SyntheticPopulation {
		if err := a.loadSyntheticPopulation(ctx); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// SyntheticPopulationSource names the population table loaded for local
// development: it is NOT Statistics Denmark's count.
const SyntheticPopulationSource = "SYNTHETIC (local development only): rounded thousands as in infra/registers/synth (about 2024), not Statistics Denmark FOLK1A"

// SyntheticPopulationYear is the year the synthetic table is loaded for.
const SyntheticPopulationYear = 2024

// DPOLink is a municipality's data protection officer link (seeds/003:
// shown at the bottom of every page of Mit Sygefravær).
type DPOLink struct {
	Municipality string    `json:"municipality"`
	Name         string    `json:"name"`
	URL          string    `json:"url"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

func municipality(w http.ResponseWriter, r *http.Request) (ids.Municipality, bool) {
	m, err := ids.ParseMunicipality(r.PathValue("no"))
	if err != nil {
		runtime.WriteError(w, runtime.Fail(runtime.KindNotFound, "unknown-municipality", "Kommunen findes ikke.", "The municipality does not exist.", nil))
		return m, false
	}
	return m, true
}

// getDPO answers GET /api/v1/admin/municipalities/{no}/dpo (public).
func (a *Admin) getDPO(w http.ResponseWriter, r *http.Request) {
	m, ok := municipality(w, r)
	if !ok {
		return
	}
	d := DPOLink{Municipality: m.String(), Name: m.Name()}
	err := a.svc.DB.QueryRow(r.Context(), `SELECT url, updated_at FROM dpo_links WHERE municipality = $1`, m.String()).Scan(&d.URL, &d.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		runtime.WriteError(w, runtime.Fail(runtime.KindNotFound, "no-dpo-link", "Kommunen har ikke angivet et link til sin databeskyttelsesrådgiver.", "The municipality has not set a link to its data protection officer.", nil))
		return
	}
	if err != nil {
		runtime.WriteError(w, fmt.Errorf("read dpo link: %w", err))
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	runtime.WriteJSON(w, http.StatusOK, d)
}

// DPORequest is the body of PUT .../dpo.
type DPORequest struct {
	URL string `json:"url"`
}

// putDPO sets a municipality's DPO link (an operator, or the
// municipality's own administrator).
func (a *Admin) putDPO(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	m, ok := municipality(w, r)
	if !ok {
		return
	}
	if !authorize(p, actDPO, m.String()) {
		auth.Deny(w, r, a.svc.DB, p, "admin/municipalities/"+m.String()+"/dpo", "tenant")
		return
	}
	var in DPORequest
	if err := runtime.ReadJSON(w, r, &in); err != nil {
		runtime.WriteError(w, err)
		return
	}
	u, err := url.Parse(in.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || len(in.URL) > 500 {
		runtime.WriteError(w, runtime.Invalid(events.FieldErrors{{Field: "url", Code: "url",
			Da: "Linket skal være en fuld webadresse (https://…).", En: "The link must be a full web address (https://…)."}}))
		return
	}
	d := DPOLink{Municipality: m.String(), Name: m.Name(), URL: in.URL, UpdatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	err = a.svc.Do(context.WithoutCancel(r.Context()), nil, func(tx *runtime.Tx) error {
		if _, err := tx.Exec(r.Context(), `INSERT INTO dpo_links (municipality, url, updated_at, updated_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (municipality) DO UPDATE SET url = $2, updated_at = $3, updated_by = $4`, d.Municipality, d.URL, d.UpdatedAt, p.Subject); err != nil {
			return fmt.Errorf("store dpo link: %w", err)
		}
		return record(r, tx, p, "admin/municipalities/"+d.Municipality, "dk.nemrefusion.admin.dpo.set.v1", d)
	})
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	runtime.WriteJSON(w, http.StatusOK, d)
}

// PopulationTable is a table of inhabitants per municipality on 1 January
// of Year, with its source.
type PopulationTable struct {
	Source         string            `json:"source"`
	Synthetic      bool              `json:"synthetic"`
	Municipalities []PopulationEntry `json:"municipalities"`
}

// PopulationEntry is one municipality's inhabitants.
type PopulationEntry struct {
	Municipality string `json:"municipality"`
	Inhabitants  int64  `json:"inhabitants"`
}

// checkTable requires a source and every municipality exactly once: the key
// distributes over all the country's municipalities (§ 5 stk. 3).
func checkTable(t PopulationTable) error {
	var fe events.FieldErrors
	if t.Source == "" {
		fe = append(fe, events.FieldError{Field: "source", Code: "required", Da: "Kilden skal angives.", En: "The source is required."})
	}
	seen := map[string]bool{}
	for i, e := range t.Municipalities {
		m, err := ids.ParseMunicipality(e.Municipality)
		field := fmt.Sprintf("municipalities/%d", i)
		switch {
		case err != nil:
			fe = append(fe, events.FieldError{Field: field, Code: "municipality", Da: "Ukendt kommune.", En: "Unknown municipality."})
		case seen[m.String()]:
			fe = append(fe, events.FieldError{Field: field, Code: "duplicate", Da: "Kommunen står der to gange.", En: "The municipality appears twice."})
		case e.Inhabitants < 0:
			fe = append(fe, events.FieldError{Field: field, Code: "minimum", Da: "Antallet kan ikke være negativt.", En: "The number cannot be negative."})
		default:
			seen[m.String()] = true
		}
	}
	for _, m := range ids.AllMunicipalities() {
		if !seen[m.String()] && len(fe) == 0 {
			fe = append(fe, events.FieldError{Field: "municipalities", Code: "incomplete",
				Da: "Tabellen mangler kommune " + m.String() + ".", En: "The table lacks municipality " + m.String() + "."})
		}
	}
	if len(fe) > 0 {
		return runtime.Invalid(fe)
	}
	return nil
}

// storeTable replaces the table of year.
func storeTable(ctx context.Context, tx pgx.Tx, year int, t PopulationTable, by string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM population_tables WHERE year = $1`, year); err != nil {
		return fmt.Errorf("replace population table: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO population_tables (year, source, synthetic, loaded_by) VALUES ($1, $2, $3, $4)`, year, t.Source, t.Synthetic, by); err != nil {
		return fmt.Errorf("store population table: %w", err)
	}
	rows := make([][]any, 0, len(t.Municipalities))
	for _, e := range t.Municipalities {
		m, _ := ids.ParseMunicipality(e.Municipality)
		rows = append(rows, []any{year, m.String(), e.Inhabitants})
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"populations"}, []string{"year", "municipality", "inhabitants"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("store populations: %w", err)
	}
	return nil
}

// putPopulation answers PUT /api/v1/admin/populations/{year} (operators):
// loads the table of inhabitants on 1 January of year.
func (a *Admin) putPopulation(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || year < 2000 || year > 2100 {
		runtime.WriteError(w, runtime.Fail(runtime.KindInvalid, "year", "Året er ugyldigt.", "The year is not valid.", nil))
		return
	}
	if !authorize(p, actPopulation, "") {
		auth.Deny(w, r, a.svc.DB, p, "admin/populations", "tenant")
		return
	}
	var t PopulationTable
	if err := runtime.ReadJSON(w, r, &t); err != nil {
		runtime.WriteError(w, err)
		return
	}
	if err := checkTable(t); err != nil {
		runtime.WriteError(w, err)
		return
	}
	err = a.svc.Do(context.WithoutCancel(r.Context()), nil, func(tx *runtime.Tx) error {
		if err := storeTable(r.Context(), tx, year, t, p.Subject); err != nil {
			return err
		}
		return record(r, tx, p, "admin/populations", "dk.nemrefusion.admin.population.loaded.v1", map[string]any{"year": year, "table": t})
	})
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	runtime.WriteJSON(w, http.StatusOK, map[string]any{"year": year, "municipalities": len(t.Municipalities), "source": t.Source, "synthetic": t.Synthetic})
}

// ContributionKey is the yearly contribution key report.
type ContributionKey struct {
	Year        int                 `json:"year"`
	Source      string              `json:"source"`
	Synthetic   bool                `json:"synthetic"`
	Inhabitants int64               `json:"inhabitants"`
	Shares      []ContributionShare `json:"municipalities"`
	Note        string              `json:"note"`
}

// ContributionShare is one municipality's share with its name.
type ContributionShare struct {
	contribution.Share
	Name string `json:"name"`
}

// contributionKey answers GET /api/v1/admin/contribution-key?year=.
func (a *Admin) contributionKey(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if !authorize(p, actReport, "") {
		auth.Deny(w, r, a.svc.DB, p, "admin/contribution-key", "tenant")
		return
	}
	year := time.Now().Year()
	if s := r.URL.Query().Get("year"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2000 || n > 2100 {
			runtime.WriteError(w, runtime.Fail(runtime.KindInvalid, "year", "Året er ugyldigt.", "The year is not valid.", nil))
			return
		}
		year = n
	}
	k := ContributionKey{Year: year, Shares: []ContributionShare{},
		Note: "Each municipality's share follows its inhabitants on 1 January (BEK 509/2024 § 5 stk. 3); Udbetaling Danmark's contribution is set separately (§ 5 stk. 2)."}
	err := a.svc.DB.QueryRow(r.Context(), `SELECT source, synthetic FROM population_tables WHERE year = $1`, year).Scan(&k.Source, &k.Synthetic)
	if errors.Is(err, pgx.ErrNoRows) {
		runtime.WriteError(w, runtime.Fail(runtime.KindUnprocessable, "no-population",
			fmt.Sprintf("Der er ikke indlæst indbyggertal for 1. januar %d.", year), fmt.Sprintf("No population table for 1 January %d is loaded.", year), nil))
		return
	}
	if err != nil {
		runtime.WriteError(w, fmt.Errorf("read population table: %w", err))
		return
	}
	rows, err := a.svc.DB.Query(r.Context(), `SELECT municipality, inhabitants FROM populations WHERE year = $1`, year)
	if err != nil {
		runtime.WriteError(w, fmt.Errorf("read populations: %w", err))
		return
	}
	pops, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (contribution.Population, error) {
		var p contribution.Population
		return p, row.Scan(&p.Municipality, &p.Inhabitants)
	})
	if err != nil {
		runtime.WriteError(w, fmt.Errorf("read populations: %w", err))
		return
	}
	shares, err := contribution.Key(pops)
	if err != nil {
		runtime.WriteError(w, runtime.Fail(runtime.KindUnprocessable, "no-population", "Tabellen har ingen indbyggere.", "The table has no inhabitants.", err))
		return
	}
	for _, s := range shares {
		m, _ := ids.ParseMunicipality(s.Municipality)
		k.Inhabitants += s.Inhabitants
		k.Shares = append(k.Shares, ContributionShare{Share: s, Name: m.Name()})
	}
	runtime.WriteJSON(w, http.StatusOK, k)
}

// loadSyntheticPopulation loads the marked synthetic table for
// SyntheticPopulationYear unless a table for that year exists.
func (a *Admin) loadSyntheticPopulation(ctx context.Context) error {
	rd := csv.NewReader(bytes.NewReader(syntheticPopulation))
	t := PopulationTable{Source: SyntheticPopulationSource, Synthetic: true}
	for first := true; ; first = false {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("synthetic population: %w", err)
		}
		if first {
			continue
		}
		n, err := strconv.ParseInt(rec[1], 10, 64)
		if err != nil {
			return fmt.Errorf("synthetic population: %w", err)
		}
		t.Municipalities = append(t.Municipalities, PopulationEntry{Municipality: rec[0], Inhabitants: n})
	}
	if err := checkTable(t); err != nil {
		return fmt.Errorf("synthetic population: %w", err)
	}
	return pgx.BeginFunc(ctx, a.svc.DB, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('delivery-population', 0))`); err != nil {
			return fmt.Errorf("lock population: %w", err)
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM population_tables WHERE year = $1)`, SyntheticPopulationYear).Scan(&exists); err != nil {
			return fmt.Errorf("find population table: %w", err)
		}
		if exists {
			return nil
		}
		return storeTable(ctx, tx, SyntheticPopulationYear, t, "function:delivery")
	})
}
