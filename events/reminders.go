package events

import "time"

// Reminders (seeds/000 § 1 stk. 3–4: senders are told about deadlines;
// seeds/003: the sick person's SMS on day 6). The reminder function keeps
// every reminder in Postgres and its schedule in Redis; producers never talk
// to it except through these events.
const (
	// ReminderScheduled asks for a reminder at a due time. The producer
	// chooses the id: scheduling the same id again moves the reminder
	// (idempotent rescheduling) while it has not fired or been cancelled.
	// Data: ReminderSchedule.
	ReminderScheduled = "dk.nemrefusion.reminder.scheduled.v1"
	// ReminderCancelled cancels one reminder by id, or every reminder of a
	// subject. Data: ReminderCancellation.
	ReminderCancelled = "dk.nemrefusion.reminder.cancelled.v1"
	// ReminderDue says a reminder's time has come; it is emitted exactly
	// once per reminder. Whoever alerts the audience consumes it. Data:
	// ReminderFired.
	ReminderDue = "dk.nemrefusion.reminder.due.v1"
	// CitizenTasksClosed says the sick person has no open task left for an
	// absence (all answered, or withdrawn). The citizen function emits it;
	// the reminder function cancels the reminders of subject
	// {type: "tasks", id: absenceId}, among them the day-6 SMS. Data:
	// CitizenTasksClosure.
	CitizenTasksClosed = "dk.nemrefusion.citizen.tasks.closed.v1"

	// TickReminderDue makes the reminder function claim and fire the
	// reminders that are due.
	TickReminderDue = "reminder-due"
)

// Reminder subject types: what a reminder is about. Cancelling by subject
// cancels every reminder with the same type and id.
const (
	SubjectAbsence  = "absence"  // a sickness absence (employer report deadlines)
	SubjectTasks    = "tasks"    // the sick person's open tasks for an absence
	SubjectPrepared = "prepared" // a prepared blanket in the waiting function
	SubjectCase     = "case"     // a parental-leave or follow-up refusion case
)

// Reminder audiences: who is alerted.
const (
	AudienceSender  = "sender"  // an employer, a-kasse or self-employed by CVR
	AudienceCitizen = "citizen" // the sick person by CPR
)

// Reminder channels a producer may hint at.
const (
	ChannelInbox = "inbox"
	ChannelEmail = "email"
	ChannelSMS   = "sms"
	// ChannelLetter is a letter to a citizen (Digital Post, or paper when
	// exempt): the reminder function requests it when the reminder fires.
	ChannelLetter = "letter"
)

// ReminderSubject names what a reminder is about.
type ReminderSubject struct {
	// Type is one of the Subject* constants.
	Type string `json:"type"`
	// ID is the absence, case or prepared-form id.
	ID string `json:"id"`
}

// ReminderAudience names who is alerted: a sender by CVR or a citizen by CPR.
type ReminderAudience struct {
	// Kind is AudienceSender or AudienceCitizen.
	Kind string `json:"kind"`
	CVR  string `json:"cvr,omitempty"`
	CPR  string `json:"cpr,omitempty"`
	// Phone is the number to send an SMS to (E.164). For a citizen it is
	// the NemSMS number, and only set for people signed up for NemSMS.
	Phone string `json:"phone,omitempty"`
	// From is the authority an SMS to a citizen is sent on behalf of (the
	// municipality), as sms.requested.v1 needs it.
	From *Authority `json:"from,omitempty"`
}

// ReminderMessage is what the alert says, in Danish and English.
type ReminderMessage struct {
	TitleDa string `json:"titleDa"`
	TitleEn string `json:"titleEn"`
	BodyDa  string `json:"bodyDa"`
	BodyEn  string `json:"bodyEn"`
	// Deadline is the legal deadline the reminder is about ("YYYY-MM-DD").
	Deadline string `json:"deadline,omitempty"`
	// Law names the rule the deadline follows, e.g. "sygedagpengeloven § 40".
	Law string `json:"law,omitempty"`
	// Link is a path in the web app, e.g. "/prepared/<id>".
	Link string `json:"link,omitempty"`
}

// ReminderSchedule is the data of ReminderScheduled.
type ReminderSchedule struct {
	// ID is chosen by the producer, stable for the same reminder (e.g.
	// "<absence id>/report-deadline/7d").
	ID string `json:"id"`
	// Due is when the reminder fires.
	Due time.Time `json:"due"`
	// Kind says what the reminder is, e.g. "employer-report-deadline",
	// "parental-leave-deadline", "citizen-tasks-sms", "prepared-due".
	Kind     string           `json:"kind"`
	Subject  ReminderSubject  `json:"subject"`
	Audience ReminderAudience `json:"audience"`
	// Channels are hints: ChannelInbox, ChannelEmail, ChannelSMS, ChannelLetter.
	Channels []string        `json:"channels,omitempty"`
	Message  ReminderMessage `json:"message"`
}

// ReminderCancellation is the data of ReminderCancelled: exactly one of ID
// and Subject.
type ReminderCancellation struct {
	ID      string           `json:"id,omitempty"`
	Subject *ReminderSubject `json:"subject,omitempty"`
	// Reason is a short code, e.g. "submitted", "tasks-closed", "deleted".
	Reason string `json:"reason,omitempty"`
}

// ReminderFired is the data of ReminderDue: the reminder as scheduled and
// when it fired.
type ReminderFired struct {
	ReminderSchedule
	FiredAt time.Time `json:"firedAt"`
}

// CitizenTasksClosure is the data of CitizenTasksClosed.
type CitizenTasksClosure struct {
	AbsenceID string `json:"absenceId"`
}
