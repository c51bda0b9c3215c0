package waiting

import (
	"context"
	"fmt"
	"strings"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/runtime"
)

// KindRejected is the kind of the message a rejected submission becomes.
const KindRejected = "blanket-rejected"

// HandleRejected tells the sender that a submission intake accepted was
// refused by the blanket's function (blanket.rejected.v1), so the green
// receipt it saw is not the last word (seeds/000 § 1 stk. 3: the sender
// follows its cases). The sender gets one message in its inbox naming the
// form, the receipt number and every reason in Danish and English, and an
// alert on the channels it chose (as for a reminder that came due).
//
// The message is keyed by the receipt (one receipt is one submission, and
// it is rejected once), so the same rejection delivered twice, even as two
// events, makes one message and one alert. A rejection without a receipt
// is keyed by its event.
func (w *Waiting) HandleRejected(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, d events.BlanketRejection) error {
	tenant, ok := strings.CutPrefix(d.Sender, "cvr:")
	cvr, err := ids.ParseCVR(tenant)
	if !ok || err != nil {
		return runtime.Fail(runtime.KindInvalid, "bad-sender", "Afsenderen er ikke en virksomhed (cvr:<CVR-nummer>).",
			"The sender is not a company (cvr:<CVR number>).", err)
	}
	key := "rejected/" + d.Receipt
	if d.Receipt == "" {
		key = "rejected/" + ev.Source() + "/" + ev.ID()
	}
	m := rejectionMessage(d)
	m.Key, m.CVR = key, cvr.String()
	m.Stream = d.CaseID // "" records in the event's partition key
	return w.toSender(ctx, tx, m, func(string) bool { return true })
}

// rejectionMessage writes the message of rejection d in Danish and English.
func rejectionMessage(d events.BlanketRejection) senderMessage {
	t := BlanketTitle(d.Blanket)
	receiptDa, receiptEn := "", ""
	if d.Receipt != "" {
		receiptDa, receiptEn = " med kvitteringsnummer "+d.Receipt, " with receipt number "+d.Receipt
	}
	var da, en strings.Builder
	fmt.Fprintf(&da, "Blanketten »%s«%s er afvist og ikke sendt videre til myndigheden. Ret det, der står herunder, og indsend blanketten igen.\n", t.Da, receiptDa)
	fmt.Fprintf(&en, "The form “%s”%s has been rejected and was not passed on to the authority. Correct what is listed below and submit the form again.\n", t.En, receiptEn)
	for _, r := range d.Errors {
		if r.Field != "" {
			fmt.Fprintf(&da, "\n- %s (felt: %s)", r.Da, r.Field)
			fmt.Fprintf(&en, "\n- %s (field: %s)", r.En, r.Field)
		} else {
			fmt.Fprintf(&da, "\n- %s", r.Da)
			fmt.Fprintf(&en, "\n- %s", r.En)
		}
	}
	m := senderMessage{
		Kind: KindRejected, Subject: d.CaseID,
		TitleDa: "Afvist: " + t.Da, TitleEn: "Rejected: " + t.En,
		BodyDa: da.String(), BodyEn: en.String(),
		Receipt: d.Receipt, Blanket: d.Blanket, Reasons: d.Errors,
		SMS: "NemRefusion: " + t.Da + " er afvist" + receiptDa + ". Se Beskeder.",
	}
	if d.CaseID != "" {
		m.Link = "/absences/" + d.CaseID
	}
	return m
}

// Title is a blanket's name in Danish and English.
type Title struct{ Da, En string }

// BlanketTitle is the name of the blanket of event type t; a type no
// blanket has (the schema allows any) is "your form".
func BlanketTitle(t string) Title {
	if b, ok := events.BlanketOf(t); ok {
		return Title{b.TitleDa, b.TitleEn}
	}
	return Title{"Din blanket", "Your form"}
}
