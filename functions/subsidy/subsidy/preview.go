package subsidy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/subsidy/grants"
	"nemrefusion.dk/infra/runtime"
)

// PreviewPath is the route of the subsidy preview.
const PreviewPath = "POST /api/v1/subsidy/preview"

const maxPreviewBody = 16 << 10

// NoCapProblem is the 422 answer when the yearly cap of a scheme is not
// known for the year: it names the scheme and the year; the system never
// guesses a figure.
type NoCapProblem struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Scheme string `json:"scheme"`
	Year   int    `json:"year"`
	Da     string `json:"da"`
	En     string `json:"en"`
}

// PreviewRequest is what a sender asks the preview: for "flexjob" and
// "selfemployed136" the fraction of Amount (the wages or the decision's
// basis) in the year of From, after PaidThisYear, with the flexjob's Hours
// (optional: the hourly ceiling); for "wage" the month a request received
// on ReceivedOn (today when left out) is paid in and, when Hours is given,
// the subsidy of Hours at HourlyWage (at most WagesPaid) and the
// agreement's HourlySubsidy (optional); for "adultapprentice" the subsidy
// of Hours in Month (YYYY-MM) for the target Group ("unemployed" or
// "employed", optional).
type PreviewRequest struct {
	Scheme        string       `json:"scheme"`
	Fraction      string       `json:"fraction,omitempty"`
	Amount        *json.Number `json:"amount,omitempty"`
	From          string       `json:"from,omitempty"`
	PaidThisYear  *json.Number `json:"paidThisYear,omitempty"`
	ReceivedOn    string       `json:"receivedOn,omitempty"`
	Hours         *json.Number `json:"hours,omitempty"`
	HourlyWage    *json.Number `json:"hourlyWage,omitempty"`
	WagesPaid     *json.Number `json:"wagesPaid,omitempty"`
	HourlySubsidy *json.Number `json:"hourlySubsidy,omitempty"`
	Month         string       `json:"month,omitempty"`
	Group         string       `json:"group,omitempty"`
}

// PreviewAnswer is the preview's answer: Subsidy for the fraction schemes,
// Hourly for the per-hour ones (wage subsidy with hours, adult apprentice).
type PreviewAnswer struct {
	Scheme       string                 `json:"scheme"`
	PaymentMonth string                 `json:"paymentMonth,omitempty"`
	Subsidy      *grants.FractionResult `json:"subsidy,omitempty"`
	Hourly       *grants.HourlyResult   `json:"hourly,omitempty"`
	Reasons      []kernel.Reason        `json:"reasons"`
}

// Preview answers POST /api/v1/subsidy/preview without submitting
// anything. 400 names every bad field; 422 names a scheme and year whose
// yearly cap is unknown (never guessed).
func (h *Handler) Preview(now func() time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPreviewBody))
		if err != nil {
			runtime.WriteError(w, runtime.Fail(runtime.KindInvalid, "body", "Forespørgslen kunne ikke læses.", "The request could not be read.", err))
			return
		}
		ans, err := h.preview(body, kernel.Today(now()))
		var noCap grants.ErrNoCap
		if errors.As(err, &noCap) {
			runtime.WriteJSON(w, http.StatusUnprocessableEntity, NoCapProblem{Status: http.StatusUnprocessableEntity, Code: "no-cap", Scheme: noCap.Scheme, Year: noCap.Year,
				Da: fmt.Sprintf("Loftet for tilskuddet (%s) i %d kendes ikke i systemet, så tilskuddet kan ikke beregnes.", noCap.Scheme, noCap.Year),
				En: fmt.Sprintf("The yearly cap of the subsidy (%s) for %d is not configured, so the subsidy cannot be computed.", noCap.Scheme, noCap.Year)})
			return
		}
		if err != nil {
			runtime.WriteError(w, err)
			return
		}
		runtime.WriteJSON(w, http.StatusOK, ans)
	}
}

func (h *Handler) preview(body []byte, today kernel.Date) (PreviewAnswer, error) {
	var in PreviewRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return PreviewAnswer{}, events.FieldErrors{{Field: "", Code: "json",
			Da: "Forespørgslen passer ikke til formatet (ukendt felt eller forkert type).", En: "The request does not fit the format (unknown field or wrong type)."}}
	}
	var fe events.FieldErrors
	money := func(field string, n *json.Number, required bool) kernel.Money {
		if n == nil {
			if required {
				fe.Add(field, "required", "Beløbet skal udfyldes.", "The amount is required.")
			}
			return 0
		}
		m, err := kernel.ParseKr(n.String())
		if err != nil || m < 0 {
			fe.Add(field, "amount", "Beløbet skal være kroner med højst to decimaler.", "The amount must be kroner with at most two decimals.")
		}
		return m
	}
	hours := func(required bool) float64 {
		if in.Hours == nil {
			if required {
				fe.Add("hours", "required", "Timetallet skal udfyldes.", "The hours are required.")
			}
			return 0
		}
		h, err := in.Hours.Float64()
		if err != nil || h <= 0 || h > 744 {
			fe.Add("hours", "hours", "Timetallet skal være over 0 og højst 744.", "The hours must be above 0 and at most 744.")
		}
		return h
	}
	switch in.Scheme {
	case grants.SchemeWage:
		received := today
		if in.ReceivedOn != "" {
			d, err := kernel.ParseDate(in.ReceivedOn)
			if err != nil {
				return PreviewAnswer{}, events.FieldErrors{{Field: "receivedOn", Code: "date", Da: "Datoen findes ikke (ÅÅÅÅ-MM-DD).", En: "The date does not exist (YYYY-MM-DD)."}}
			}
			received = d
		}
		month, r := grants.PaymentMonth(received)
		ans := PreviewAnswer{Scheme: in.Scheme, PaymentMonth: month, Reasons: []kernel.Reason{r}}
		if in.Hours == nil {
			return ans, nil
		}
		n := hours(true)
		wage := money("hourlyWage", in.HourlyWage, true)
		paid := money("wagesPaid", in.WagesPaid, true)
		var agreed *kernel.Money
		if in.HourlySubsidy != nil {
			a := money("hourlySubsidy", in.HourlySubsidy, false)
			agreed = &a
		}
		if len(fe) > 0 {
			return PreviewAnswer{}, fe
		}
		hr, rs := grants.WageSubsidy(n, wage, paid, agreed)
		ans.Hourly, ans.Reasons = &hr, append(ans.Reasons, rs...)
		return ans, nil
	case grants.SchemeAdultApprentice:
		n := hours(true)
		m, err := kernel.ParseDate(in.Month + "-01")
		if err != nil || len(in.Month) != 7 {
			fe.Add("month", "month", "Måneden findes ikke (ÅÅÅÅ-MM).", "The month does not exist (YYYY-MM).")
		}
		if in.Group != "" && in.Group != grants.GroupUnemployed && in.Group != grants.GroupEmployed {
			fe.Add("group", "enum", "Målgruppen skal være unemployed (fra ledighed) eller employed (fra beskæftigelse).",
				"The target group must be unemployed (from unemployment) or employed (from employment).")
		}
		if len(fe) > 0 {
			return PreviewAnswer{}, fe
		}
		hr, rs, err := grants.AdultApprenticeSubsidy(m, n, in.Group, h.Rates)
		if err != nil {
			return PreviewAnswer{}, err
		}
		return PreviewAnswer{Scheme: in.Scheme, Hourly: &hr, Reasons: rs}, nil
	case grants.SchemeFlexjob, grants.SchemeSelfEmployed136:
		amount := money("amount", in.Amount, true)
		paid := money("paidThisYear", in.PaidThisYear, false)
		var n float64
		if in.Scheme == grants.SchemeFlexjob {
			n = hours(false)
		}
		from, err := kernel.ParseDate(in.From)
		if err != nil {
			fe.Add("from", "date", "Periodens første dag findes ikke (ÅÅÅÅ-MM-DD).", "The period's first day does not exist (YYYY-MM-DD).")
		}
		if in.Fraction != "1/2" && in.Fraction != "2/3" {
			fe.Add("fraction", "enum", "Tilskuddet skal være 1/2 eller 2/3.", "The subsidy must be 1/2 or 2/3.")
		}
		if amount == 0 && in.Amount != nil && len(fe) == 0 {
			fe.Add("amount", "amount", "Beløbet skal være over 0 kr.", "The amount must be above 0 kr.")
		}
		if len(fe) > 0 {
			return PreviewAnswer{}, fe
		}
		res, rs, err := grants.Fraction(in.Scheme, in.Fraction, amount, n, from.Year(), paid, h.Caps)
		if err != nil {
			return PreviewAnswer{}, err
		}
		return PreviewAnswer{Scheme: in.Scheme, Subsidy: &res, Reasons: rs}, nil
	default:
		return PreviewAnswer{}, events.FieldErrors{{Field: "scheme", Code: "enum",
			Da: "Ordningen skal være wage, adultapprentice, flexjob eller selfemployed136.", En: "The scheme must be wage, adultapprentice, flexjob or selfemployed136."}}
	}
}
