package blanket

import (
	"context"
	"fmt"
	"strings"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
)

// AuthorityFunc names the authority a letter about a case is sent on behalf
// of, from the case's recipient ("101", "UDK").
type AuthorityFunc func(recipient string) events.Authority

// PlaceholderAuthorityCVR is the CVR used by DefaultAuthority until a table
// of the municipalities' and Udbetaling Danmark's CVR numbers exists. It is
// not the CVR of any real authority.
const PlaceholderAuthorityCVR = "10000009"

// DefaultAuthority names the recipient ("København Kommune", "Udbetaling
// Danmark") with PlaceholderAuthorityCVR.
func DefaultAuthority(recipient string) events.Authority {
	name := "NemRefusion"
	if r, err := ids.ParseRecipient(recipient); err == nil {
		name = r.Name()
	}
	return events.Authority{CVR: ids.MustCVR(PlaceholderAuthorityCVR), Name: name}
}

// LetterTo is who a letter goes to: a company by CVR or a person by CPR.
type LetterTo struct {
	CVR string
	CPR string
}

// Letter kinds the pipeline requests.
const (
	LetterReceipt      = events.LetterSenderReceipt
	LetterNotification = events.LetterNotification
)

// emit puts every effect of a decided submission on the outbox.
func (p *Pipeline) emit(ctx context.Context, env *Env, def Definition, c Case, out Outcome) error {
	tx := env.Tx
	if out.CancelReminders {
		for _, subject := range []string{events.SubjectAbsence, events.SubjectTasks} {
			if _, err := tx.Emit(ctx, events.ReminderCancelled, c.ID, events.ReminderCancellation{
				Subject: &events.ReminderSubject{Type: subject, ID: c.ID}, Reason: "superseded"}); err != nil {
				return err
			}
		}
	}
	if err := p.deliver(ctx, env, def, c, out); err != nil {
		return err
	}
	cvr := out.SenderCVR.String()
	if err := p.letterTo(ctx, env, c, LetterReceipt, LetterTo{CVR: cvr}, map[string]string{
		"blanket": def.Type, "submittedAt": env.ReceivedAt.UTC().Format(time.RFC3339), "outcome": "decided"}); err != nil {
		return err
	}
	if def.Notification && out.NotifyPerson && !out.Person.IsZero() {
		first := out.FirstDay
		data := map[string]string{"blanket": def.Type, "reportedBy": cvr, "firstAbsenceDay": first}
		if _, err := ids.ParseMunicipality(c.Recipient); err == nil && len(out.Tasks) > 0 && out.TasksDeadline != "" {
			// The letter names the tasks p.tasks gives and their deadline
			// (seeds/003; sygedagpengeloven § 38).
			data["tasks"], data["deadline"] = strings.Join(out.Tasks, " "), out.TasksDeadline
		}
		if err := p.letterTo(ctx, env, c, LetterNotification, LetterTo{CPR: out.Person.String()}, data); err != nil {
			return err
		}
	}
	if len(out.Tasks) > 0 && !out.Person.IsZero() {
		if err := p.tasks(ctx, env, c, out); err != nil {
			return err
		}
	}
	for _, r := range out.Reminders {
		if r.Audience.Kind == events.AudienceCitizen && hasSMS(r.Channels) {
			if env.person.NemSMS == "" {
				continue // an SMS only to people signed up for NemSMS
			}
			r.Audience.Phone = env.person.NemSMS
			if r.Audience.From == nil {
				// sms.requested names the authority the SMS is from; without
				// it waiting sends no SMS.
				from := p.authority(c.Recipient)
				r.Audience.From = &from
			}
		}
		if r.Subject.ID == "" {
			r.Subject.ID = c.ID
		}
		if _, err := tx.Emit(ctx, events.ReminderScheduled, c.ID, r); err != nil {
			return err
		}
	}
	return p.feedback(ctx, env, def, c, out)
}

// deliver asks for the delivery of a decided submission to the recipient
// (when out names one).
func (p *Pipeline) deliver(ctx context.Context, env *Env, def Definition, c Case, out Outcome) error {
	if out.Delivery == "" {
		return nil
	}
	payload, err := events.MarshalPayload(events.BlanketItem{Blanket: def.Type, Receipt: env.Receipt, Version: c.Version,
		Status: c.Status, Submission: env.Event.Data(), Result: out.Result, Reasons: out.Reasons})
	if err != nil {
		return err
	}
	_, err = env.Tx.Emit(ctx, events.DeliveryRequested, c.ID, events.DeliveryRequest{
		ItemID: fmt.Sprintf("%s/%s/%d", c.ID, out.Delivery, c.Version), Recipient: c.Recipient, Kind: out.Delivery,
		CaseRef: c.ID, Sender: env.Sender, Payload: payload,
	})
	return err
}

// feedback emits the family's own events and, when the blanket gives the
// sender feedback, the decision (blanket.decided).
func (p *Pipeline) feedback(ctx context.Context, env *Env, def Definition, c Case, out Outcome) error {
	for _, e := range out.Events {
		if _, err := env.Tx.Emit(ctx, e.Type, c.ID, e.Data); err != nil {
			return err
		}
	}
	if !events.FeedbackFor(def.Type, events.Str(env.Event, events.ExtActorRole)) {
		return nil // § 1 stk. 3: never for an a-kasse
	}
	_, err := env.Tx.Emit(ctx, events.BlanketDecided, c.ID, events.BlanketDecision{
		CaseID: c.ID, Blanket: def.Type, Sender: env.Sender, Receipt: env.Receipt, Status: c.Status,
		Recipient: c.Recipient, Result: out.Result, Reasons: out.Reasons,
	})
	return err
}

func hasSMS(chs []string) bool {
	for _, c := range chs {
		if c == events.ChannelSMS {
			return true
		}
	}
	return false
}

// tasks asks the citizen function for the sick person's tasks.
func (p *Pipeline) tasks(ctx context.Context, env *Env, c Case, out Outcome) error {
	if _, err := ids.ParseMunicipality(c.Recipient); err != nil {
		return nil // tasks go to a municipality; UDK cases have none here
	}
	req := events.CitizenTasksRequest{
		AbsenceID: c.ID, CPR: out.Person.String(), PersonKind: out.PersonKind, Municipality: c.Recipient,
		FirstAbsenceDay: out.FirstDay, LastAbsenceDay: out.LastDay, Tasks: out.Tasks, Deadline: out.TasksDeadline,
		Report: env.Event.Data(),
	}
	if out.PersonKind != "self-employed" {
		req.SenderCVR = out.SenderCVR.String()
		if co, err := p.regs.Company(ctx, out.SenderCVR); err == nil {
			req.SenderName = co.Name
		}
	}
	_, err := env.Tx.Emit(ctx, events.CitizenTasksRequested, c.ID, req)
	return err
}

// letterTo asks for a letter of kind about case c (its recipient names the
// authority) with the kind's template data.
func (p *Pipeline) letterTo(ctx context.Context, env *Env, c Case, kind string, to LetterTo, data map[string]string) error {
	var party events.Party
	switch {
	case to.CPR != "":
		cpr, err := ids.ParseCPR(to.CPR)
		if err != nil {
			return nil
		}
		party.CPR = cpr
	default:
		cvr, err := ids.ParseCVR(to.CVR)
		if err != nil {
			return nil // no valid company to write to (the rejection says why)
		}
		party.CVR = cvr
	}
	for k, v := range data {
		if v == "" {
			delete(data, k)
		}
	}
	ref := env.Receipt
	if kind == LetterNotification || ref == "" {
		ref = c.ID
	}
	_, err := env.Tx.Emit(ctx, events.LetterRequested, c.ID, events.LetterRequest{
		Kind: kind, Recipient: party, Sender: p.authority(c.Recipient), Reference: ref, Data: data,
	})
	return err
}

// authority is the authority letters and SMS about a case with recipient
// are sent on behalf of.
func (p *Pipeline) authority(recipient string) events.Authority {
	if p.Authority == nil {
		return DefaultAuthority(recipient)
	}
	return p.Authority(recipient)
}
