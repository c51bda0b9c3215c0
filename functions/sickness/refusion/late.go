package refusion

import (
	"fmt"

	"nemrefusion.dk/functions/kernel"
)

// BackdatingMonths is how far back before the request refusion can reach
// (sygedagpengeloven § 59, stk. 2, 4 and 5).
const BackdatingMonths = 3

// DispensationMonths is the limit after the first absence day beyond which no
// refusion is paid for a request (sygedagpengeloven § 59, stk. 6).
const DispensationMonths = 6

// IsLate tells whether a report received on received misses deadline; a
// report received on the deadline itself is in time (sygedagpengeloven § 40
// and § 59, stk. 3).
func IsLate(deadline, received kernel.Date) (bool, kernel.Reason) {
	late := received.After(deadline)
	r := kernel.Reason{
		Rule:   "sdl-59-3-late",
		Law:    "sygedagpengeloven § 40 og § 59, stk. 3",
		Source: srcSDL59,
		Inputs: map[string]any{"reportDeadline": deadline, "receivedOn": received},
		Result: late,
	}
	if late {
		r.TextDa = fmt.Sprintf("Anmeldelsen er modtaget %s, efter fristen %s, og er for sent.", received.Danish(), deadline.Danish())
		r.TextEn = fmt.Sprintf("The report was received on %s, after the deadline %s, and is late.", received.English(), deadline.English())
	} else {
		r.TextDa = fmt.Sprintf("Anmeldelsen er modtaget %s, senest på fristen %s, og er rettidig.", received.Danish(), deadline.Danish())
		r.TextEn = fmt.Sprintf("The report was received on %s, no later than the deadline %s, and is in time.", received.English(), deadline.English())
	}
	return late, r
}

// BackdatingLimit returns the earliest day a request received on received
// can cover: 3 months before it, the same day number (or the month's last
// day) (sygedagpengeloven § 59, stk. 2, 4 and 5).
func BackdatingLimit(received kernel.Date) kernel.Date { return received.AddMonths(-BackdatingMonths) }

// BeyondDispensationLimit tells whether a request received on received comes
// more than 6 months after the first absence day; then no refusion is paid
// (sygedagpengeloven § 59, stk. 6: not even by dispensation). Received on the
// day exactly 6 months after is not beyond it.
func BeyondDispensationLimit(first, received kernel.Date) (bool, kernel.Reason) {
	limit := first.AddMonths(DispensationMonths)
	beyond := received.After(limit)
	r := kernel.Reason{
		Rule:   "sdl-59-6",
		Law:    "sygedagpengeloven § 59, stk. 6",
		Source: srcSDL59,
		Inputs: map[string]any{"firstAbsenceDay": first, "receivedOn": received},
		Result: beyond,
	}
	if beyond {
		r.TextDa = fmt.Sprintf("Anmodningen er modtaget %s, mere end 6 måneder efter første fraværsdag (grænsen er %s). Der ydes ingen refusion, heller ikke ved dispensation.", received.Danish(), limit.Danish())
		r.TextEn = fmt.Sprintf("The request was received on %s, more than 6 months after the first absence day (the limit is %s). No reimbursement is paid, not even by dispensation.", received.English(), limit.English())
	} else {
		r.TextDa = fmt.Sprintf("Anmodningen er modtaget inden for 6 måneder efter første fraværsdag (senest %s).", limit.Danish())
		r.TextEn = fmt.Sprintf("The request was received within 6 months of the first absence day (by %s).", limit.English())
	}
	return beyond, r
}

// RefusionStartInput is what decides the first day of refusion once the
// employer pays wages and the employer period is known.
type RefusionStartInput struct {
	FirstAbsenceDay kernel.Date
	LastAbsenceDay  *kernel.Date
	// Earliest is the first day refusion could run: the day after the
	// employer period, or the first absence day when there is none.
	Earliest       kernel.Date
	ReportDeadline kernel.Date
	ReceivedOn     kernel.Date
}

// RefusionStart decides the first day of refusion under sygedagpengeloven
// § 59, or nil when none is due, and whether the report was late:
//   - an absence that ended before Earliest (inside the employer period) gives none;
//   - a request received more than 6 months after the first absence day gives none (stk. 6);
//   - a report in time covers at most 3 months before the request (stk. 2);
//   - a late report gives refusion only from the day it was received (stk. 3),
//     unless the absence ended within 30 calendar days of the first absence
//     day, in which case 3 months back are covered as if in time (stk. 4).
func RefusionStart(in RefusionStartInput) (*kernel.Date, bool, []kernel.Reason) {
	f, r := in.FirstAbsenceDay, in.ReceivedOn
	late, lateReason := IsLate(in.ReportDeadline, r)
	reasons := []kernel.Reason{lateReason}

	if in.LastAbsenceDay != nil && in.LastAbsenceDay.Before(in.Earliest) {
		last := *in.LastAbsenceDay
		reason := kernel.Reason{
			Rule:   "sdl-30-1-ended",
			Law:    "sygedagpengeloven § 30, stk. 1",
			Source: srcSDL30,
			TextDa: fmt.Sprintf("Fraværet sluttede %s, inden for arbejdsgiverperioden. Der ydes ingen refusion.", last.Danish()),
			TextEn: fmt.Sprintf("The absence ended on %s, within the employer period. No reimbursement is due.", last.English()),
			Inputs: map[string]any{"lastAbsenceDay": last, "refusionCouldStart": in.Earliest},
			Result: nil,
		}
		if late {
			reason.Law += " og § 59, stk. 4"
			reason.TextDa += " At anmeldelsen er for sent, har derfor ingen betydning: fraværet sluttede inden for 30 dage, og der skulle ikke være ydet refusion ud over arbejdsgiverperioden."
			reason.TextEn += " That the report is late therefore makes no difference: the absence ended within 30 days, and no reimbursement was due beyond the employer period anyway."
		}
		return nil, late, append(reasons, reason)
	}

	if beyond, reason := BeyondDispensationLimit(f, r); beyond {
		return nil, late, append(reasons, reason)
	}

	endedWithin30 := in.LastAbsenceDay != nil && in.LastAbsenceDay.Before(f.AddDays(EmployerPeriodDays))
	var from kernel.Date
	switch {
	case !late:
		limit := BackdatingLimit(r)
		from = maxDate(in.Earliest, limit)
		reasons = append(reasons, kernel.Reason{
			Rule:   "sdl-59-2",
			Law:    "sygedagpengeloven § 59, stk. 2",
			Source: srcSDL59,
			TextDa: fmt.Sprintf("Anmeldelsen er rettidig, og refusion kan ydes for op til 3 måneder før anmodningen (tidligst %s). Refusion fra %s.", limit.Danish(), from.Danish()),
			TextEn: fmt.Sprintf("The report is in time, and reimbursement can cover up to 3 months before the request (from %s at the earliest). Reimbursement from %s.", limit.English(), from.English()),
			Inputs: map[string]any{"receivedOn": r, "refusionCouldStart": in.Earliest},
			Result: from,
		})
	case endedWithin30:
		limit := BackdatingLimit(r)
		from = maxDate(in.Earliest, limit)
		reasons = append(reasons, kernel.Reason{
			Rule:   "sdl-59-4",
			Law:    "sygedagpengeloven § 59, stk. 4",
			Source: srcSDL59,
			TextDa: fmt.Sprintf("Anmeldelsen er for sent, men fraværet sluttede %s, inden for 30 kalenderdage fra første fraværsdag. Refusion kan derfor ydes for op til 3 måneder før anmodningen (tidligst %s). Refusion fra %s.", in.LastAbsenceDay.Danish(), limit.Danish(), from.Danish()),
			TextEn: fmt.Sprintf("The report is late, but the absence ended on %s, within 30 calendar days of the first absence day. Reimbursement can therefore cover up to 3 months before the request (from %s at the earliest). Reimbursement from %s.", in.LastAbsenceDay.English(), limit.English(), from.English()),
			Inputs: map[string]any{"receivedOn": r, "lastAbsenceDay": *in.LastAbsenceDay, "refusionCouldStart": in.Earliest},
			Result: from,
		})
	default:
		from = maxDate(in.Earliest, r)
		reasons = append(reasons, kernel.Reason{
			Rule:   "sdl-59-3",
			Law:    "sygedagpengeloven § 59, stk. 3",
			Source: srcSDL59,
			TextDa: fmt.Sprintf("Anmeldelsen er for sent. Refusion kan kun ydes fra den dag, anmeldelsen er modtaget: fra %s.", from.Danish()),
			TextEn: fmt.Sprintf("The report is late. Reimbursement can only be paid from the day the report was received: from %s.", from.English()),
			Inputs: map[string]any{"receivedOn": r, "refusionCouldStart": in.Earliest},
			Result: from,
		})
	}

	if in.LastAbsenceDay != nil && from.After(*in.LastAbsenceDay) {
		last := *in.LastAbsenceDay
		return nil, late, append(reasons, kernel.Reason{
			Rule:   "sdl-59-nothing-left",
			Law:    "sygedagpengeloven § 59",
			Source: srcSDL59,
			TextDa: fmt.Sprintf("Fraværet sluttede %s, før refusionen kunne begynde (%s). Der ydes ingen refusion.", last.Danish(), from.Danish()),
			TextEn: fmt.Sprintf("The absence ended on %s, before reimbursement could start (%s). No reimbursement is due.", last.English(), from.English()),
			Inputs: map[string]any{"lastAbsenceDay": last, "refusionFrom": from},
			Result: nil,
		})
	}
	return datePtr(from), late, reasons
}
