package events

import (
	"encoding/json"
	"strings"
)

// The feedback loop (seeds/000 § 1 stk. 3): what the blanket functions expect
// a recipient to pay, and what the recipients' case systems answer. The
// delivery function consumes all of these and shows the sender, per absence,
// the case status, decisions, deadlines and a reconciliation of expected
// against decided and paid refusion.
const (
	// RefusionExpected is the refusion a blanket function expects for an
	// absence, per period, with the reasons (emitted by the sickness and the
	// maternity functions for employers' refusion). A later event for the same
	// absence replaces the earlier expectation. Data: RefusionExpectation.
	RefusionExpected = "dk.nemrefusion.refusion.expected.v1"
	// CaseRegistered says a recipient's case system registered the absence
	// under its own case number. Posted by case systems. Data: CaseRegistration.
	CaseRegistered = "dk.nemrefusion.case.registered.v1"
	// CaseStatusChanged says the case changed status at the recipient,
	// optionally with a deadline for the sender. Posted by case systems.
	// Data: CaseStatusChange.
	CaseStatusChanged = "dk.nemrefusion.case.status.changed.v1"
	// RefusionDecided is the recipient's decision on refusion: periods and
	// amounts, or a refusal with its reason. Posted by case systems. Data:
	// RefusionDecision.
	RefusionDecided = "dk.nemrefusion.refusion.decided.v1"
	// PaymentMade is a payment of refusion to the sender (amount, period,
	// date, payment reference). Posted by case systems. Data: Payment.
	PaymentMade = "dk.nemrefusion.payment.made.v1"
	// CaseTaskRequested asks for a task for the sick person that the
	// recipient starts (supplementary information, hearing, moving consent);
	// the delivery function turns it into CitizenTasksRequested. Posted by
	// case systems. Data: CaseTaskRequest.
	CaseTaskRequested = "dk.nemrefusion.case.task.requested.v1"
)

// FeedbackTypes are the types case systems post through intake.
var FeedbackTypes = []string{CaseRegistered, CaseStatusChanged, RefusionDecided, PaymentMade, CaseTaskRequested}

// Case-system roles as the login names them (infra/auth.Role values).
const (
	SenderCaseSystem = "case-system"
	SenderUDK        = "udk-caseworker"
)

// CaseSystemSenders are the roles that may post FeedbackTypes: a
// municipality's case system and Udbetaling Danmark, each only into an
// absence that was delivered to it (infra/accept checks that).
var CaseSystemSenders = []string{SenderCaseSystem, SenderUDK}

func isFeedback(eventType string) bool {
	for _, t := range FeedbackTypes {
		if t == eventType {
			return true
		}
	}
	return false
}

// Deadline is a date the sender should know about, e.g. "submit
// documentation by".
type Deadline struct {
	// Kind is a stable code, e.g. "documentation", "report", "hearing".
	Kind   string `json:"kind"`
	Date   string `json:"date"`
	TextDa string `json:"textDa"`
	TextEn string `json:"textEn"`
}

// ExpectedPeriod is one period of expected refusion with the rules that
// gave the amount.
type ExpectedPeriod struct {
	From      string   `json:"from"`
	To        string   `json:"to"`
	AmountOre int64    `json:"amountOre"`
	Reasons   []Reason `json:"reasons,omitempty"`
}

// RefusionExpectation is the data of RefusionExpected.
type RefusionExpectation struct {
	AbsenceID string `json:"absenceId"`
	// SenderCVR is the employer (or the self-employed person's CVR) the
	// refusion is paid to; only that CVR sees the reconciliation.
	SenderCVR string `json:"senderCvr"`
	// Recipient is the municipality number or "UDK".
	Recipient string `json:"recipient,omitempty"`
	// ComputedAt orders expectations of one absence (RFC 3339); the newest wins.
	ComputedAt string           `json:"computedAt"`
	Periods    []ExpectedPeriod `json:"periods"`
	Deadlines  []Deadline       `json:"deadlines,omitempty"`
}

// CaseRegistration is the data of CaseRegistered.
type CaseRegistration struct {
	AbsenceID    string `json:"absenceId"`
	Recipient    string `json:"recipient"`
	CaseNumber   string `json:"caseNumber"`
	RegisteredOn string `json:"registeredOn"`
}

// CaseStatusChange is the data of CaseStatusChanged.
type CaseStatusChange struct {
	AbsenceID string `json:"absenceId"`
	Recipient string `json:"recipient"`
	// Status is the recipient's status, e.g. "registered", "in-progress",
	// "awaiting-documentation", "decided", "closed".
	Status    string    `json:"status"`
	ChangedAt string    `json:"changedAt"`
	NoteDa    string    `json:"noteDa,omitempty"`
	NoteEn    string    `json:"noteEn,omitempty"`
	Deadline  *Deadline `json:"deadline,omitempty"`
}

// DecidedPeriod is one period of a refusion decision.
type DecidedPeriod struct {
	From      string `json:"from"`
	To        string `json:"to"`
	AmountOre int64  `json:"amountOre"`
}

// RefusalReason explains a refusal.
type RefusalReason struct {
	Law    string `json:"law,omitempty"`
	TextDa string `json:"textDa"`
	TextEn string `json:"textEn"`
}

// RefusionDecision is the data of RefusionDecided. A later decision with the
// same DecisionID replaces nothing (it is the same decision again); a new
// decision covering a period already decided supersedes the earlier one for
// that period.
type RefusionDecision struct {
	AbsenceID  string `json:"absenceId"`
	Recipient  string `json:"recipient"`
	DecisionID string `json:"decisionId"`
	DecidedOn  string `json:"decidedOn"`
	// Outcome is "granted", "partly-granted" or "refused".
	Outcome   string          `json:"outcome"`
	Periods   []DecidedPeriod `json:"periods,omitempty"`
	Refusal   *RefusalReason  `json:"refusal,omitempty"`
	Deadlines []Deadline      `json:"deadlines,omitempty"`
}

// Payment is the data of PaymentMade.
type Payment struct {
	AbsenceID        string `json:"absenceId"`
	Recipient        string `json:"recipient"`
	PaymentReference string `json:"paymentReference"`
	AmountOre        int64  `json:"amountOre"`
	PeriodFrom       string `json:"periodFrom"`
	PeriodTo         string `json:"periodTo"`
	PaidOn           string `json:"paidOn"`
}

// CaseTaskRequest is the data of CaseTaskRequested.
type CaseTaskRequest struct {
	AbsenceID string `json:"absenceId"`
	Recipient string `json:"recipient"`
	// Task is "supplementary-information", "hearing" or "moving-consent".
	Task string `json:"task"`
	// CPR of the sick person (the case system knows it).
	CPR             string `json:"cpr"`
	PersonKind      string `json:"personKind,omitempty"`
	FirstAbsenceDay string `json:"firstAbsenceDay"`
	Deadline        string `json:"deadline"`
}

// Deliveries as case systems see them.
const (
	// DeliveryItem is the CloudEvent a push sink receives for each item of
	// its recipient's stream, in stream order. Its id is stable per item, so
	// a sink that sees an item twice (after it failed to answer 2xx) can
	// tell. It is not published on the broker. Data: DeliveryItemData.
	DeliveryItem = "dk.nemrefusion.delivery.item.v1"
)

// DeliveryItemData is an item of a recipient's stream, as fetch returns it
// and push sends it.
type DeliveryItemData struct {
	// Seq is the item's place in the recipient's stream (1, 2, ...); the
	// fetch cursor is the Seq of the last item seen.
	Seq          int64           `json:"seq"`
	ItemID       string          `json:"itemId"`
	Recipient    string          `json:"recipient"`
	Kind         string          `json:"kind"`
	CaseRef      string          `json:"caseRef"`
	Sender       string          `json:"sender,omitempty"`
	Payload      json.RawMessage `json:"payload"`
	DocumentRefs []string        `json:"documentRefs,omitempty"`
	// Feedback says whether the recipient's case system is expected to
	// send feedback for this item's absence (seeds/000 § 1 stk. 3).
	Feedback  bool   `json:"feedback"`
	CreatedAt string `json:"createdAt"`
}

// DeliveryDelivery is the data of DeliveryDelivered: who got which item,
// how and when.
type DeliveryDelivery struct {
	ItemID      string `json:"itemId"`
	Recipient   string `json:"recipient"`
	CaseRef     string `json:"caseRef"`
	Kind        string `json:"kind"`
	Seq         int64  `json:"seq"`
	Channel     string `json:"channel"` // "fetch" or "push"
	DeliveredAt string `json:"deliveredAt"`
}

// DeliveryKindHasFeedback reports whether items of kind open the feedback
// loop to the sender (seeds/000 § 1 stk. 3; DOMAIN.md, Senders and
// blankets): kind is a registered blanket's delivery kind or its event type
// name, and the blanket has Feedback. The producer says it by the kind it
// chooses: an absence has feedback when at least one of its items has such
// a kind. Other kinds (follow-ups, citizen answers, documents,
// data-foundation notices) do not change that; unknown kinds have none.
func DeliveryKindHasFeedback(kind string) bool {
	if b, ok := registry.byType[kind]; ok {
		return b.Feedback
	}
	return registry.feedbackKinds[kind]
}

// SenderCVR returns the CVR in a DeliveryRequest's Sender ("12345674" or
// "cvr:12345674"), or "" when the sender is not a company.
func SenderCVR(sender string) string {
	s := strings.TrimPrefix(sender, "cvr:")
	if len(s) != 8 {
		return ""
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return ""
		}
	}
	return s
}
