package events

import (
	"slices"
	"testing"
)

// seeds/000 § 1 stk. 3: the sender follows the case (feedback) for the
// employer's and the self-employed person's sickness and parental reports
// and their follow-ups; never for the a-kasse's reports, the early
// follow-up request or the subsidies. § 1 stk. 8: the person is told
// (notification) of what an employer or an a-kasse reported, never of
// their own report nor of the subsidy requests it exempts (wage and
// flexjob subsidy, adult apprentice, mentor): of the subsidies only the
// job clarification request (LAS § 69 t) gets one.
func TestRegistryFollowsSection1(t *testing.T) {
	if len(Blankets()) != 22 {
		t.Errorf("%d blankets registered; the executive order has 17 forms here, with the follow-ups of the three families 22", len(Blankets()))
	}
	for _, b := range Blankets() {
		onlyAKasse := slices.Equal(b.Senders, []string{SenderAKasse})
		wantFeedback := b.Family != FamilySubsidy && !onlyAKasse && b.Type != SicknessEarlyFollowUpRequested
		if b.Feedback != wantFeedback {
			t.Errorf("%s: Feedback = %v; § 1 stk. 3 says %v", b.Type, b.Feedback, wantFeedback)
		}
		first := b.Delivery != "" // a first report, not a follow-up on an open case
		selfOnly := slices.Equal(b.Senders, []string{SenderSelfEmployed})
		wantNotify := (b.Family != FamilySubsidy || b.Type == SubsidyJobClarificationRequested) && first && !selfOnly
		if b.Notification != wantNotify {
			t.Errorf("%s: Notification = %v; § 1 stk. 8 says %v", b.Type, b.Notification, wantNotify)
		}
		wantTo := ToMunicipality
		if b.Family == FamilyParental {
			wantTo = ToUDK // barselsloven § 40 stk. 1
		}
		if b.Recipient != wantTo {
			t.Errorf("%s: Recipient = %s; want %s", b.Type, b.Recipient, wantTo)
		}
		if !Submittable(b.Type) || !Preparable(b.Type) || !slices.Equal(Senders(b.Type), b.Senders) {
			t.Errorf("%s: the policy does not follow the registry", b.Type)
		}
		if !Known(b.Type) {
			t.Errorf("%s: no schema in schemas/", b.Type)
		}
	}
}

// seeds/000 § 1 stk. 3 reserves the feedback loop for employers and the
// self-employed: an a-kasse gets none for any blanket it may send — its
// report, nor a recovery, correction or cancellation of its member's
// absence (blankets every sender may send, with feedback for the others).
func TestFeedbackIsNeverForAnAKasse(t *testing.T) {
	n := 0
	for _, b := range Blankets() {
		for _, role := range b.Senders {
			want := b.Feedback && role != SenderAKasse
			if got := FeedbackFor(b.Type, role); got != want {
				t.Errorf("FeedbackFor(%s, %s) = %v; want %v", b.Type, role, got, want)
			}
			if role == SenderAKasse && b.Feedback {
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no blanket with feedback that an a-kasse may send: the rule is not exercised")
	}
	if !FeedbackFor(SicknessRecoveryReported, SenderEmployer) || FeedbackFor(SicknessRecoveryReported, SenderAKasse) || FeedbackFor("dk.nemrefusion.unknown.v1", SenderEmployer) {
		t.Error("a recovery: feedback to the employer, never to the a-kasse; none for an unknown type")
	}
}

func TestDeliveryKindHasFeedbackFromRegistry(t *testing.T) {
	for kind, want := range map[string]bool{
		"sickness.report":           true,
		SicknessEmployerReported:    true,
		"parental.report":           true,
		"sickness.akasse.report":    false,
		SicknessAKasseReported:      false,
		"subsidy.wage":              false,
		"sickness.recovery":         false, // a follow-up's item leaves the loop as it was
		"dk.nemrefusion.unknown.v1": false,
	} {
		if got := DeliveryKindHasFeedback(kind); got != want {
			t.Errorf("DeliveryKindHasFeedback(%q) = %v; want %v", kind, got, want)
		}
	}
}

func TestBlanketDecodeIsTheDomainCheck(t *testing.T) {
	b, _ := BlanketOf(SicknessEmployerReported)
	v, err := b.Decode(exampleOf(t, SicknessEmployerReported))
	if _, ok := v.(SicknessEmployerReport); err != nil || !ok {
		t.Fatalf("Decode = %T, %v; want a SicknessEmployerReport", v, err)
	}
	if _, err := b.Decode([]byte(`{"cpr":"0000000000","cvr":"1"}`)); err == nil {
		t.Fatal("Decode accepted data its domain checks refuse")
	}
}
