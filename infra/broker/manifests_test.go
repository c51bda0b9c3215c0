package broker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadManifestsFixture(t *testing.T) {
	t.Parallel()
	m, err := LoadManifests(filepath.Join("testdata", "filter"), "nemrefusion", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Brokers) != 1 || len(m.Triggers) != 3 || len(m.PingSources) != 0 {
		t.Fatalf("got %d brokers, %d triggers, %d pingsources; want 1, 3, 0", len(m.Brokers), len(m.Triggers), len(m.PingSources))
	}
	var urgent *TriggerSpec
	for i := range m.Triggers {
		if m.Triggers[i].Name == "urgent-letters" {
			urgent = &m.Triggers[i]
		}
	}
	if urgent == nil || urgent.Filter["priority"] != "high" || urgent.Subscriber.Ref.Name != "urgent" || urgent.Broker != "default" {
		t.Fatalf("urgent-letters decoded as %+v", urgent)
	}
}

const okBroker = "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: default\n"

func TestLoadManifestsErrors(t *testing.T) {
	t.Parallel()
	trigger := func(spec string) string {
		return "apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t\nspec:\n" + spec
	}
	tests := []struct {
		name    string
		files   map[string]string
		skip    []string
		wantErr string
	}{
		{"valid with other kinds", map[string]string{
			"a.yaml":           okBroker + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
			"sub/deeper/t.yml": trigger("  broker: default\n  subscriber:\n    uri: http://127.0.0.1:1/x\n"),
			"notes.txt":        "kind: Trigger\n",
		}, nil, ""},
		{"trigger without broker manifest", map[string]string{
			"t.yaml": trigger("  broker: other\n  subscriber:\n    uri: http://127.0.0.1:1/\n"),
		}, nil, `broker "other" is not defined`},
		{"defined twice", map[string]string{
			"a.yaml": okBroker, "overlays/dev/b.yaml": okBroker,
		}, nil, "defined twice"},
		{"overlays skipped", map[string]string{
			"a.yaml": okBroker, "overlays/dev/b.yaml": okBroker,
		}, []string{"overlays"}, ""},
		{"relative uri without ref", map[string]string{
			"a.yaml": okBroker + "---\n" + trigger("  broker: default\n  subscriber:\n    uri: /x\n"),
		}, nil, "absolute URL"},
		{"no subscriber", map[string]string{
			"a.yaml": okBroker + "---\n" + trigger("  broker: default\n"),
		}, nil, "neither ref nor uri"},
		{"bad backoff delay", map[string]string{
			"a.yaml": okBroker + "---\n" + trigger("  broker: default\n  subscriber:\n    ref:\n      kind: Service\n      name: s\n  delivery:\n    backoffDelay: 200ms\n"),
		}, nil, "backoffDelay"},
		{"bad backoff policy", map[string]string{
			"a.yaml": okBroker + "---\n" + trigger("  broker: default\n  subscriber:\n    ref:\n      kind: Service\n      name: s\n  delivery:\n    backoffPolicy: random\n"),
		}, nil, "backoffPolicy"},
		{"pingsource without schedule", map[string]string{
			"a.yaml": okBroker + "---\napiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata:\n  name: p\nspec:\n  sink:\n    ref:\n      kind: Broker\n      name: default\n",
		}, nil, "schedule is empty"},
		{"broken yaml", map[string]string{"a.yaml": "kind: [\n"}, nil, "decode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, body := range tc.files {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := LoadManifests(dir, "nemrefusion", tc.skip)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestNewRejectsBadSchedule(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ping := okBroker + "---\napiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata:\n  name: p\nspec:\n  schedule: \"every minute\"\n  sink:\n    ref:\n      kind: Broker\n      name: default\n"
	if err := os.WriteFile(filepath.Join(dir, "p.yaml"), []byte(ping), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := New(Config{DataDir: t.TempDir(), ManifestsDir: dir})
	if err == nil || !strings.Contains(err.Error(), "schedule") {
		t.Fatalf("New error %v, want a schedule error", err)
	}
}
