package tasks_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/citizen/form"
	"nemrefusion.dk/functions/citizen/tasks"
)

// The scenarios below drive the pure domain in plain language: a person
// falls ill, gets tasks, reads the legal text, answers, and every answer
// that is sent becomes a receipt. No server, no database.

type person struct {
	t        *testing.T
	absence  tasks.Absence
	today    time.Time
	receipts []tasks.Answer
	docs     tasks.Documents
}

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := tasks.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sickFrom makes a person of kind sick from first, reported on the same
// day with the tasks the sender's function asked for.
func sickFrom(t *testing.T, kind, first string, requested ...string) *person {
	t.Helper()
	req := events.CitizenTasksRequest{AbsenceID: "abs-" + kind, CPR: "0101901234", PersonKind: kind, Municipality: "101",
		SenderName: "NETS DANID A/S", SenderCVR: "30000005", FirstAbsenceDay: first, Tasks: requested,
		Deadline: day(t, first).AddDate(0, 0, 8).Format(time.DateOnly)}
	if kind == form.Employee {
		req.Report = json.RawMessage(`{"wagesPaid": false, "retention": {"partialResumptionPossible": true, "expectsReturn": true, "retentionPlanWanted": false}}`)
	}
	a, err := tasks.NewAbsence(req)
	if err != nil {
		t.Fatal(err)
	}
	p := &person{t: t, absence: a, today: day(t, first), docs: tasks.Documents{}}
	p.absence.Request(req, p.today)
	return p
}

func (p *person) kinds() []string {
	var out []string
	for _, t := range p.absence.Tasks {
		out = append(out, t.Kind)
	}
	return out
}

func (p *person) readsTheLegalText() { p.absence.Acknowledge(p.today) }

// answers answers the open task of kind with body, and on success completes
// it and keeps the receipt.
func (p *person) answers(kind, body string) (tasks.Answer, error) {
	p.t.Helper()
	id := ""
	for _, t := range p.absence.Tasks {
		if t.Kind == kind && t.Open() {
			id = t.ID
		}
	}
	if id == "" {
		p.t.Fatalf("no open task %s in %v", kind, p.kinds())
	}
	ans, err := tasks.DecideTask(p.absence, id, json.RawMessage(body), p.docs)
	if err == nil {
		p.absence.Complete(id, "answer-"+kind, p.today)
		p.receipts = append(p.receipts, ans)
	}
	return ans, err
}

func (p *person) mustAnswer(kind, body string) tasks.Answer {
	p.t.Helper()
	ans, err := p.answers(kind, body)
	if err != nil {
		p.t.Fatalf("answer %s: %v", kind, err)
	}
	return ans
}

// fieldCodes returns field -> code of a field error, or fails.
func fieldCodes(t *testing.T, err error) map[string]string {
	t.Helper()
	var fe events.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("want field errors, got %v", err)
	}
	out := map[string]string{}
	for _, e := range fe {
		if e.Da == "" || e.En == "" {
			t.Errorf("%s: a message is missing in Danish or English: %+v", e.Field, e)
		}
		out[e.Field] = e.Code
	}
	return out
}

func TestAnEmployeeWithoutWagesGetsThreeTasksInTheOrderOfTheGuide(t *testing.T) {
	p := sickFrom(t, form.Employee, "2024-03-04", tasks.InformationForm, tasks.Application, tasks.Comment)
	if got, want := p.kinds(), []string{tasks.Comment, tasks.Application, tasks.InformationForm}; !slices.Equal(got, want) {
		t.Fatalf("tasks %v, want %v", got, want)
	}
	if p.absence.Counter() != 3 {
		t.Fatalf("counter %d, want 3", p.absence.Counter())
	}
	for _, task := range p.absence.Tasks {
		if task.Deadline != day(t, "2024-03-12") {
			t.Errorf("%s due %s, want 8 days after the letter", task.Kind, task.Deadline)
		}
	}

	// Before the legal text is acknowledged, nothing can be answered.
	if _, err := p.answers(tasks.Comment, `{"agree": true}`); !errors.Is(err, tasks.ErrLegalText) {
		t.Fatalf("answer before the legal text: %v", err)
	}
	p.readsTheLegalText()
	if p.absence.Acknowledge(p.today) {
		t.Fatal("the legal text is acknowledged once per absence")
	}

	// The application cannot be answered while the comment task is open.
	if _, err := p.answers(tasks.Application, `{"apply": false}`); !errors.Is(err, tasks.ErrOrder) {
		t.Fatalf("application before comment: %v", err)
	}
	next, _ := p.absence.Next()
	if next.Kind != tasks.Comment {
		t.Fatalf("Start leads to %s, want the comment task", next.Kind)
	}
}

func TestAgreeingWithTheEmployerNeedsNoSignatureAndSendsNothing(t *testing.T) {
	p := sickFrom(t, form.Employee, "2024-03-04", tasks.Comment, tasks.InformationForm)
	p.readsTheLegalText()
	ans := p.mustAnswer(tasks.Comment, `{"agree": true, "comment": "ignored when agreeing"}`)
	if ans.Signed || ans.Send {
		t.Fatalf("agreeing: signed %v, sent %v; want neither (silence is consent)", ans.Signed, ans.Send)
	}
	if string(ans.Body) != `{"agree":true}` {
		t.Fatalf("stored answer %s", ans.Body)
	}
	if p.absence.Counter() != 1 {
		t.Fatalf("counter %d after the comment, want 1", p.absence.Counter())
	}
}

func TestDisagreeingNeedsACommentAndASignatureAndIsSent(t *testing.T) {
	p := sickFrom(t, form.Employee, "2024-03-04", tasks.Comment)
	p.readsTheLegalText()
	_, err := p.answers(tasks.Comment, `{"agree": false}`)
	if got := fieldCodes(t, err); got["comment"] != "required" {
		t.Fatalf("disagreeing without a comment: %v", got)
	}
	_, err = p.answers(tasks.Comment, `{"agree": false, "comment": "Jeg er ansat 37 timer, ikke 30.", "extra": 1}`)
	if got := fieldCodes(t, err); got["extra"] != "unknown-field" {
		t.Fatalf("an unknown field: %v", got)
	}
	ans := p.mustAnswer(tasks.Comment, `{"agree": false, "comment": "Jeg er ansat 37 timer, ikke 30."}`)
	if !ans.Signed || !ans.Send {
		t.Fatalf("disagreeing: signed %v, sent %v; want both", ans.Signed, ans.Send)
	}
	if _, err := tasks.DecideTask(p.absence, p.absence.Tasks[0].ID, json.RawMessage(`{"agree": true}`), nil); !errors.Is(err, tasks.ErrAnswered) {
		t.Fatalf("answering twice: %v", err)
	}
}

func TestTheApplicationAsksByKindOfPersonAndNoIsASignedAnswerToo(t *testing.T) {
	p := sickFrom(t, form.Employee, "2024-03-04", tasks.Comment, tasks.Application)
	p.readsTheLegalText()
	p.mustAnswer(tasks.Comment, `{"agree": true}`)
	_, err := p.answers(tasks.Application, `{"apply": true, "otherIncome": true, "businessRunning": true}`)
	got := fieldCodes(t, err)
	want := map[string]string{"otherIncomeDescription": "required", "holidayDuringAbsence": "required", "employmentEnded": "required", "businessRunning": "not-asked"}
	for f, c := range want {
		if got[f] != c {
			t.Errorf("%s: %q, want %q (all %v)", f, got[f], c, got)
		}
	}
	ans := p.mustAnswer(tasks.Application, `{"apply": false, "otherIncome": true}`)
	if !ans.Signed || !ans.Send || string(ans.Body) != `{"apply":false}` {
		t.Fatalf("no to the application: signed %v sent %v body %s", ans.Signed, ans.Send, ans.Body)
	}

	u := sickFrom(t, form.UnemployedMember, "2024-03-04", tasks.Comment, tasks.Application)
	u.readsTheLegalText()
	u.mustAnswer(tasks.Comment, `{"agree": true}`)
	u.mustAnswer(tasks.Application, `{"apply": true, "otherIncome": false, "holidayDuringAbsence": false, "availableBeforeSickness": true}`)
}

func TestTheSelfEmployedGetNoCommentTask(t *testing.T) {
	p := sickFrom(t, form.SelfEmployed, "2024-03-04", tasks.Comment, tasks.InformationForm)
	if got := p.kinds(); !slices.Equal(got, []string{tasks.InformationForm}) {
		t.Fatalf("tasks %v, want only the information form", got)
	}
	kinds, dropped := tasks.Plan(form.SelfEmployed, false, []string{tasks.Comment})
	if len(kinds) != 0 || len(dropped) != 1 || dropped[0].Rule != "self-employed-made-the-report" {
		t.Fatalf("plan %v dropped %v", kinds, dropped)
	}
}

func TestNoInformationFormWhenTheSenderGaveALastAbsenceDay(t *testing.T) {
	kinds, dropped := tasks.Plan(form.Employee, true, []string{tasks.Comment, tasks.InformationForm})
	if !slices.Equal(kinds, []string{tasks.Comment}) || dropped[0].Rule != "last-absence-day-given" {
		t.Fatalf("plan %v dropped %v", kinds, dropped)
	}
}

func TestTheSameRequestTwiceGivesTheTasksOnce(t *testing.T) {
	p := sickFrom(t, form.Employee, "2024-03-04", tasks.Comment, tasks.InformationForm)
	added, _ := p.absence.Request(events.CitizenTasksRequest{Tasks: []string{tasks.Comment, tasks.InformationForm}}, p.today)
	if len(added) != 0 || len(p.absence.Tasks) != 2 {
		t.Fatalf("repeated request added %v", added)
	}
}

// fillsIn saves a section with "Gem og fortsæt" and wants it accepted.
func fillsIn(t *testing.T, a tasks.Absence, d form.Draft, section, answers string) form.Draft {
	t.Helper()
	d, err := d.Save(a.FormContext(), section, json.RawMessage(answers), true)
	if err != nil {
		t.Fatalf("section %s: %v", section, err)
	}
	return d
}

// logsOutAndIn stores the draft as JSON and reads it back, as a new login
// finds it in the database.
func logsOutAndIn(t *testing.T, d form.Draft) form.Draft {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back form.Draft
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

func TestTheInformationFormDraftResumesOnThePageReachedAfterANewLogin(t *testing.T) {
	p := sickFrom(t, form.Employee, "2024-03-04", tasks.Comment, tasks.InformationForm)
	p.readsTheLegalText()
	p.mustAnswer(tasks.Comment, `{"agree": true}`)
	ctx := p.absence.FormContext()
	if err := tasks.CanDraft(p.absence); err != nil {
		t.Fatal(err)
	}

	d := form.Draft{}
	if d.Page(ctx) != form.Illness {
		t.Fatalf("a new form starts on %s", d.Page(ctx))
	}
	// A page cannot be skipped.
	if _, err := d.Save(ctx, form.Position, json.RawMessage(`{}`), false); fieldCodes(t, err)["section"] != "not-reached" {
		t.Fatalf("jumping ahead: %v", err)
	}
	d = fillsIn(t, p.absence, d, form.Illness, `{"cause": "physical", "description": "Brækket ben", "seriousIllness": false, "hospitalised": false}`)
	d = fillsIn(t, p.absence, d, form.Injury, `{"workInjury": false, "personalInjury": false}`)
	// Half of the position page, then "Gem og gå til forsiden" and log out.
	d, err := d.Save(ctx, form.Position, json.RawMessage(`{"jobTitle": "Lagermedarbejder"}`), false)
	if err != nil {
		t.Fatal(err)
	}
	d = logsOutAndIn(t, d)
	if d.Page(ctx) != form.Position {
		t.Fatalf("after a new login the form resumes on %s, want %s", d.Page(ctx), form.Position)
	}
	var half map[string]any
	if _ = json.Unmarshal(d.Answers[form.Position], &half); half["jobTitle"] != "Lagermedarbejder" {
		t.Fatalf("the half page was not kept: %s", d.Answers[form.Position])
	}
	// "Gem og fortsæt" on a half page names the missing field.
	if _, err := d.Save(ctx, form.Position, d.Answers[form.Position], true); fieldCodes(t, err)["education"] != "required" {
		t.Fatalf("half page accepted: %v", err)
	}
	// The form cannot be sent before every page is done.
	if _, err := tasks.DecideForm(p.absence, d); fieldCodes(t, err)["position.education"] != "required" {
		t.Fatalf("sending a half form: %v", err)
	}
	d = fillsIn(t, p.absence, d, form.Position, `{"jobTitle": "Lagermedarbejder", "education": "vocational"}`)
	d = fillsIn(t, p.absence, d, form.BackToWork, `{"backByTargetDate": "no", "partialResumptionPossible": true, "returnToOwnWorkplace": true, "targetDate": "2030-01-01"}`)
	var btw map[string]any
	_ = json.Unmarshal(d.Answers[form.BackToWork], &btw)
	if btw["targetDate"] != "2024-04-29" {
		t.Fatalf("target date %v, want 8 weeks after 4 March 2024 (filled in by the system)", btw["targetDate"])
	}
	d = fillsIn(t, p.absence, d, form.Treatment, `{"inTreatment": true, "places": [{"kind": "gp", "name": "Lægehuset"}], "awaitingOperation": false}`)
	d = fillsIn(t, p.absence, d, form.Workplace, `{"affectedWorkSince": "under-1-month", "retentionPlanMade": false, "medicalCertificateForEmployer": false}`)
	d = fillsIn(t, p.absence, d, form.Contact, `{"phone": "+4512345678"}`)
	d = logsOutAndIn(t, d)
	if d.Page(ctx) != form.Consents {
		t.Fatalf("resumes on %s, want consents", d.Page(ctx))
	}
	d = fillsIn(t, p.absence, d, form.Consents, `{"healthInformation": true, "registerMatching": false}`)
	if d.Page(ctx) != form.Summary {
		t.Fatalf("after the last page: %s, want the summary", d.Page(ctx))
	}
	ans, err := tasks.DecideForm(p.absence, d)
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Signed || !ans.Send {
		t.Fatal("the information form is signed and sent")
	}
	if err := events.ValidateJSON(events.CitizenInformationForm, ans.Body); err != nil {
		t.Fatalf("the sent form does not follow the shared schema: %v", err)
	}
	if closed := p.absence.Complete(ans.TaskID, "form-answer", p.today); !closed || p.absence.Counter() != 0 {
		t.Fatalf("the last task answered: closed %v counter %d", closed, p.absence.Counter())
	}
}

func TestFormSectionsAndFieldsFollowEarlierAnswers(t *testing.T) {
	first := day(t, "2024-03-04")
	employee := form.Context{PersonKind: form.Employee, FirstAbsenceDay: first}
	unemployed := form.Context{PersonKind: form.UnemployedMember, FirstAbsenceDay: first}
	standby := form.Answers{form.Illness: json.RawMessage(`{"seriousIllness": true, "useStandby": true}`)}
	cases := []struct {
		name string
		ctx  form.Context
		a    form.Answers
		want []string
	}{
		{"an employee gets every section", employee, nil, form.Order},
		{"an unemployed member has no workplace section", unemployed, nil,
			[]string{form.Illness, form.Injury, form.Position, form.BackToWork, form.Treatment, form.Contact, form.Consents}},
		{"standby leaves out the follow-up sections", employee, standby,
			[]string{form.Illness, form.Injury, form.Treatment, form.Contact, form.Consents}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := form.Sections(c.ctx, c.a); !slices.Equal(got, c.want) {
				t.Fatalf("sections %v, want %v", got, c.want)
			}
		})
	}

	fields := []struct {
		section, answers string
		want             map[string]string
	}{
		{form.Illness, `{"cause": "mental", "description": "Stress", "seriousIllness": true, "hospitalised": false}`, map[string]string{"useStandby": "required"}},
		{form.Injury, `{"workInjury": true, "personalInjury": true}`, map[string]string{"workInjuryReported": "required", "injuryDate": "required", "injuryDescription": "required"}},
		{form.Injury, `{"workInjury": false, "personalInjury": true, "injuryDate": "2024-03-05", "injuryDescription": "Trafikuheld"}`, map[string]string{"injuryDate": "after-first-absence-day"}},
		{form.BackToWork, `{"backByTargetDate": "no", "partialResumptionPossible": false, "returnToOwnWorkplace": false}`, map[string]string{"reasonNotReturning": "required", "otherWorkPossible": "required", "wantsJobcenterContact": "required"}},
		{form.Treatment, `{"inTreatment": true, "awaitingOperation": true}`, map[string]string{"places": "required"}},
		{form.Workplace, `{"affectedWorkSince": "1-3-months", "retentionPlanMade": false, "medicalCertificateForEmployer": false}`,
			map[string]string{"partialResumptionAnswer": "required", "expectsReturnAnswer": "required", "retentionPlanAnswer": "required"}},
		{form.Contact, `{"phone": "abc"}`, map[string]string{"phone": "format"}},
	}
	for _, f := range fields {
		t.Run(f.section, func(t *testing.T) {
			_, err := form.ValidateSection(employee, f.section, json.RawMessage(f.answers))
			got := fieldCodes(t, err)
			for field, code := range f.want {
				if got[field] != code {
					t.Errorf("%s: %q, want %q (all %v)", field, got[field], code, got)
				}
			}
		})
	}

	// With the employer's retention answers the person's own answers are
	// remarks and may be left out; the page shows the employer's answers.
	withRetention := employee
	withRetention.Retention = &form.Retention{PartialResumptionPossible: true}
	if _, err := form.ValidateSection(withRetention, form.Workplace, json.RawMessage(`{"affectedWorkSince": "1-3-months", "retentionPlanMade": false, "medicalCertificateForEmployer": false}`)); err != nil {
		t.Fatalf("employer answered: %v", err)
	}
	if form.Prefill(withRetention, form.Workplace)["retention"] != withRetention.Retention {
		t.Fatal("the employer's retention answers are not shown on the workplace page")
	}
}

func TestTheMunicipalitysTasksAreIndependentAndAnInfectedUploadCannotBeSent(t *testing.T) {
	p := sickFrom(t, form.Employee, "2024-03-04", tasks.Comment, tasks.InformationForm)
	req := func(kind string) {
		p.absence.Request(events.CitizenTasksRequest{Tasks: []string{kind}, Deadline: "2024-04-10"}, p.today)
	}
	req(tasks.SupplementaryInformation)
	req(tasks.Hearing)
	req(tasks.MovingConsent)
	req(tasks.Hearing) // asked again while open: one hearing task
	if p.absence.Counter() != 5 {
		t.Fatalf("counter %d, want 5 (%v)", p.absence.Counter(), p.kinds())
	}
	p.readsTheLegalText()
	// The comment task is still open, and the municipality's tasks do not wait for it.
	p.docs["doc-clean"] = tasks.Document{ID: "doc-clean", AbsenceID: p.absence.ID, Title: "Lønseddel (september)", Status: tasks.DocumentAccepted}
	p.docs["doc-virus"] = tasks.Document{ID: "doc-virus", AbsenceID: p.absence.ID, Title: "Lægeerklæring", Status: tasks.DocumentRejected, Reason: events.DocumentInfected}
	p.docs["doc-other"] = tasks.Document{ID: "doc-other", AbsenceID: "another-absence", Title: "Andet", Status: tasks.DocumentAccepted}

	_, err := p.answers(tasks.SupplementaryInformation, `{"comment": "Se vedhæftede", "documents": [{"documentId": "doc-virus"}, {"documentId": "doc-other"}, {"documentId": "doc-unscanned"}]}`)
	got := fieldCodes(t, err)
	if got["documents.0.documentId"] != "document-rejected" || got["documents.1.documentId"] != "unknown-document" || got["documents.2.documentId"] != "not-scanned" {
		t.Fatalf("bad documents: %v", got)
	}
	if _, err := p.answers(tasks.SupplementaryInformation, `{}`); fieldCodes(t, err)["comment"] != "required" {
		t.Fatal("supplementary information needs a comment or a document")
	}
	ans := p.mustAnswer(tasks.SupplementaryInformation, `{"comment": "Jeg har arbejdet 50 timer i januar.", "documents": [{"documentId": "doc-clean"}]}`)
	if !ans.Signed || !slices.Equal(ans.DocumentRefs, []string{"doc-clean"}) {
		t.Fatalf("supplementary information: %+v", ans)
	}
	var body tasks.SupplementaryAnswer
	_ = json.Unmarshal(ans.Body, &body)
	if body.Documents[0].Title != "Lønseddel (september)" {
		t.Fatalf("the document's title is taken from the upload: %+v", body)
	}
	if _, err := p.answers(tasks.Hearing, `{"explanation": " "}`); fieldCodes(t, err)["explanation"] != "required" {
		t.Fatal("a hearing needs an explanation")
	}
	p.mustAnswer(tasks.Hearing, `{"explanation": "Jeg var indlagt og kunne ikke udfylde skemaet."}`)
	p.mustAnswer(tasks.MovingConsent, `{"consent": true}`)
	if p.absence.Counter() != 2 {
		t.Fatalf("counter %d, want the comment and the form left", p.absence.Counter())
	}

	// Upload documentation at any time: the infected upload cannot be sent.
	if _, err := tasks.DecideDocumentation(p.absence, json.RawMessage(`{"documentId": "doc-virus", "reason": "Lægeerklæring"}`), p.docs); fieldCodes(t, err)["documentId"] != "document-rejected" {
		t.Fatalf("infected upload referenced: %v", err)
	}
	doc, err := tasks.DecideDocumentation(p.absence, json.RawMessage(`{"documentId": "doc-clean", "reason": "Min lønseddel"}`), p.docs)
	if err != nil || doc.Signed || !doc.Send || !slices.Equal(doc.DocumentRefs, []string{"doc-clean"}) {
		t.Fatalf("documentation: %+v %v", doc, err)
	}
}

func TestRecoveryForEachKindOfPerson(t *testing.T) {
	for _, kind := range []string{form.Employee, form.SelfEmployed, form.UnemployedMember} {
		t.Run(kind, func(t *testing.T) {
			p := sickFrom(t, kind, "2024-03-04", tasks.InformationForm)
			p.today = day(t, "2024-03-20")
			cases := map[string]string{
				`{}`:                               "required",
				`{"lastAbsenceDay": "2024-02-30"}`: "date",
				`{"lastAbsenceDay": "2024-03-01"}`: "before-first-absence-day",
				`{"lastAbsenceDay": "2024-03-21"}`: "in-the-future",
			}
			for body, code := range cases {
				_, _, err := tasks.DecideRecovery(p.absence, json.RawMessage(body), p.today)
				if got := fieldCodes(t, err); got["lastAbsenceDay"] != code {
					t.Errorf("%s: %v, want %s", body, got, code)
				}
			}
			ans, last, err := tasks.DecideRecovery(p.absence, json.RawMessage(`{"lastAbsenceDay": "2024-03-18"}`), p.today)
			if err != nil || !ans.Signed || !ans.Send || last != day(t, "2024-03-18") {
				t.Fatalf("recovery: %+v %v %v", ans, last, err)
			}
			p.absence.RecoveredOn = &last
			if _, _, err := tasks.DecideRecovery(p.absence, json.RawMessage(`{"lastAbsenceDay": "2024-03-18"}`), p.today); !errors.Is(err, tasks.ErrNotActive) {
				t.Fatalf("a second recovery: %v", err)
			}
			if _, _, err := tasks.DecidePartial(p.absence, json.RawMessage(`{}`), p.today); !errors.Is(err, tasks.ErrNotActive) {
				t.Fatalf("partial resumption after recovery: %v", err)
			}
		})
	}
}

func TestPartialResumptionForEachKindOfPerson(t *testing.T) {
	t.Run("an employee gives hours and minutes per week and may add and remove weeks", func(t *testing.T) {
		p := sickFrom(t, form.Employee, "2024-03-06", tasks.InformationForm)
		p.today = day(t, "2024-03-27")
		_, _, err := tasks.DecidePartial(p.absence, json.RawMessage(`{"weeks": [
			{"weekStart": "2024-02-26", "hours": 5, "minutes": 0},
			{"weekStart": "2024-03-05", "hours": 5, "minutes": 0},
			{"weekStart": "2024-03-11", "hours": 0, "minutes": 0},
			{"weekStart": "2024-03-18", "hours": 10, "minutes": 75},
			{"weekStart": "2024-03-18", "hours": 10, "minutes": 0},
			{"weekStart": "2024-04-01", "hours": 10, "minutes": 0}],
			"incapacity": {"from": "2024-03-06", "percent": 50}}`), p.today)
		want := map[string]string{"weeks.0.weekStart": "before-absence", "weeks.1.weekStart": "not-monday", "weeks.2.hours": "required",
			"weeks.3.minutes": "range", "weeks.4.weekStart": "repeated", "weeks.5.weekStart": "in-the-future", "incapacity": "not-asked"}
		got := fieldCodes(t, err)
		for f, c := range want {
			if got[f] != c {
				t.Errorf("%s: %q, want %q (all %v)", f, got[f], c, got)
			}
		}
		// The week of the first absence day counts even though it began before it.
		ans, rep, err := tasks.DecidePartial(p.absence, json.RawMessage(`{"weeks": [{"weekStart": "2024-03-04", "hours": 7, "minutes": 30}, {"weekStart": "2024-03-11", "hours": 15, "minutes": 0}]}`), p.today)
		if err != nil || !ans.Signed || len(rep.Weeks) != 2 {
			t.Fatalf("partial resumption: %+v %v", ans, err)
		}
	})
	t.Run("the self-employed give the degree of incapacity from a date", func(t *testing.T) {
		p := sickFrom(t, form.SelfEmployed, "2024-03-04", tasks.InformationForm)
		p.today = day(t, "2024-03-20")
		cases := map[string]map[string]string{
			`{"weeks": [{"weekStart": "2024-03-11", "hours": 5, "minutes": 0}]}`: {"weeks": "not-asked", "incapacity": "required"},
			`{"incapacity": {"from": "2024-03-01", "percent": 50}}`:              {"incapacity.from": "before-absence"},
			`{"incapacity": {"from": "2024-03-11", "percent": 0}}`:               {"incapacity.percent": "recovered"},
			`{"incapacity": {"from": "2024-03-11", "percent": 120}}`:             {"incapacity.percent": "range"},
		}
		for body, want := range cases {
			_, _, err := tasks.DecidePartial(p.absence, json.RawMessage(body), p.today)
			got := fieldCodes(t, err)
			for f, c := range want {
				if got[f] != c {
					t.Errorf("%s: %s %q, want %q", body, f, got[f], c)
				}
			}
		}
		_, rep, err := tasks.DecidePartial(p.absence, json.RawMessage(`{"incapacity": {"from": "2024-03-18", "percent": 60}}`), p.today)
		if err != nil || rep.Incapacity.Percent != 60 {
			t.Fatalf("self-employed partial: %+v %v", rep, err)
		}
	})
	t.Run("an unemployed member gives hours per week", func(t *testing.T) {
		p := sickFrom(t, form.UnemployedMember, "2024-03-04", tasks.InformationForm)
		p.today = day(t, "2024-03-20")
		if _, _, err := tasks.DecidePartial(p.absence, json.RawMessage(`{"weeks": [{"weekStart": "2024-03-11", "hours": 8, "minutes": 15}]}`), p.today); err != nil {
			t.Fatal(err)
		}
	})
}
