package delivery

import "nemrefusion.dk/events"

// reportDeadlinePassedBy tells whether s's next deadline is only the rules'
// deadline of the sickness report itself (refusion from the day after the
// employer period, sygedagpengeloven § 59, stk. 2) on an absence that has
// ended — recovered by the sender or by the sick person (sygedagpengeloven
// § 7): the report was made and the absence is over, so it is no action
// for the sender; the next action is the recipient's.
func reportDeadlinePassedBy(s AbsenceSummary) bool {
	b, _ := events.BlanketOf(s.Blanket)
	d := s.NextDeadline
	return d != nil && d.Kind == "refusion-report" && d.Source == "rules" && b.Family == events.FamilySickness &&
		(s.State == "recovered" || s.LastAbsenceDay != "")
}
