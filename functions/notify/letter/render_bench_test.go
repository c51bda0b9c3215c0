package letter_test

import (
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/notify/letter"
)

// BenchmarkRender renders a sender's receipt, the most frequent letter.
func BenchmarkRender(b *testing.B) {
	l, err := letter.Compose(letter.Input{Kind: events.LetterSenderReceipt, Language: "da", Sender: "Københavns Kommune",
		Recipient: []string{"Demo A/S", "Åboulevarden 1", "8000 Aarhus C"}, Date: date, Reference: "NR-2024-00000042",
		Data: data(events.LetterSenderReceipt)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := letter.Render(l); err != nil {
			b.Fatal(err)
		}
	}
}
