package events

import (
	"time"

	"nemrefusion.dk/events/ids"
)

// Letter and SMS event types. The notify function consumes the requests
// and emits the outcomes.
const (
	// LetterRequested asks notify to write a letter (PDF + MeMo) and send it
	// by Digital Post, or on paper to recipients exempt from Digital Post.
	LetterRequested = "dk.nemrefusion.letter.requested.v1"
	// LetterSent says a requested letter was handed to Digital Post or the
	// paper-print queue.
	LetterSent = "dk.nemrefusion.letter.sent.v1"
	// LetterFailed says a requested letter can never be sent (unknown
	// recipient, refused by Digital Post); transient failures are retried
	// instead.
	LetterFailed = "dk.nemrefusion.letter.failed.v1"
	// SMSRequested asks notify to send a short text through NemSMS.
	SMSRequested = "dk.nemrefusion.sms.requested.v1"
	// SMSSent says NemSMS took the text.
	SMSSent = "dk.nemrefusion.sms.sent.v1"
	// SMSSkipped says no SMS was sent because the person has not signed up
	// for NemSMS (or cannot be found).
	SMSSkipped = "dk.nemrefusion.sms.skipped.v1"
)

// Letter kinds (brevtyper). Each needs its own template data (see
// LetterRequest.Data and the schema).
const (
	// LetterSenderReceipt (kvittering) confirms to a sender what it
	// submitted. Data: blanket, submittedAt.
	LetterSenderReceipt = "sender-receipt"
	// LetterNotification (underretningsbrev, § 1 stk. 8) tells an employee
	// or insured member that a report was made about them. Data: blanket,
	// reportedBy, firstAbsenceDay; for a report that gives the person
	// tasks in Mit Sygefravær also tasks (the task codes, space-separated)
	// and deadline (seeds/003; sygedagpengeloven § 38).
	LetterNotification = "notification"
	// LetterCitizenTask tells the sick person about a task in Mit
	// Sygefravær the municipality started, or a report's tasks when no
	// notification letter names them (the self-employed). Data: task or
	// tasks, deadline.
	LetterCitizenTask = "citizen-task"
	// LetterAnswerReceipt (kvittering) confirms a citizen's answer. Data:
	// task, submittedAt.
	LetterAnswerReceipt = "answer-receipt"
	// LetterReminder reminds the sick person of the tasks' deadline
	// (seeds/003, day 6). Data: deadline; task or tasks when known.
	LetterReminder = "reminder"
	// LetterRejectedUpload is the receipt for an upload that was rejected
	// because it seemed infected (seed 003). Data: documentTitle, attemptedAt.
	LetterRejectedUpload = "rejected-upload"
)

// LetterKinds lists every letter kind.
var LetterKinds = []string{LetterSenderReceipt, LetterNotification, LetterCitizenTask, LetterAnswerReceipt, LetterReminder, LetterRejectedUpload}

// LetterRequesters names, per letter kind, the code that requests it (a
// path from the repository root): no letter template exists that nothing
// requests, and nothing requests a kind without a template (notify's tests
// hold the table to the code: every path here names the kind's constant,
// and every kind composes).
var LetterRequesters = map[string][]string{
	LetterSenderReceipt:  {"infra/blanket"},
	LetterNotification:   {"infra/blanket"},
	LetterCitizenTask:    {"functions/citizen/citizen"},
	LetterAnswerReceipt:  {"functions/citizen/citizen"},
	LetterReminder:       {"functions/reminder/reminder"},
	LetterRejectedUpload: {"functions/documents/documents"},
}

// Party is a person (CPR) or a company (CVR); exactly one is set.
type Party struct {
	CPR ids.CPR `json:"cpr,omitzero"`
	CVR ids.CVR `json:"cvr,omitzero"`
}

// Authority is the public authority a letter is sent on behalf of (a
// municipality or Udbetaling Danmark), by CVR and name.
type Authority struct {
	CVR  ids.CVR `json:"cvr"`
	Name string  `json:"name"`
}

// LetterRequest is the data of LetterRequested.
type LetterRequest struct {
	Kind      string `json:"kind"`
	Recipient Party  `json:"recipient"`
	// Language is "da" or "en"; empty means the recipient's preference
	// from CPR (Danish for companies).
	Language string    `json:"language,omitempty"`
	Sender   Authority `json:"sender"`
	// Reference is the case, absence or receipt number the letter is about.
	Reference string `json:"reference"`
	// Data is the kind's template data: plain strings; dates as
	// YYYY-MM-DD, times as RFC 3339.
	Data map[string]string `json:"data,omitempty"`
}

// LetterSentData is the data of LetterSent.
type LetterSentData struct {
	LetterID  string `json:"letterId"`
	Kind      string `json:"kind"`
	Reference string `json:"reference"`
	// Channel is "digital-post" or "paper".
	Channel  string `json:"channel"`
	Language string `json:"language"`
	// PDF and MeMo are the object keys in the letters bucket.
	PDF    string    `json:"pdf"`
	MeMo   string    `json:"memo"`
	SentAt time.Time `json:"sentAt"`
}

// LetterFailedData is the data of LetterFailed.
type LetterFailedData struct {
	LetterID  string `json:"letterId"`
	Kind      string `json:"kind"`
	Reference string `json:"reference"`
	Code      string `json:"code"`
	Da        string `json:"da"`
	En        string `json:"en"`
}

// SMSRequest is the data of SMSRequested.
type SMSRequest struct {
	// Recipient is the person, by CPR.
	Recipient Party     `json:"recipient"`
	Sender    Authority `json:"sender"`
	// Text is at most 160 characters, in Danish.
	Text string `json:"text"`
	// TextEn is the English text (at most 160 characters), sent instead
	// to people whose language in CPR is English; empty: Text to everyone.
	TextEn    string `json:"textEn,omitempty"`
	Reference string `json:"reference"`
}

// SMSOutcome is the data of SMSSent and SMSSkipped.
type SMSOutcome struct {
	MessageID string `json:"messageId"`
	Reference string `json:"reference"`
	// Code says why an SMS was skipped ("not-signed-up", "unknown-person").
	Code string    `json:"code,omitempty"`
	At   time.Time `json:"at"`
}
