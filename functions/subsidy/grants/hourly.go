package grants

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

//go:embed rates.json
var ratesJSON []byte

// Target groups of an adult apprentice (LAB § 155), as the jobcenter's
// decision names them; each has its hourly subsidy (LAB § 159).
const (
	// GroupUnemployed: § 155, stk. 1 (from unemployment), § 159, stk. 2.
	GroupUnemployed = "unemployed"
	// GroupEmployed: § 155, stk. 2 (from employment), § 159, stk. 3.
	GroupEmployed = "employed"
)

// HourlyRate is a subsidy per hour the law fixes for a scheme and a target
// group from a day on (To, when set, is its last day), with the law and
// where it was published.
type HourlyRate struct {
	Scheme string       `json:"scheme"`
	Group  string       `json:"group"`
	From   string       `json:"from"`
	To     string       `json:"to,omitempty"`
	Hourly kernel.Money `json:"hourly"`
	Law    string       `json:"law"`
	Source string       `json:"source"`

	from, to kernel.Date
}

// Rates is the table of hourly subsidies (rates.json). It is immutable.
type Rates struct{ list []HourlyRate }

// DefaultRates returns the rates embedded in the package (rates.json): the
// adult apprentice subsidy of LAB § 159, stk. 2 and 3, in force since the
// law of 1 January 2020.
func DefaultRates() (Rates, error) { return ParseRates(ratesJSON) }

// ParseRates reads a JSON array of rates: each with a known scheme, a
// group, a first day (and a last day not before it), a positive rate, its
// law and its source; two rates of one scheme and group never overlap.
func ParseRates(data []byte) (Rates, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var list []HourlyRate
	if err := dec.Decode(&list); err != nil {
		return Rates{}, fmt.Errorf("parse rates: %w", err)
	}
	for i, r := range list {
		k := r.Scheme + "/" + r.Group + "/" + r.From
		var err error
		if r.from, err = kernel.ParseDate(r.From); err != nil {
			return Rates{}, fmt.Errorf("parse rates: %s: from: %w", k, err)
		}
		if r.To != "" {
			if r.to, err = kernel.ParseDate(r.To); err != nil || r.to.Before(r.from) {
				return Rates{}, fmt.Errorf("parse rates: %s: to must be a day not before from", k)
			}
		}
		switch {
		case r.Scheme != SchemeAdultApprentice:
			return Rates{}, fmt.Errorf("parse rates: unknown scheme %q", r.Scheme)
		case r.Group == "" || r.Hourly <= 0 || r.Law == "" || r.Source == "":
			return Rates{}, fmt.Errorf("parse rates: %s needs a group, a positive rate, its law and its source", k)
		}
		for _, o := range list[:i] {
			if o.Scheme == r.Scheme && o.Group == r.Group && overlaps(o, r) {
				return Rates{}, fmt.Errorf("parse rates: %s overlaps %s/%s/%s", k, o.Scheme, o.Group, o.From)
			}
		}
		list[i] = r
	}
	return Rates{list: list}, nil
}

func overlaps(a, b HourlyRate) bool {
	endsBefore := func(x, y HourlyRate) bool { return !x.to.IsZero() && x.to.Before(y.from) }
	return !endsBefore(a, b) && !endsBefore(b, a)
}

// Rate returns the rate of scheme and group on day.
func (r Rates) Rate(scheme, group string, day kernel.Date) (HourlyRate, bool) {
	for _, x := range r.list {
		if x.Scheme == scheme && x.Group == group && !day.Before(x.from) && (x.to.IsZero() || !day.After(x.to)) {
			return x, true
		}
	}
	return HourlyRate{}, false
}

// HourlyResult is a subsidy per hour: the hours, the rate applied and the
// amount; Rate and Amount are nil when the request does not give what the
// rate follows from (RateUnknown), and the municipality computes it from
// its agreement or decision.
type HourlyResult struct {
	Scheme string  `json:"scheme"`
	Hours  float64 `json:"hours"`
	// WagesOfHours is, for a wage subsidy, the wages of the hours worked
	// (hours × hourly wage, at most the wages paid): the subsidy's ceiling.
	WagesOfHours *kernel.Money `json:"wagesOfHours,omitempty"`
	Rate         *kernel.Money `json:"rate,omitempty"`
	Amount       *kernel.Money `json:"amount,omitempty"`
	RateUnknown  bool          `json:"rateUnknown"`
}

// WageSubsidy computes the wage subsidy of a period (LAB chapter 12): the
// hours worked × the hourly subsidy of the jobcenter's agreement (agreed),
// at most the wages of those hours — hours × hourly wage, and at most the
// wages paid (hours of absence without wages get nothing). The rate is the
// agreement's: it differs by employer (private or public) and target group
// and no yearly table of it is in the sources, so none is guessed. Without
// agreed the amount is left to the municipality (RateUnknown) and a reason
// says so. Amounts are rounded half up to whole øre.
func WageSubsidy(hours float64, hourlyWage, wagesPaid kernel.Money, agreed *kernel.Money) (HourlyResult, []kernel.Reason) {
	wages := min(hourlyWage.TimesHours(hours), wagesPaid)
	res := HourlyResult{Scheme: SchemeWage, Hours: kernel.RoundHours(hours), WagesOfHours: &wages}
	rs := []kernel.Reason{{Rule: "lab-12-wages-of-hours", Law: "LAB kapitel 12 (løntilskud)", Source: SourceWageSubsidy,
		TextDa: fmt.Sprintf("Tilskuddet gives for de %s arbejdede timer og højst med lønnen for dem: %s × %s = %s, dog højst den udbetalte løn %s: %s.",
			hoursDa(hours), hoursDa(hours), hourlyWage.Danish(), hourlyWage.TimesHours(hours).Danish(), wagesPaid.Danish(), wages.Danish()),
		TextEn: fmt.Sprintf("The subsidy is for the %s hours worked and at most their wages: %s × %s = %s, at most the wages paid %s: %s.",
			hoursEn(hours), hoursEn(hours), hourlyWage.English(), hourlyWage.TimesHours(hours).English(), wagesPaid.English(), wages.English()),
		Inputs: map[string]any{"hoursWorked": hours, "hourlyWage": hourlyWage, "wagesPaid": wagesPaid}, Result: wages}}
	if agreed == nil {
		res.RateUnknown = true
		rs = append(rs, kernel.Reason{Rule: "lab-12-rate-unknown", Law: "LAB kapitel 12 (løntilskud)", Source: SourceWageSubsidy,
			TextDa: "Aftalens tilskud pr. time er ikke oplyst; kommunen beregner tilskuddet efter aftalen med jobcenteret.",
			TextEn: "The agreement's hourly subsidy is not given; the municipality computes the subsidy from the agreement with the jobcentre."})
		return res, rs
	}
	rate := *agreed
	amount := min(rate.TimesHours(hours), wages)
	res.Rate, res.Amount = &rate, &amount
	rs = append(rs, kernel.Reason{Rule: "lab-12-amount", Law: "LAB kapitel 12 (løntilskud)", Source: SourceWageSubsidy,
		TextDa: fmt.Sprintf("Tilskuddet er aftalens %s pr. time × %s timer = %s, højst lønnen for timerne %s: %s (afrundet til nærmeste øre, halve øre op).",
			rate.Danish(), hoursDa(hours), rate.TimesHours(hours).Danish(), wages.Danish(), amount.Danish()),
		TextEn: fmt.Sprintf("The subsidy is the agreement's %s an hour × %s hours = %s, at most the wages of the hours %s: %s (rounded to the nearest øre, half up).",
			rate.English(), hoursEn(hours), rate.TimesHours(hours).English(), wages.English(), amount.English()),
		Inputs: map[string]any{"hourlySubsidy": rate, "hoursWorked": hours, "wagesOfHours": wages}, Result: amount})
	return res, rs
}

// AdultApprenticeSubsidy computes the adult apprentice subsidy of a month
// (LAB § 159): the hours × the rate the law fixes for the apprentice's
// target group (§ 155, stk. 1: 45 kr.; stk. 2: 30 kr.; rates.json). Without
// a group the amount is left to the municipality (RateUnknown) and a reason
// says so; a group with no rate on the month's first day is refused with a
// field error naming the month.
func AdultApprenticeSubsidy(month kernel.Date, hours float64, group string, rates Rates) (HourlyResult, []kernel.Reason, error) {
	res := HourlyResult{Scheme: SchemeAdultApprentice, Hours: kernel.RoundHours(hours)}
	if group == "" {
		res.RateUnknown = true
		return res, []kernel.Reason{{Rule: "lab-159-group-unknown", Law: "LAB § 159", Source: SourceLAB159,
			TextDa: "Det er ikke oplyst, om voksenlærlingen kommer fra ledighed (LAB § 155, stk. 1: 45 kr. pr. time) eller fra beskæftigelse (stk. 2: 30 kr. pr. time); kommunen beregner tilskuddet efter afgørelsen.",
			TextEn: "It is not given whether the adult apprentice comes from unemployment (LAB § 155(1): 45 kr. an hour) or from employment (§ 155(2): 30 kr. an hour); the municipality computes the subsidy from its decision."}}, nil
	}
	r, ok := rates.Rate(SchemeAdultApprentice, group, month)
	if !ok {
		return res, nil, events.FieldErrors{{Field: "month", Code: "no_rate",
			Da: fmt.Sprintf("Tilskuddet pr. time efter LAB § 159 for %s findes ikke i systemet, så tilskuddet kan ikke beregnes. Kontakt jobcenteret.", monthDa(month)),
			En: fmt.Sprintf("The hourly subsidy under LAB § 159 for %s is not in the system, so the subsidy cannot be computed. Contact the jobcentre.", monthEn(month))}}
	}
	amount := r.Hourly.TimesHours(hours)
	res.Rate, res.Amount = &r.Hourly, &amount
	return res, []kernel.Reason{{Rule: "lab-159-rate", Law: r.Law, Source: r.Source,
		TextDa: fmt.Sprintf("Tilskuddet er %s pr. time (%s) × %s timer i %s = %s.", r.Hourly.Danish(), r.Law, hoursDa(hours), monthDa(month), amount.Danish()),
		TextEn: fmt.Sprintf("The subsidy is %s an hour (%s) × %s hours in %s = %s.", r.Hourly.English(), r.Law, hoursEn(hours), monthEn(month), amount.English()),
		Inputs: map[string]any{"group": group, "hours": hours, "month": month}, Result: amount}}, nil
}
