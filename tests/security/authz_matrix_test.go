package security

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"nemrefusion.dk/tests/stack"
)

// authzCell is one call of the matrix: a route's variant, a persona and a
// record kind (own, foreign, missing; role, public, internal, attack).
type authzCell struct {
	route   string
	v       *authzVariant
	vi      int
	persona string
	kind    string
	fresh   bool         // an own record made just before the call (Fresh)
	rec     *authzRecord // the record called (nil for role, public, internal)
	of      *authzRecord // for a missing cell: the foreign record it stands beside
	resp    authzResp
	req     authzReq
}

func (c *authzCell) name() string {
	n := c.route
	if c.v.Name != "" {
		n += " [" + c.v.Name + "]"
	}
	return n
}

func (c *authzCell) personaName() string {
	if c.persona == pAnonymous {
		return "anonymous"
	}
	return c.persona
}

func (c *authzCell) recordName() string {
	switch {
	case c.of != nil:
		return "missing (beside " + c.of.Label + ")"
	case c.rec != nil && c.rec.Label != "":
		return c.kind + ": " + c.rec.Label
	case c.rec != nil:
		return c.kind + ": " + c.rec.ID
	}
	return c.kind
}

// authzFinding is a leak (a refusal that did not happen, personal data in
// an answer, an existence oracle, a write that changed something) or a
// broken route (an allowed persona refused on its own record, a 5xx).
type authzFinding struct {
	route, persona, record, what string
}

type authzFindings struct {
	mu     sync.Mutex
	leaks  []authzFinding
	broken []authzFinding
}

func (f *authzFindings) leak(c *authzCell, format string, a ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.leaks = append(f.leaks, authzFinding{c.name(), c.personaName(), c.recordName(), fmt.Sprintf(format, a...)})
}

func (f *authzFindings) broke(c *authzCell, format string, a ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.broken = append(f.broken, authzFinding{c.name(), c.personaName(), c.recordName(), fmt.Sprintf(format, a...)})
}

func authzRefused(status int) bool {
	return status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound
}

// authzShape is what a refusal looks like, without the parts that may
// differ between two refusals of the same kind (ids, times): the status,
// the JSON keys and the error code.
func authzShape(r authzResp) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
		return fmt.Sprintf("%d non-JSON %s (%d bytes)", r.Status, r.Type, len(r.Body))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return fmt.Sprintf("%d %v code=%v", r.Status, keys, m["code"])
}

// TestAuthzRouteMatrix is the authorisation matrix of issue 16: every
// route the public origin reaches (derived from the HTTPRoutes and the
// functions' ServeMux patterns, so a new route cannot be left out), every
// development persona and anonymous, against an own, a foreign and a
// missing record, created at the start through the public API. A leak is a
// foreign or missing record not refused with 401/403/404, a refusal that
// differs between foreign and missing, personal data the persona is not
// entitled to in any answer, a refused write that left a ledger entry or
// changed the record, or an internal endpoint reachable on the origin.
// It logs every leak in a table and fails with their number; it also fails
// when a persona is refused its own record (the route is broken).
func TestAuthzRouteMatrix(t *testing.T) {
	root, err := stack.Root()
	if err != nil {
		t.Fatal(err)
	}
	routes, _, problems, err := authzRouteTable(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("route table: %s", p)
	}
	if len(routes) < 20 {
		t.Fatalf("the route table has only %d routes: the derivation is broken", len(routes))
	}

	start := time.Now()
	w := authzBuildWorld(t)
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("records created through the public API in %s", time.Since(start).Round(time.Millisecond))
	fixtures := authzFixtures(w)

	// Every reachable route has a fixture; every fixture names a route.
	reachable := map[string]authzRoute{}
	for _, r := range routes {
		reachable[r.Key()] = r
		if _, ok := fixtures[r.Key()]; !ok {
			t.Errorf("route %s (%s, %s) is on the public origin and has no fixture in authzFixtures: add one", r.Key(), r.Backend, r.Source)
		}
	}
	var keys []string
	for k, vs := range fixtures {
		if _, ok := reachable[k]; !ok {
			internal := true
			for _, v := range vs {
				internal = internal && v.Kind == kindInternal
			}
			if !internal {
				t.Errorf("fixture %q names a route that is not on the public origin any more: remove it", k)
				continue
			}
			// An internal route taken off the origin stays probed: it
			// must not come back.
			t.Logf("%s is not in the route table any more; its path is still probed", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)

	// The cells.
	var reads, denyWrites, ownWrites []*authzCell
	attacks := map[string][]*authzCell{}
	personas := authzPersonas()
	for _, k := range keys {
		for vi := range fixtures[k] {
			v := &fixtures[k][vi]
			for _, p := range personas {
				add := func(c *authzCell) {
					c.route, c.v, c.vi, c.persona = k, v, vi, p
					switch {
					case v.Kind == kindAttack:
						attacks[p] = append(attacks[p], c)
					case !v.Write || v.Kind == kindInternal || v.Kind == kindPublic:
						reads = append(reads, c)
					case c.kind == "own":
						ownWrites = append(ownWrites, c)
					default:
						denyWrites = append(denyWrites, c)
					}
				}
				switch v.Kind {
				case kindPublic:
					add(&authzCell{kind: "public"})
				case kindInternal:
					add(&authzCell{kind: "internal"})
				case kindAttack:
					add(&authzCell{kind: "attack"})
				case kindRole:
					if p != pAnonymous && (v.AnyLogin || contains(v.Allowed, p)) {
						add(&authzCell{kind: "own"})
					} else {
						add(&authzCell{kind: "role"})
					}
				case kindRecord:
					var own *authzRecord
					for _, r := range v.Records {
						if r.owns(p) && p != pAnonymous {
							own = r
							break
						}
					}
					if own == nil || v.Fresh == nil || v.FreshIfNone {
						for _, r := range v.Records {
							if r.owns(p) && p != pAnonymous {
								add(&authzCell{kind: "own", rec: r})
							}
						}
					}
					if v.Fresh != nil && p != pAnonymous && (own != nil && !v.FreshIfNone || own == nil && v.NoMissing != "") {
						add(&authzCell{kind: "own", fresh: true}) // made just before the call
					}
					for _, r := range v.Records {
						if r.owns(p) && p != pAnonymous {
							continue
						}
						add(&authzCell{kind: "foreign", rec: r})
						if v.NoMissing == "" {
							miss := newID(w, r)
							if v.Missing != nil {
								miss = v.Missing(w, r)
							}
							add(&authzCell{kind: "missing", rec: miss, of: r})
						}
					}
				}
			}
		}
	}

	var f authzFindings
	matrix := time.Now()
	call := func(c *authzCell) {
		switch {
		case c.v.Kind == kindInternal:
			c.req = c.v.Probe
		case c.fresh:
			c.rec = c.v.Fresh(w, c.persona)
			if c.rec == nil {
				f.broke(c, "could not make an own record to call")
				return
			}
			c.req = c.v.Req(w, c.rec, c.persona)
		default:
			c.req = c.v.Req(w, c.rec, c.persona)
		}
		c.resp = w.do(c.persona, c.req)
	}

	// Reads, in parallel.
	authzParallel(8, reads, call)
	// Refused writes: per persona one after another (a refused write must
	// leave no ledger entry by its actor), personas in parallel.
	byPersona := map[string][]*authzCell{}
	for _, c := range denyWrites {
		byPersona[c.persona] = append(byPersona[c.persona], c)
	}
	// Two personas at a time: the citizen function logs a denial on its
	// pool while it holds a transaction, so more parallel refused writes
	// than its pool has connections hang it (see the report of issue 16).
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for p, cells := range byPersona {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			for _, c := range cells {
				var viewer string
				var view authzReq
				var before authzResp
				if c.v.View != nil && c.rec != nil && c.of == nil {
					viewer, view = c.v.View(w, c.rec)
					before = w.do(viewer, view)
				}
				n := w.ledgerEntriesBy(p)
				call(c)
				if d := w.ledgerEntriesBy(p) - n; d > 0 {
					f.leak(c, "a refused write left %d ledger entries by the actor (%d)", d, c.resp.Status)
				}
				if viewer != "" {
					if after := w.do(viewer, view); after.Body != before.Body || after.Status != before.Status {
						f.leak(c, "the record changed: its owner's view differs after the call (%d)", c.resp.Status)
					}
				}
			}
		}()
	}
	wg.Wait()
	// Attacks, personas in parallel.
	for p, cells := range attacks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, c := range cells {
				for _, what := range c.v.Run(w, p) {
					f.leak(c, "%s", what)
				}
			}
		}()
	}
	wg.Wait()
	// The owners' own writes last (they change the shared records).
	byPersona = map[string][]*authzCell{}
	for _, c := range ownWrites {
		byPersona[c.persona] = append(byPersona[c.persona], c)
	}
	for _, cells := range byPersona {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, c := range cells {
				call(c)
			}
		}()
	}
	wg.Wait()
	calls := len(reads) + len(denyWrites) + len(ownWrites)

	// Judge every cell.
	appPage := w.do(pAnonymous, get("/"))
	missingOf := map[*authzCell]*authzCell{}
	foreignCells := map[string]*authzCell{}
	key := func(c *authzCell, r *authzRecord) string {
		return fmt.Sprintf("%s|%d|%s|%p", c.route, c.vi, c.persona, r)
	}
	all := append(append(append([]*authzCell{}, reads...), denyWrites...), ownWrites...)
	for _, c := range all {
		if c.kind == "foreign" {
			foreignCells[key(c, c.rec)] = c
		}
	}
	for _, c := range all {
		if c.kind == "missing" {
			missingOf[c] = foreignCells[key(c, c.of)]
		}
	}
	for _, c := range all {
		if c.resp.Status == 0 {
			continue // not called (no own record could be made)
		}
		if c.resp.Status < 0 || c.resp.Status >= 500 {
			f.broke(c, "answered %d %s", c.resp.Status, authzShort(c.resp.Body))
		}
		for _, what := range w.leaked(c.persona, c.req, c.resp) {
			f.leak(c, "the answer (%d) holds the %s", c.resp.Status, what)
		}
		switch c.kind {
		case "own":
			if c.resp.Status/100 != 2 && !contains(intsToStrings(c.v.OwnOK), fmt.Sprint(c.resp.Status)) {
				f.broke(c, "an allowed persona got %d on its own: %s", c.resp.Status, authzShort(c.resp.Body))
			}
		case "foreign", "missing", "role":
			switch {
			case c.persona == pAnonymous && c.resp.Status != http.StatusUnauthorized:
				f.leak(c, "anonymous got %d, not 401: %s", c.resp.Status, authzShort(c.resp.Body))
			case !authzRefused(c.resp.Status):
				f.leak(c, "not refused: %d %s", c.resp.Status, authzShort(c.resp.Body))
			}
			if fc := missingOf[c]; fc != nil && fc.resp.Status != 0 && authzShape(fc.resp) != authzShape(c.resp) {
				f.leak(c, "foreign and missing answer differently (an existence oracle): foreign %s, missing %s", authzShape(fc.resp), authzShape(c.resp))
			}
		case "internal":
			// The browser app answers every GET it does not know with its
			// own page: that is the app, not the internal endpoint.
			if c.resp.Status == appPage.Status && c.resp.Body == appPage.Body {
				continue
			}
			if c.resp.Status/100 == 2 || (c.resp.Status != http.StatusNotFound && c.resp.Status != http.StatusUnauthorized &&
				c.resp.Status != http.StatusForbidden && c.resp.Status != http.StatusMethodNotAllowed) {
				f.leak(c, "reachable on the public origin: %d %s", c.resp.Status, authzShort(c.resp.Body))
			}
		}
	}
	t.Logf("matrix: %d routes, %d personas, %d calls and %d attacks in %s", len(keys), len(personas), calls, countAttacks(attacks),
		time.Since(matrix).Round(time.Millisecond))

	authzTable(t, "BROKEN (an allowed persona refused, or a 5xx)", f.broken)
	authzTable(t, "LEAKS", f.leaks)
	if len(f.broken) > 0 {
		t.Errorf("%d broken calls (see the table above)", len(f.broken))
	}
	if len(f.leaks) > 0 {
		t.Errorf("%d leaks (see the table above); want 0", len(f.leaks))
	}
}

func countAttacks(m map[string][]*authzCell) int {
	n := 0
	for _, c := range m {
		n += len(c)
	}
	return n
}

func intsToStrings(xs []int) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprint(x)
	}
	return out
}

// authzParallel calls f on every cell with n workers.
func authzParallel(n int, cells []*authzCell, f func(*authzCell)) {
	ch := make(chan *authzCell)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range ch {
				f(c)
			}
		}()
	}
	for _, c := range cells {
		ch <- c
	}
	close(ch)
	wg.Wait()
}

// authzTable logs findings as a table, sorted by route and persona.
func authzTable(t *testing.T, title string, fs []authzFinding) {
	if len(fs) == 0 {
		t.Logf("%s: none", title)
		return
	}
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.route != b.route {
			return a.route < b.route
		}
		if a.persona != b.persona {
			return a.persona < b.persona
		}
		return a.record < b.record
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%d)\n| route | persona | record | what |\n|---|---|---|---|\n", title, len(fs))
	for _, x := range fs {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", x.route, x.persona, x.record, strings.Join(strings.Fields(strings.ReplaceAll(x.what, "|", "/")), " "))
	}
	t.Log(b.String())
}
