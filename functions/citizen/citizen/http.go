package citizen

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/citizen/form"
	"nemrefusion.dk/functions/citizen/tasks"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// maxBody caps a request body (the information form's pages are the largest).
const maxBody = 256 << 10

// errLoginTooOld marks a signed answer with a login older than the signing
// limit; it is answered with the step-up challenge.
var errLoginTooOld = errors.New("login too old to sign")

// writeErr answers err: refusals of the flow as 409 or 404, a stale login
// as the step-up challenge, everything else as the runtime does.
func (f *Function) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	var ref *tasks.Refusal
	var d denied
	if errors.As(err, &d) {
		p, _ := auth.FromContext(r.Context())
		if lerr := auth.LogDenial(r.Context(), f.svc.DB, p, r, d.resource, "tenant"); lerr != nil {
			err = lerr
		}
	}
	switch {
	case errors.Is(err, errLoginTooOld):
		auth.WriteLoginTooOld(w, f.maxAge)
	case errors.As(err, &ref):
		k := runtime.KindConflict
		if ref.Kind == tasks.Gone {
			k = runtime.KindNotFound
		}
		runtime.WriteError(w, runtime.Fail(k, ref.Code, ref.Da, ref.En, nil))
	default:
		if runtime.KindOf(err) == runtime.KindInternal {
			runtime.Logger(r.Context()).ErrorContext(r.Context(), "citizen request failed", "path", r.Pattern, "err", err.Error())
		}
		runtime.WriteError(w, err)
	}
}

func readBody(w http.ResponseWriter, r *http.Request) (json.RawMessage, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, runtime.Fail(runtime.KindInvalid, "body", "Forespørgslen kunne ikke læses (højst 256 KB).", "The request could not be read (at most 256 KB).", err)
	}
	return b, nil
}

// signedBy checks that p's login is fresh enough to sign.
func (f *Function) signedBy(p auth.Principal) error {
	if !p.FreshLogin(f.maxAge, f.now()) {
		return errLoginTooOld
	}
	return nil
}

// noteRead records that a proxy read the person's absence (reads of
// personal data by someone else than the person are in the ledger).
func (f *Function) noteRead(ctx context.Context, p auth.Principal, r *http.Request, absence string) error {
	if p.Role != auth.RoleProxy {
		return nil
	}
	if _, err := ledger.Append(ctx, f.svc.DB, auth.ReadEntry(p, r, absence)); err != nil {
		return err
	}
	return nil
}

type overview struct {
	// Counter is the task counter over every absence.
	Counter  int           `json:"counter"`
	Absences []absenceView `json:"absences"`
}

// listAbsences answers "Mit forløb": every absence of the person, with
// tasks, counter, receipts, what may be reported and the DPO link.
func (f *Function) listAbsences(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, _ := auth.FromContext(ctx)
	list, err := absencesOf(ctx, f.svc.DB, personOf(p))
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	out := overview{Absences: []absenceView{}}
	for _, a := range list {
		if !authorize(p, a) {
			continue
		}
		v, err := f.viewAbsence(ctx, f.svc.DB, a)
		if err == nil {
			err = f.noteRead(ctx, p, r, a.ID)
		}
		if err != nil {
			f.writeErr(w, r, err)
			return
		}
		out.Counter += v.Counter
		out.Absences = append(out.Absences, v)
	}
	runtime.WriteJSON(w, http.StatusOK, out)
}

func (f *Function) getAbsence(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, _ := auth.FromContext(ctx)
	a, err := f.absenceFor(ctx, f.svc.DB, p, r, false)
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	v, err := f.viewAbsence(ctx, f.svc.DB, a)
	if err == nil {
		err = f.noteRead(ctx, p, r, a.ID)
	}
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	runtime.WriteJSON(w, http.StatusOK, v)
}

// acknowledge records that the legal text was read: {"acknowledged": true}.
func (f *Function) acknowledge(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, _ := auth.FromContext(ctx)
	body, err := readBody(w, r)
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	var in struct {
		Acknowledged bool `json:"acknowledged"`
	}
	if json.Unmarshal(body, &in) != nil || !in.Acknowledged {
		f.writeErr(w, r, events.FieldErrors{{Field: "acknowledged", Code: "required",
			Da: "Sæt kryds for at bekræfte, at du har læst om dine rettigheder og pligter.", En: "Please tick the box to confirm that you have read about your rights and duties."}})
		return
	}
	var v absenceView
	err = f.svc.Do(ctx, nil, func(tx *runtime.Tx) error {
		a, err := f.absenceFor(ctx, tx, p, r, true)
		if err != nil {
			return err
		}
		now := f.now().UTC().Truncate(time.Microsecond)
		if a.Acknowledge(now) {
			if err := saveAbsence(ctx, tx, a); err != nil {
				return err
			}
			e := ledger.Entry{Stream: a.ID, EventType: LedgerLegalTextAcknowledged, EventSource: events.SourcePrefix + f.svc.Name,
				Actor: p.Subject, Role: string(p.Role), OnBehalfOf: p.OnBehalfOf()}
			if _, err := tx.Record(ctx, e); err != nil {
				return err
			}
		}
		v, err = f.viewAbsence(ctx, tx, a)
		return err
	})
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	runtime.WriteJSON(w, http.StatusOK, v)
}

// taskDetail is a task with what its pages show.
type taskDetail struct {
	taskView
	AbsenceID  string `json:"absenceId"`
	PersonKind string `json:"personKind"`
	// Report is the sender's report (the comment task shows it).
	Report json.RawMessage `json:"report,omitempty"`
	// Form points to the information form's pages.
	Form string `json:"form,omitempty"`
	// NextAfter is the task that follows in the sequence (the receipt page
	// reminds of it).
	NextAfter string `json:"nextAfter,omitempty"`
}

func (f *Function) getTask(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, _ := auth.FromContext(ctx)
	a, err := f.absenceFor(ctx, f.svc.DB, p, r, false)
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	t, ok := a.Task(a.ID + "/" + r.PathValue("task"))
	if !ok {
		f.writeErr(w, r, tasks.ErrNoTask)
		return
	}
	d := taskDetail{taskView: viewTask(a, t, f.today()), AbsenceID: a.ID, PersonKind: a.PersonKind}
	switch t.Kind {
	case tasks.Comment:
		d.Report = a.Report
	case tasks.InformationForm:
		d.Form = "/api/v1/citizen/absences/" + a.ID + "/information-form"
	}
	if err := f.noteRead(ctx, p, r, a.ID); err != nil {
		f.writeErr(w, r, err)
		return
	}
	runtime.WriteJSON(w, http.StatusOK, d)
}

// answered is the answer to a sent answer: the receipt and what is next.
type answered struct {
	Receipt receiptView `json:"receipt"`
	Counter int         `json:"counter"`
	// Next is the next open task (the receipt page reminds of it).
	Next string `json:"next,omitempty"`
}

// submit runs decide and record in one transaction for p on the absence of
// the request and answers 201 with the receipt.
func (f *Function) submit(w http.ResponseWriter, r *http.Request, decide func(ctx context.Context, tx *runtime.Tx, a tasks.Absence) (tasks.Answer, outcome, error), after func(ctx context.Context, tx *runtime.Tx, a tasks.Absence) error) {
	ctx := r.Context()
	p, _ := auth.FromContext(ctx)
	var out answered
	err := f.svc.Do(ctx, nil, func(tx *runtime.Tx) error {
		a, err := f.absenceFor(ctx, tx, p, r, true)
		if err != nil {
			return err
		}
		ans, o, err := decide(ctx, tx, a)
		if err != nil {
			return err
		}
		if ans.Signed {
			if err := f.signedBy(p); err != nil {
				return err
			}
		}
		s, err := f.record(ctx, tx, p, &a, ans, o, f.now().UTC().Truncate(time.Microsecond))
		if err != nil {
			return err
		}
		if after != nil {
			if err := after(ctx, tx, a); err != nil {
				return err
			}
		}
		out = answered{Receipt: viewReceipt(a, s), Counter: a.Counter()}
		if n, ok := a.Next(); ok {
			out.Next = n.LocalID(a.ID)
		}
		return nil
	})
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	runtime.WriteJSON(w, http.StatusCreated, out)
}

// answerTask answers a task other than the information form with the body
// the task asks for (see package tasks).
func (f *Function) answerTask(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r)
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	f.submit(w, r, func(ctx context.Context, tx *runtime.Tx, a tasks.Absence) (tasks.Answer, outcome, error) {
		docs, err := documentsOf(ctx, tx, a.ID)
		if err != nil {
			return tasks.Answer{}, outcome{}, err
		}
		ans, err := tasks.DecideTask(a, a.ID+"/"+r.PathValue("task"), body, docs)
		return ans, outcome{}, err
	}, nil)
}

func (f *Function) reportRecovery(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r)
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	f.submit(w, r, func(ctx context.Context, tx *runtime.Tx, a tasks.Absence) (tasks.Answer, outcome, error) {
		ans, last, err := tasks.DecideRecovery(a, body, f.today())
		return ans, outcome{lastDay: last}, err
	}, nil)
}

func (f *Function) reportPartial(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r)
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	f.submit(w, r, func(ctx context.Context, tx *runtime.Tx, a tasks.Absence) (tasks.Answer, outcome, error) {
		ans, rep, err := tasks.DecidePartial(a, body, f.today())
		return ans, outcome{partial: rep}, err
	}, nil)
}

func (f *Function) sendDocumentation(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r)
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	f.submit(w, r, func(ctx context.Context, tx *runtime.Tx, a tasks.Absence) (tasks.Answer, outcome, error) {
		docs, err := documentsOf(ctx, tx, a.ID)
		if err != nil {
			return tasks.Answer{}, outcome{}, err
		}
		ans, err := tasks.DecideDocumentation(a, body, docs)
		return ans, outcome{}, err
	}, nil)
}

// submitForm signs and sends the information form from its draft; the
// draft is then deleted.
func (f *Function) submitForm(w http.ResponseWriter, r *http.Request) {
	f.submit(w, r, func(ctx context.Context, tx *runtime.Tx, a tasks.Absence) (tasks.Answer, outcome, error) {
		d, err := loadDraft(ctx, tx, a.ID)
		if err != nil {
			return tasks.Answer{}, outcome{}, err
		}
		ans, err := tasks.DecideForm(a, d)
		return ans, outcome{}, err
	}, func(ctx context.Context, tx *runtime.Tx, a tasks.Absence) error {
		_, err := tx.Exec(ctx, `DELETE FROM drafts WHERE absence_id = $1`, a.ID)
		return err
	})
}

// sectionView is one page of the information form.
type sectionView struct {
	Name       string          `json:"name"`
	Title      text2           `json:"title"`
	Schema     string          `json:"schema"`
	Applicable bool            `json:"applicable"`
	Completed  bool            `json:"completed"`
	Answers    json.RawMessage `json:"answers,omitempty"`
	Prefill    map[string]any  `json:"prefill,omitempty"`
}

// formView is the information form: its pages, the draft and the page to
// resume on.
type formView struct {
	TaskID   string        `json:"taskId"`
	Status   string        `json:"status"`
	Deadline string        `json:"deadline"`
	Page     string        `json:"page"`
	Sections []sectionView `json:"sections"`
	// BlockedBy is set when the form cannot be filled in now (see taskView).
	BlockedBy string `json:"blockedBy,omitempty"`
}

func sectionOf(c form.Context, d form.Draft, name string) sectionView {
	t := form.Titles[name]
	v := sectionView{Name: name, Title: text2{t[0], t[1]}, Schema: form.SchemaRef(name), Answers: d.Answers[name], Prefill: form.Prefill(c, name)}
	for _, s := range form.Sections(c, d.Answers) {
		v.Applicable = v.Applicable || s == name
	}
	for _, s := range d.Completed {
		v.Completed = v.Completed || s == name
	}
	return v
}

// formOf loads the absence's form task and draft for p.
func (f *Function) formOf(ctx context.Context, r *http.Request) (tasks.Absence, tasks.Task, form.Draft, error) {
	p, _ := auth.FromContext(ctx)
	a, err := f.absenceFor(ctx, f.svc.DB, p, r, false)
	if err != nil {
		return a, tasks.Task{}, form.Draft{}, err
	}
	t, ok := a.TaskOfKind(tasks.InformationForm)
	if !ok {
		return a, t, form.Draft{}, tasks.ErrNoForm
	}
	d, err := loadDraft(ctx, f.svc.DB, a.ID)
	if err == nil {
		err = f.noteRead(ctx, p, r, a.ID)
	}
	return a, t, d, err
}

func (f *Function) getForm(w http.ResponseWriter, r *http.Request) {
	a, t, d, err := f.formOf(r.Context(), r)
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	c := a.FormContext()
	v := formView{TaskID: t.LocalID(a.ID), Status: t.Status, Deadline: t.Deadline.Format(time.DateOnly), Page: d.Page(c)}
	if !t.Open() {
		v.Page = ""
	}
	if err := tasks.CanDraft(a); err != nil {
		if ref, ok := err.(*tasks.Refusal); ok {
			v.BlockedBy = ref.Code
		}
	}
	for _, s := range form.Order {
		v.Sections = append(v.Sections, sectionOf(c, d, s))
	}
	runtime.WriteJSON(w, http.StatusOK, v)
}

func (f *Function) getSection(w http.ResponseWriter, r *http.Request) {
	a, _, d, err := f.formOf(r.Context(), r)
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	name := r.PathValue("section")
	if !form.Known(name) {
		f.writeErr(w, r, runtime.Fail(runtime.KindNotFound, "unknown-section", "Siden findes ikke i oplysningsskemaet.", "The page is not part of the information form.", nil))
		return
	}
	runtime.WriteJSON(w, http.StatusOK, sectionOf(a.FormContext(), d, name))
}

// saveSection saves one page in the draft: {"answers": {...}, "next": true}
// is "Gem og fortsæt" (validated), next false "Gem og gå til forsiden".
func (f *Function) saveSection(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, _ := auth.FromContext(ctx)
	body, err := readBody(w, r)
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	var in struct {
		Answers json.RawMessage `json:"answers"`
		Next    bool            `json:"next"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		f.writeErr(w, r, events.FieldErrors{{Field: "", Code: "json", Da: "Data er ikke gyldig JSON.", En: "The data is not valid JSON."}})
		return
	}
	name := r.PathValue("section")
	var v formView
	err = f.svc.Do(ctx, nil, func(tx *runtime.Tx) error {
		a, err := f.absenceFor(ctx, tx, p, r, true)
		if err != nil {
			return err
		}
		if err := tasks.CanDraft(a); err != nil {
			return err
		}
		d, err := loadDraft(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		c := a.FormContext()
		if d, err = d.Save(c, name, in.Answers, in.Next); err != nil {
			return err
		}
		now := f.now().UTC().Truncate(time.Microsecond)
		if err := saveDraft(ctx, tx, a.ID, p.Subject, d, now); err != nil {
			return err
		}
		reason, _ := json.Marshal(map[string]any{"section": name, "next": in.Next, "page": d.Page(c)})
		if _, err := tx.Record(ctx, ledger.Entry{Stream: a.ID, EventType: LedgerDraftSaved, EventSource: events.SourcePrefix + f.svc.Name,
			Actor: p.Subject, Role: string(p.Role), OnBehalfOf: p.OnBehalfOf(), Reason: reason}); err != nil {
			return err
		}
		t, _ := a.TaskOfKind(tasks.InformationForm)
		v = formView{TaskID: t.LocalID(a.ID), Status: t.Status, Deadline: t.Deadline.Format(time.DateOnly), Page: d.Page(c)}
		for _, s := range form.Order {
			v.Sections = append(v.Sections, sectionOf(c, d, s))
		}
		return nil
	})
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	runtime.WriteJSON(w, http.StatusOK, v)
}
