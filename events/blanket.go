package events

import (
	"encoding/json"
	"time"

	"nemrefusion.dk/events/ids"
)

// Shapes shared by every blanket family: the feedback to the sender, the
// rejection of a submission the rules refuse, the reasons a decision gives.
// Which blankets exist, who sends them and where they go is the registry
// (registry.go).
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
	// Result is the family's result: SicknessResult, ParentalEmployerResult,
	// ParentalLeaveResult or SubsidyResult, as the blanket's type decides
	// (ResultOf). Decoding picks the type from Blanket.
	Result  BlanketResult `json:"result,omitempty"`
	Reasons []Reason      `json:"reasons"`
}

// MarshalJSON writes no reasons as [] rather than null: the schema wants
// a list, and a decision that names no rule has an empty one.
func (d BlanketDecision) MarshalJSON() ([]byte, error) {
	type plain BlanketDecision
	if d.Reasons == nil {
		d.Reasons = []Reason{}
	}
	return json.Marshal(plain(d))
}

// UnmarshalJSON decodes the result as the result type of d's blanket
// (ResultOf); an unknown blanket with a result is an error.
func (d *BlanketDecision) UnmarshalJSON(b []byte) error {
	type plain BlanketDecision
	var v struct {
		plain
		Result json.RawMessage `json:"result,omitempty"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	res, err := DecodeBlanketResult(v.Blanket, v.Result)
	if err != nil {
		return err
	}
	*d = BlanketDecision(v.plain)
	d.Result = res
	return nil
}

// BlanketRejection is the data of BlanketRejected.
type BlanketRejection struct {
	CaseID  string      `json:"caseId,omitempty"`
	Blanket string      `json:"blanket"`
	Sender  string      `json:"sender"`
	Receipt string      `json:"receipt,omitempty"`
	Errors  FieldErrors `json:"errors"`
	// CPR, FirstAbsenceDay and LastAbsenceDay are what the refused
	// submission said about whom and when (BlanketSubject), so the sender's
	// list can show which employee and days a rejection is about; each only
	// when the submission gave a well-formed one.
	CPR             string `json:"cpr,omitempty"`
	FirstAbsenceDay string `json:"firstAbsenceDay,omitempty"`
	LastAbsenceDay  string `json:"lastAbsenceDay,omitempty"`
}

// Sender roles as the login names them (infra/auth.Role values).
const (
	SenderEmployer      = "employer"
	SenderPayrollSystem = "payroll-system"
	SenderSelfEmployed  = "self-employed"
	SenderAKasse        = "akasse"
)

// BlanketSubject reads whom and when a blanket's data is about: its "cpr"
// (only a well-formed CPR number, as ten digits) and its "firstAbsenceDay"
// and "lastAbsenceDay" (only dates). What is missing or malformed is "":
// it is what a rejection carries back to the sender (BlanketRejection).
func BlanketSubject(data []byte) (cpr, first, last string) {
	var v struct {
		CPR   string `json:"cpr"`
		First string `json:"firstAbsenceDay"`
		Last  string `json:"lastAbsenceDay"`
	}
	if json.Unmarshal(data, &v) != nil {
		return "", "", ""
	}
	if c, err := ids.ParseCPR(v.CPR); err == nil {
		cpr = c.String()
	}
	date := func(s string) string {
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return ""
		}
		return s
	}
	return cpr, date(v.First), date(v.Last)
}
