package k8scheck

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const (
	root          = "../.."
	k8sDir        = root + "/k8s"
	functionsDir  = root + "/functions"
	allowlistPath = "testdata/functions-without-service.txt"
)

var overlays = []string{"dev", "prod"}

// builds caches one kustomize build per overlay for the whole test binary.
var builds sync.Map // overlay name -> func() ([]Document, error)

func build(t *testing.T, overlay string) []Document {
	t.Helper()
	f, _ := builds.LoadOrStore(overlay, sync.OnceValues(func() ([]Document, error) {
		return Build(filepath.Join(k8sDir, "overlays", overlay))
	}))
	docs, err := f.(func() ([]Document, error))()
	if err != nil {
		t.Fatalf("overlay %s: %v", overlay, err)
	}
	if len(docs) == 0 {
		t.Fatalf("overlay %s built no documents", overlay)
	}
	return docs
}

func TestOverlaysBuildDecodeAndValidate(t *testing.T) {
	t.Parallel()
	for _, o := range overlays {
		t.Run(o, func(t *testing.T) {
			t.Parallel()
			docs := build(t, o)
			kinds := map[string]int{}
			for _, d := range docs {
				kinds[d.Kind]++
				if d.Namespace != "nemrefusion" && d.Kind != "Namespace" {
					t.Errorf("%s: namespace %q, want nemrefusion", d.ID(), d.Namespace)
				}
			}
			for _, k := range []string{"Service", "Broker", "Trigger", "PingSource", "HTTPRoute", "ConfigMap", "Namespace"} {
				if kinds[k] == 0 {
					t.Errorf("no %s in the %s build", k, o)
				}
			}
			t.Logf("%s: %d documents %v", o, len(docs), kinds)
		})
	}
}

func TestOverlaysCrossCheck(t *testing.T) {
	t.Parallel()
	for _, o := range overlays {
		t.Run(o, func(t *testing.T) {
			t.Parallel()
			if err := CrossCheck(build(t, o)); err != nil {
				t.Errorf("%s:\n%v", o, err)
			}
		})
	}
}

// TestEveryFunctionHasService checks both function folders: the Go module
// under functions/<name> and the manifest folder k8s/base/functions/<name>
// (a folder missing from base/kustomization.yaml builds no Service).
func TestEveryFunctionHasService(t *testing.T) {
	t.Parallel()
	allow, err := ReadAllowlist(allowlistPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range overlays {
		t.Run(o, func(t *testing.T) {
			t.Parallel()
			docs := build(t, o)
			for dir, list := range map[string]struct {
				what string
				of   func(string) ([]string, error)
			}{
				functionsDir:                            {"function module functions/", Commands},
				filepath.Join(k8sDir, "base/functions"): {"manifest folder k8s/base/functions/", Subdirs},
			} {
				what := list.what
				names, err := list.of(dir)
				if err != nil {
					t.Fatal(err)
				}
				if err := EveryNameHasService(docs, names, allow, what); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// TestAllowlistIsNotStale fails once an allowlisted function has its
// Service, so the allowlist only ever shrinks.
func TestAllowlistIsNotStale(t *testing.T) {
	t.Parallel()
	allow, err := ReadAllowlist(allowlistPath)
	if err != nil {
		t.Fatal(err)
	}
	ksvc := KnativeServices(build(t, "prod"))
	for name := range allow {
		if ksvc[name] != nil {
			t.Errorf("%s has a Knative Service now: remove it from %s", name, allowlistPath)
		}
	}
}

func TestProdOverlay(t *testing.T) {
	t.Parallel()
	if err := CheckProd(build(t, "prod")); err != nil {
		t.Error(err)
	}
}

func TestDevOverlay(t *testing.T) {
	t.Parallel()
	if err := CheckDev(build(t, "dev")); err != nil {
		t.Error(err)
	}
}

func TestProdScalesHigherThanDev(t *testing.T) {
	t.Parallel()
	dev, err := MinScales(build(t, "dev"))
	if err != nil {
		t.Fatal(err)
	}
	prod, err := MinScales(build(t, "prod"))
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range prod {
		if p < 2 || p <= dev[name] {
			t.Errorf("ksvc/%s: prod min-scale %d, dev %d: want prod >= 2 and above dev", name, p, dev[name])
		}
	}
}

// TestBrokenManifestsFail feeds deliberately broken documents to the same
// checks the overlays go through and expects each to be refused with a
// message naming the problem.
func TestBrokenManifestsFail(t *testing.T) {
	t.Parallel()
	good := mustDocs(t, goodService("audit"), goodService("deadletter"), goodBroker, channelConfig,
		outboxTrigger("audit"), outboxTrigger("deadletter"), goodPing)
	tests := []struct {
		name    string
		doc     string
		wantErr string
	}{
		{"trigger without subscriber", strings.Replace(goodTrigger, subscriberBlock, "", 1), "expected at least one, got none: spec.subscriber.ref, spec.subscriber.uri"},
		{"trigger with unknown field", strings.Replace(goodTrigger, "  broker: default\n", "  broker: default\n  brokr: default\n", 1), `unknown field "brokr"`},
		{"trigger with invalid backoff delay", strings.Replace(goodTrigger, "PT0.5S", "half a second", 1), "backoffDelay"},
		{"trigger without delivery", goodTrigger[:strings.Index(goodTrigger, "  delivery:")], "delivery missing"},
		{"trigger without retry", strings.Replace(goodTrigger, "    retry: 5\n", "", 1), "delivery.retry"},
		{"trigger without dead letter sink", goodTrigger[:strings.Index(goodTrigger, "    deadLetterSink:")], "deadLetterSink missing"},
		{"trigger to a missing service", strings.Replace(goodTrigger, "kind: Service\n      name: audit", "kind: Service\n      name: adit", 1), `subscriber Service "adit" is not in the build`},
		{"trigger without type filter", strings.Replace(goodTrigger, "      type: dk.nemrefusion.system.probe.requested.v1\n", "      source: /x\n", 1), "type missing"},
		{"broker without class", strings.Replace(goodBroker, "eventing.knative.dev/broker.class: MTChannelBasedBroker", "x: y", 1), "eventing.knative.dev/broker.class"},
		{"service without probes", strings.Replace(goodService("audit"), probesBlock, "", 1), "readinessProbe"},
		{"service without requests", strings.Replace(goodService("audit"), requestsBlock, "", 1), "resources.requests.cpu missing"},
		{"service with bad min-scale", strings.Replace(goodService("audit"), `min-scale: "1"`, `min-scale: "-1"`, 1), "min-scale"},
		{"service with reserved port", strings.Replace(goodService("audit"), "containerPort: 8080", "containerPort: 8012", 1), "reserved port"},
		{"service with literal DATABASE_URL", strings.Replace(goodService("audit"), secretDBBlock, "            - name: DATABASE_URL\n              value: postgres://u:p@h/db\n", 1), "DATABASE_URL must come from secretKeyRef"},
		{"pingsource with bad schedule", strings.Replace(strings.Replace(goodPing, "* * * * *", "every minute", 1), "name: outbox-relay", "name: other", 1), "schedule"},
		{"pingsource with wrong tick", strings.Replace(strings.Replace(goodPing, "tick: outbox-relay", "tick: relay", 1), "name: outbox-relay", "name: other", 1), "ceOverrides.extensions.tick"},
		{"service without outbox relay trigger", goodService("intake"), `no Trigger intake-outbox-relay`},
		{"tick trigger named wrongly", strings.Replace(outboxTrigger("audit"), "name: audit-outbox-relay", "name: audit-relay", 1), `want "audit-outbox-relay"`},
		{"tick trigger for a tick nobody sends", strings.ReplaceAll(outboxTrigger("audit"), "outbox-relay", "nightly"), `no PingSource "nightly"`},
		{"service with env from a foreign secret", strings.Replace(goodService("audit"), "name: nemrefusion-secrets", "name: other", 1), `secretKeyRef must name nemrefusion-secrets`},
		{"committed secret", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: nemrefusion-secrets\nstringData:\n  DATABASE_URL: x\n", "never committed"},
		{"document without name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "missing metadata.name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := checkAlongside(good, tc.doc)
			if err == nil {
				t.Fatalf("accepted a broken manifest:\n%s", tc.doc)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %q does not mention %q", err, tc.wantErr)
			}
		})
	}

	// The unbroken documents pass, so the failures above are the edits'.
	if err := checkAlongside(good, goodTrigger); err != nil {
		t.Fatalf("good documents refused: %v", err)
	}
}

func TestCheckProdRefusesDevThings(t *testing.T) {
	t.Parallel()
	prodCM := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nemrefusion-config\ndata:\n  OIDC_ISSUER: https://login.example\n" +
		"  DELIVERY_SYNTHETIC_POPULATION: \"false\"\n  CITIZEN_SYNTHETIC_DPO: \"false\"\n  MIT_SYGEFRAVAER_URL: https://example.dk/mit-sygefravaer\n"
	durable := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nemrefusion-broker-channel\ndata:\n  channel-template-spec: |\n    apiVersion: messaging.knative.dev/v1alpha1\n    kind: NatsJetStreamChannel\n"
	tests := []struct {
		name    string
		docs    []string
		wantErr string
	}{
		{"dev issuer", []string{strings.Replace(prodCM, "https://login.example", "https://x/dev-issuer", 1)}, "dev-issuer"},
		{"no issuer", []string{strings.Replace(prodCM, "  OIDC_ISSUER: https://login.example\n", "  LOG_LEVEL: info\n", 1)}, "OIDC_ISSUER"},
		{"letters link to localhost", []string{strings.Replace(prodCM, "https://example.dk/mit-sygefravaer", "http://localhost:8080/mit-sygefravaer", 1)}, "MIT_SYGEFRAVAER_URL"},
		{"synthetic DPO links", []string{strings.Replace(prodCM, "  CITIZEN_SYNTHETIC_DPO: \"false\"\n", "", 1)}, "CITIZEN_SYNTHETIC_DPO"},
		{"in-memory channel", []string{prodCM, strings.Replace(durable, "NatsJetStreamChannel", "InMemoryChannel", 1)}, "must be durable"},
		{"no channel template", []string{prodCM}, "nemrefusion-broker-channel missing"},
		{"statefulset", []string{prodCM, durable, "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: postgres\nspec:\n  serviceName: postgres\n  selector: {}\n  template: {}\n"}, "no StatefulSet in prod"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := CheckProd(mustDocs(t, tc.docs...))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("CheckProd = %v, want an error mentioning %q", err, tc.wantErr)
			}
		})
	}
	if err := CheckProd(mustDocs(t, prodCM, durable)); err != nil {
		t.Fatalf("clean prod refused: %v", err)
	}
}

// checkAlongside decodes the (possibly multi-document) YAML and cross-checks
// it together with good, returning the first decode error or the
// cross-check error.
func checkAlongside(good []Document, yamlDocs string) error {
	docs := append([]Document(nil), good...)
	for _, raw := range strings.Split(yamlDocs, "---\n") {
		d, err := Decode([]byte(raw))
		if err != nil {
			return err
		}
		docs = append(docs, d)
	}
	return CrossCheck(docs)
}

func mustDocs(t *testing.T, raws ...string) []Document {
	t.Helper()
	var docs []Document
	for _, raw := range raws {
		d, err := Decode([]byte(raw))
		if err != nil {
			t.Fatalf("fixture does not decode: %v\n%s", err, raw)
		}
		docs = append(docs, d)
	}
	return docs
}

const subscriberBlock = `  subscriber:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: audit
`

const goodTrigger = `apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: audit-system-probe-requested
  namespace: nemrefusion
spec:
  broker: default
  filter:
    attributes:
      type: dk.nemrefusion.system.probe.requested.v1
` + subscriberBlock + `  delivery:
    retry: 5
    backoffPolicy: exponential
    backoffDelay: PT0.5S
    deadLetterSink:
      ref:
        apiVersion: serving.knative.dev/v1
        kind: Service
        name: deadletter
`

const goodBroker = `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
  namespace: nemrefusion
  annotations:
    eventing.knative.dev/broker.class: MTChannelBasedBroker
spec:
  config:
    apiVersion: v1
    kind: ConfigMap
    name: nemrefusion-broker-channel
    namespace: nemrefusion
  delivery:
    retry: 5
    backoffPolicy: exponential
    backoffDelay: PT0.5S
    deadLetterSink:
      ref:
        apiVersion: serving.knative.dev/v1
        kind: Service
        name: deadletter
`

const channelConfig = `apiVersion: v1
kind: ConfigMap
metadata:
  name: nemrefusion-broker-channel
  namespace: nemrefusion
data:
  channel-template-spec: |
    apiVersion: messaging.knative.dev/v1
    kind: InMemoryChannel
`

func outboxTrigger(function string) string {
	return `apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: ` + function + `-outbox-relay
  namespace: nemrefusion
spec:
  broker: default
  filter:
    attributes:
      type: dev.knative.sources.ping
      tick: outbox-relay
  subscriber:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: ` + function + `
  delivery:
    retry: 3
    backoffPolicy: exponential
    backoffDelay: PT1S
    deadLetterSink:
      ref:
        apiVersion: serving.knative.dev/v1
        kind: Service
        name: deadletter
`
}

const goodPing = `apiVersion: sources.knative.dev/v1
kind: PingSource
metadata:
  name: outbox-relay
  namespace: nemrefusion
spec:
  schedule: "* * * * *"
  ceOverrides:
    extensions:
      tick: outbox-relay
  sink:
    ref:
      apiVersion: eventing.knative.dev/v1
      kind: Broker
      name: default
`

const probesBlock = `          readinessProbe:
            httpGet:
              path: /readyz
          livenessProbe:
            httpGet:
              path: /healthz
`

const requestsBlock = `            requests:
              cpu: 100m
              memory: 128Mi
`

const secretDBBlock = `            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: nemrefusion-secrets
                  key: DATABASE_URL
`

func goodService(name string) string {
	return `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ` + name + `
  namespace: nemrefusion
spec:
  template:
    metadata:
      annotations:
        autoscaling.knative.dev/min-scale: "1"
        autoscaling.knative.dev/max-scale: "5"
        autoscaling.knative.dev/target: "100"
    spec:
      containers:
        - image: ghcr.io/nemrefusion/` + name + `:latest
          ports:
            - name: http1
              containerPort: 8080
          securityContext:
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            capabilities:
              drop: ["ALL"]
            seccompProfile:
              type: RuntimeDefault
          envFrom:
            - configMapRef:
                name: nemrefusion-config
          env:
            - name: K_SINK
              value: ` + BrokerIngress + `
` + secretDBBlock + `          resources:
` + requestsBlock + `            limits:
              memory: 256Mi
` + probesBlock
}
