package events

import "encoding/json"

// Deliveries to recipients (municipalities and Udbetaling Danmark).
const (
	// DeliveryRequested asks the delivery function to put an item in a
	// recipient's stream (seeds/000 § 1 stk. 2). Producers: the blanket
	// functions (reports), citizen (answers), documents (accepted uploads).
	DeliveryRequested = "dk.nemrefusion.delivery.requested.v1"
	// DeliveryDelivered says a case system fetched and acknowledged an item,
	// or a push sink accepted it.
	DeliveryDelivered = "dk.nemrefusion.delivery.delivered.v1"
)

// DeliveryRequest is the data of DeliveryRequested. ItemID is chosen by the
// producer and is the idempotency key of the item: a second request with the
// same ItemID is the same item and is not delivered again.
type DeliveryRequest struct {
	// ItemID identifies the item (e.g. "<absence uuid>/report/1").
	ItemID string `json:"itemId"`
	// Recipient is a municipality number ("101") or "UDK".
	Recipient string `json:"recipient"`
	// Kind says what the item is, e.g. "sickness.report", "sickness.recovery",
	// "citizen.answer", "document".
	Kind string `json:"kind"`
	// CaseRef is the absence or case id the item belongs to.
	CaseRef string `json:"caseRef"`
	// Sender names the submitter's tenant (a CVR, or "cpr:<masked>" never a full CPR).
	Sender string `json:"sender,omitempty"`
	// Payload is the item as the recipient's case system reads it.
	Payload json.RawMessage `json:"payload"`
	// DocumentRefs are ids of clean documents (documents function) that go with the item.
	DocumentRefs []string `json:"documentRefs,omitempty"`
}

// Citizen tasks (Mit Sygefravær).
const (
	// CitizenTasksRequested asks the citizen function to give the sick person
	// tasks for an absence (seeds/003): comment on the report, apply for
	// sygedagpenge, fill in the information form, and tasks a municipality
	// starts (supplementary information, hearing, moving consent).
	CitizenTasksRequested = "dk.nemrefusion.citizen.tasks.requested.v1"
)

// CitizenTasksRequest is the data of CitizenTasksRequested.
type CitizenTasksRequest struct {
	AbsenceID string `json:"absenceId"`
	// CPR of the sick person.
	CPR string `json:"cpr"`
	// PersonKind is "employee", "self-employed" or "unemployed-member".
	PersonKind string `json:"personKind"`
	// Municipality is the recipient municipality number the answers go to.
	Municipality string `json:"municipality"`
	// SenderName and SenderCVR identify who reported (empty for self-employed).
	SenderName string `json:"senderName,omitempty"`
	SenderCVR  string `json:"senderCvr,omitempty"`
	// FirstAbsenceDay and LastAbsenceDay are "YYYY-MM-DD"; LastAbsenceDay may be empty.
	FirstAbsenceDay string `json:"firstAbsenceDay"`
	LastAbsenceDay  string `json:"lastAbsenceDay,omitempty"`
	// Tasks in the order seeds/003 gives: "comment", "sygedagpenge-application",
	// "information-form", "supplementary-information", "hearing", "moving-consent".
	Tasks []string `json:"tasks"`
	// Deadline is the date the tasks are due ("YYYY-MM-DD", 8 days after the letter, § 38).
	Deadline string `json:"deadline"`
	// Report is the sender's report as the citizen sees it (for the comment task).
	Report json.RawMessage `json:"report,omitempty"`
}
