package faults

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/load"
	"nemrefusion.dk/tests/stack"
)

var (
	poolOnce sync.Once
	shared   *pgxpool.Pool
	poolErr  error
)

// db is the tests' own small pool on the stack's database (the shared
// server's connections are scarce while other tests run).
func db(t *testing.T) *pgxpool.Pool {
	t.Helper()
	poolOnce.Do(func() {
		cfg, err := pgxpool.ParseConfig(os.Getenv("DATABASE_URL"))
		if err != nil {
			poolErr = err
			return
		}
		cfg.MaxConns = 3
		shared, poolErr = pgxpool.NewWithConfig(context.Background(), cfg)
	})
	if poolErr != nil {
		t.Fatal(poolErr)
	}
	return shared
}

// count runs a count query; a server that has no connection to spare
// right now (53300) is asked again for up to 30 s.
func count(t *testing.T, pool *pgxpool.Pool, q string, args ...any) int {
	t.Helper()
	var n int
	var err error
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		err = pool.QueryRow(context.Background(), q, args...).Scan(&n)
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "53300" || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(strings.Fields(q), " "), err)
	}
	return n
}

// eventually polls cond until it holds or within passes.
func eventually(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(250 * time.Millisecond)
	}
	return true
}

// blanketOutboxes is the outboxes of the functions that decide the run's
// blankets (sickness, maternity, subsidy), as one table: their deliveries,
// letters and reminders are the run's.
const blanketOutboxes = `(SELECT event_id, event_type, partition_key, event FROM sickness.outbox
	UNION ALL SELECT event_id, event_type, partition_key, event FROM maternity.outbox
	UNION ALL SELECT event_id, event_type, partition_key, event FROM subsidy.outbox)`

// stageCount is what one stage received against what it should have.
type stageCount struct {
	stage     string
	want, got int
}

// reconcile checks, after a fault, that the retrying client saw only clear
// answers and got every submission accepted once, and counts what every
// stage received against what was submitted: intake's submissions, the
// decisions of the functions that decide blankets (sickness, maternity,
// subsidy: the mix has all three), the outboxes (everything committed was
// published), the deliveries in the recipients' streams (gapless), the
// letters requested, written and handed to Digital Post, the reminders
// scheduled and stored. Duplicated effects (a letter, delivery or reminder
// twice) fail it, and the whole ledger must verify.
func reconcile(t *testing.T, res *load.Result) {
	t.Helper()
	ctx := context.Background()
	pool := db(t)
	var counts []stageCount
	defer func() {
		var b strings.Builder
		tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "stage\texpected\treceived")
		for _, c := range counts {
			fmt.Fprintf(tw, "%s\t%d\t%d\n", c.stage, c.want, c.got)
		}
		tw.Flush()
		t.Logf("reconciliation of %s:\n%s", res.Source, b.String())
	}()

	// The user: every answer clear, every submission accepted exactly once.
	total := res.Stats.Total(load.EventsEndpoint)
	t.Logf("client: %d sent, %d accepted, %d failed; answers %v, statuses %v", res.Sent, len(res.Accepted), len(res.Failed), total.Outcomes, total.Statuses)
	if len(res.Failed) > 0 {
		t.Errorf("%d submissions never accepted by a retrying client, e.g. %+v", len(res.Failed), res.Failed[0])
	}
	if n := res.Unclear(); n > 0 {
		t.Errorf("%d answers were neither success nor a clear error (problem JSON, or 503/429 with Retry-After): %v; e.g. %q", n, total.Statuses, total.Unclear)
	}
	ids := map[string]bool{}
	blankets, answers := 0, 0
	for _, a := range res.Accepted {
		if ids[a.ID] {
			t.Errorf("submission %s accepted twice", a.ID)
		}
		ids[a.ID] = true
		if a.Kind == load.KindCitizenAnswer {
			answers++
		} else {
			blankets++
		}
	}
	// Intake: one submission row per accepted blanket, no more.
	counts = append(counts, stageCount{"submitted (client)", res.Sent, len(res.Accepted)})
	n := count(t, pool, `SELECT count(*) FROM accept.submissions WHERE source = $1`, res.Source)
	counts = append(counts, stageCount{"intake submissions", blankets, n})
	if n != blankets {
		t.Errorf("intake holds %d submissions of the run, the client had %d blankets accepted", n, blankets)
	}

	// Sickness: every accepted submission decided or rejected.
	p, err := load.Follow(ctx, pool, res, 3*time.Minute, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	counts = append(counts, stageCount{"blankets processed (sickness, maternity, subsidy)", p.Accepted, p.Processed})
	for _, k := range load.Kinds {
		if f := p.Kinds[k]; f != nil {
			counts = append(counts, stageCount{"  " + string(k) + " processed", f.Accepted, f.Processed})
		}
	}
	if p.Missing > 0 {
		// Explain: the broker gives an event up to the dead-letter sink
		// once its Trigger's retries are spent.
		dead := map[string]int{}
		rows, err := pool.Query(ctx, `SELECT error_dest || ' ' || error_code, count(*) FROM deadletter.dead_letters
			WHERE event_id IN (SELECT event_id FROM accept.submissions WHERE source = $1) GROUP BY 1`, res.Source)
		if err == nil {
			for rows.Next() {
				var k string
				var n int
				_ = rows.Scan(&k, &n)
				dead[k] = n
			}
			rows.Close()
		}
		t.Errorf("%d accepted submissions never processed by their function; dead-lettered: %v", p.Missing, dead)
	}
	if p.Rejected > 0 {
		t.Errorf("%d valid submissions rejected under the fault: %v", p.Rejected, p.Rejections)
	}
	// streams selects the run's absences; its parameter is the run's source.
	streams := func(param string) string {
		return `SELECT DISTINCT stream FROM accept.submissions WHERE source = ` + param
	}

	// Every outbox drains: nothing committed stays unpublished.
	var schemas []string
	rows, err := pool.Query(ctx, `SELECT table_schema FROM information_schema.tables WHERE table_name = 'outbox' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		schemas = append(schemas, s)
	}
	rows.Close()
	unsent := func() int {
		n := 0
		for _, s := range schemas {
			n += count(t, pool, `SELECT count(*) FROM `+s+`.outbox WHERE sent_at IS NULL`)
		}
		return n
	}
	eventually(2*time.Minute, func() bool { return unsent() == 0 })
	counts = append(counts, stageCount{"outbox rows unpublished", 0, unsent()})
	if n := unsent(); n > 0 {
		t.Errorf("%d outbox rows never published", n)
	}

	// Deliveries: each delivery.requested of the run's absences is one item.
	requested := func() int {
		return count(t, pool, `SELECT count(*) FROM `+blanketOutboxes+` o WHERE event_type = $1 AND partition_key IN (`+streams("$2")+`)`, events.DeliveryRequested, res.Source)
	}
	items := func() int {
		return count(t, pool, `SELECT count(*) FROM delivery.items WHERE case_ref IN (`+streams("$1")+`) AND (kind LIKE 'sickness.%' OR kind LIKE 'parental.%' OR kind LIKE 'subsidy.%')`, res.Source)
	}
	eventually(2*time.Minute, func() bool { return items() >= requested() })
	counts = append(counts, stageCount{"deliveries in recipient streams", requested(), items()})
	if r, i := requested(), items(); r != i {
		t.Errorf("%d deliveries requested for the run's absences, %d in the recipients' streams", r, i)
	}
	if n := count(t, pool, `SELECT count(*) FROM (SELECT 1 FROM `+blanketOutboxes+` o WHERE event_type = $1 GROUP BY event->'data'->>'itemId' HAVING count(*) > 1) d`, events.DeliveryRequested); n > 0 {
		t.Errorf("%d delivery items requested twice", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM delivery.recipients r WHERE r.last_seq <> (SELECT count(*) FROM delivery.items i WHERE i.recipient = r.recipient)
		OR r.last_seq <> coalesce((SELECT max(seq) FROM delivery.items i WHERE i.recipient = r.recipient), 0)`); n > 0 {
		t.Errorf("%d recipient streams have gaps or extra items", n)
	}

	// Citizen answers: each accepted answer is one item for the municipality.
	citizenItems := func() int {
		return count(t, pool, `SELECT count(*) FROM delivery.items WHERE case_ref IN (`+streams("$1")+`) AND kind = $2`, res.Source, events.DeliveryKindCitizenAnswer)
	}
	eventually(2*time.Minute, func() bool { return citizenItems() >= answers })
	counts = append(counts, stageCount{"citizen answers delivered", answers, citizenItems()})
	if n := citizenItems(); n != answers {
		t.Errorf("%d citizen answers accepted, %d in the municipalities' streams", answers, n)
	}

	// Letters: each letter.requested of the run once in notify, once at
	// Digital Post (or on paper), none requested twice.
	letters := func() (int, int) {
		var req, done int
		if err := pool.QueryRow(ctx, `SELECT count(*), count(l.letter_id) FROM `+blanketOutboxes+` o LEFT JOIN notify.letters l ON l.request_id = o.event_id
			WHERE o.event_type = $1 AND o.partition_key IN (`+streams("$2")+`)`, events.LetterRequested, res.Source).Scan(&req, &done); err != nil {
			t.Fatal(err)
		}
		return req, done
	}
	eventually(2*time.Minute, func() bool { r, d := letters(); return r == d })
	req, done := letters()
	counts = append(counts, stageCount{"letters written (notify)", req, done})
	if req != done {
		t.Errorf("%d letters requested for the run, %d written by notify", req, done)
	}
	if n := count(t, pool, `SELECT count(*) FROM (SELECT 1 FROM `+blanketOutboxes+` o WHERE event_type = $1 AND partition_key IN (`+streams("$2")+`)
		GROUP BY event->'data'->>'reference', event->'data'->>'kind', event->'data'->>'recipient'::text HAVING count(*) > 1) d`, events.LetterRequested, res.Source); n > 0 {
		t.Errorf("%d letters requested twice for one submission", n)
	}
	var digital []string
	rows, err = pool.Query(ctx, `SELECT l.letter_id::text FROM notify.letters l JOIN `+blanketOutboxes+` o ON l.request_id = o.event_id
		WHERE o.partition_key IN (`+streams("$1")+`) AND l.status = 'sent' AND l.channel = 'digital-post'`, res.Source)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		digital = append(digital, id)
	}
	rows.Close()
	got := map[string]bool{}
	for _, r := range stack.DigitalPost().Received("") {
		got[r.MessageUUID] = true
	}
	atDP := 0
	for _, id := range digital {
		if got[id] {
			atDP++
		}
	}
	counts = append(counts, stageCount{"letters at Digital Post", len(digital), atDP})
	if atDP != len(digital) {
		t.Errorf("%d letters sent by Digital Post according to notify, %d received by Digital Post", len(digital), atDP)
	}

	// Reminders: each scheduled one stored; none fired twice, anywhere.
	sched := func() (int, int) {
		var s, stored int
		if err := pool.QueryRow(ctx, `SELECT count(DISTINCT o.event->'data'->>'id'), count(DISTINCT r.id) FROM `+blanketOutboxes+` o
			LEFT JOIN reminder.reminders r ON r.id = o.event->'data'->>'id'
			WHERE o.event_type = $1 AND o.partition_key IN (`+streams("$2")+`)`, events.ReminderScheduled, res.Source).Scan(&s, &stored); err != nil {
			t.Fatal(err)
		}
		return s, stored
	}
	eventually(time.Minute, func() bool { s, st := sched(); return s == st })
	s, st := sched()
	counts = append(counts, stageCount{"reminders stored", s, st})
	if s != st {
		t.Errorf("%d reminders scheduled for the run, %d stored", s, st)
	}
	if n := count(t, pool, `SELECT count(*) FROM (SELECT 1 FROM reminder.outbox WHERE event_type = $1 GROUP BY event->'data'->>'id' HAVING count(*) > 1) d`, events.ReminderDue); n > 0 {
		t.Errorf("%d reminders fired twice", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM (SELECT 1 FROM waiting.sender_inbox GROUP BY reminder_id HAVING count(*) > 1) d`); n > 0 {
		t.Errorf("%d reminders reached a sender's inbox twice", n)
	}

	// The ledger verifies.
	rep, err := ledger.Verify(ctx, pool, stack.LedgerKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("ledger does not verify: %s", rep)
	}
}
