package citizen

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/citizen/tasks"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// receiptTask names the answered task in a receipt letter with the task
// words the notify function knows (its taskPhrases).
var receiptTask = map[string]string{
	tasks.Application:   "apply",
	tasks.Documentation: "upload-documentation",
}

// deliveryKind is the delivery item kind of each kind of answer.
func deliveryKind(kind string) string {
	switch kind {
	case tasks.Recovery:
		return events.DeliveryKindCitizenRecovery
	case tasks.PartialResumption:
		return events.DeliveryKindCitizenPartialResumption
	case tasks.Documentation:
		return events.DeliveryKindCitizenDocumentation
	}
	return events.DeliveryKindCitizenAnswer
}

// outcome is what one answer needs beyond the answer itself.
type outcome struct {
	// lastDay is the recovery's last absence day.
	lastDay time.Time
	// partial is the partial resumption's report.
	partial tasks.PartialReport
}

// record carries out a decided answer of p on absence a at now, in tx:
// the task is completed, the answer stored (one per task), and, as the
// answer calls for, the item for the municipality (exactly once: the item
// id is unique per answer and the answer is stored in the same
// transaction), the receipt letter, the fact on the broker, the closing of
// the tasks' reminders and the ledger entry with both people when a proxy
// acts. a is changed in place and saved.
func (f *Function) record(ctx context.Context, tx *runtime.Tx, p auth.Principal, a *tasks.Absence, ans tasks.Answer, o outcome, now time.Time) (storedAnswer, error) {
	uid, err := uuid.NewV7()
	if err != nil {
		return storedAnswer{}, fmt.Errorf("answer id: %w", err)
	}
	id := uid.String()
	closed := false
	if ans.TaskID != "" {
		closed = a.Complete(ans.TaskID, id, now)
	}
	switch ans.Kind {
	case tasks.Recovery:
		a.RecoveredOn = &o.lastDay
		// The tasks that apply only while the absence runs are closed
		// (tasks.EndedByRecovery); their reminders go with the last one.
		if _, all := a.CloseForRecovery(now); all {
			closed = true
		}
	}
	item := ""
	if ans.Send {
		item = a.ID + "/" + ans.Kind + "/" + id
		if ans.TaskID != "" {
			item = ans.TaskID + "/" + id
		}
	}
	s := storedAnswer{ID: id, AbsenceID: a.ID, TaskID: ans.TaskID, Kind: ans.Kind, Body: ans.Body, Signed: ans.Signed, Sent: ans.Send,
		DocumentRefs: ans.DocumentRefs, Actor: p.Subject, Role: string(p.Role), OnBehalfOf: p.OnBehalfOf(), SubmittedAt: now,
		DeliveryItemID: item}
	if ans.Send {
		s.ReceiptStatus = "requested"
	}
	if err := insertAnswer(ctx, tx, s); err != nil {
		return s, err
	}
	if err := saveAbsence(ctx, tx, *a); err != nil {
		return s, err
	}
	signer := events.CitizenSigner{Role: string(p.Role), Signed: ans.Signed}
	if ans.Signed {
		signer.LoA, signer.AuthTime = string(p.LoA), p.AuthTime
	}
	if ans.Send {
		payload, err := json.Marshal(events.CitizenDeliveryPayload{AbsenceID: a.ID, AnswerID: id, TaskID: ans.TaskID, Kind: ans.Kind,
			CPR: a.CPR, PersonKind: a.PersonKind, SubmittedAt: now, Signer: signer, Answer: ans.Body})
		if err != nil {
			return s, fmt.Errorf("encode delivery payload: %w", err)
		}
		if _, err := tx.Emit(ctx, events.DeliveryRequested, a.ID, events.DeliveryRequest{ItemID: item, Recipient: a.Municipality,
			Kind: deliveryKind(ans.Kind), CaseRef: a.ID, Sender: "cpr:" + masked(a.CPR), Payload: payload, DocumentRefs: ans.DocumentRefs}); err != nil {
			return s, err
		}
		if err := f.receipt(ctx, tx, *a, s); err != nil {
			return s, err
		}
	}
	// The fact on the broker, and its ledger entry.
	var fact announcement
	switch {
	case ans.Kind == tasks.Recovery:
		fact.typ, fact.data = events.CitizenRecoveryReported, events.CitizenRecovery{AbsenceID: a.ID, AnswerID: id, PersonKind: a.PersonKind,
			Municipality: a.Municipality, FirstAbsenceDay: a.FirstAbsenceDay.Format(time.DateOnly), LastAbsenceDay: o.lastDay.Format(time.DateOnly),
			ReportedAt: now, Signer: signer}
	case ans.Kind == tasks.PartialResumption:
		fact.typ, fact.data = events.CitizenPartialResumptionReported, events.CitizenPartialResumption{AbsenceID: a.ID, AnswerID: id,
			PersonKind: a.PersonKind, Municipality: a.Municipality, Weeks: o.partial.Weeks, Incapacity: o.partial.Incapacity, ReportedAt: now, Signer: signer}
	case ans.Signed && ans.TaskID != "":
		fact.typ, fact.data = events.CitizenAnswerSigned, events.CitizenAnswerSignedData{AbsenceID: a.ID, AnswerID: id, TaskID: ans.TaskID,
			Task: ans.Kind, Municipality: a.Municipality, SubmittedAt: now, Signer: signer, DeliveryItemID: item}
	}
	entry := ledger.Entry{Stream: a.ID, EventType: LedgerAnswerRecorded, EventSource: events.SourcePrefix + f.svc.Name, EventID: id, Payload: ans.Body}
	if fact.typ != "" {
		ev, err := tx.Emit(ctx, fact.typ, a.ID, fact.data)
		if err != nil {
			return s, err
		}
		entry.EventType, entry.EventSource, entry.EventID, entry.Correlation = ev.Type(), ev.Source(), ev.ID(), events.CorrelationID(ev)
	}
	if ans.Signed {
		entry = auth.SignedEntry(p, entry)
	} else {
		entry.Actor, entry.Role, entry.OnBehalfOf = p.Subject, string(p.Role), p.OnBehalfOf()
		entry.Reason, _ = json.Marshal(map[string]any{"kind": ans.Kind, "signed": false, "sent": ans.Send})
	}
	if _, err := tx.Record(ctx, entry); err != nil {
		return s, err
	}
	if closed {
		if _, err := tx.Emit(ctx, events.CitizenTasksClosed, a.ID, events.CitizenTasksClosure{AbsenceID: a.ID}); err != nil {
			return s, err
		}
	} else if ans.TaskID != "" {
		if err := f.taskAnswered(ctx, tx, *a, ans.TaskID); err != nil {
			return s, err
		}
	}
	return s, nil
}

// announcement is a fact to emit: its type and data.
type announcement struct {
	typ  string
	data any
}

// receipt asks for the receipt letter (kvittering) of an answer sent to the
// municipality. It goes to the sick person, also when a proxy answered.
func (f *Function) receipt(ctx context.Context, tx *runtime.Tx, a tasks.Absence, s storedAnswer) error {
	cpr, err := ids.ParseCPR(a.CPR)
	if err != nil {
		return fmt.Errorf("receipt: %w", err)
	}
	task := s.Kind
	if w, ok := receiptTask[s.Kind]; ok {
		task = w
	}
	_, err = tx.Emit(ctx, events.LetterRequested, a.ID, events.LetterRequest{Kind: events.LetterAnswerReceipt,
		Recipient: events.Party{CPR: cpr}, Sender: blanket.DefaultAuthority(a.Municipality), Reference: s.ID,
		Data: map[string]string{"task": task, "submittedAt": s.SubmittedAt.UTC().Format(time.RFC3339)}})
	return err
}

// masked is the CPR with its last four digits hidden.
func masked(cpr string) string {
	c, err := ids.ParseCPR(cpr)
	if err != nil {
		return ""
	}
	return c.Masked()
}
