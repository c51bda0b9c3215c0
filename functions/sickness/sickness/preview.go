package sickness

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/sickness/refusion"
	"nemrefusion.dk/functions/sickness/section56"
	"nemrefusion.dk/infra/runtime"
)

// PreviewPath is the route of the refusion preview.
const PreviewPath = "POST /api/v1/refusion/preview"

// maxPreviewBody bounds a preview request.
const maxPreviewBody = 64 << 10

// NoRateProblem is the 422 answer when the year of the rate has no rate: it
// names the year; the system never guesses a number.
type NoRateProblem struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Year   int    `json:"year"`
	// Date is the day whose rate is missing, EffectiveFrom the day the
	// year's rate would take effect (the first Monday of January).
	Date          string `json:"date,omitempty"`
	EffectiveFrom string `json:"effectiveFrom"`
	Da            string `json:"da"`
	En            string `json:"en"`
}

// noRateProblem is the 422 of a rate year without a rate.
func noRateProblem(e kernel.ErrNoRate) NoRateProblem {
	p := NoRateProblem{Status: http.StatusUnprocessableEntity, Code: "no-rate", Year: e.Year,
		EffectiveFrom: kernel.FirstMondayOfJanuary(e.Year).String(),
		Da:            e.Da() + " Refusionen kan ikke beregnes, før en administrator har registreret satsen.",
		En:            e.En() + " The reimbursement cannot be computed until an administrator registers the rate."}
	if !e.Date.IsZero() {
		p.Date = e.Date.String()
	}
	return p
}

// Preview answers POST /api/v1/refusion/preview: it computes, without
// submitting anything, what an employer's report would give
// (refusion.Preview). 400 names every bad field at once; 422 names a year
// without a maximum rate. now gives "today" for a missing receivedOn.
func (h *Handler) Preview(now func() time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPreviewBody))
		if err != nil {
			runtime.WriteError(w, runtime.Fail(runtime.KindInvalid, "body", "Forespørgslen kunne ikke læses.", "The request could not be read.", err))
			return
		}
		in, err := DecodePreview(body, kernel.Today(now()))
		var fe events.FieldErrors
		if err != nil && !errors.As(err, &fe) {
			runtime.WriteError(w, err)
			return
		}
		approval, err := h.previewSection56(body, in)
		if err != nil {
			var more events.FieldErrors
			errors.As(err, &more)
			fe = append(fe, more...)
		}
		if len(fe) > 0 {
			slices.SortStableFunc(fe, func(a, b events.FieldError) int { return strings.Compare(a.Field, b.Field) })
			runtime.WriteError(w, fe)
			return
		}
		if approval != nil {
			in.Section56 = true
		}
		rates := h.Rates
		if h.db != nil {
			if rates, err = CurrentRates(r.Context(), h.db); err != nil {
				runtime.WriteError(w, err)
				return
			}
		}
		res, err := refusion.Preview(in, rates)
		var noRate kernel.ErrNoRate
		switch {
		case errors.As(err, &noRate):
			runtime.WriteJSON(w, http.StatusUnprocessableEntity, noRateProblem(noRate))
			return
		case err != nil:
			runtime.WriteError(w, err)
			return
		}
		if approval != nil {
			res.Reasons = append(res.Reasons, *approval)
		}
		runtime.WriteJSON(w, http.StatusOK, res)
	}
}

// previewSection56 checks the § 56 agreement a preview names
// ("section56Reference", with the employee's "cpr" when given) against the
// approvals, as the report will be (sygedagpengeloven § 56): an unknown or
// expired reference is a field error on section56.reference. The preview
// has no CPR lookup, so it cannot tell the person's municipality: an
// approval of any municipality counts here, and the report itself is
// checked against the person's municipality. It returns the approval's
// reason, or nil when no reference is given.
func (h *Handler) previewSection56(body []byte, in refusion.PreviewInput) (*kernel.Reason, error) {
	var q struct {
		Reference string `json:"section56Reference"`
		CPR       string `json:"cpr"`
	}
	if json.Unmarshal(body, &q) != nil || strings.TrimSpace(q.Reference) == "" || in.FirstAbsenceDay.IsZero() {
		return nil, nil
	}
	_, r, err := h.approvals().Check(section56.Query{Reference: q.Reference, CPR: q.CPR, First: in.FirstAbsenceDay})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

var previewDates = []string{"firstAbsenceDay", "lastAbsenceDay", "employedSince", "receivedOn"}
var previewNumbers = []string{"hoursLast8Weeks", "weeklyHours"}

// previewStrings are read by previewSection56.
var previewStrings = []string{"section56Reference", "cpr"}
var previewBools = []string{"wagesPaid", "section56", "pregnancyRelated", "flexjob", "insuredSection55"}

// DecodePreview reads a preview request field by field, so that every bad
// field is named at once (a plain JSON decode stops at the first), then
// validates the whole (refusion.PreviewInput.Validate). A missing
// receivedOn is today.
func DecodePreview(body []byte, today kernel.Date) (refusion.PreviewInput, error) {
	var fe events.FieldErrors
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return refusion.PreviewInput{}, events.FieldErrors{{Field: "", Code: "json", Da: "Forespørgslen er ikke et JSON-objekt.", En: "The request is not a JSON object."}}
	}
	var in refusion.PreviewInput
	dates := map[string]*kernel.Date{"firstAbsenceDay": &in.FirstAbsenceDay, "employedSince": &in.EmployedSince, "receivedOn": &in.ReceivedOn}
	for name, v := range raw {
		isNull := string(bytes.TrimSpace(v)) == "null"
		switch {
		case slices.Contains(previewDates, name):
			if isNull {
				continue
			}
			var s string
			if json.Unmarshal(v, &s) != nil {
				fe.Add(name, "type", "Datoen skal være tekst (ÅÅÅÅ-MM-DD).", "The date must be a string (YYYY-MM-DD).")
				continue
			}
			d, err := kernel.ParseDate(s)
			if err != nil {
				fe.Add(name, "date", "Datoen findes ikke (ÅÅÅÅ-MM-DD).", "The date does not exist (YYYY-MM-DD).")
				continue
			}
			if name == "lastAbsenceDay" {
				in.LastAbsenceDay = &d
			} else {
				*dates[name] = d
			}
		case slices.Contains(previewNumbers, name):
			if isNull {
				continue
			}
			f, ok := number(v)
			if !ok {
				fe.Add(name, "type", "Feltet skal være et tal.", "The field must be a number.")
				continue
			}
			if name == "weeklyHours" {
				in.WeeklyHours = f
			} else {
				in.HoursLast8Weeks = &f
			}
		case name == "hourlyEarnings":
			if isNull {
				continue
			}
			if err := json.Unmarshal(v, &in.HourlyEarnings); err != nil {
				fe.Add(name, "amount", "Beløbet skal være et tal i kroner med højst to decimaler.", "The amount must be a number of kroner with at most two decimals.")
			}
		case slices.Contains(previewStrings, name):
			var s string
			if !isNull && json.Unmarshal(v, &s) != nil {
				fe.Add(name, "type", "Feltet skal være tekst.", "The field must be a string.")
			}
		case slices.Contains(previewBools, name):
			var b bool
			if !isNull && json.Unmarshal(v, &b) != nil {
				fe.Add(name, "type", "Feltet skal være ja/nej (true/false).", "The field must be true or false.")
				continue
			}
			switch name {
			case "wagesPaid":
				in.WagesPaid = b
			case "section56":
				in.Section56 = b
			case "pregnancyRelated":
				in.PregnancyRelated = b
			case "flexjob":
				in.Flexjob = b
			case "insuredSection55":
				in.InsuredSection55 = b
			}
		default:
			fe.Add(name, "unknown-field", "Feltet kendes ikke.", "The field is not known.")
		}
	}
	if _, given := raw["receivedOn"]; !given || in.ReceivedOn.IsZero() && !hasField(fe, "receivedOn") {
		in.ReceivedOn = today
	}
	if err := in.Validate(); err != nil {
		var more events.FieldErrors
		if errors.As(err, &more) {
			for _, e := range more {
				if !hasField(fe, e.Field) {
					fe = append(fe, e)
				}
			}
		}
	}
	slices.SortStableFunc(fe, func(a, b events.FieldError) int { return strings.Compare(a.Field, b.Field) })
	if len(fe) > 0 {
		return in, fe
	}
	return in, nil
}

func hasField(fe events.FieldErrors, field string) bool {
	return slices.ContainsFunc(fe, func(e events.FieldError) bool { return e.Field == field })
}

func number(v json.RawMessage) (float64, bool) {
	var n json.Number
	if json.Unmarshal(v, &n) != nil {
		return 0, false
	}
	f, err := strconv.ParseFloat(n.String(), 64)
	return f, err == nil
}
