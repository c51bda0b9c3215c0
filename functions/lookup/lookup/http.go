package lookup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/runtime"
)

// HeaderCorrelation carries the caller's correlation id into the ledger
// entry of an HTTP lookup (a fresh id when absent).
const HeaderCorrelation = "X-Correlation-Id"

func (s *Service) routes(v *auth.Verifier) {
	requireLogin := auth.Require(v)
	route := func(pattern, kind string, fill func(r *http.Request, q *events.LookupRequest)) {
		s.svc.Mux.Handle(pattern, requireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			req := events.LookupRequest{Kind: kind, Purpose: r.URL.Query().Get("purpose"), AbsenceID: r.URL.Query().Get("absence")}
			fill(r, &req)
			s.serve(w, r, req)
		})))
	}
	route("GET /api/v1/lookup/persons/{cpr}", events.LookupPerson, func(r *http.Request, q *events.LookupRequest) {
		q.CPR = r.PathValue("cpr")
	})
	route("GET /api/v1/lookup/persons/{cpr}/income", events.LookupIncome, func(r *http.Request, q *events.LookupRequest) {
		q.CPR, q.From, q.To = r.PathValue("cpr"), r.URL.Query().Get("from"), r.URL.Query().Get("to")
	})
	route("GET /api/v1/lookup/companies/{cvr}", events.LookupCompany, func(r *http.Request, q *events.LookupRequest) {
		q.CVR = r.PathValue("cvr")
	})
	route("GET /api/v1/lookup/punits/{pnumber}", events.LookupPUnit, func(r *http.Request, q *events.LookupRequest) {
		q.PNumber = r.PathValue("pnumber")
	})
}

// serve answers one HTTP lookup: 400 with field errors; 403 (recorded)
// when the principal's role may never look up that kind; for a person,
// the same 404 (recorded) for a CPR number that does not exist and for a
// person the principal has no relation to (personPolicy), taking at least
// UniformDelay; 503 with Retry-After while a register is down; 404 for an
// unknown company or P-unit; else 200 with the data (only the name for a
// sender), written only after the ledger entry committed.
func (s *Service) serve(w http.ResponseWriter, r *http.Request, req events.LookupRequest) {
	ctx := r.Context()
	start := time.Now()
	p, _ := auth.FromContext(ctx)
	q, fe := parse(req)
	if len(fe) > 0 {
		runtime.WriteError(w, runtime.Invalid(fe))
		return
	}
	if q.kind == events.LookupCompany || q.kind == events.LookupPUnit {
		s.serveCompany(w, r, p, q)
		return
	}
	pol, ok := personPolicy(p, q)
	if !ok {
		if err := s.deny(r, p, q, "role"); err != nil {
			runtime.WriteError(w, err)
			return
		}
		auth.WriteForbidden(w)
		return
	}
	person, related, err := s.relate(ctx, p, pol, q)
	var ans events.LookupAnswer
	if err == nil && related {
		ans, err = s.fetchFor(ctx, q, person)
	}
	switch {
	case errors.Is(err, registers.ErrUnavailable):
		runtime.Logger(ctx).WarnContext(ctx, "register unavailable", "kind", q.kind, "err", err.Error())
		runtime.WriteError(w, errUnavailable(err))
		return
	case errors.Is(err, registers.ErrNotFound):
		if err := s.recordHTTP(r, p, q, "not-found"); err != nil {
			runtime.WriteError(w, err)
			return
		}
		s.waitUniform(ctx, start)
		runtime.WriteError(w, errNotYours())
		return
	case err != nil:
		runtime.WriteError(w, err)
		return
	case !related:
		if err := s.deny(r, p, q, "relation"); err != nil {
			runtime.WriteError(w, err)
			return
		}
		s.waitUniform(ctx, start)
		runtime.WriteError(w, errNotYours())
		return
	}
	if err := s.recordHTTP(r, p, q, "answered"); err != nil {
		runtime.WriteError(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	switch {
	case q.kind == events.LookupIncome:
		runtime.WriteJSON(w, http.StatusOK, ans.Income)
	case pol.nameOnly:
		runtime.WriteJSON(w, http.StatusOK, Confirmation{CPR: ans.Person.CPR, Name: ans.Person.Name})
	default:
		runtime.WriteJSON(w, http.StatusOK, ans.Person)
	}
}

// fetchFor reads the person or income q asks for, reusing the person
// relate already read.
func (s *Service) fetchFor(ctx context.Context, q query, person *registers.Person) (events.LookupAnswer, error) {
	if q.kind == events.LookupPerson && person != nil {
		return events.LookupAnswer{Kind: q.kind, Person: personData(*person)}, nil
	}
	return s.fetch(ctx, q)
}

// serveCompany answers a company or P-unit lookup (public in CVR): every
// logged-in principal; 404 for an unknown number.
func (s *Service) serveCompany(w http.ResponseWriter, r *http.Request, p auth.Principal, q query) {
	ctx := r.Context()
	if p.Role == "" {
		if err := s.deny(r, p, q, "role"); err != nil {
			runtime.WriteError(w, err)
			return
		}
		auth.WriteForbidden(w)
		return
	}
	ans, err := s.fetch(ctx, q)
	outcome := "answered"
	switch {
	case errors.Is(err, registers.ErrUnavailable):
		runtime.Logger(ctx).WarnContext(ctx, "register unavailable", "kind", q.kind, "err", err.Error())
		runtime.WriteError(w, errUnavailable(err))
		return
	case errors.Is(err, registers.ErrNotFound):
		outcome = "not-found"
	case err != nil:
		runtime.WriteError(w, err)
		return
	}
	if err := s.recordHTTP(r, p, q, outcome); err != nil {
		runtime.WriteError(w, err)
		return
	}
	if outcome == "not-found" {
		code, da, en := notFound(q.kind)
		runtime.WriteError(w, runtime.Fail(runtime.KindNotFound, code, da, en, nil))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if q.kind == events.LookupCompany {
		runtime.WriteJSON(w, http.StatusOK, ans.Company)
		return
	}
	runtime.WriteJSON(w, http.StatusOK, ans.PUnit)
}

// deny records a refusal in the access-denied stream. Unlike
// auth.LogDenial it keeps the CPR number out of the reason and the log:
// the lookup paths hold it.
func (s *Service) deny(r *http.Request, p auth.Principal, q query, reason string) error {
	e := auth.DeniedEntry(p, r, "lookup/"+s.subject(q), reason)
	e.Reason, _ = json.Marshal(map[string]string{"method": r.Method, "route": r.Pattern, "resource": "lookup/" + s.subject(q), "reason": reason, "role": string(p.Role), "kind": q.kind})
	if _, err := ledger.Append(r.Context(), s.svc.DB, e); err != nil {
		return fmt.Errorf("record access denial: %w", err)
	}
	runtime.Logger(r.Context()).InfoContext(r.Context(), "access denied", "principal", p, "route", r.Pattern, "kind", q.kind, "reason", reason)
	return nil
}

// recordHTTP appends the ledger entry of an HTTP lookup: who is the
// principal (and on whose behalf), whose and why as for events.
func (s *Service) recordHTTP(r *http.Request, p auth.Principal, q query, outcome string) error {
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	corr := r.Header.Get(HeaderCorrelation)
	if corr == "" || len(corr) > 100 {
		corr = id.String()
	}
	payload, err := json.Marshal(q.request())
	if err != nil {
		return err
	}
	return s.svc.Do(r.Context(), nil, func(tx *runtime.Tx) error {
		_, err := tx.Record(r.Context(), ledger.Entry{
			Stream: s.stream(q), Actor: p.Subject, Role: string(p.Role), OnBehalfOf: p.OnBehalfOf(),
			EventType: auth.EventAccessRead, EventSource: events.SourcePrefix + s.svc.Name, EventID: id.String(),
			Correlation: corr, Reason: s.reason(q, outcome), Payload: payload,
		})
		return err
	})
}
