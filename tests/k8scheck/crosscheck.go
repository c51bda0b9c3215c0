package k8scheck

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	eventingv1 "knative.dev/eventing/pkg/apis/eventing/v1"
	sourcesv1 "knative.dev/eventing/pkg/apis/sources/v1"
	duckv1 "knative.dev/pkg/apis/duck/v1"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
)

const (
	// BrokerIngress is the K_SINK every function publishes to: the ingress
	// of the Broker "default" in the namespace "nemrefusion".
	BrokerIngress = "http://broker-ingress.knative-eventing.svc.cluster.local/nemrefusion/default"
	// ConfigMapName is the ConfigMap with the non-secret settings.
	ConfigMapName = "nemrefusion-config"
	// SecretName is the Secret operators create; it is never in the build.
	SecretName = "nemrefusion-secrets"
	// PingType is the CloudEvent type of a PingSource tick.
	PingType = "dev.knative.sources.ping"
	// TickAttribute is the extension attribute that names a tick.
	TickAttribute = "tick"
	// OutboxRelayTick is the tick on which every function re-sends its
	// stale outbox rows; each function has a Trigger <name>-outbox-relay.
	OutboxRelayTick = "outbox-relay"

	annMinScale = "autoscaling.knative.dev/min-scale"
	annMaxScale = "autoscaling.knative.dev/max-scale"
	annTarget   = "autoscaling.knative.dev/target"
)

// SecretEnv lists the environment variables that may only come from the
// Secret (valueFrom.secretKeyRef), never from a literal value or the
// ConfigMap.
var SecretEnv = []string{"DATABASE_URL", "REDIS_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY"}

// index holds a build's documents by kind and name.
type index struct {
	ksvc     map[string]*servingv1.Service
	brokers  map[string]*eventingv1.Broker
	triggers []*eventingv1.Trigger
	pings    map[string]*sourcesv1.PingSource
	routes   []*HTTPRoute
	cms      map[string]*corev1.ConfigMap
}

func newIndex(docs []Document) index {
	ix := index{
		ksvc:    map[string]*servingv1.Service{},
		brokers: map[string]*eventingv1.Broker{},
		pings:   map[string]*sourcesv1.PingSource{},
		cms:     map[string]*corev1.ConfigMap{},
	}
	for _, d := range docs {
		switch o := d.Object.(type) {
		case *servingv1.Service:
			ix.ksvc[o.Name] = o
		case *eventingv1.Broker:
			ix.brokers[o.Name] = o
		case *eventingv1.Trigger:
			ix.triggers = append(ix.triggers, o)
		case *sourcesv1.PingSource:
			ix.pings[o.Name] = o
		case *HTTPRoute:
			ix.routes = append(ix.routes, o)
		case *corev1.ConfigMap:
			ix.cms[o.Name] = o
		}
	}
	return ix
}

// KnativeServices returns the Knative Services of a build by name.
func KnativeServices(docs []Document) map[string]*servingv1.Service {
	return newIndex(docs).ksvc
}

// CrossCheck checks a build as a whole and returns one joined error naming
// every problem, or nil:
//   - no Secret is in the build (operators create nemrefusion-secrets);
//   - every Knative Service has autoscaling annotations, readiness (/readyz)
//     and liveness (/healthz) probes, CPU and memory requests and a memory
//     limit, the ConfigMap in envFrom, K_SINK set to BrokerIngress, the
//     SecretEnv variables and secret volumes only from nemrefusion-secrets,
//     and a Trigger <name>-outbox-relay;
//   - every Trigger names an existing Broker, filters on type, subscribes an
//     existing Knative Service, and has an explicit delivery with retry,
//     exponential backoff, a backoff delay and a dead-letter sink that is an
//     existing Knative Service; a tick Trigger is named <subscriber>-<tick>
//     and its tick has a PingSource;
//   - every PingSource sets the tick extension to its own name and sinks to
//     an existing Broker;
//   - the Broker has its class, a channel config present in the build and a
//     dead-letter sink that exists;
//   - every HTTPRoute rule is a PathPrefix or Exact match to an existing
//     Knative Service, and none takes POST / (a function's CloudEvents
//     receiver);
func CrossCheck(docs []Document) error {
	ix := newIndex(docs)
	var errs []error
	for _, d := range docs {
		if d.APIVersion == "v1" && d.Kind == "Secret" {
			errs = append(errs, fmt.Errorf("Secret/%s: secret values are never committed; operators create %s", d.Name, SecretName))
		}
	}
	relays := map[string]bool{}
	for _, t := range ix.triggers {
		relays[t.Name] = true
	}
	for _, name := range sortedKeys(ix.ksvc) {
		errs = append(errs, checkService(ix.ksvc[name])...)
		if !relays[name+"-"+OutboxRelayTick] {
			errs = append(errs, fmt.Errorf("ksvc/%s: no Trigger %s-%s: every function relays its outbox on that tick", name, name, OutboxRelayTick))
		}
	}
	for _, t := range ix.triggers {
		errs = append(errs, ix.checkTrigger(t)...)
	}
	for _, name := range sortedKeys(ix.pings) {
		errs = append(errs, ix.checkPing(ix.pings[name])...)
	}
	for _, name := range sortedKeys(ix.brokers) {
		errs = append(errs, ix.checkBroker(ix.brokers[name])...)
	}
	for _, r := range ix.routes {
		errs = append(errs, ix.checkRoute(r)...)
	}
	return errors.Join(errs...)
}

func checkService(s *servingv1.Service) []error {
	id := "ksvc/" + s.Name
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(id+": "+format, a...)) }

	ann := s.Spec.Template.Annotations
	for _, k := range []string{annMinScale, annMaxScale, annTarget} {
		if _, err := strconv.Atoi(ann[k]); err != nil {
			bad("spec.template annotation %s must be an integer, got %q", k, ann[k])
		}
	}
	cs := s.Spec.Template.Spec.Containers
	if len(cs) != 1 {
		bad("want exactly one container, got %d", len(cs))
		return errs
	}
	c := cs[0]
	if c.Image == "" {
		bad("container has no image")
	}
	if p := c.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/readyz" {
		bad("readinessProbe must be httpGet /readyz")
	}
	if p := c.LivenessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" {
		bad("livenessProbe must be httpGet /healthz")
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if q, ok := c.Resources.Requests[r]; !ok || q.IsZero() {
			bad("resources.requests.%s missing", r)
		}
	}
	if q, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok || q.IsZero() {
		bad("resources.limits.memory missing")
	}
	hasCM := false
	for _, ef := range c.EnvFrom {
		if ef.ConfigMapRef != nil && ef.ConfigMapRef.Name == ConfigMapName {
			hasCM = true
		}
		if ef.SecretRef != nil {
			bad("envFrom secretRef %q: reference single keys with secretKeyRef", ef.SecretRef.Name)
		}
	}
	if !hasCM {
		bad("envFrom must include configMapRef %s", ConfigMapName)
	}
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name != SecretName {
			bad("env %s: secretKeyRef must name %s, got %q", e.Name, SecretName, e.ValueFrom.SecretKeyRef.Name)
		}
	}
	if v := env["K_SINK"].Value; v != BrokerIngress {
		bad("env K_SINK must be %s, got %q", BrokerIngress, v)
	}
	for _, name := range SecretEnv {
		e, ok := env[name]
		if !ok {
			continue
		}
		if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			bad("env %s must come from secretKeyRef %s", name, SecretName)
		}
	}
	for _, v := range s.Spec.Template.Spec.Volumes {
		if v.Secret != nil && v.Secret.SecretName != SecretName {
			bad("volume %s: secret must be %s, got %q", v.Name, SecretName, v.Secret.SecretName)
		}
	}
	if _, ok := env["DATABASE_URL"]; !ok {
		bad("env DATABASE_URL missing (secretKeyRef %s)", SecretName)
	}
	return errs
}

// isKnativeService reports whether ref points at a Knative Service.
func isKnativeService(ref *duckv1.KReference) bool {
	return ref != nil && ref.Kind == "Service" && strings.HasPrefix(ref.APIVersion, "serving.knative.dev/")
}

func (ix index) checkTrigger(t *eventingv1.Trigger) []error {
	id := "Trigger/" + t.Name
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(id+": "+format, a...)) }

	if _, ok := ix.brokers[t.Spec.Broker]; !ok {
		bad("broker %q is not in the build", t.Spec.Broker)
	}
	var attrs map[string]string
	if t.Spec.Filter != nil {
		attrs = t.Spec.Filter.Attributes
	}
	if attrs["type"] == "" {
		bad("filter.attributes.type missing: a Trigger without a type filter receives every event")
	}
	sub := t.Spec.Subscriber.Ref
	switch {
	case !isKnativeService(sub):
		bad("subscriber must be a ref to a serving.knative.dev/v1 Service")
	case ix.ksvc[sub.Name] == nil:
		bad("subscriber Service %q is not in the build", sub.Name)
	}
	if tick := attrs[TickAttribute]; tick != "" {
		if attrs["type"] != PingType {
			bad("filter on %s=%q needs type %s", TickAttribute, tick, PingType)
		}
		if ix.pings[tick] == nil {
			bad("no PingSource %q sends tick %q", tick, tick)
		}
		if sub != nil && t.Name != sub.Name+"-"+tick {
			bad("a tick Trigger is named <function>-<tick>: want %q", sub.Name+"-"+tick)
		}
	}
	d := t.Spec.Delivery
	if d == nil {
		bad("delivery missing: every Trigger states retry, backoff and deadLetterSink")
		return errs
	}
	if d.Retry == nil || *d.Retry < 1 {
		bad("delivery.retry must be at least 1")
	}
	if d.BackoffPolicy == nil || string(*d.BackoffPolicy) != "exponential" {
		bad("delivery.backoffPolicy must be exponential")
	}
	if d.BackoffDelay == nil || *d.BackoffDelay == "" {
		bad("delivery.backoffDelay missing")
	}
	errs = append(errs, ix.checkDeadLetter(id, d.DeadLetterSink)...)
	return errs
}

func (ix index) checkDeadLetter(id string, dls *duckv1.Destination) []error {
	switch {
	case dls == nil:
		return []error{fmt.Errorf("%s: delivery.deadLetterSink missing", id)}
	case !isKnativeService(dls.Ref):
		return []error{fmt.Errorf("%s: delivery.deadLetterSink must be a ref to a Knative Service", id)}
	case ix.ksvc[dls.Ref.Name] == nil:
		return []error{fmt.Errorf("%s: deadLetterSink Service %q is not in the build", id, dls.Ref.Name)}
	}
	return nil
}

func (ix index) checkPing(p *sourcesv1.PingSource) []error {
	id := "PingSource/" + p.Name
	var errs []error
	var ext map[string]string
	if p.Spec.CloudEventOverrides != nil {
		ext = p.Spec.CloudEventOverrides.Extensions
	}
	if ext[TickAttribute] != p.Name {
		errs = append(errs, fmt.Errorf("%s: ceOverrides.extensions.%s must be %q, got %q", id, TickAttribute, p.Name, ext[TickAttribute]))
	}
	ref := p.Spec.Sink.Ref
	if ref == nil || ref.Kind != "Broker" || ix.brokers[ref.Name] == nil {
		errs = append(errs, fmt.Errorf("%s: sink must be a ref to a Broker in the build", id))
	}
	return errs
}

func (ix index) checkBroker(b *eventingv1.Broker) []error {
	id := "Broker/" + b.Name
	var errs []error
	if c := b.Annotations[eventingv1.BrokerClassAnnotationKey]; c != "MTChannelBasedBroker" {
		errs = append(errs, fmt.Errorf("%s: annotation %s must be MTChannelBasedBroker, got %q", id, eventingv1.BrokerClassAnnotationKey, c))
	}
	if c := b.Spec.Config; c == nil || c.Kind != "ConfigMap" || ix.cms[c.Name] == nil || ix.cms[c.Name].Data["channel-template-spec"] == "" {
		errs = append(errs, fmt.Errorf("%s: spec.config must name a ConfigMap in the build with channel-template-spec", id))
	}
	if b.Spec.Delivery == nil {
		return append(errs, fmt.Errorf("%s: delivery missing", id))
	}
	return append(errs, ix.checkDeadLetter(id, b.Spec.Delivery.DeadLetterSink)...)
}

// routeMethods are the methods an HTTPRoute match may name.
var routeMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}

func (ix index) checkRoute(r *HTTPRoute) []error {
	id := "HTTPRoute/" + r.Metadata.Name
	var errs []error
	if len(r.Spec.Rules) == 0 {
		errs = append(errs, fmt.Errorf("%s: no rules", id))
	}
	for i, rule := range r.Spec.Rules {
		if len(rule.Matches) == 0 {
			errs = append(errs, fmt.Errorf("%s: rules[%d] has no matches", id, i))
		}
		for _, m := range rule.Matches {
			if m.Path.Type != "PathPrefix" && m.Path.Type != "Exact" || !strings.HasPrefix(m.Path.Value, "/") {
				errs = append(errs, fmt.Errorf("%s: rules[%d] path must be {type: PathPrefix or Exact, value: /...}, got %+v", id, i, m.Path))
			}
			if m.Method != "" && !routeMethods[m.Method] {
				errs = append(errs, fmt.Errorf("%s: rules[%d] method %q is not an HTTP method a route may name", id, i, m.Method))
			}
			// Issue 16: the portal's route for "/" reached its CloudEvents
			// receiver (POST /) on the public origin. No public match may
			// take POST at the root.
			if m.Path.Value == "/" && (m.Method == "" || m.Method == "POST") {
				errs = append(errs, fmt.Errorf("%s: rules[%d] takes POST / on the public origin, which is a function's CloudEvents receiver (only the broker may post there): name the methods (GET, HEAD)", id, i))
			}
		}
		if len(rule.BackendRefs) == 0 {
			errs = append(errs, fmt.Errorf("%s: rules[%d] has no backendRefs", id, i))
		}
		for _, b := range rule.BackendRefs {
			if ix.ksvc[b.Name] == nil {
				errs = append(errs, fmt.Errorf("%s: rules[%d] backend %q is not a Knative Service in the build", id, i, b.Name))
			}
		}
	}
	return errs
}
