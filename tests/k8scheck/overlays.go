package k8scheck

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// DevIssuerMarker is the name of the development OIDC issuer; nothing in the
// prod build may contain it.
const DevIssuerMarker = "dev-issuer"

// CheckProd returns an error naming every production problem in docs: a
// StatefulSet (backing services are managed in prod), the development
// issuer anywhere in the YAML, or a ConfigMap that does not set OIDC_ISSUER
// to an https URL (the code's default is the development issuer).
func CheckProd(docs []Document) error {
	var errs []error
	for _, d := range docs {
		if d.Kind == "StatefulSet" {
			errs = append(errs, fmt.Errorf("%s: no StatefulSet in prod; backing services are managed", d.ID()))
		}
		if bytes.Contains(bytes.ToLower(d.Raw), []byte(DevIssuerMarker)) {
			errs = append(errs, fmt.Errorf("%s: contains %q", d.ID(), DevIssuerMarker))
		}
	}
	cm := newIndex(docs).cms[ConfigMapName]
	switch {
	case cm == nil:
		errs = append(errs, fmt.Errorf("ConfigMap/%s missing", ConfigMapName))
	case !strings.HasPrefix(cm.Data["OIDC_ISSUER"], "https://"):
		errs = append(errs, fmt.Errorf("ConfigMap/%s: OIDC_ISSUER must be set to an https issuer in prod, got %q", ConfigMapName, cm.Data["OIDC_ISSUER"]))
	}
	if ch := newIndex(docs).cms[BrokerChannelConfigMap]; ch == nil {
		errs = append(errs, fmt.Errorf("ConfigMap/%s missing", BrokerChannelConfigMap))
	} else if spec := ch.Data["channel-template-spec"]; !slices.ContainsFunc(DurableChannels, func(kind string) bool {
		return strings.Contains(spec, "kind: "+kind+"\n") || strings.HasSuffix(strings.TrimSpace(spec), "kind: "+kind)
	}) {
		errs = append(errs, fmt.Errorf("ConfigMap/%s: the Broker's channel must be durable in prod (one of %v), got %q", BrokerChannelConfigMap, DurableChannels, spec))
	}
	if cm != nil {
		if !strings.HasPrefix(cm.Data["MIT_SYGEFRAVAER_URL"], "https://") {
			errs = append(errs, fmt.Errorf("ConfigMap/%s: MIT_SYGEFRAVAER_URL (the link in citizens' letters) must be an https address in prod, got %q", ConfigMapName, cm.Data["MIT_SYGEFRAVAER_URL"]))
		}
		for _, k := range SyntheticSettings {
			if cm.Data[k] != "false" {
				errs = append(errs, fmt.Errorf("ConfigMap/%s: %s must be \"false\" in prod (its default loads synthetic data), got %q", ConfigMapName, k, cm.Data[k]))
			}
		}
	}
	return errors.Join(errs...)
}

// BrokerChannelConfigMap is the Broker's channel template (k8s/base/broker.yaml).
const BrokerChannelConfigMap = "nemrefusion-broker-channel"

// DurableChannels are the channel kinds prod may run the Broker on: both keep
// an accepted event across a dispatcher restart, which InMemoryChannel does not.
var DurableChannels = []string{"NatsJetStreamChannel", "KafkaChannel"}

// SyntheticSettings are the functions' switches for synthetic data (the
// 2024 population table, DPO links of the synthetic municipalities): on by
// default for the local stack, so prod must turn each off.
var SyntheticSettings = []string{"DELIVERY_SYNTHETIC_POPULATION", "CITIZEN_SYNTHETIC_DPO"}

// DevBacking names the backing StatefulSets of the dev overlay and the image
// each must run (a prefix, so tags may change).
var DevBacking = map[string]string{
	"postgres": "postgres:15",
	"redis":    "redis:",
	"minio":    "minio/minio:",
	"clamav":   "clamav/clamav:",
}

// CheckDev returns an error unless every DevBacking service is a StatefulSet
// with a volume claim template, running its image, with a core Service of
// the same name.
func CheckDev(docs []Document) error {
	sts := map[string]*appsv1.StatefulSet{}
	svc := map[string]bool{}
	for _, d := range docs {
		switch o := d.Object.(type) {
		case *appsv1.StatefulSet:
			sts[o.Name] = o
		case *corev1.Service:
			svc[o.Name] = true
		}
	}
	var errs []error
	for _, name := range sortedKeys(DevBacking) {
		s := sts[name]
		if s == nil {
			errs = append(errs, fmt.Errorf("StatefulSet/%s missing from dev", name))
			continue
		}
		if len(s.Spec.VolumeClaimTemplates) == 0 {
			errs = append(errs, fmt.Errorf("StatefulSet/%s has no volumeClaimTemplates", name))
		}
		if cs := s.Spec.Template.Spec.Containers; len(cs) == 0 || !strings.HasPrefix(cs[0].Image, DevBacking[name]) {
			errs = append(errs, fmt.Errorf("StatefulSet/%s must run %s*", name, DevBacking[name]))
		}
		if !svc[name] {
			errs = append(errs, fmt.Errorf("Service/%s missing from dev", name))
		}
		errs = append(errs, hardened("StatefulSet/"+name, s.Spec.Template.Spec)...)
	}
	return errors.Join(errs...)
}

// hardened lists what a pod spec lacks of the restricted Pod Security
// Standard and of the probes a kubelet needs to restart a hung process: a
// non-root user, the RuntimeDefault seccomp profile, no privilege
// escalation, all capabilities dropped, and liveness and readiness probes
// on every container.
func hardened(id string, pod corev1.PodSpec) []error {
	var errs []error
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		errs = append(errs, fmt.Errorf("%s: the pod must set securityContext.runAsNonRoot and a non-zero runAsUser", id))
	}
	if psc == nil || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		errs = append(errs, fmt.Errorf("%s: the pod must use seccompProfile RuntimeDefault", id))
	}
	for _, c := range pod.Containers {
		sc := c.SecurityContext
		if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			errs = append(errs, fmt.Errorf("%s container %s: allowPrivilegeEscalation must be false", id, c.Name))
		}
		if sc == nil || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
			errs = append(errs, fmt.Errorf("%s container %s: capabilities must drop ALL", id, c.Name))
		}
		if c.LivenessProbe == nil {
			errs = append(errs, fmt.Errorf("%s container %s: no livenessProbe", id, c.Name))
		}
		if c.ReadinessProbe == nil {
			errs = append(errs, fmt.Errorf("%s container %s: no readinessProbe", id, c.Name))
		}
	}
	return errs
}

// MinScales returns each Knative Service's min-scale annotation by name.
func MinScales(docs []Document) (map[string]int, error) {
	out := map[string]int{}
	for name, s := range KnativeServices(docs) {
		v, err := strconv.Atoi(s.Spec.Template.Annotations[annMinScale])
		if err != nil {
			return nil, fmt.Errorf("ksvc/%s: %s: %w", name, annMinScale, err)
		}
		out[name] = v
	}
	return out, nil
}
