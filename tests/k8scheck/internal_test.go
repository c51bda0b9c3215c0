package k8scheck

import (
	"strings"
	"testing"
)

// Issue 16: "k8s has no NetworkPolicy and no cluster-local visibility", and
// deliveries carried no token. Every overlay's build must have them.
func TestInternalTrafficIsAuthenticatedAndFenced(t *testing.T) {
	t.Parallel()
	for _, o := range overlays {
		t.Run(o, func(t *testing.T) {
			t.Parallel()
			if err := CheckInternalTraffic(build(t, o)); err != nil {
				t.Errorf("%s:\n%v", o, err)
			}
		})
	}
}

// Each guarantee fails the check when its manifest is taken away.
func TestInternalTrafficCheckFailsWhenAGuardIsRemoved(t *testing.T) {
	t.Parallel()
	base := build(t, "dev")
	tests := []struct {
		name    string
		drop    func(d Document) bool // documents left out
		edit    func(raw string) string
		wantErr string
	}{
		{name: "no default deny", drop: func(d Document) bool { return d.ID() == "NetworkPolicy/"+DefaultDenyIngress }, wantErr: DefaultDenyIngress + " missing"},
		{name: "no policy for the broker", drop: func(d Document) bool { return d.ID() == "NetworkPolicy/functions-from-knative" }, wantErr: "knative-eventing"},
		{name: "backing services shut", drop: func(d Document) bool { return d.ID() == "NetworkPolicy/backing-from-functions" }, wantErr: "StatefulSet/postgres"},
		{name: "a private function made public", edit: func(raw string) string {
			return strings.Replace(raw, "networking.knative.dev/visibility: cluster-local", "app.kubernetes.io/x: y", 1)
		}, wantErr: "cluster-local"},
		{name: "a Trigger without the subscriber's audience", edit: func(raw string) string {
			return strings.Replace(raw, "    audience: sickness\n", "", 1)
		}, wantErr: `subscriber audience must be "sickness"`},
		{name: "no broker token", edit: func(raw string) string {
			return strings.Replace(raw, "audience: "+BrokerAudience, "audience: someone-else", 1)
		}, wantErr: "projected serviceAccountToken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var docs []Document
			changed := false
			for _, d := range base {
				if tc.drop != nil && tc.drop(d) {
					changed = true
					continue
				}
				if tc.edit != nil && !changed {
					if raw := tc.edit(string(d.Raw)); raw != string(d.Raw) {
						nd, err := Decode([]byte(raw))
						if err != nil {
							t.Fatal(err)
						}
						d, changed = nd, true
					}
				}
				docs = append(docs, d)
			}
			if !changed {
				t.Fatal("the edit changed nothing: fix the test")
			}
			err := CheckInternalTraffic(docs)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("CheckInternalTraffic = %v, want an error mentioning %q", err, tc.wantErr)
			}
		})
	}
}
