package waiting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// HandleDue alerts the audience of a reminder that came due. Every effect
// is keyed by the reminder id, so a second reminder.due for the same
// reminder (which the reminder function never emits) would change nothing.
func (w *Waiting) HandleDue(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, d events.ReminderFired) error {
	hint := func(c string) bool { return len(d.Channels) == 0 || slices.Contains(d.Channels, c) }
	switch d.Audience.Kind {
	case events.AudienceSender:
		if d.Subject.Type == events.SubjectPrepared {
			// Only while the form is held (the reminder is cancelled on
			// submission; this covers the two crossing in flight).
			var status string
			err := tx.QueryRow(ctx, `SELECT status FROM prepared WHERE id::text = $1`, d.Subject.ID).Scan(&status)
			if errors.Is(err, pgx.ErrNoRows) || (err == nil && status != "held") {
				return nil
			}
			if err != nil {
				return fmt.Errorf("prepared status: %w", err)
			}
		}
		return w.alertSender(ctx, tx, d, hint)
	case events.AudienceCitizen:
		if !hint(events.ChannelSMS) || d.Audience.From == nil {
			return nil
		}
		cpr, err := ids.ParseCPR(d.Audience.CPR)
		if err != nil {
			return runtime.Fail(runtime.KindInvalid, "bad-cpr", "CPR-nummeret er ugyldigt.", "The CPR number is not valid.", err)
		}
		// notify checks NemSMS again at sending and answers sms.skipped for
		// people not signed up.
		_, err = tx.Emit(ctx, events.SMSRequested, d.Subject.ID, events.SMSRequest{
			Recipient: events.Party{CPR: cpr}, Sender: *d.Audience.From,
			Text: cut(d.Message.BodyDa, 160), TextEn: cut(d.Message.BodyEn, 160), Reference: d.Subject.ID,
		})
		if err != nil {
			return err
		}
		_, err = tx.Record(ctx, ledger.Entry{Stream: d.Subject.ID})
		return err
	}
	return runtime.Fail(runtime.KindInvalid, "bad-audience", "Ukendt modtager.", "Unknown audience.", nil)
}

func (w *Waiting) alertSender(ctx context.Context, tx *runtime.Tx, d events.ReminderFired, hint func(string) bool) error {
	return w.toSender(ctx, tx, senderMessage{
		Key: d.ID, CVR: d.Audience.CVR, Kind: d.Kind, Subject: d.Subject.ID, Stream: d.Subject.ID,
		TitleDa: d.Message.TitleDa, TitleEn: d.Message.TitleEn, BodyDa: d.Message.BodyDa, BodyEn: d.Message.BodyEn,
		Deadline: d.Message.Deadline, Link: d.Message.Link, SMS: d.Message.TitleDa,
	}, hint)
}

// senderMessage is one message to a sender's inbox and the alerts that go
// with it.
type senderMessage struct {
	// Key makes the message idempotent: a second message with the same key
	// changes nothing (no second inbox row, no second alert).
	Key                string
	CVR, Kind, Subject string
	TitleDa, TitleEn   string
	BodyDa, BodyEn     string
	Deadline, Link     string
	Receipt, Blanket   string
	Reasons            events.FieldErrors
	// SMS is the text of the SMS (cut to 160 characters); Stream is the
	// ledger stream the alert is recorded in.
	SMS, Stream string
}

// toSender puts m in the sender's inbox and, the first time only, records
// the alerts on the channels the sender chose in its profile (an e-mail to
// its address, an SMS to its number) and hint allows, and a ledger entry.
func (w *Waiting) toSender(ctx context.Context, tx *runtime.Tx, m senderMessage, hint func(string) bool) error {
	var deadline any
	if m.Deadline != "" {
		deadline = m.Deadline
	}
	reasons := m.Reasons
	if reasons == nil {
		reasons = events.FieldErrors{}
	}
	rj, err := json.Marshal(reasons)
	if err != nil {
		return fmt.Errorf("reasons: %w", err)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO sender_inbox (cvr, reminder_id, kind, subject_id, title_da, title_en, body_da, body_en, deadline, link, receipt, blanket, reasons)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (reminder_id) DO NOTHING`,
		m.CVR, m.Key, m.Kind, m.Subject, m.TitleDa, m.TitleEn, m.BodyDa, m.BodyEn, deadline, m.Link, m.Receipt, m.Blanket, rj)
	if err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return nil // alerted already
	}
	var email, phone string
	err = tx.QueryRow(ctx, `SELECT email, phone FROM profiles WHERE cvr = $1`, m.CVR).Scan(&email, &phone)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("profile: %w", err)
	}
	if email != "" && hint(events.ChannelEmail) {
		if _, err := tx.Exec(ctx, `INSERT INTO message_outbox (reminder_id, channel, cvr, address, subject, body) VALUES ($1, 'email', $2, $3, $4, $5)
			ON CONFLICT DO NOTHING`, m.Key, m.CVR, email, m.TitleDa+" / "+m.TitleEn, m.BodyDa+"\n\n"+m.BodyEn); err != nil {
			return fmt.Errorf("e-mail: %w", err)
		}
	}
	if phone != "" && hint(events.ChannelSMS) {
		if _, err := tx.Exec(ctx, `INSERT INTO message_outbox (reminder_id, channel, cvr, address, subject, body) VALUES ($1, 'sms', $2, $3, '', $4)
			ON CONFLICT DO NOTHING`, m.Key, m.CVR, phone, cut(m.SMS, 160)); err != nil {
			return fmt.Errorf("sms: %w", err)
		}
	}
	_, err = tx.Record(ctx, ledger.Entry{Stream: m.Stream})
	return err
}

// cut shortens s to at most n characters (sms.requested refuses longer).
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Message is one inbox message.
type Message struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	Subject  string `json:"subject"`
	TitleDa  string `json:"titleDa"`
	TitleEn  string `json:"titleEn"`
	BodyDa   string `json:"bodyDa"`
	BodyEn   string `json:"bodyEn"`
	Deadline string `json:"deadline,omitempty"`
	Link     string `json:"link,omitempty"`
	// Receipt and Blanket name the submission a rejection is about (the
	// receipt number and the blanket's event type); Reasons are every
	// reason it was rejected, with the field and the text in Danish and
	// English. Reminders have none of the three.
	Receipt   string             `json:"receipt,omitempty"`
	Blanket   string             `json:"blanket,omitempty"`
	Reasons   events.FieldErrors `json:"reasons,omitempty"`
	CreatedAt time.Time          `json:"createdAt"`
}

func (w *Waiting) inbox(rw http.ResponseWriter, r *http.Request) {
	p, err := principal(r)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	cvr, err := authorizeInbox(p)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	rows, err := w.svc.DB.Query(r.Context(), `SELECT id, kind, subject_id, title_da, title_en, body_da, body_en,
		coalesce(to_char(deadline, 'YYYY-MM-DD'), ''), link, receipt, blanket, reasons, created_at FROM sender_inbox WHERE cvr = $1 ORDER BY created_at DESC, id DESC LIMIT 200`, cvr.String())
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.ID, &m.Kind, &m.Subject, &m.TitleDa, &m.TitleEn, &m.BodyDa, &m.BodyEn, &m.Deadline, &m.Link, &m.Receipt, &m.Blanket, &m.Reasons, &m.CreatedAt); err != nil {
			runtime.WriteError(rw, err)
			return
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		runtime.WriteError(rw, err)
		return
	}
	runtime.WriteJSON(rw, http.StatusOK, map[string]any{"messages": out})
}

// Settings are where a sender wants alerts besides the inbox.
type Settings struct {
	Email string `json:"email"`
	Phone string `json:"phone"`
}

var phonePattern = regexp.MustCompile(`^\+[0-9]{8,15}$`)

func (w *Waiting) getSettings(rw http.ResponseWriter, r *http.Request) {
	p, err := principal(r)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	cvr, err := authorizeInbox(p)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	var s Settings
	err = w.svc.DB.QueryRow(r.Context(), `SELECT email, phone FROM profiles WHERE cvr = $1`, cvr.String()).Scan(&s.Email, &s.Phone)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		runtime.WriteError(rw, err)
		return
	}
	runtime.WriteJSON(rw, http.StatusOK, s)
}

func (w *Waiting) putSettings(rw http.ResponseWriter, r *http.Request) {
	p, err := principal(r)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	cvr, err := authorizeInbox(p)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	var s Settings
	if err := json.NewDecoder(http.MaxBytesReader(rw, r.Body, 1<<16)).Decode(&s); err != nil {
		runtime.WriteError(rw, runtime.Fail(runtime.KindInvalid, "bad-json", "Indholdet er ikke gyldig JSON.", "The body is not valid JSON.", err))
		return
	}
	var fe events.FieldErrors
	if s.Email != "" {
		if a, err := mail.ParseAddress(s.Email); err != nil || a.Address != s.Email {
			fe = append(fe, events.FieldError{Field: "email", Code: "email", Da: "Angiv en gyldig e-mailadresse.", En: "Give a valid e-mail address."})
		}
	}
	if s.Phone != "" && !phonePattern.MatchString(s.Phone) {
		fe = append(fe, events.FieldError{Field: "phone", Code: "phone", Da: "Angiv et telefonnummer som +4512345678.", En: "Give a phone number as +4512345678."})
	}
	if len(fe) > 0 {
		runtime.WriteError(rw, fe)
		return
	}
	err = w.svc.Do(r.Context(), nil, func(tx *runtime.Tx) error {
		if _, err := tx.Exec(r.Context(), `INSERT INTO profiles (cvr, email, phone) VALUES ($1, $2, $3)
			ON CONFLICT (cvr) DO UPDATE SET email = EXCLUDED.email, phone = EXCLUDED.phone, updated_at = now()`, cvr.String(), s.Email, s.Phone); err != nil {
			return fmt.Errorf("store settings: %w", err)
		}
		_, err := tx.Record(r.Context(), ledger.Entry{Stream: "profile/" + cvr.String(), Actor: p.Subject, Role: string(p.Role),
			EventType: "dk.nemrefusion.profile.alerts.changed", EventSource: events.SourcePrefix + w.svc.Name})
		return err
	})
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	runtime.WriteJSON(rw, http.StatusOK, s)
}
