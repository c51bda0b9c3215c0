package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/digitalpost"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/tests/stack"
)

func lettersDB(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// publish posts ev to the broker ingress, as a function's outbox does.
func publish(t *testing.T, ev cloudevents.Event) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, stack.Get().BrokerURL(), nil)
	if err := cehttp.WriteRequest(context.Background(), binding.ToMessage(&ev), req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("broker ingress: %d", resp.StatusCode)
	}
}

// sentLetter waits for notify's record of the letter a request caused and
// returns its id (the MeMo messageUUID) and channel.
func sentLetter(t *testing.T, pool *pgxpool.Pool, where string, arg any) (id, channel string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := pool.QueryRow(context.Background(), `SELECT letter_id::text, channel FROM notify.letters WHERE status = 'sent' AND `+where, arg).Scan(&id, &channel)
		if err == nil {
			return id, channel
		}
		if !errors.Is(err, pgx.ErrNoRows) || time.Now().After(deadline) {
			t.Fatalf("no sent letter where %s: %v", where, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// received returns what the stand-in Digital Post took with messageUUID id.
func received(id string) []digitalpost.Received {
	var out []digitalpost.Received
	for _, r := range stack.DigitalPost().Received("") {
		if r.MessageUUID == id {
			out = append(out, r)
		}
	}
	return out
}

// A letter for a Digital Post recipient goes to Digital Post, one for a
// recipient exempt from Digital Post to the paper-print queue, each
// exactly once although the request reaches the broker twice.
func TestLettersArriveWhereTheyShouldExactlyOnce(t *testing.T) {
	pool := lettersDB(t)
	cases := []struct{ persona, channel string }{
		{synth.PersonaEmployee, digitalpost.ChannelDigital},
		{synth.PersonaDigitalPostExempt, digitalpost.ChannelPaper},
	}
	for _, c := range cases {
		t.Run(c.persona, func(t *testing.T) {
			t.Parallel()
			p, _ := synth.PersonaByKey(c.persona)
			absence := fmt.Sprintf("e2e-letter-%d", time.Now().UnixNano())
			ev, err := events.New(events.LetterRequested, "e2e", absence, events.LetterRequest{
				Kind: events.LetterCitizenTask, Recipient: events.Party{CPR: p.CPR},
				Sender: events.Authority{CVR: ids.MustCVR("19435075"), Name: "Københavns Kommune"}, Reference: absence,
				Data: map[string]string{"task": "information-form", "deadline": time.Now().AddDate(0, 0, 8).Format(time.DateOnly)},
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			publish(t, ev)
			publish(t, ev) // the same request again: a redelivery
			id, channel := sentLetter(t, pool, "request_id = $1", ev.ID())
			if channel != c.channel {
				t.Fatalf("channel %s, want %s", channel, c.channel)
			}
			time.Sleep(2 * time.Second) // room for a second delivery to do harm
			got := received(id)
			if len(got) != 1 || got[0].Posts != 1 || got[0].Channel != c.channel || got[0].RecipientID != p.CPR.String() {
				t.Fatalf("Digital Post received %+v, want one %s letter posted once", got, c.channel)
			}
			var rows, sent int
			_ = pool.QueryRow(context.Background(), `SELECT count(*) FROM notify.letters WHERE request_id = $1`, ev.ID()).Scan(&rows)
			_ = pool.QueryRow(context.Background(), `SELECT count(*) FROM notify.outbox WHERE event_type = $1 AND event->>'causationid' = $2`,
				events.LetterSent, ev.ID()).Scan(&sent)
			if rows != 1 || sent != 1 {
				t.Fatalf("%d letters rows and %d letter.sent events, want 1 and 1", rows, sent)
			}
		})
	}
}
