package tasks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/citizen/form"
)

// Answer is what the person sent, checked and ready to store: whether it
// must be signed (with a fresh login) and whether it goes to the
// municipality.
type Answer struct {
	Kind string
	// TaskID is the task answered, or "" for a recovery, a partial
	// resumption or documentation.
	TaskID string
	Signed bool
	Send   bool
	// Body is the answer as stored and sent (normalised).
	Body json.RawMessage
	// DocumentRefs are the clean documents that go with the answer.
	DocumentRefs []string
}

// Document is an upload as the documents function announced it.
type Document struct {
	ID        string
	AbsenceID string
	Title     string
	// Status is DocumentAccepted or DocumentRejected.
	Status string
	Reason string
}

// Document statuses.
const (
	DocumentAccepted = "accepted"
	DocumentRejected = "rejected"
)

// Documents are the uploads known, by id.
type Documents map[string]Document

// Text limits.
const (
	MaxComment = 2000
	MaxLong    = 4000
)

// CommentAnswer is the answer to the comment task: agree with the sender's
// report, or not and say why.
type CommentAnswer struct {
	Agree   *bool  `json:"agree"`
	Comment string `json:"comment,omitempty"`
}

// ApplicationAnswer is the sygedagpenge application. Apply "no" is a
// signed answer too. The questions after "yes" depend on the kind of
// person (seeds/003: "felterne kan variere afhængig af om den sygemeldte er
// ledig, selvstændig eller lønmodtager").
type ApplicationAnswer struct {
	Apply                  *bool  `json:"apply"`
	OtherIncome            *bool  `json:"otherIncome,omitempty"`
	OtherIncomeDescription string `json:"otherIncomeDescription,omitempty"`
	HolidayDuringAbsence   *bool  `json:"holidayDuringAbsence,omitempty"`
	// EmploymentEnded is asked of an employee.
	EmploymentEnded *bool `json:"employmentEnded,omitempty"`
	// BusinessRunning is asked of the self-employed: does the business run
	// on during the absence.
	BusinessRunning *bool `json:"businessRunning,omitempty"`
	// AvailableBeforeSickness is asked of an unemployed member: were you
	// available for work before you fell ill.
	AvailableBeforeSickness *bool `json:"availableBeforeSickness,omitempty"`
}

// DocumentRef is a clean upload referenced by an answer.
type DocumentRef struct {
	DocumentID string `json:"documentId"`
	Title      string `json:"title,omitempty"`
}

// SupplementaryAnswer is supplementary information: a comment and/or
// documents.
type SupplementaryAnswer struct {
	Comment   string        `json:"comment,omitempty"`
	Documents []DocumentRef `json:"documents,omitempty"`
}

// HearingAnswer is the explanation in a hearing (partshøring) about the
// missing information form.
type HearingAnswer struct {
	Explanation string `json:"explanation"`
}

// MovingConsentAnswer is the consent (or refusal) on moving.
type MovingConsentAnswer struct {
	Consent *bool `json:"consent"`
}

// DecideTask checks the answer to task id (any task but the information
// form, which is sent from its draft with DecideForm).
func DecideTask(a Absence, id string, body json.RawMessage, docs Documents) (Answer, error) {
	t, err := a.CanAnswer(id)
	if err != nil {
		return Answer{}, err
	}
	ans := Answer{Kind: t.Kind, TaskID: t.ID, Signed: true, Send: true}
	var fe events.FieldErrors
	var out any
	switch t.Kind {
	case Comment:
		var in CommentAnswer
		if fe = decode(body, &in); len(fe) > 0 {
			break
		}
		in.Comment = strings.TrimSpace(in.Comment)
		switch {
		case in.Agree == nil:
			fe.Add("agree", "required", "Svar på, om du er enig i oplysningerne.", "Please say whether you agree with the information.")
		case *in.Agree:
			// Silence is consent: agreeing needs no signature and sends
			// nothing to the municipality (seeds/003).
			in.Comment = ""
			ans.Signed, ans.Send = false, false
		default:
			text(&fe, "comment", in.Comment, MaxComment, true, "Skriv, hvorfor oplysningerne ikke er korrekte.", "Please write why the information is not correct.")
		}
		out = in
	case Application:
		var in ApplicationAnswer
		if fe = decode(body, &in); len(fe) > 0 {
			break
		}
		fe = checkApplication(a.PersonKind, &in)
		out = in
	case SupplementaryInformation:
		var in SupplementaryAnswer
		if fe = decode(body, &in); len(fe) > 0 {
			break
		}
		in.Comment = strings.TrimSpace(in.Comment)
		if in.Comment == "" && len(in.Documents) == 0 {
			fe.Add("comment", "required", "Skriv en kommentar eller vedhæft dokumentation.", "Please write a comment or attach documentation.")
		}
		text(&fe, "comment", in.Comment, MaxLong, false, "", "")
		for i := range in.Documents {
			d, dfe := reference(a, docs, fmt.Sprintf("documents.%d.documentId", i), in.Documents[i].DocumentID)
			fe = append(fe, dfe...)
			if len(dfe) == 0 {
				ans.DocumentRefs = append(ans.DocumentRefs, d.ID)
				if strings.TrimSpace(in.Documents[i].Title) == "" {
					in.Documents[i].Title = d.Title
				}
			}
			text(&fe, fmt.Sprintf("documents.%d.title", i), in.Documents[i].Title, 200, true, "Skriv en titel på dokumentet.", "Please enter a title for the document.")
		}
		out = in
	case Hearing:
		var in HearingAnswer
		if fe = decode(body, &in); len(fe) > 0 {
			break
		}
		in.Explanation = strings.TrimSpace(in.Explanation)
		text(&fe, "explanation", in.Explanation, MaxLong, true, "Skriv din forklaring.", "Please write your explanation.")
		out = in
	case MovingConsent:
		var in MovingConsentAnswer
		if fe = decode(body, &in); len(fe) > 0 {
			break
		}
		if in.Consent == nil {
			fe.Add("consent", "required", "Svar på, om du giver samtykke.", "Please say whether you give your consent.")
		}
		out = in
	case InformationForm:
		return Answer{}, ErrWrongRoute
	default:
		return Answer{}, ErrNoTask
	}
	if len(fe) > 0 {
		return Answer{}, fe
	}
	b, err := json.Marshal(out)
	if err != nil {
		return Answer{}, fmt.Errorf("encode answer: %w", err)
	}
	ans.Body = b
	return ans, nil
}

func checkApplication(kind string, in *ApplicationAnswer) events.FieldErrors {
	var fe events.FieldErrors
	yesNo := func(field string, v *bool, da, en string) {
		if v == nil {
			fe.Add(field, "required", da, en)
		}
	}
	notAsked := func(field string, v *bool) {
		if v != nil {
			fe.Add(field, "not-asked", "Spørgsmålet stilles ikke i din situation.", "This question is not asked in your situation.")
		}
	}
	if in.Apply == nil {
		fe.Add("apply", "required", "Svar på, om du vil søge om sygedagpenge.", "Please say whether you want to apply for sickness benefit.")
		return fe
	}
	if !*in.Apply {
		// "No" is a signed answer on its own; nothing else is asked.
		*in = ApplicationAnswer{Apply: in.Apply}
		return nil
	}
	yesNo("otherIncome", in.OtherIncome, "Svar på, om du får anden indtægt under sygdommen.", "Please say whether you receive other income during the illness.")
	yesNo("holidayDuringAbsence", in.HolidayDuringAbsence, "Svar på, om du holder ferie under sygdommen.", "Please say whether you take holiday during the illness.")
	if in.OtherIncome != nil && *in.OtherIncome {
		text(&fe, "otherIncomeDescription", strings.TrimSpace(in.OtherIncomeDescription), MaxComment, true, "Beskriv din anden indtægt.", "Please describe your other income.")
	} else {
		in.OtherIncomeDescription = ""
	}
	switch kind {
	case form.Employee:
		yesNo("employmentEnded", in.EmploymentEnded, "Svar på, om dit ansættelsesforhold er ophørt.", "Please say whether your employment has ended.")
		notAsked("businessRunning", in.BusinessRunning)
		notAsked("availableBeforeSickness", in.AvailableBeforeSickness)
	case form.SelfEmployed:
		yesNo("businessRunning", in.BusinessRunning, "Svar på, om din virksomhed kører videre under sygdommen.", "Please say whether your business keeps running during the illness.")
		notAsked("employmentEnded", in.EmploymentEnded)
		notAsked("availableBeforeSickness", in.AvailableBeforeSickness)
	case form.UnemployedMember:
		yesNo("availableBeforeSickness", in.AvailableBeforeSickness, "Svar på, om du stod til rådighed for arbejdsmarkedet, før du blev syg.", "Please say whether you were available for work before you fell ill.")
		notAsked("employmentEnded", in.EmploymentEnded)
		notAsked("businessRunning", in.BusinessRunning)
	}
	return fe
}

// DecideForm checks the information form in draft for sending: the form task
// must be answerable and every section that applies completed and valid.
func DecideForm(a Absence, d form.Draft) (Answer, error) {
	t, ok := a.TaskOfKind(InformationForm)
	if !ok {
		return Answer{}, ErrNoForm
	}
	if _, err := a.CanAnswer(t.ID); err != nil {
		return Answer{}, err
	}
	b, err := form.Validate(a.FormContext(), d.Answers)
	if err != nil {
		return Answer{}, err
	}
	return Answer{Kind: InformationForm, TaskID: t.ID, Signed: true, Send: true, Body: b}, nil
}

// CanDraft checks that the information form's draft may be changed now.
func CanDraft(a Absence) error {
	t, ok := a.TaskOfKind(InformationForm)
	if !ok {
		return ErrNoForm
	}
	_, err := a.CanAnswer(t.ID)
	return err
}

// reference checks that a document may go with an answer for absence a:
// known, scanned clean and uploaded for this absence. An infected upload
// was rejected and cannot be sent (seeds/003, "Virus-scanning i Mit
// Sygefravær").
func reference(a Absence, docs Documents, field, id string) (Document, events.FieldErrors) {
	var fe events.FieldErrors
	d, ok := docs[id]
	switch {
	case strings.TrimSpace(id) == "":
		fe.Add(field, "required", "Vælg et dokument.", "Please choose a document.")
	case !ok:
		fe.Add(field, "not-scanned", "Dokumentet er ikke virusscannet endnu. Prøv igen om lidt.", "The document has not been scanned for viruses yet. Please try again shortly.")
	case d.AbsenceID != a.ID:
		// Uploaded for another absence, or for none: it cannot be told
		// apart from someone else's document.
		fe.Add(field, "unknown-document", "Dokumentet er ikke uploadet til dette sygefravær.", "The document was not uploaded for this absence.")
	case d.Status == DocumentRejected:
		fe.Add(field, "document-rejected",
			"Et eller flere af dine dokumenter er blevet afvist. Mit Sygefravær kan desværre ikke sende dit dokument til kommunen, da det tilsyneladende er inficeret med virus. Du bedes derfor sende oplysningerne til kommunen på anden vis, fx med fysisk post.",
			"One or more of your documents have been rejected. Unfortunately, Mit Sygefravær cannot send your document to the municipality, as it appears to be infected with a virus. Please send the information to the municipality another way, for example by post.")
	case d.Status != DocumentAccepted:
		fe.Add(field, "not-scanned", "Dokumentet er ikke virusscannet endnu. Prøv igen om lidt.", "The document has not been scanned for viruses yet. Please try again shortly.")
	}
	return d, fe
}

// text checks a free-text field: required (with the given message) and at
// most max characters.
func text(fe *events.FieldErrors, field, v string, max int, required bool, da, en string) {
	switch {
	case v == "" && required:
		fe.Add(field, "required", da, en)
	case utf8.RuneCountInString(v) > max:
		fe.Add(field, "max-length", fmt.Sprintf("Skriv højst %d tegn.", max), fmt.Sprintf("Enter at most %d characters.", max))
	}
}

// decode reads body into v strictly: unknown fields and wrong types are
// field errors.
func decode(body json.RawMessage, v any) events.FieldErrors {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return events.FieldErrors{{Field: "", Code: "json", Da: "Svaret skal være et JSON-objekt.", En: "The answer must be a JSON object."}}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return events.FieldErrors{{Field: te.Field, Code: "type", Da: "Feltet har en forkert type.", En: "The field has the wrong type."}}
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return events.FieldErrors{{Field: strings.Trim(f, `"`), Code: "unknown-field", Da: "Feltet kendes ikke i denne opgave.", En: "This field is not part of this task."}}
	}
	return events.FieldErrors{{Field: "", Code: "json", Da: "Svaret er ikke gyldig JSON.", En: "The answer is not valid JSON."}}
}
