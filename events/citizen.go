package events

import (
	"encoding/json"
	"time"
)

// The sick person's answers in Mit Sygefravær (seeds/003). The citizen
// function emits these; the answers themselves go to the municipality as
// delivery.requested items (kinds DeliveryKindCitizen*), never on the broker.
const (
	// CitizenAnswerSigned says the sick person (or their proxy) signed and
	// sent an answer to a task: a disagreement with the sender's report,
	// the sygedagpenge application, the information form, supplementary
	// information, a hearing statement or a moving consent. It carries no
	// answer content (that goes to the municipality only). Data:
	// CitizenAnswerSignedData.
	CitizenAnswerSigned = "dk.nemrefusion.citizen.answer.signed.v1"
	// CitizenRecoveryReported says the sick person reported themself fit
	// (raskmelding) with a last absence day, signed. Data: CitizenRecovery.
	CitizenRecoveryReported = "dk.nemrefusion.citizen.recovery.reported.v1"
	// CitizenPartialResumptionReported says the sick person reported that
	// they partly resumed work: hours per week (an employee or an
	// unemployed member) or a degree of incapacity from a date (the
	// self-employed), signed. Data: CitizenPartialResumption.
	CitizenPartialResumptionReported = "dk.nemrefusion.citizen.partial-resumption.reported.v1"
)

// CitizenInformationForm names the schema of the information form
// (schemas/citizen.information-form.v1.json). It is not an event type: the
// form travels inside a delivery item. Its $defs hold one schema per section
// (page); the web app and the citizen function read the same file.
const CitizenInformationForm = "dk.nemrefusion.citizen.information-form.v1"

// Task kinds of Mit Sygefravær (CitizenTasksRequest.Tasks and the citizen
// function's tasks), in the order seeds/003 gives them.
const (
	CitizenTaskComment                  = "comment"
	CitizenTaskApplication              = "sygedagpenge-application"
	CitizenTaskInformationForm          = "information-form"
	CitizenTaskSupplementaryInformation = "supplementary-information"
	CitizenTaskHearing                  = "hearing"
	CitizenTaskMovingConsent            = "moving-consent"
)

// Kinds of the delivery items the citizen function asks for
// (DeliveryRequest.Kind). The item id is "<absence id>/<task id or
// kind>/<answer id>"; the payload is a CitizenDeliveryPayload.
const (
	DeliveryKindCitizenAnswer            = "citizen.answer"
	DeliveryKindCitizenRecovery          = "citizen.recovery"
	DeliveryKindCitizenPartialResumption = "citizen.partial-resumption"
	DeliveryKindCitizenDocumentation     = "citizen.documentation"
)

// CitizenSigner says who signed or sent an answer: the person themself
// ("citizen") or a power-of-attorney holder ("proxy") acting for them.
type CitizenSigner struct {
	Role string `json:"role"`
	// Signed is true when the answer was signed with a fresh login.
	Signed bool `json:"signed"`
	// LoA is the login's level of assurance.
	LoA string `json:"loa,omitempty"`
	// AuthTime is when the signer logged in.
	AuthTime time.Time `json:"authTime,omitzero"`
}

// CitizenAnswerSignedData is the data of CitizenAnswerSigned.
type CitizenAnswerSignedData struct {
	AbsenceID string `json:"absenceId"`
	AnswerID  string `json:"answerId"`
	TaskID    string `json:"taskId"`
	// Task is one of the CitizenTask* kinds.
	Task         string        `json:"task"`
	Municipality string        `json:"municipality"`
	SubmittedAt  time.Time     `json:"submittedAt"`
	Signer       CitizenSigner `json:"signer"`
	// DeliveryItemID is the item the answer went to the municipality as.
	DeliveryItemID string `json:"deliveryItemId"`
}

// CitizenRecovery is the data of CitizenRecoveryReported.
type CitizenRecovery struct {
	AbsenceID string `json:"absenceId"`
	AnswerID  string `json:"answerId"`
	// PersonKind is "employee", "self-employed" or "unemployed-member".
	PersonKind   string `json:"personKind"`
	Municipality string `json:"municipality"`
	// FirstAbsenceDay and LastAbsenceDay are "YYYY-MM-DD".
	FirstAbsenceDay string        `json:"firstAbsenceDay"`
	LastAbsenceDay  string        `json:"lastAbsenceDay"`
	ReportedAt      time.Time     `json:"reportedAt"`
	Signer          CitizenSigner `json:"signer"`
}

// ResumedWeek is the work done in one week of partial resumption: the
// week's Monday ("YYYY-MM-DD") and hours and minutes worked.
type ResumedWeek struct {
	WeekStart string `json:"weekStart"`
	Hours     int    `json:"hours"`
	Minutes   int    `json:"minutes"`
}

// Incapacity is the self-employed person's degree of incapacity for work
// (in percent) from a date ("YYYY-MM-DD").
type Incapacity struct {
	From    string `json:"from"`
	Percent int    `json:"percent"`
}

// CitizenPartialResumption is the data of CitizenPartialResumptionReported:
// Weeks for an employee or unemployed member, Incapacity for the
// self-employed.
type CitizenPartialResumption struct {
	AbsenceID    string        `json:"absenceId"`
	AnswerID     string        `json:"answerId"`
	PersonKind   string        `json:"personKind"`
	Municipality string        `json:"municipality"`
	Weeks        []ResumedWeek `json:"weeks,omitempty"`
	Incapacity   *Incapacity   `json:"incapacity,omitempty"`
	ReportedAt   time.Time     `json:"reportedAt"`
	Signer       CitizenSigner `json:"signer"`
}

// CitizenDeliveryPayload is the payload of the citizen function's delivery
// items, as the municipality's case system reads it. Answer is the task's
// answer (for the information form: a document valid against
// CitizenInformationForm).
type CitizenDeliveryPayload struct {
	AbsenceID string `json:"absenceId"`
	AnswerID  string `json:"answerId"`
	// TaskID is empty for a recovery, a partial resumption or a
	// documentation upload (they are not tasks).
	TaskID string `json:"taskId,omitempty"`
	// Kind is a CitizenTask* kind or "recovery", "partial-resumption",
	// "documentation".
	Kind string `json:"kind"`
	// CPR is the sick person's number (the case system files by it).
	CPR         string          `json:"cpr"`
	PersonKind  string          `json:"personKind"`
	SubmittedAt time.Time       `json:"submittedAt"`
	Signer      CitizenSigner   `json:"signer"`
	Answer      json.RawMessage `json:"answer"`
}
