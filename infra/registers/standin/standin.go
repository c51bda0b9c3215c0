// Package standin serves register data over HTTP in the JSON shape the
// production clients (package client) read: a local stand-in for CPR, CVR
// and eIndkomst, for development, the local stack and tests. It is usually
// fed a synth.Dataset.
//
// Routes (all GET):
//
//	/cpr/v1/persons/{cpr}                                   registers.Person
//	/cvr/v1/companies/{cvr}                                 registers.Company
//	/cvr/v1/punits/{pnumber}                                registers.PUnit
//	/eindkomst/v1/persons/{cpr}/income?from=YYYY-MM&to=YYYY-MM[&employer=CVR]  Income
//	/akasse/v1/persons/{cpr}/membership                     registers.Membership (404 for no member)
//	/healthz                                                200, or 503 when down
//
// Errors are JSON {"code","da","en"}: 400 for a malformed identifier or
// query, 404 for an unknown record, 503 while SetDown(true) is in effect.
// The stand-in logs nothing (its data is personal data, if synthetic).
package standin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/registers"
)

// Source is the register data the stand-in serves; *synth.Dataset is one.
type Source interface {
	registers.PersonRegister
	registers.CompanyRegister
	// IncomeByEmployer is registers.IncomeRegister.Income limited to one
	// employer; the zero CVR means every employer.
	IncomeByEmployer(ctx context.Context, cpr ids.CPR, employer ids.CVR, from, to registers.Month) ([]registers.IncomeMonth, error)
	registers.MembershipRegister
}

// Income is the body of an income answer.
type Income struct {
	CPR  ids.CPR         `json:"cpr"`
	From registers.Month `json:"from"`
	To   registers.Month `json:"to"`
	// Employer is set when the request was limited to one employer.
	Employer ids.CVR                 `json:"employer,omitzero"`
	Months   []registers.IncomeMonth `json:"months"`
}

// Error is the body of every error answer.
type Error struct {
	Code string `json:"code"`
	Da   string `json:"da"`
	En   string `json:"en"`
}

// MaxIncomeMonths is the longest period one income request may span.
const MaxIncomeMonths = 60

// Server is the stand-in's http.Handler. It is safe for concurrent use.
type Server struct {
	src     Source
	mux     *http.ServeMux
	down    atomic.Bool
	latency atomic.Int64
}

// New returns a stand-in serving src.
func New(src Source) *Server {
	s := &Server{src: src, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /cpr/v1/persons/{cpr}", s.person)
	s.mux.HandleFunc("GET /cvr/v1/companies/{cvr}", s.company)
	s.mux.HandleFunc("GET /cvr/v1/punits/{pnumber}", s.punit)
	s.mux.HandleFunc("GET /eindkomst/v1/persons/{cpr}/income", s.income)
	s.mux.HandleFunc("GET /akasse/v1/persons/{cpr}/membership", s.membership)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, Error{Code: "route.unknown", Da: "Adressen findes ikke.", En: "No such address."})
	})
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	return s
}

// SetDown makes every request answer 503 (true) or work again (false), to
// simulate a register being down.
func (s *Server) SetDown(down bool) { s.down.Store(down) }

// SetLatency delays every answer by d (0 turns it off), to simulate a slow
// register; a request whose context ends first gets no answer.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d := time.Duration(s.latency.Load()); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	if s.down.Load() {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, Error{Code: "registers.unavailable",
			Da: "Registret er midlertidigt utilgængeligt.", En: "The register is temporarily unavailable."})
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) person(w http.ResponseWriter, r *http.Request) {
	cpr, err := ids.ParseCPR(r.PathValue("cpr"))
	if err != nil {
		badRequest(w, err)
		return
	}
	p, err := s.src.Person(r.Context(), cpr)
	answer(w, p, err)
}

func (s *Server) company(w http.ResponseWriter, r *http.Request) {
	cvr, err := ids.ParseCVR(r.PathValue("cvr"))
	if err != nil {
		badRequest(w, err)
		return
	}
	c, err := s.src.Company(r.Context(), cvr)
	answer(w, c, err)
}

func (s *Server) punit(w http.ResponseWriter, r *http.Request) {
	p, err := ids.ParsePNumber(r.PathValue("pnumber"))
	if err != nil {
		badRequest(w, err)
		return
	}
	u, err := s.src.PUnit(r.Context(), p)
	answer(w, u, err)
}

func (s *Server) membership(w http.ResponseWriter, r *http.Request) {
	cpr, err := ids.ParseCPR(r.PathValue("cpr"))
	if err != nil {
		badRequest(w, err)
		return
	}
	m, err := s.src.Membership(r.Context(), cpr)
	answer(w, m, err)
}

func (s *Server) income(w http.ResponseWriter, r *http.Request) {
	cpr, err := ids.ParseCPR(r.PathValue("cpr"))
	if err != nil {
		badRequest(w, err)
		return
	}
	q := r.URL.Query()
	from, errFrom := registers.ParseMonth(q.Get("from"))
	to, errTo := registers.ParseMonth(q.Get("to"))
	if errFrom != nil || errTo != nil || to.Before(from) || to.Compare(from.AddMonths(MaxIncomeMonths-1)) > 0 {
		writeJSON(w, http.StatusBadRequest, Error{Code: "income.period",
			Da: "Angiv perioden som from=ÅÅÅÅ-MM og to=ÅÅÅÅ-MM, højst 60 måneder, med from før to.",
			En: "Give the period as from=YYYY-MM and to=YYYY-MM, at most 60 months, with from before to."})
		return
	}
	var employer ids.CVR
	if e := q.Get("employer"); e != "" {
		if employer, err = ids.ParseCVR(e); err != nil {
			badRequest(w, err)
			return
		}
	}
	months, err := s.src.IncomeByEmployer(r.Context(), cpr, employer, from, to)
	answer(w, Income{CPR: cpr, From: from, To: to, Employer: employer, Months: months}, err)
}

func answer(w http.ResponseWriter, v any, err error) {
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, v)
	case errors.Is(err, registers.ErrNotFound):
		writeJSON(w, http.StatusNotFound, Error{Code: "registers.not-found",
			Da: "Registret kender ikke nummeret.", En: "The register does not know the number."})
	default:
		writeJSON(w, http.StatusServiceUnavailable, Error{Code: "registers.unavailable",
			Da: "Registret er midlertidigt utilgængeligt.", En: "The register is temporarily unavailable."})
	}
}

func badRequest(w http.ResponseWriter, err error) {
	var e *ids.Error
	if errors.As(err, &e) {
		writeJSON(w, http.StatusBadRequest, Error{Code: e.Code, Da: e.Da, En: e.En})
		return
	}
	writeJSON(w, http.StatusBadRequest, Error{Code: "request.invalid", Da: "Ugyldig forespørgsel.", En: "Invalid request."})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client is gone if this fails; nothing to do
}
