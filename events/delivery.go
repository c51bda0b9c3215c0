package events

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Deliveries to recipients (municipalities and Udbetaling Danmark).
const (
	// DeliveryRequested asks the delivery function to put an item in a
	// recipient's stream (seeds/000 § 1 stk. 2). Producers: the blanket
	// pipeline (infra/blanket: kinds "sickness.*", "parental.*",
	// "subsidy.*", payload BlanketItem), citizen (kinds "citizen.*",
	// payload CitizenDeliveryPayload; documents the citizen uploads go
	// with an answer as DocumentRefs) and dfdg (DfdgRecoveryKind, payload
	// DfdgRecovery).
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
	// Kind says what the item is, and so the shape of Payload
	// (DeliveryPayloadOf): "sickness.report", "sickness.recovery",
	// "parental.report", "subsidy.flexjob", "citizen.answer",
	// "dfdg.recovery", ...
	Kind string `json:"kind"`
	// CaseRef is the absence or case id the item belongs to.
	CaseRef string `json:"caseRef"`
	// Sender names the submitter's tenant (a CVR, or "cpr:<masked>" never a full CPR).
	Sender string `json:"sender,omitempty"`
	// Payload is the item as the recipient's case system reads it: a
	// DeliveryPayload of the shape Kind names, marshalled by its producer
	// (MarshalPayload) and passed on unchanged by the delivery function.
	Payload json.RawMessage `json:"payload"`
	// DocumentRefs are ids of clean documents (documents function) that go with the item.
	DocumentRefs []string `json:"documentRefs,omitempty"`
}

// DeliveryPayload is the payload of one kind of delivery item: BlanketItem,
// CitizenDeliveryPayload or DfdgRecovery. The schema
// (schemas/delivery.requested.v1.json) ties each kind to its shape.
type DeliveryPayload interface {
	deliveryPayload()
}

func (BlanketItem) deliveryPayload()            {}
func (CitizenDeliveryPayload) deliveryPayload() {}
func (DfdgRecovery) deliveryPayload()           {}

// MarshalPayload is the Payload of a DeliveryRequest: p as JSON. Only the
// contract's payload types are accepted, so a producer cannot put an
// untyped map on a recipient's stream.
func MarshalPayload(p DeliveryPayload) (json.RawMessage, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("delivery payload: %w", err)
	}
	return b, nil
}

// Delivery kind prefixes of the blanket families' items (the pipeline's
// kind is the blanket's Delivery or the family's follow-up kind).
const (
	deliveryKindSickness = FamilySickness + "."
	deliveryKindParental = FamilyParental + "."
	deliveryKindSubsidy  = FamilySubsidy + "."
	deliveryKindCitizen  = "citizen."
)

// DeliveryPayloadOf returns a pointer to the zero payload an item of kind
// carries, to decode into, or false for a kind no producer emits.
func DeliveryPayloadOf(kind string) (any, bool) {
	switch {
	case strings.HasPrefix(kind, deliveryKindSickness), strings.HasPrefix(kind, deliveryKindParental),
		strings.HasPrefix(kind, deliveryKindSubsidy):
		return &BlanketItem{}, true
	case strings.HasPrefix(kind, deliveryKindCitizen):
		return &CitizenDeliveryPayload{}, true
	case kind == DfdgRecoveryKind:
		return &DfdgRecovery{}, true
	}
	return nil, false
}

// DecodePayload decodes r's payload as the shape its kind names, after
// checking the whole request against the schema of DeliveryRequested (so a
// field the shape does not have, or a result of another family than the
// kind's, is refused with FieldErrors), and refuses a blanket item whose
// blanket is of another family than its kind.
func (r DeliveryRequest) DecodePayload() (DeliveryPayload, error) {
	p, ok := DeliveryPayloadOf(r.Kind)
	if !ok {
		return nil, fmt.Errorf("delivery kind %q has no payload type", r.Kind)
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("delivery request: %w", err)
	}
	if err := ValidateJSON(DeliveryRequested, raw); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(r.Payload, p); err != nil {
		return nil, fmt.Errorf("payload of %s: %w", r.Kind, err)
	}
	switch v := p.(type) {
	case *BlanketItem:
		if b, _ := BlanketOf(v.Blanket); !strings.HasPrefix(r.Kind, b.Family+".") {
			return nil, fmt.Errorf("payload of %s: blanket %s is not of the kind's family", r.Kind, v.Blanket)
		}
		return *v, nil
	case *CitizenDeliveryPayload:
		return *v, nil
	case *DfdgRecovery:
		return *v, nil
	}
	return nil, fmt.Errorf("payload of %s: no payload type", r.Kind)
}

// BlanketItem is the payload of the blanket pipeline's delivery items
// (kinds "sickness.*", "parental.*", "subsidy.*"): the submission as the
// sender sent it, with what the rules decided about it and why, so the
// recipient's case system has the report and its explanation in one item.
type BlanketItem struct {
	// Blanket is the event type of the submission.
	Blanket string `json:"blanket"`
	// Receipt is intake's receipt number of the submission.
	Receipt string `json:"receipt"`
	// Version is the case's version after the decision (1 for a new case).
	Version int `json:"version"`
	// Status is the case status after the decision.
	Status string `json:"status"`
	// Submission is the blanket's data, valid against the blanket's own
	// schema (schemas/<blanket>.json).
	Submission json.RawMessage `json:"submission"`
	// Result is the family's result (ResultOf the blanket).
	Result  BlanketResult `json:"result"`
	Reasons []Reason      `json:"reasons"`
}

// MarshalJSON writes no reasons as [] rather than null: the schema wants
// a list, and a decision that names no rule has an empty one.
func (it BlanketItem) MarshalJSON() ([]byte, error) {
	type plain BlanketItem
	if it.Reasons == nil {
		it.Reasons = []Reason{}
	}
	return json.Marshal(plain(it))
}

// UnmarshalJSON decodes the result as the result type of the item's
// blanket (ResultOf).
func (it *BlanketItem) UnmarshalJSON(b []byte) error {
	type plain BlanketItem
	var v struct {
		plain
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	res, err := DecodeBlanketResult(v.Blanket, v.Result)
	if err != nil {
		return err
	}
	*it = BlanketItem(v.plain)
	it.Result = res
	return nil
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
