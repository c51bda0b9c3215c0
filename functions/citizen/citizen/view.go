package citizen

import (
	"context"
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/citizen/form"
	"nemrefusion.dk/functions/citizen/tasks"
)

// LegalTextDa and LegalTextEn are the rights and duties the person confirms
// having read before the first task (seeds/003, "Love og paragraffer" and
// "Kommunens oplysningspligt").
const (
	LegalTextDa = "Til brug for behandlingen af din sygefraværssag registrerer og behandler kommunen oplysninger om dig, efter bekendtgørelse nr. 1014 af 15/08/2013 om digital kommunikation via NemRefusion. " +
		"Kommunen kan uden dit samtykke indhente oplysninger om økonomiske forhold fra andre offentlige myndigheder og arbejdsløshedskasser (retssikkerhedslovens § 11 a, stk. 2 og 3), " +
		"kræve oplysninger fra arbejdsgivere, pensionskasser, livsforsikringsselskaber og pengeinstitutter til kontrol (lov om ansvaret for og styringen af den aktive beskæftigelsesindsats § 68 b, stk. 2 og 3), " +
		"udveksle oplysninger med Arbejdsskadestyrelsen (retssikkerhedslovens § 12 d) og kontrollere lønudbetalinger hos virksomheden (retssikkerhedslovens § 12 a). " +
		"Du har pligt til at give kommunen de oplysninger, der har betydning for din ret til sygedagpenge, og til at svare inden fristen (sygedagpengelovens § 38). " +
		"Kommunen videregiver oplysningerne til myndigheder og virksomheder, der har lovmæssigt krav på dem. Du har ret til at vide, hvilke oplysninger kommunen har om dig, og kan kræve forkerte oplysninger rettet."
	LegalTextEn = "To process your sickness absence case, the municipality records and processes information about you under executive order no. 1014 of 15/08/2013 on digital communication via NemRefusion. " +
		"Without your consent the municipality may obtain information about financial matters from other public authorities and unemployment funds (Legal Protection Act § 11 a (2) and (3)), " +
		"require information from employers, pension funds, life insurers and banks for control (Act on the active employment effort § 68 b (2) and (3)), " +
		"exchange information with the National Board of Industrial Injuries (Legal Protection Act § 12 d) and check wage payments at the business (Legal Protection Act § 12 a). " +
		"You must give the municipality the information that matters for your right to sickness benefit and answer by the deadline (Sickness Benefit Act § 38). " +
		"The municipality passes the information on to authorities and businesses entitled to it by law. You have the right to know what information the municipality holds about you and may demand that wrong information is corrected."
)

// taskTitles are the tasks' names in "Mit forløb", Danish and English.
var taskTitles = map[string][2]string{
	tasks.Comment:                  {"Kommentér oplysninger indsendt af din arbejdsgiver eller a-kasse", "Comment on the information from your employer or unemployment fund"},
	tasks.Application:              {"Udfyld anmodning om sygedagpenge", "Fill in the application for sickness benefit"},
	tasks.InformationForm:          {"Udfyld oplysningsskema", "Fill in the information form"},
	tasks.SupplementaryInformation: {"Giv supplerende oplysninger", "Provide supplementary information"},
	tasks.Hearing:                  {"Partshøring: forklar, hvorfor oplysningsskemaet mangler", "Hearing: explain why the information form is missing"},
	tasks.MovingConsent:            {"Giv samtykke i forbindelse med din flytning", "Give your consent in connection with your move"},
	tasks.Recovery:                 {"Raskmelding", "Recovery"},
	tasks.PartialResumption:        {"Delvist genoptaget arbejde", "Partly resumed work"},
	tasks.Documentation:            {"Dokumentation", "Documentation"},
}

type text2 struct {
	Da string `json:"da"`
	En string `json:"en"`
}

func title(kind string) text2 { t := taskTitles[kind]; return text2{t[0], t[1]} }

// taskView is a task in "Mit forløb".
type taskView struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Title    text2  `json:"title"`
	Status   string `json:"status"`
	Deadline string `json:"deadline"`
	Overdue  bool   `json:"overdue"`
	// BlockedBy says why the task cannot be answered now: "" (it can),
	// "legal-text-not-acknowledged", "earlier-task-open" or "already-answered".
	BlockedBy  string     `json:"blockedBy,omitempty"`
	AnsweredAt *time.Time `json:"answeredAt,omitempty"`
	AnswerID   string     `json:"answerId,omitempty"`
	// Closed says why a cancelled task was closed (tasks.StatusCancelled).
	Closed *text2 `json:"closed,omitempty"`
}

func viewTask(a tasks.Absence, t tasks.Task, today time.Time) taskView {
	v := taskView{ID: t.LocalID(a.ID), Kind: t.Kind, Title: title(t.Kind), Status: t.Status, Deadline: t.Deadline.Format(time.DateOnly),
		Overdue: t.Overdue(today), AnsweredAt: t.AnsweredAt, AnswerID: t.AnswerID}
	if da, en := t.Cancelled(); da != "" {
		v.Closed = &text2{da, en}
	}
	if _, err := a.CanAnswer(t.ID); err != nil {
		if r, ok := err.(*tasks.Refusal); ok {
			v.BlockedBy = r.Code
		}
	}
	return v
}

// receiptView is one entry of "Indsendt af dig / Kvittering".
type receiptView struct {
	AnswerID           string    `json:"answerId"`
	Kind               string    `json:"kind"`
	Title              text2     `json:"title"`
	TaskID             string    `json:"taskId,omitempty"`
	SubmittedAt        time.Time `json:"submittedAt"`
	Signed             bool      `json:"signed"`
	SentToMunicipality bool      `json:"sentToMunicipality"`
	// ActedBy is "citizen" or "proxy" (a power-of-attorney holder).
	ActedBy        string   `json:"actedBy"`
	DocumentRefs   []string `json:"documentRefs,omitempty"`
	DeliveryItemID string   `json:"deliveryItemId,omitempty"`
	// Letter is the receipt letter: "requested", "sent" or "failed"
	// (empty for an answer that was not sent, e.g. agreeing with the report).
	Letter        string `json:"letter,omitempty"`
	LetterPDF     string `json:"letterPdf,omitempty"`
	LetterChannel string `json:"letterChannel,omitempty"`
}

func viewReceipt(a tasks.Absence, s storedAnswer) receiptView {
	v := receiptView{AnswerID: s.ID, Kind: s.Kind, Title: title(s.Kind), SubmittedAt: s.SubmittedAt, Signed: s.Signed, SentToMunicipality: s.Sent,
		ActedBy: s.Role, DocumentRefs: s.DocumentRefs, DeliveryItemID: s.DeliveryItemID, Letter: s.ReceiptStatus, LetterPDF: s.ReceiptPDF,
		LetterChannel: s.ReceiptChannel}
	if s.TaskID != "" {
		if t, ok := a.Task(s.TaskID); ok {
			v.TaskID = t.LocalID(a.ID)
		}
	}
	return v
}

type legalTextView struct {
	Acknowledged   bool       `json:"acknowledged"`
	AcknowledgedAt *time.Time `json:"acknowledgedAt,omitempty"`
	Da             string     `json:"da"`
	En             string     `json:"en"`
}

type offersView struct {
	// Recovery: "Meld dig rask" is offered (the absence is active).
	Recovery bool `json:"recovery"`
	// PartialResumption is "weeks" (hours per week), "incapacity" (the
	// self-employed) or "" (not offered).
	PartialResumption string `json:"partialResumption,omitempty"`
	Documentation     bool   `json:"documentation"`
}

type municipalityView struct {
	Number string `json:"number"`
	Name   string `json:"name"`
}

type senderView struct {
	Name string `json:"name,omitempty"`
	CVR  string `json:"cvr,omitempty"`
}

// absenceView is one absence in "Mit forløb".
type absenceView struct {
	ID              string           `json:"id"`
	PersonKind      string           `json:"personKind"`
	Municipality    municipalityView `json:"municipality"`
	Sender          senderView       `json:"sender"`
	FirstAbsenceDay string           `json:"firstAbsenceDay"`
	LastAbsenceDay  string           `json:"lastAbsenceDay,omitempty"`
	RecoveredOn     string           `json:"recoveredOn,omitempty"`
	Active          bool             `json:"active"`
	LegalText       legalTextView    `json:"legalText"`
	// Counter is the task counter: open tasks.
	Counter         int              `json:"counter"`
	Next            string           `json:"next,omitempty"`
	Tasks           []taskView       `json:"tasks"`
	Receipts        []receiptView    `json:"receipts"`
	RejectedUploads []rejectedUpload `json:"rejectedUploads"`
	Offers          offersView       `json:"offers"`
	DPO             dpoView          `json:"dpo"`
}

func (f *Function) viewAbsence(ctx context.Context, q db, a tasks.Absence) (absenceView, error) {
	today := f.today()
	v := absenceView{ID: a.ID, PersonKind: a.PersonKind, Municipality: municipalityView{Number: a.Municipality},
		Sender: senderView{Name: a.SenderName, CVR: a.SenderCVR}, FirstAbsenceDay: a.FirstAbsenceDay.Format(time.DateOnly),
		Active: a.Active(), Counter: a.Counter(), Tasks: []taskView{}, Receipts: []receiptView{},
		LegalText: legalTextView{Acknowledged: a.LegalTextAcknowledged != nil, AcknowledgedAt: a.LegalTextAcknowledged, Da: LegalTextDa, En: LegalTextEn},
		DPO:       f.dpo.view(ctx, a.Municipality)}
	if m, err := ids.ParseMunicipality(a.Municipality); err == nil {
		v.Municipality.Name = m.Name()
	}
	if a.LastAbsenceDay != nil {
		v.LastAbsenceDay = a.LastAbsenceDay.Format(time.DateOnly)
	}
	if a.RecoveredOn != nil {
		v.RecoveredOn = a.RecoveredOn.Format(time.DateOnly)
	}
	if n, ok := a.Next(); ok {
		v.Next = n.LocalID(a.ID)
	}
	for _, t := range a.Tasks {
		v.Tasks = append(v.Tasks, viewTask(a, t, today))
	}
	answers, err := answersOf(ctx, q, a.ID)
	if err != nil {
		return v, err
	}
	for _, s := range answers {
		v.Receipts = append(v.Receipts, viewReceipt(a, s))
	}
	if v.RejectedUploads, err = rejectedUploadsOf(ctx, q, a.ID); err != nil {
		return v, err
	}
	if v.RejectedUploads == nil {
		v.RejectedUploads = []rejectedUpload{}
	}
	v.Offers = offersView{Recovery: a.Active(), Documentation: true}
	if a.Active() {
		v.Offers.PartialResumption = "weeks"
		if a.PersonKind == form.SelfEmployed {
			v.Offers.PartialResumption = "incapacity"
		}
	}
	return v, nil
}
