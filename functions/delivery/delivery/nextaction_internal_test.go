package delivery

import (
	"testing"

	"nemrefusion.dk/events"
)

// The next action names the sender's own follow-ups and the recipient that
// handles the case: recovery and next period exist only for sickness
// (seeds/000 § 1 stk. 1 nr. 1), and a parental leave case waits for
// Udbetaling Danmark (barselsloven § 40 stk. 1), not "the municipality".
func TestNextActionFollowsTheBlanketsFamilyAndRecipient(t *testing.T) {
	for _, tc := range []struct {
		blanket, code, da string
	}{
		{events.SicknessEmployerReported, "follow-up", "Meld raskmelding, eller søg refusion for næste periode."},
		{events.ParentalEmployerReported, "await", "Afvent Udbetaling Danmarks behandling."},
		{events.SubsidyWageRequested, "await", "Afvent kommunens behandling."},
	} {
		got := nextAction(AbsenceSummary{Blanket: tc.blanket, Feedback: true, Status: "delivered"})
		if got.Code != tc.code || got.Da != tc.da {
			t.Errorf("%s: %+v, want %s %q", tc.blanket, got, tc.code, tc.da)
		}
	}
}
