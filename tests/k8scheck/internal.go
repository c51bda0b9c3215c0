package k8scheck

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	duckv1 "knative.dev/pkg/apis/duck/v1"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
)

// What internal traffic needs (issue 16: "the functions listen on all
// interfaces and accept CloudEvents with no authentication ... k8s has no
// NetworkPolicy and no cluster-local visibility").
const (
	// VisibilityLabel marks a Knative Service reachable inside the cluster only.
	VisibilityLabel = "networking.knative.dev/visibility"
	// ClusterLocal is VisibilityLabel's value for that.
	ClusterLocal = "cluster-local"
	// BrokerAudience is the OIDC audience of the Broker "default" (Knative:
	// <group>/<kind>/<namespace>/<name>), for the token functions publish with.
	BrokerAudience = "eventing.knative.dev/broker/nemrefusion/default"
	// DefaultDenyIngress is the NetworkPolicy that shuts the namespace.
	DefaultDenyIngress = "default-deny-ingress"
	// KnativeServiceLabel is on every pod of a Knative Service.
	KnativeServiceLabel = "serving.knative.dev/service"
)

// knativeReservedPorts are the ports Knative's queue-proxy uses in a pod.
var knativeReservedPorts = []int{8012, 8013, 8022, 9090, 9091}

// CheckInternalTraffic returns one joined error naming every problem, or nil:
//   - every Knative Service that no HTTPRoute routes to is labelled
//     networking.knative.dev/visibility: cluster-local;
//   - every Trigger's subscriber and dead-letter sink, and the Broker's
//     dead-letter sink, name the OIDC audience the function expects (its
//     name: EVENTS_AUDIENCE defaults to it), so Knative's authentication-oidc
//     sends a token the function accepts;
//   - the ConfigMap sets EVENTS_ISSUER, LISTEN_HOST, a METRICS_PORT that is
//     not one of Knative's and not the serving port, and K_SINK_TOKEN_FILE;
//     every Knative Service mounts a projected service-account token for
//     the Broker's audience where K_SINK_TOKEN_FILE points and declares its
//     metrics port (prometheus.io/port);
//   - NetworkPolicy default-deny-ingress selects every pod and allows
//     nothing, another lets knative-eventing reach the functions, and every
//     StatefulSet's pods (the dev overlay's backing services) are opened by
//     a policy that allows only the functions.
func CheckInternalTraffic(docs []Document) error {
	ix := newIndex(docs)
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	public := map[string]bool{}
	for _, r := range ix.routes {
		for _, rule := range r.Spec.Rules {
			for _, b := range rule.BackendRefs {
				public[b.Name] = true
			}
		}
	}
	for _, name := range sortedKeys(ix.ksvc) {
		if !public[name] && ix.ksvc[name].Labels[VisibilityLabel] != ClusterLocal {
			bad("ksvc/%s: no HTTPRoute routes to it, so it must be labelled %s: %s", name, VisibilityLabel, ClusterLocal)
		}
	}

	audience := func(id, what string, d *duckv1.Destination) {
		if d == nil || !isKnativeService(d.Ref) {
			return
		}
		if d.Audience == nil || *d.Audience != d.Ref.Name {
			got := "<none>"
			if d.Audience != nil {
				got = *d.Audience
			}
			bad("%s: %s audience must be %q (the function's EVENTS_AUDIENCE), got %s", id, what, d.Ref.Name, got)
		}
	}
	for _, t := range ix.triggers {
		id := "Trigger/" + t.Name
		audience(id, "subscriber", &t.Spec.Subscriber)
		if t.Spec.Delivery != nil {
			audience(id, "deadLetterSink", t.Spec.Delivery.DeadLetterSink)
		}
	}
	for _, name := range sortedKeys(ix.brokers) {
		if d := ix.brokers[name].Spec.Delivery; d != nil {
			audience("Broker/"+name, "deadLetterSink", d.DeadLetterSink)
		}
	}

	cm := ix.cms[ConfigMapName]
	if cm == nil {
		bad("ConfigMap/%s missing", ConfigMapName)
		return errors.Join(errs...)
	}
	for _, k := range []string{"EVENTS_ISSUER", "LISTEN_HOST", "K_SINK_TOKEN_FILE"} {
		if cm.Data[k] == "" {
			bad("ConfigMap/%s: %s must be set", ConfigMapName, k)
		}
	}
	metricsPort, err := strconv.Atoi(cm.Data["METRICS_PORT"])
	if err != nil || metricsPort <= 0 || slices.Contains(knativeReservedPorts, metricsPort) {
		bad("ConfigMap/%s: METRICS_PORT must be a port Knative does not reserve (%v), got %q", ConfigMapName, knativeReservedPorts, cm.Data["METRICS_PORT"])
	}
	tokenDir := path.Dir(cm.Data["K_SINK_TOKEN_FILE"])
	for _, name := range sortedKeys(ix.ksvc) {
		errs = append(errs, checkServiceTraffic(ix.ksvc[name], metricsPort, tokenDir, path.Base(cm.Data["K_SINK_TOKEN_FILE"]))...)
	}

	errs = append(errs, checkNetworkPolicies(docs)...)
	return errors.Join(errs...)
}

func checkServiceTraffic(s *servingv1.Service, metricsPort int, tokenDir, tokenFile string) []error {
	id := "ksvc/" + s.Name
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(id+": "+format, a...)) }
	if got := s.Spec.Template.Annotations["prometheus.io/port"]; got != strconv.Itoa(metricsPort) {
		bad("annotation prometheus.io/port must be the ConfigMap's METRICS_PORT %d, got %q", metricsPort, got)
	}
	if len(s.Spec.Template.Spec.Containers) != 1 {
		return errs
	}
	c := s.Spec.Template.Spec.Containers[0]
	for _, p := range c.Ports {
		if int(p.ContainerPort) == metricsPort {
			bad("metrics port %d is the serving port", metricsPort)
		}
	}
	var vol string
	for _, m := range c.VolumeMounts {
		if m.MountPath == tokenDir {
			vol = m.Name
		}
	}
	var ok bool
	for _, v := range s.Spec.Template.Spec.Volumes {
		if v.Name != vol || v.Projected == nil {
			continue
		}
		for _, src := range v.Projected.Sources {
			if t := src.ServiceAccountToken; t != nil && t.Audience == BrokerAudience && t.Path == tokenFile {
				ok = true
			}
		}
	}
	if !ok {
		bad("must mount a projected serviceAccountToken (audience %s, path %s) at %s: K_SINK_TOKEN_FILE, the token the Broker's ingress demands", BrokerAudience, tokenFile, tokenDir)
	}
	return errs
}

func checkNetworkPolicies(docs []Document) []error {
	var errs []error
	var pols []*networkingv1.NetworkPolicy
	var sets []*appsv1.StatefulSet
	for _, d := range docs {
		switch o := d.Object.(type) {
		case *networkingv1.NetworkPolicy:
			pols = append(pols, o)
		case *appsv1.StatefulSet:
			sets = append(sets, o)
		}
	}
	deny := slices.IndexFunc(pols, func(p *networkingv1.NetworkPolicy) bool { return p.Name == DefaultDenyIngress })
	switch {
	case deny < 0:
		errs = append(errs, fmt.Errorf("NetworkPolicy/%s missing: without it every pod in the namespace takes traffic from anywhere", DefaultDenyIngress))
	default:
		p := pols[deny]
		if len(p.Spec.PodSelector.MatchLabels)+len(p.Spec.PodSelector.MatchExpressions) != 0 || !slices.Contains(p.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) || len(p.Spec.Ingress) != 0 {
			errs = append(errs, fmt.Errorf("NetworkPolicy/%s must select every pod (podSelector: {}), have policyTypes [Ingress] and no ingress rules", DefaultDenyIngress))
		}
	}
	fnPod := labels.Set{KnativeServiceLabel: "any-function"}
	fromEventing := false
	for _, p := range pols {
		if !selects(p.Spec.PodSelector, fnPod) {
			continue
		}
		for _, rule := range p.Spec.Ingress {
			for _, peer := range rule.From {
				if peer.NamespaceSelector != nil && selects(*peer.NamespaceSelector, labels.Set{corev1.LabelMetadataName: "knative-eventing"}) {
					fromEventing = true
				}
			}
		}
	}
	if !fromEventing {
		errs = append(errs, fmt.Errorf("no NetworkPolicy lets knative-eventing (the broker) reach the functions' pods"))
	}
	for _, s := range sets {
		pod := labels.Set(s.Spec.Template.Labels)
		opened := false
		for _, p := range pols {
			if p.Name == DefaultDenyIngress || !selects(p.Spec.PodSelector, pod) {
				continue
			}
			for _, rule := range p.Spec.Ingress {
				if len(rule.From) == 0 {
					errs = append(errs, fmt.Errorf("NetworkPolicy/%s opens StatefulSet/%s to every source", p.Name, s.Name))
				}
				for _, peer := range rule.From {
					if peer.PodSelector != nil && selects(*peer.PodSelector, fnPod) {
						opened = true
					}
				}
			}
		}
		if !opened {
			errs = append(errs, fmt.Errorf("StatefulSet/%s: no NetworkPolicy lets the functions reach it (default-deny-ingress shuts it)", s.Name))
		}
	}
	return errs
}

// selects reports whether sel matches a pod or namespace with labels set.
func selects(sel metav1.LabelSelector, set labels.Set) bool {
	s, err := metav1.LabelSelectorAsSelector(&sel)
	return err == nil && s.Matches(set)
}
