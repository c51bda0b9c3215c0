package delivery

import (
	"testing"

	"nemrefusion.dk/events"
)

// Sygedagpengeloven § 7 (raskmelding) and § 59, stk. 2: the rules' deadline
// of the report itself is the next action of an open absence; once the
// absence has ended (the sick person or the sender reported recovery) it is
// no action for the employer, who waits for the municipality. A deadline
// the recipient set stays the next action.
func TestNextActionOfARecoveredAbsenceIsNotTheReportsDeadline(t *testing.T) {
	report := &DeadlineView{Deadline: events.Deadline{Kind: "refusion-report", Date: "2099-01-01", TextDa: "frist", TextEn: "deadline"}, Source: "rules"}
	municipality := &DeadlineView{Deadline: events.Deadline{Kind: "documentation", Date: "2099-01-01", TextDa: "send", TextEn: "send"}, Source: "recipient"}
	for _, tc := range []struct {
		name     string
		s        AbsenceSummary
		wantCode string
	}{
		{"open", AbsenceSummary{State: "reported", NextDeadline: report}, "deadline"},
		{"recovered", AbsenceSummary{State: "recovered", LastAbsenceDay: "2024-04-05", NextDeadline: report}, "await"},
		{"recovered, the municipality's deadline", AbsenceSummary{State: "recovered", LastAbsenceDay: "2024-04-05", NextDeadline: municipality}, "deadline"},
	} {
		tc.s.Blanket, tc.s.Feedback, tc.s.Status = events.SicknessEmployerReported, true, "delivered"
		if got := nextAction(tc.s); got.Code != tc.wantCode {
			t.Errorf("%s: %+v, want %s", tc.name, got, tc.wantCode)
		}
	}
}
