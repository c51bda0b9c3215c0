package grants

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

// Sources of the rules (shared/DOMAIN.md, Subsidies).
const (
	SourceWageSubsidy = "https://www.nemrefusion.dk/mere-information/regler-og-lovstof/loentilskud-fleksjob/"
	SourceLAB133      = "https://www.elov.dk/lov-om-en-aktiv-beskaeftigelsesindsats/paragraf/133/"
	SourceLAB136      = "https://www.elov.dk/lov-om-en-aktiv-beskaeftigelsesindsats/paragraf/136/"
	SourceLAB159      = "https://www.elov.dk/lov-om-en-aktiv-beskaeftigelsesindsats/paragraf/159/"
	// No public URL was collected for these two; the rule is as
	// shared/DOMAIN.md states it, from the executive order's list.
	SourceLAS69t    = "shared/DOMAIN.md, Subsidies (bekendtgørelse om Nemrefusion § 1 stk. 1 nr. 2)"
	SourceLABMentor = "shared/DOMAIN.md, Subsidies (bekendtgørelse om Nemrefusion § 1 stk. 1 nr. 4)"
)

// PaymentDay is the last day of a month a wage subsidy request may be
// received on to be paid that month.
const PaymentDay = 15

// PaymentMonth returns the month a wage subsidy request received on
// received is paid in: that month when received by the 15th, else the next.
func PaymentMonth(received kernel.Date) (string, kernel.Reason) {
	m := kernel.NewDate(received.Year(), received.Month(), 1)
	if received.Day() > PaymentDay {
		m = m.AddMonths(1)
	}
	month := fmt.Sprintf("%04d-%02d", m.Year(), int(m.Month()))
	return month, kernel.Reason{Rule: "lab-12-payment-month", Law: "LAB kapitel 12 (løntilskud via NemRefusion)", Source: SourceWageSubsidy,
		TextDa: fmt.Sprintf("Anmodninger modtaget senest den %d. i måneden udbetales i samme måned; anmodningen er modtaget %s og udbetales i %s.", PaymentDay, received.Danish(), month),
		TextEn: fmt.Sprintf("Requests received by the %dth of a month are paid that month; the request was received on %s and is paid in %s.", PaymentDay, received.English(), month),
		Inputs: map[string]any{"receivedOn": received}, Result: month}
}

// FractionResult is a subsidy computed as a fraction of an amount and
// capped per year. Cap and Amount are nil when the year's cap is unknown
// (CapUnknown); such a request is refused, never paid without its cap.
type FractionResult struct {
	Scheme          string       `json:"scheme"`
	Fraction        string       `json:"fraction"`
	Basis           kernel.Money `json:"basis"`
	AmountBeforeCap kernel.Money `json:"amountBeforeCap"`
	Year            int          `json:"year"`
	PaidThisYear    kernel.Money `json:"paidThisYear"`
	// HourlyCap is the period's hours × the hourly ceiling of the basis,
	// when the request gives its hours (LAB § 133, stk. 3).
	HourlyCap *kernel.Money `json:"hourlyCap,omitempty"`
	// Cap is the year's highest subsidy: the fraction of the yearly
	// ceiling of the basis.
	Cap        *kernel.Money `json:"cap,omitempty"`
	Amount     *kernel.Money `json:"amount,omitempty"`
	CapUnknown bool          `json:"capUnknown"`
}

// Fraction computes the flexjob subsidy (LAB § 133: ½ or ⅔ of the wages)
// or the § 136 support (½ or ⅔ of the basis the decision names) for a
// period of year. The law's ceilings (§ 133, stk. 3; § 136, stk. 2) are
// the year's YearCap: the basis counts at most hours × the hourly ceiling
// (when hours > 0; the § 136 request gives none), and the subsidy of the
// year is at most the fraction of the yearly ceiling, less paidThisYear.
// Amounts are rounded half up to whole øre. When the year has no cap in
// the table the result says so (CapUnknown) with the amount before the
// cap, and the error is ErrNoCap: the preview answers 422 and the function
// rejects the request (NoCapFieldError). It returns events.FieldErrors for
// a fraction that is neither "1/2" nor "2/3" or a basis that is not
// positive.
func Fraction(scheme, fraction string, basis kernel.Money, hours float64, year int, paidThisYear kernel.Money, caps Caps) (FractionResult, []kernel.Reason, error) {
	var num, den int64
	switch fraction {
	case "1/2":
		num, den = 1, 2
	case "2/3":
		num, den = 2, 3
	default:
		return FractionResult{}, nil, events.FieldErrors{{Field: "fraction", Code: "enum", Da: "Tilskuddet skal være 1/2 eller 2/3.", En: "The subsidy must be 1/2 or 2/3."}}
	}
	if basis <= 0 {
		return FractionResult{}, nil, events.FieldErrors{{Field: "basis", Code: "amount", Da: "Beløbet skal være over 0 kr.", En: "The amount must be above 0 kr."}}
	}
	law, src := lawOf(scheme), SourceLAB133
	if scheme == SchemeSelfEmployed136 {
		src = SourceLAB136
	}
	before := basis.MulDiv(num, den)
	res := FractionResult{Scheme: scheme, Fraction: fraction, Basis: basis, AmountBeforeCap: before, Year: year, PaidThisYear: paidThisYear}
	rs := []kernel.Reason{{Rule: "lab-133-fraction", Law: law, Source: src,
		TextDa: fmt.Sprintf("Tilskuddet er %s af %s: %s (afrundet til nærmeste øre, halve øre op).", fraction, basis.Danish(), before.Danish()),
		TextEn: fmt.Sprintf("The subsidy is %s of %s: %s (rounded to the nearest øre, half up).", fraction, basis.English(), before.English()),
		Inputs: map[string]any{"fraction": fraction, "basis": basis}, Result: before}}
	yc, err := caps.Cap(scheme, year)
	var noCap ErrNoCap
	if errors.As(err, &noCap) {
		res.CapUnknown = true
		rs = append(rs, kernel.Reason{Rule: "lab-133-cap-unknown", Law: law + " (loft pr. år)", Source: src,
			TextDa: fmt.Sprintf("Loftet for tilskuddet i %d findes ikke i systemet; tilskuddet kan ikke beregnes.", year),
			TextEn: fmt.Sprintf("The yearly cap of the subsidy for %d is not in the system; the subsidy cannot be computed.", year),
			Inputs: map[string]any{"year": year}})
		return res, rs, fmt.Errorf("subsidy amount: %w", err)
	} else if err != nil {
		return res, rs, err
	}
	level := ""
	if yc.Note != "" {
		level = " (" + yc.Note + ")"
	}
	counted := basis
	if yc.Hourly > 0 && hours > 0 {
		hc := yc.Hourly.TimesHours(hours)
		res.HourlyCap = &hc
		counted = min(basis, hc)
		rs = append(rs, kernel.Reason{Rule: "lab-133-hourly-cap", Law: law + " (loft pr. time)", Source: yc.Source,
			TextDa: fmt.Sprintf("Tilskuddet beregnes højst af %s pr. time%s; for %s timer er det %s, så der regnes med %s.", yc.Hourly.Danish(), level, hoursDa(hours), hc.Danish(), counted.Danish()),
			TextEn: fmt.Sprintf("The subsidy is computed from at most %s an hour%s; for %s hours that is %s, so %s counts.", yc.Hourly.English(), level, hoursEn(hours), hc.English(), counted.English()),
			Inputs: map[string]any{"hours": hours, "hourly": yc.Hourly}, Result: counted})
	}
	capped := counted.MulDiv(num, den)
	yearCap := yc.Amount.MulDiv(num, den)
	left := max(yearCap-paidThisYear, 0)
	amount := min(capped, left)
	res.Cap, res.Amount = &yearCap, &amount
	rs = append(rs, kernel.Reason{Rule: "lab-133-cap", Law: law + " (loft pr. år)", Source: yc.Source,
		TextDa: fmt.Sprintf("Tilskuddet beregnes højst af %s om året%s, så det er højst %s i %d; der er beregnet %s i året, så tilskuddet er højst %s: %s.", yc.Amount.Danish(), level, yearCap.Danish(), year, paidThisYear.Danish(), left.Danish(), amount.Danish()),
		TextEn: fmt.Sprintf("The subsidy is computed from at most %s a year%s, so it is at most %s in %d; %s has been computed this year, so the subsidy is at most %s: %s.", yc.Amount.English(), level, yearCap.English(), year, paidThisYear.English(), left.English(), amount.English()),
		Inputs: map[string]any{"year": year, "yearlyBasisCap": yc.Amount, "cap": yearCap, "paidThisYear": paidThisYear}, Result: amount})
	return res, rs, nil
}

// JobClarificationMonths is how far back refusion of resource-process
// benefit during job clarification goes from the request (LAS § 69 t).
const JobClarificationMonths = 3

// JobClarificationFrom returns the first day refusion is due for a period
// of a job clarification process: from the start of the process, at most 3
// months before the request was received (LAS § 69 t). ok is false when
// nothing of the period is left.
func JobClarificationFrom(processStart, from, to, received kernel.Date) (kernel.Date, bool, kernel.Reason) {
	limit := received.AddMonths(-JobClarificationMonths)
	start := from
	for _, d := range []kernel.Date{processStart, limit} {
		if d.After(start) {
			start = d
		}
	}
	ok := !start.After(to)
	r := kernel.Reason{Rule: "las-69t-from", Law: "LAS § 69 t", Source: SourceLAS69t,
		Inputs: map[string]any{"processStart": processStart, "from": from, "to": to, "receivedOn": received, "limit": limit}, Result: start}
	if ok {
		r.TextDa = fmt.Sprintf("Refusion ydes fra forløbets start %s, dog højst 3 måneder før anmodningen (%s): fra %s.", processStart.Danish(), limit.Danish(), start.Danish())
		r.TextEn = fmt.Sprintf("Reimbursement runs from the start of the process %s, at most 3 months before the request (%s): from %s.", processStart.English(), limit.English(), start.English())
	} else {
		r.Result = nil
		r.TextDa = fmt.Sprintf("Perioden slutter %s, før grænsen %s (3 måneder før anmodningen); der kan ikke ydes refusion.", to.Danish(), limit.Danish())
		r.TextEn = fmt.Sprintf("The period ends on %s, before the limit %s (3 months before the request); no reimbursement can be paid.", to.English(), limit.English())
	}
	return start, ok, r
}

// InArrears checks that the adult apprentice subsidy for month (its first
// day) is requested after the month has ended: it is paid monthly in
// arrears, per hour, on the employer's request (LAB § 159).
func InArrears(month, received kernel.Date) (bool, kernel.Reason) {
	next := month.AddMonths(1)
	ok := !received.Before(next)
	r := kernel.Reason{Rule: "lab-159-arrears", Law: "LAB § 159", Source: SourceLAB159,
		Inputs: map[string]any{"month": month, "receivedOn": received}, Result: ok}
	if ok {
		r.TextDa = fmt.Sprintf("Tilskuddet udbetales månedsvis bagud pr. time; %s er slut, så der kan anmodes om det.", monthDa(month))
		r.TextEn = fmt.Sprintf("The subsidy is paid monthly in arrears per hour; %s has ended, so it can be requested.", monthEn(month))
	} else {
		r.TextDa = fmt.Sprintf("Tilskuddet udbetales månedsvis bagud; for %s kan der først anmodes fra %s.", monthDa(month), next.Danish())
		r.TextEn = fmt.Sprintf("The subsidy is paid monthly in arrears; %s can be requested from %s.", monthEn(month), next.English())
	}
	return ok, r
}

// MentorMonths is the longest a mentor grant runs; it may be renewed
// (LAB chapter 26).
const MentorMonths = 6

// MentorGrant checks a mentor grant (at most 6 months) and that the period
// paid for lies inside it; renewalOf names the grant a renewal continues.
func MentorGrant(grantFrom, grantTo, from, to kernel.Date, renewalOf string) (events.FieldErrors, []kernel.Reason) {
	var fe events.FieldErrors
	last := grantFrom.AddMonths(MentorMonths).AddDays(-1)
	r := kernel.Reason{Rule: "lab-26-mentor-6-months", Law: "LAB kapitel 26", Source: SourceLABMentor,
		Inputs: map[string]any{"grantFrom": grantFrom, "grantTo": grantTo, "renewalOf": renewalOf}, Result: !grantTo.After(last)}
	if grantTo.After(last) {
		fe.Add("grant.to", "longer_than_6_months", fmt.Sprintf("En mentorbevilling gælder højst 6 måneder (til %s); forlæng den med en ny bevilling.", last.Danish()),
			fmt.Sprintf("A mentor grant runs at most 6 months (until %s); renew it with a new grant.", last.English()))
	}
	r.TextDa = fmt.Sprintf("Mentorstøtte bevilges for højst 6 måneder ad gangen og kan forlænges; bevillingen løber %s–%s.", grantFrom.Danish(), grantTo.Danish())
	r.TextEn = fmt.Sprintf("Mentor support is granted for at most 6 months at a time and may be renewed; the grant runs %s–%s.", grantFrom.English(), grantTo.English())
	if renewalOf != "" {
		r.TextDa += " Bevillingen forlænger " + renewalOf + "."
		r.TextEn += " The grant renews " + renewalOf + "."
	}
	if from.Before(grantFrom) || to.After(grantTo) {
		fe.Add("period", "outside_grant", "Perioden ligger uden for bevillingens periode.", "The period lies outside the grant's period.")
	}
	return fe, []kernel.Reason{r}
}

// monthDa returns e.g. "marts 2024".
func monthDa(d kernel.Date) string {
	return fmt.Sprintf("%s %d", kernel.DanishMonth(d.Month()), d.Year())
}

// monthEn returns e.g. "March 2024".
func monthEn(d kernel.Date) string { return fmt.Sprintf("%s %d", d.Month(), d.Year()) }

// hoursDa returns hours to hundredths with a decimal comma ("160,5").
func hoursDa(h float64) string { return strings.ReplaceAll(hoursEn(h), ".", ",") }

// hoursEn returns hours to hundredths ("160.5").
func hoursEn(h float64) string { return strconv.FormatFloat(kernel.RoundHours(h), 'f', -1, 64) }
