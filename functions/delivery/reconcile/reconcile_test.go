package reconcile

import (
	"reflect"
	"testing"
)

func p(from, to string) Period { return Period{From: from, To: to} }

func codes(l Line) []string {
	out := []string{}
	for _, f := range l.Flags {
		out = append(out, f.Code)
	}
	return out
}

// The sender expected two periods; the municipality decided and paid.
func TestReconcileFlagsEveryDifference(t *testing.T) {
	april, may := p("2024-04-03", "2024-04-30"), p("2024-05-01", "2024-05-31")
	june := p("2024-06-01", "2024-06-30")
	exp := []Expected{{april, 1_523_400}, {may, 1_700_000}}
	tests := []struct {
		name       string
		decisions  []Decision
		payments   []Payment
		wantFlags  map[Period][]string
		wantStatus map[Period]string
		wantDiff   int
	}{
		{
			name:       "nothing decided yet: no differences, both awaiting decision",
			wantFlags:  map[Period][]string{april: {}, may: {}},
			wantStatus: map[Period]string{april: StatusAwaitingDecision, may: StatusAwaitingDecision},
		},
		{
			name:       "decided as expected and paid in full: settled, no flags",
			decisions:  []Decision{{ID: "D1", DecidedOn: "2024-06-02", Periods: []Expected{{april, 1_523_400}, {may, 1_700_000}}}},
			payments:   []Payment{{Reference: "P1", Period: april, AmountOre: 1_523_400}, {Reference: "P2", Period: may, AmountOre: 1_700_000}},
			wantFlags:  map[Period][]string{april: {}, may: {}},
			wantStatus: map[Period]string{april: StatusSettled, may: StatusSettled},
		},
		{
			name:       "May decided lower than expected and paid as decided: one flag",
			decisions:  []Decision{{ID: "D1", DecidedOn: "2024-06-02", Periods: []Expected{{april, 1_523_400}, {may, 1_600_000}}}},
			payments:   []Payment{{Reference: "P1", Period: april, AmountOre: 1_523_400}, {Reference: "P2", Period: may, AmountOre: 1_600_000}},
			wantFlags:  map[Period][]string{april: {}, may: {FlagDecidedDiffers}},
			wantStatus: map[Period]string{april: StatusSettled, may: StatusSettled},
			wantDiff:   1,
		},
		{
			name:       "paid less than decided: flagged and still awaiting payment",
			decisions:  []Decision{{ID: "D1", DecidedOn: "2024-06-02", Periods: []Expected{{april, 1_523_400}}}},
			payments:   []Payment{{Reference: "P1", Period: april, AmountOre: 1_000_000}},
			wantFlags:  map[Period][]string{april: {FlagPaidDiffers}, may: {}},
			wantStatus: map[Period]string{april: StatusAwaitingPayment, may: StatusAwaitingDecision},
			wantDiff:   1,
		},
		{
			name: "May refused with reason",
			decisions: []Decision{{ID: "D1", DecidedOn: "2024-06-02", Periods: []Expected{{april, 1_523_400}}},
				{ID: "D2", DecidedOn: "2024-06-03", Refused: true, Reason: "§ 59", Periods: []Expected{{may, 0}}}},
			wantFlags:  map[Period][]string{april: {}, may: {FlagRefused}},
			wantStatus: map[Period]string{april: StatusAwaitingPayment, may: StatusRefused},
			wantDiff:   1,
		},
		{
			name: "a newer decision supersedes a refusal",
			decisions: []Decision{{ID: "D2", DecidedOn: "2024-07-01", Periods: []Expected{{may, 1_700_000}}},
				{ID: "D1", DecidedOn: "2024-06-03", Refused: true, Reason: "§ 59", Periods: []Expected{{may, 0}}}},
			wantFlags:  map[Period][]string{april: {}, may: {}},
			wantStatus: map[Period]string{april: StatusAwaitingDecision, may: StatusAwaitingPayment},
		},
		{
			name:       "paid for a period nobody expected or decided",
			payments:   []Payment{{Reference: "P9", Period: june, AmountOre: 5000}},
			wantFlags:  map[Period][]string{april: {}, may: {}, june: {FlagNotExpected, FlagPaidWithoutDecision}},
			wantStatus: map[Period]string{june: StatusAwaitingDecision},
			wantDiff:   2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Reconcile(exp, tc.decisions, tc.payments)
			got := map[Period][]string{}
			for _, l := range r.Lines {
				got[l.Period] = codes(l)
				if want, ok := tc.wantStatus[l.Period]; ok && l.Status != want {
					t.Errorf("%v status %s, want %s", l.Period, l.Status, want)
				}
			}
			if !reflect.DeepEqual(got, tc.wantFlags) {
				t.Errorf("flags %v, want %v", got, tc.wantFlags)
			}
			if r.Differences != tc.wantDiff {
				t.Errorf("differences %d, want %d", r.Differences, tc.wantDiff)
			}
			if r.ExpectedOre != 3_223_400 {
				t.Errorf("expected total %d", r.ExpectedOre)
			}
		})
	}
}

func TestReconcileDifferenceAmounts(t *testing.T) {
	may := p("2024-05-01", "2024-05-31")
	r := Reconcile([]Expected{{may, 1_700_000}},
		[]Decision{{ID: "D1", DecidedOn: "2024-06-02", Periods: []Expected{{may, 1_600_000}}}},
		[]Payment{{Reference: "P1", Period: may, AmountOre: 1_550_000}})
	l := r.Lines[0]
	if len(l.Flags) != 2 || l.Flags[0].DifferenceOre != -100_000 || l.Flags[1].DifferenceOre != -50_000 {
		t.Fatalf("flags %+v", l.Flags)
	}
	if r.DecidedOre != 1_600_000 || r.PaidOre != 1_550_000 {
		t.Fatalf("totals %+v", r)
	}
}
