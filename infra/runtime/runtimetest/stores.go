package runtimetest

import (
	"context"
	"encoding/json"
	"testing"

	"nemrefusion.dk/infra/ledger"
)

// Emitted is one event the function wrote to its outbox.
type Emitted struct {
	Type string
	Data json.RawMessage
}

// Outbox returns what the function emitted with partition key partition,
// in order. Rows stay in the outbox after they are sent.
func (k *Kit) Outbox(t testing.TB, partition string) []Emitted {
	t.Helper()
	rows, err := k.Svc.DB.Query(context.Background(), `SELECT event_type, event->'data' FROM outbox WHERE partition_key = $1 ORDER BY seq`, partition)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []Emitted
	for rows.Next() {
		var e Emitted
		if err := rows.Scan(&e.Type, &e.Data); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// OfType returns the events of es of type typ.
func OfType(es []Emitted, typ string) []Emitted {
	var out []Emitted
	for _, e := range es {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// Ledger returns every entry of the ledger stream, in order.
func (k *Kit) Ledger(t testing.TB, stream string) []ledger.Record {
	t.Helper()
	recs, err := ledger.Stream(context.Background(), k.Svc.DB, stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
