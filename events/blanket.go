package events

import (
	"encoding/json"
	"fmt"
)

// Shapes shared by every blanket family (sickness now; parental leave and
// the subsidies later): the feedback to the sender, the rejection of a
// submission the rules refuse, the senders a blanket admits and its
// domain checks.
const (
	// BlanketDecided is the feedback to the sender (seeds/000 § 1 stk. 3)
	// and the caseworker's view of why: what the rules decided about one
	// submission, with every reason. Data: BlanketDecision.
	BlanketDecided = "dk.nemrefusion.blanket.decided.v1"
	// BlanketRejected says a submission that passed intake was refused by
	// the function (e.g. the P-number is not under the CVR in the register,
	// or a follow-up names an unknown absence). Data: BlanketRejection.
	BlanketRejected = "dk.nemrefusion.blanket.rejected.v1"
)

// Reason is one legal rule a decision applied, the one type for it from
// the pure rules (the domain kernel aliases it) to the ledger and the
// sender's feedback: which rule (a stable id such as "sdl-30-1"), the law
// it follows ("sygedagpengeloven § 30, stk. 1"), a public source, the
// explanation in Danish and English, and the inputs and result the rule
// saw, so the decision can be explained later.
type Reason struct {
	Rule   string         `json:"rule"`
	Law    string         `json:"law"`
	Source string         `json:"source,omitempty"`
	TextDa string         `json:"textDa"`
	TextEn string         `json:"textEn"`
	Inputs map[string]any `json:"inputs,omitempty"`
	Result any            `json:"result,omitempty"`
}

// BlanketDecision is the data of BlanketDecided.
type BlanketDecision struct {
	// CaseID is the absence or case UUID.
	CaseID string `json:"caseId"`
	// Blanket is the event type of the submission decided.
	Blanket string `json:"blanket"`
	// Sender is the submitter's tenant ("cvr:<cvr>").
	Sender string `json:"sender"`
	// Receipt is intake's receipt number of the submission.
	Receipt string `json:"receipt,omitempty"`
	// Status is the case status after the decision, e.g. "reported",
	// "recovered", "cancelled".
	Status string `json:"status"`
	// Recipient is the municipality number or "UDK".
	Recipient string `json:"recipient,omitempty"`
	// Result is the family's result (for sickness: the refusion result).
	Result  json.RawMessage `json:"result,omitempty"`
	Reasons []Reason `json:"reasons"`
}

// BlanketRejection is the data of BlanketRejected.
type BlanketRejection struct {
	CaseID  string      `json:"caseId,omitempty"`
	Blanket string      `json:"blanket"`
	Sender  string      `json:"sender"`
	Receipt string      `json:"receipt,omitempty"`
	Errors  FieldErrors `json:"errors"`
}

// Sender roles as the login names them (infra/auth.Role values).
const (
	SenderEmployer      = "employer"
	SenderPayrollSystem = "payroll-system"
	SenderSelfEmployed  = "self-employed"
	SenderAKasse        = "akasse"
)

// blanketSenders are the roles that may submit each blanket, always for the
// CVR in the data's "cvr" field (DOMAIN.md, Senders and blankets).
var blanketSenders = map[string][]string{
	SicknessEmployerReported:       {SenderEmployer, SenderPayrollSystem},
	SicknessEarlyFollowUpRequested: {SenderEmployer, SenderPayrollSystem},
	SicknessSelfEmployedReported:   {SenderSelfEmployed},
	SicknessAKasseReported:         {SenderAKasse},
	SicknessPeriodReported:         {SenderEmployer, SenderPayrollSystem},
	SicknessRecoveryReported:       {SenderEmployer, SenderPayrollSystem, SenderSelfEmployed, SenderAKasse},
	SicknessCorrectionSubmitted:    {SenderEmployer, SenderPayrollSystem, SenderSelfEmployed, SenderAKasse},
	SicknessCancellationSubmitted:  {SenderEmployer, SenderPayrollSystem, SenderSelfEmployed, SenderAKasse},
}

// BlanketSenders returns the login roles that may submit a blanket of
// eventType, for the CVR its data names in "cvr"; nil when eventType is
// not a blanket.
func BlanketSenders(eventType string) []string { return blanketSenders[eventType] }

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

// checker is a blanket's data type that checks itself beyond its schema.
type checker interface{ Check() FieldErrors }

func checkAs[T checker](data []byte) error {
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return FieldErrors{{Field: "", Code: "json", Da: "Data passer ikke til blanketten.", En: "The data does not fit the form."}}
	}
	if fe := v.Check(); len(fe) > 0 {
		return fe
	}
	return nil
}

// domainChecks are the pure domain checks per blanket type.
var domainChecks = map[string]func([]byte) error{
	SicknessEmployerReported:       checkAs[SicknessEmployerReport],
	SicknessSelfEmployedReported:   checkAs[SicknessSelfEmployedReport],
	SicknessAKasseReported:         checkAs[SicknessAKasseReport],
	SicknessEarlyFollowUpRequested: checkAs[SicknessEarlyFollowUpRequest],
	SicknessPeriodReported:         checkAs[SicknessPeriodReport],
	SicknessRecoveryReported:       checkAs[SicknessRecoveryReport],
	SicknessCorrectionSubmitted:    checkAs[SicknessCorrection],
	SicknessCancellationSubmitted:  checkAs[SicknessCancellation],
}

// CheckDomain runs the pure domain checks of a blanket on data that already
// passed its schema (Validate): identifiers that parse (CPR, CVR with its
// check digit, P-number), dates that exist and come in order, hours that
// add up. It returns FieldErrors naming every problem at once, or nil; nil
// also for types without domain checks. It does no I/O: checks that need a
// register (the P-number belongs to the CVR) run in the blanket's function.
//
// Intake calls it before accepting, so these errors reach the sender as a
// 400 at submission time; the function calls it again (defence in depth).
func CheckDomain(eventType string, data []byte) error {
	c, ok := domainChecks[eventType]
	if !ok {
		return nil
	}
	if err := c(data); err != nil {
		return fmt.Errorf("%s: %w", eventType, err)
	}
	return nil
}
