package maternity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/maternity/barsel"
	"nemrefusion.dk/infra/runtime"
)

// PreviewPath is the route of the parental refusion preview.
const PreviewPath = "POST /api/v1/parental/preview"

const maxPreviewBody = 64 << 10

// NoRateProblem is the 422 answer when a period's year has no maximum
// rate: it names the years; the system never guesses a number.
type NoRateProblem struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Years  []int  `json:"years"`
	Year   int    `json:"year"`
	// EffectiveFrom is the day Year's rate would take effect (the first
	// Monday of January, sygedagpengeloven § 50, stk. 1).
	EffectiveFrom string `json:"effectiveFrom"`
	Da            string `json:"da"`
	En            string `json:"en"`
}

// previewBody is the preview request: the employer's periods and hourly
// earnings as in the blanket, and optionally the day received (today when
// left out).
type previewBody struct {
	Periods []struct {
		From        string       `json:"from"`
		To          string       `json:"to"`
		Kind        string       `json:"kind"`
		HoursAbsent float64      `json:"hoursAbsent"`
		WagesPaid   *json.Number `json:"wagesPaid"`
	} `json:"periods"`
	HourlyEarnings *json.Number `json:"hourlyEarnings"`
	LeaveContinues bool         `json:"leaveContinues"`
	ReceivedOn     string       `json:"receivedOn"`
}

// Preview answers POST /api/v1/parental/preview: what an employer's
// parental-leave refusion request would give (barsel.Compute), without
// submitting anything. 400 names every bad field at once; 422 names a year
// without a maximum rate. now gives "today" for a missing receivedOn.
func (h *Handler) Preview(now func() time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPreviewBody))
		if err != nil {
			runtime.WriteError(w, runtime.Fail(runtime.KindInvalid, "body", "Forespørgslen kunne ikke læses.", "The request could not be read.", err))
			return
		}
		req, err := DecodePreview(body, kernel.Today(now()))
		if err != nil {
			runtime.WriteError(w, err)
			return
		}
		rates := h.Rates
		if h.db != nil {
			if rates, err = CurrentRates(r.Context(), h.db); err != nil {
				runtime.WriteError(w, err)
				return
			}
		}
		res, err := barsel.Compute(req, rates)
		if err != nil {
			runtime.WriteError(w, err)
			return
		}
		if !res.Complete {
			y := res.MissingRateYears[0]
			runtime.WriteJSON(w, http.StatusUnprocessableEntity, NoRateProblem{Status: http.StatusUnprocessableEntity, Code: "no-rate",
				Years: res.MissingRateYears, Year: y, EffectiveFrom: kernel.FirstMondayOfJanuary(y).String(),
				Da: fmt.Sprintf("Der er ingen højeste dagpengesats for %d i systemet (den gælder fra første mandag i januar, %s), så refusionen kan ikke beregnes, før en administrator har registreret satsen.", y, kernel.FirstMondayOfJanuary(y).Danish()),
				En: fmt.Sprintf("No maximum dagpenge rate for %d is configured (it applies from the first Monday of January, %s), so the reimbursement cannot be computed until an administrator registers the rate.", y, kernel.FirstMondayOfJanuary(y).English())})
			return
		}
		runtime.WriteJSON(w, http.StatusOK, res)
	}
}

// DecodePreview reads a preview request and names every bad field at once
// (dates that do not exist, amounts finer than an øre, and everything
// barsel.Request.Validate finds). An unknown field or a value of the
// wrong JSON type is one error for the whole body.
func DecodePreview(body []byte, today kernel.Date) (barsel.Request, error) {
	var in previewBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return barsel.Request{}, events.FieldErrors{{Field: "", Code: "json",
			Da: "Forespørgslen passer ikke til formatet (ukendt felt eller forkert type).", En: "The request does not fit the format (unknown field or wrong type)."}}
	}
	var fe events.FieldErrors
	date := func(field, s string) kernel.Date {
		if s == "" {
			return kernel.Date{}
		}
		d, err := kernel.ParseDate(s)
		if err != nil {
			fe.Add(field, "date", "Datoen findes ikke (ÅÅÅÅ-MM-DD).", "The date does not exist (YYYY-MM-DD).")
		}
		return d
	}
	money := func(field string, n *json.Number) kernel.Money {
		if n == nil {
			return 0
		}
		m, err := kernel.ParseKr(n.String())
		if err != nil {
			fe.Add(field, "amount", "Beløbet skal være kroner med højst to decimaler.", "The amount must be kroner with at most two decimals.")
		}
		return m
	}
	req := barsel.Request{LeaveContinues: in.LeaveContinues, ReceivedOn: date("receivedOn", in.ReceivedOn),
		HourlyEarnings: money("hourlyEarnings", in.HourlyEarnings)}
	if in.ReceivedOn == "" {
		req.ReceivedOn = today
	}
	for i, p := range in.Periods {
		f := fmt.Sprintf("periods.%d.", i)
		if !slices.Contains(events.LeaveKinds, p.Kind) {
			fe.Add(f+"kind", "enum", "Fraværsårsagen kendes ikke.", "The kind of leave is not known.")
		}
		if p.WagesPaid == nil {
			fe.Add(f+"wagesPaid", "required", "Den udbetalte løn for perioden skal udfyldes.", "The wages paid for the period are required.")
		}
		req.Periods = append(req.Periods, barsel.Period{From: date(f+"from", p.From), To: date(f+"to", p.To), Kind: p.Kind,
			HoursAbsent: p.HoursAbsent, WagesPaid: money(f+"wagesPaid", p.WagesPaid)})
	}
	if err := req.Validate(); err != nil {
		for _, e := range asFieldErrors(err) {
			if !slices.ContainsFunc(fe, func(x events.FieldError) bool { return x.Field == e.Field }) {
				fe = append(fe, e)
			}
		}
	}
	slices.SortStableFunc(fe, func(a, b events.FieldError) int { return strings.Compare(a.Field, b.Field) })
	if len(fe) > 0 {
		return req, fe
	}
	return req, nil
}

func asFieldErrors(err error) events.FieldErrors {
	var fe events.FieldErrors
	if errors.As(err, &fe) {
		return fe
	}
	return nil
}
