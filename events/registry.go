package events

import (
	"encoding/json"
	"fmt"
)

// The blanket registry: every blanket (one form a sender submits) is one
// entry below, and everything else derives from it — who may submit it
// (infra/accept's policy: Senders, Submittable, Preparable, Signed), its
// domain checks (CheckDomain), the pipeline's routing and effects
// (infra/blanket.Define reads Family, Recipient, Feedback, Notification),
// whether its delivery opens the feedback loop (DeliveryKindHasFeedback),
// the web app's senders per form (functions/portal), and the Trigger the
// manifests must have (tests/k8scheck). The facts come from the table of
// senders and blankets in shared/DOMAIN.md (seeds/000 § 1).
//
// Adding a blanket: its type constant and data type (with Check) in the
// area's file, one line here, its schema in schemas/, its Decide in the
// family's function (functions/README-adding-a-blanket.md).

// Families of cases: blankets of one family share a function and natural
// keys.
const (
	FamilySickness = "sickness" // functions/sickness
	FamilyParental = "parental" // functions/maternity
	FamilySubsidy  = "subsidy"  // functions/subsidy
)

// FamilyFunction is the function (functions/<name>, one Knative Service)
// that decides each family's blankets.
var FamilyFunction = map[string]string{
	FamilySickness: "sickness",
	FamilyParental: "maternity",
	FamilySubsidy:  "subsidy",
}

// Recipient is who processes a family's reports.
type Recipient string

const (
	// ToMunicipality: the municipality of the person's residence at
	// signing (the workplace's municipality when the person lives abroad).
	ToMunicipality Recipient = "municipality"
	// ToUDK: Udbetaling Danmark (barselsloven § 40 stk. 1).
	ToUDK Recipient = "udk"
)

// Blanket is one registered blanket. Its family's function decides it
// (FamilyFunction; tests/k8scheck asserts exactly one Trigger to it) with
// the pipeline in infra/blanket, which emits, in the submission's
// transaction:
//   - BlanketRejected and a receipt letter when the rules refuse it;
//   - otherwise DeliveryRequested (kind Delivery or the family's follow-up
//     kind) to the recipient, LetterRequested: the sender's receipt and,
//     with Notification, the person's notification letter,
//     CitizenTasksRequested when the decision gives the person tasks,
//     ReminderScheduled/ReminderCancelled, the family's own events (e.g.
//     DfdgNoticeRequested), and BlanketDecided when Feedback is set.
//
// The ledger gets the submission (from the accept step) and the decision
// with every reason in the case's stream.
type Blanket struct {
	// Type is the CloudEvent type; schemas/<type>.json is its contract.
	Type string
	// Family is the case family (FamilySickness, ...): the function that
	// decides it.
	Family string
	// Senders are the login roles that may submit it, always for the CVR
	// in the data's "cvr" field.
	Senders []string
	// Recipient is who processes it.
	Recipient Recipient
	// Feedback is true when the sender follows the case (§ 1 stk. 3): the
	// pipeline emits BlanketDecided (never to an a-kasse: FeedbackFor) and
	// the delivery opens the feedback loop.
	Feedback bool
	// Notification is true when the person gets a notification letter
	// (§ 1 stk. 8), when the decision also asks for one.
	Notification bool
	// TitleDa and TitleEn name the form as letters, messages and lists name
	// it ("Raskmelding", "Report of recovery"): never the event type.
	TitleDa, TitleEn string
	// Delivery is the kind of item the recipient gets for a new case
	// (DeliveryRequest.Kind), "" when the family's rules choose per case.
	Delivery string

	decode func([]byte) (any, error)
	zero   any
}

// Zero returns the zero value of the blanket's Go data type.
func (b Blanket) Zero() any { return b.zero }

// Decode decodes data (already through the schema) into the blanket's Go
// type and runs its domain checks: the one decode of a submission's data.
// The value is the data type (e.g. SicknessEmployerReport); the error is
// FieldErrors naming every problem.
func (b Blanket) Decode(data []byte) (any, error) { return b.decode(data) }

// checker is a blanket's data type that checks itself beyond its schema.
type checker interface{ Check() FieldErrors }

// form registers the Go type T of a blanket's data.
func form[T checker](b Blanket) Blanket {
	var zero T
	b.zero = zero
	b.decode = func(data []byte) (any, error) {
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, FieldErrors{{Field: "", Code: "json", Da: "Data passer ikke til blanketten.", En: "The data does not fit the form."}}
		}
		if fe := v.Check(); len(fe) > 0 {
			return nil, fe
		}
		return v, nil
	}
	return b
}

var (
	employers = []string{SenderEmployer, SenderPayrollSystem}
	anySender = []string{SenderEmployer, SenderPayrollSystem, SenderSelfEmployed, SenderAKasse}
	// subsidySenders are the senders of the subsidy blankets: employers
	// and the self-employed (LAB § 136).
	subsidySenders = []string{SenderEmployer, SenderPayrollSystem, SenderSelfEmployed}
)

// registry lists every blanket (DOMAIN.md, Senders and blankets).
var registry = index(
	// Sickness: reports go to the municipality.
	form[SicknessEmployerReport](Blanket{Type: SicknessEmployerReported,
		TitleDa: "Sygefravær og anmodning om refusion", TitleEn: "Sickness absence and request for reimbursement",
		Family: FamilySickness, Senders: employers,
		Recipient: ToMunicipality, Feedback: true, Notification: true, Delivery: "sickness.report"}),
	form[SicknessSelfEmployedReport](Blanket{Type: SicknessSelfEmployedReported,
		TitleDa: "Sygefravær og anmodning om sygedagpenge (selvstændig)", TitleEn: "Sickness absence and claim for sickness benefit (self-employed)",
		Family:  FamilySickness,
		Senders: []string{SenderSelfEmployed}, Recipient: ToMunicipality, Feedback: true, Delivery: "sickness.selfemployed.report"}),
	form[SicknessAKasseReport](Blanket{Type: SicknessAKasseReported,
		TitleDa: "Sygefravær for ledigt medlem", TitleEn: "Sickness absence of an unemployed member",
		Family: FamilySickness, Senders: []string{SenderAKasse},
		Recipient: ToMunicipality, Notification: true, Delivery: "sickness.akasse.report"}),
	form[SicknessEarlyFollowUpRequest](Blanket{Type: SicknessEarlyFollowUpRequested,
		TitleDa: "Anmodning om tidlig opfølgning", TitleEn: "Request for early follow-up",
		Family: FamilySickness, Senders: employers,
		Recipient: ToMunicipality, Notification: true, Delivery: "sickness.early-follow-up"}),
	form[SicknessPeriodReport](Blanket{Type: SicknessPeriodReported,
		TitleDa: "Anmodning om refusion for næste periode", TitleEn: "Request for reimbursement for the next period",
		Family: FamilySickness, Senders: employers,
		Recipient: ToMunicipality, Feedback: true}),
	form[SicknessRecoveryReport](Blanket{Type: SicknessRecoveryReported,
		TitleDa: "Raskmelding", TitleEn: "Report of recovery",
		Family: FamilySickness, Senders: anySender,
		Recipient: ToMunicipality, Feedback: true}),
	form[SicknessCorrection](Blanket{Type: SicknessCorrectionSubmitted,
		TitleDa: "Rettelse af anmeldelse", TitleEn: "Correction of a report",
		Family: FamilySickness, Senders: anySender,
		Recipient: ToMunicipality, Feedback: true}),
	form[SicknessCancellation](Blanket{Type: SicknessCancellationSubmitted,
		TitleDa: "Annullering af anmeldelse", TitleEn: "Cancellation of a report",
		Family: FamilySickness, Senders: anySender,
		Recipient: ToMunicipality, Feedback: true}),

	// Parental leave: everything goes to Udbetaling Danmark (barselsloven
	// § 40 stk. 1); the employee is told what the employer reported
	// (§ 40 stk. 6).
	form[ParentalEmployerReport](Blanket{Type: ParentalEmployerReported,
		TitleDa: "Refusion af barselsdagpenge", TitleEn: "Reimbursement of parental leave benefit",
		Family: FamilyParental, Senders: employers,
		Recipient: ToUDK, Feedback: true, Notification: true, Delivery: "parental.report"}),
	form[ParentalSelfEmployedReport](Blanket{Type: ParentalSelfEmployedReported,
		TitleDa: "Barselsdagpenge (selvstændig)", TitleEn: "Parental leave benefit (self-employed)",
		Family:  FamilyParental,
		Senders: []string{SenderSelfEmployed}, Recipient: ToUDK, Feedback: true, Delivery: "parental.selfemployed.report"}),
	form[ParentalAKasseReport](Blanket{Type: ParentalAKasseReported,
		TitleDa: "Oplysninger til barselsdagpengesag", TitleEn: "Information for a parental leave benefit case",
		Family: FamilyParental, Senders: []string{SenderAKasse},
		Recipient: ToUDK, Notification: true, Delivery: "parental.akasse.information"}),
	// The follow-ups of a leave (events/followups.go): every sender of a
	// parental blanket may send them for its own leave; feedback as the
	// first request (never to an a-kasse: FeedbackFor).
	form[ParentalPeriodReport](Blanket{Type: ParentalPeriodReported,
		TitleDa: "Anmodning om refusion for næste orlovsperiode", TitleEn: "Request for refusion for the next period of leave",
		Family: FamilyParental, Senders: anySender,
		Recipient: ToUDK, Feedback: true}),
	form[ParentalCorrection](Blanket{Type: ParentalCorrectionSubmitted,
		TitleDa: "Rettelse af barselsanmodning", TitleEn: "Correction of a parental leave request",
		Family: FamilyParental, Senders: anySender,
		Recipient: ToUDK, Feedback: true}),
	form[FollowUpCancellation](Blanket{Type: ParentalCancellationSubmitted,
		TitleDa: "Annullering af barselsanmodning", TitleEn: "Cancellation of a parental leave request",
		Family: FamilyParental, Senders: anySender,
		Recipient: ToUDK, Feedback: true}),

	// Subsidies: to the person's municipality (its jobcenter); no feedback
	// (§ 1 stk. 3), the sender gets its receipt. No notification letter
	// either (§ 1 stk. 8 exempts wage and flexjob subsidies, the adult
	// apprentice and the mentor subsidy; § 136 is the person's own), except
	// for job clarification (LAS § 69 t), which § 1 stk. 8 does not exempt.
	form[SubsidyWageRequest](Blanket{Type: SubsidyWageRequested,
		TitleDa: "Løntilskud", TitleEn: "Wage subsidy",
		Family: FamilySubsidy, Senders: employers,
		Recipient: ToMunicipality, Delivery: "subsidy.wage"}),
	form[SubsidyFlexjobRequest](Blanket{Type: SubsidyFlexjobRequested,
		TitleDa: "Fleksjobtilskud", TitleEn: "Flexi-job subsidy",
		Family: FamilySubsidy, Senders: employers,
		Recipient: ToMunicipality, Delivery: "subsidy.flexjob"}),
	form[SubsidyJobClarificationRequest](Blanket{Type: SubsidyJobClarificationRequested,
		TitleDa: "Refusion af ressourceforløbsydelse under jobafklaring", TitleEn: "Reimbursement of resource allowance during job clarification",
		Family: FamilySubsidy, Senders: employers,
		Recipient: ToMunicipality, Notification: true, Delivery: "subsidy.jobclarification"}),
	form[SubsidyAdultApprenticeRequest](Blanket{Type: SubsidyAdultApprenticeRequested,
		TitleDa: "Løntilskud til voksenlærling", TitleEn: "Wage subsidy for an adult apprentice",
		Family: FamilySubsidy, Senders: employers,
		Recipient: ToMunicipality, Delivery: "subsidy.adultapprentice"}),
	form[SubsidyMentorRequest](Blanket{Type: SubsidyMentorRequested,
		TitleDa: "Tilskud til mentorfunktion", TitleEn: "Subsidy for a mentor",
		Family: FamilySubsidy, Senders: employers,
		Recipient: ToMunicipality, Delivery: "subsidy.mentor"}),
	form[SubsidySelfEmployed136Request](Blanket{Type: SubsidySelfEmployed136Requested,
		TitleDa: "Støtte efter LAB § 136 (selvstændig)", TitleEn: "Support under the Active Employment Act, section 136 (self-employed)",
		Family:  FamilySubsidy,
		Senders: []string{SenderSelfEmployed}, Recipient: ToMunicipality, Delivery: "subsidy.selfemployed136"}),
	// The follow-ups of a grant (events/followups.go): every sender of a
	// subsidy blanket, for its own grant; no feedback, as the requests.
	form[SubsidyCorrection](Blanket{Type: SubsidyCorrectionSubmitted,
		TitleDa: "Rettelse af anmodning om tilskud", TitleEn: "Correction of a subsidy request",
		Family: FamilySubsidy, Senders: subsidySenders,
		Recipient: ToMunicipality}),
	form[FollowUpCancellation](Blanket{Type: SubsidyCancellationSubmitted,
		TitleDa: "Annullering af anmodning om tilskud", TitleEn: "Cancellation of a subsidy request",
		Family: FamilySubsidy, Senders: subsidySenders,
		Recipient: ToMunicipality}),
)

type blankets struct {
	list          []Blanket
	byType        map[string]Blanket
	feedbackKinds map[string]bool // delivery kind: opens the feedback loop
}

func index(bs ...Blanket) blankets {
	r := blankets{byType: map[string]Blanket{}, feedbackKinds: map[string]bool{}}
	for _, b := range bs {
		if _, dup := r.byType[b.Type]; dup || FamilyFunction[b.Family] == "" || len(b.Senders) == 0 || b.Recipient == "" || b.TitleDa == "" || b.TitleEn == "" {
			panic("events: blanket registered twice or without family, senders, recipient or titles: " + b.Type)
		}
		if f, seen := r.feedbackKinds[b.Delivery]; b.Delivery != "" && seen && f != b.Feedback {
			panic("events: delivery kind " + b.Delivery + " both with and without feedback")
		}
		if b.Delivery != "" {
			r.feedbackKinds[b.Delivery] = b.Feedback
		}
		r.list = append(r.list, b)
		r.byType[b.Type] = b
	}
	return r
}

// Blankets returns every registered blanket, in the order above.
func Blankets() []Blanket { return append([]Blanket(nil), registry.list...) }

// BlanketOf returns the registered blanket of eventType.
func BlanketOf(eventType string) (Blanket, bool) {
	b, ok := registry.byType[eventType]
	return b, ok
}

// BlanketSenders returns the login roles that may submit a blanket of
// eventType, for the CVR its data names in "cvr"; nil when eventType is
// not a blanket.
func BlanketSenders(eventType string) []string { return registry.byType[eventType].Senders }

// FeedbackFor reports whether the sender of a blanket of eventType, who
// submitted it in login role, gets feedback (blanket.decided; seeds/000
// § 1 stk. 3): the blanket has Feedback and the sender is not an a-kasse.
// The executive order reserves the feedback loop for employers (and their
// payroll systems) and the self-employed; an a-kasse sending a follow-up
// every sender may send (a recovery, a correction, a cancellation of its
// member's absence) gets its receipt only, as for its report.
func FeedbackFor(eventType, role string) bool {
	b, ok := registry.byType[eventType]
	return ok && b.Feedback && role != SenderAKasse
}

// CheckDomain runs the pure domain checks of a blanket on data that already
// passed its schema (Validate): identifiers that parse (CPR, CVR with its
// check digit, P-number), dates that exist and come in order, hours that
// add up. It returns FieldErrors naming every problem at once, or nil; nil
// also for types that are not blankets. It does no I/O: checks that need a
// register (the P-number belongs to the CVR) run in the blanket's function.
//
// The accept step (infra/accept) calls it before accepting, so these errors
// reach the sender as a 400 at submission time.
func CheckDomain(eventType string, data []byte) error {
	b, ok := registry.byType[eventType]
	if !ok {
		return nil
	}
	if _, err := b.decode(data); err != nil {
		return fmt.Errorf("%s: %w", eventType, err)
	}
	return nil
}

// BlanketCVR returns the "cvr" field of a blanket's data (the tenant the
// sender must act for), or "" when it has none or data is not JSON.
func BlanketCVR(data []byte) string {
	var v struct {
		CVR string `json:"cvr"`
	}
	if json.Unmarshal(data, &v) != nil {
		return ""
	}
	return v.CVR
}
