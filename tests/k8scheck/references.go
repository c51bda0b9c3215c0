package k8scheck

import (
	"errors"
	"fmt"
	"regexp"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// clusterService matches an in-namespace Service address in a setting
// (http://registers.nemrefusion.svc.cluster.local, minio.nemrefusion.svc:9000).
var clusterService = regexp.MustCompile(`\b([a-z0-9-]+)\.nemrefusion\.svc\b`)

// CheckReferences returns an error naming every dangling reference in a
// build: a Service address (<name>.nemrefusion.svc) in a ConfigMap or env
// value, a required Secret key or ConfigMap key, an envFrom ConfigMap, a
// Gateway an HTTPRoute attaches to, a ServiceAccount or a
// PersistentVolumeClaim a pod names, that is neither in the build nor in
// provided, the documented list of what the operator provides (entries
// "Kind/name" or "Secret/name:key", "ConfigMap/name:key").
func CheckReferences(docs []Document, provided map[string]bool) error {
	ix := newIndex(docs)
	defined := map[string]bool{}
	for _, d := range docs {
		defined[d.Kind+"/"+d.Name] = true
	}
	var errs []error
	have := func(ref, where string) {
		if !defined[ref] && !provided[ref] {
			errs = append(errs, fmt.Errorf("%s: %s is neither in the build nor in the operator-provided list", where, ref))
		}
	}
	addrs := func(where, value string) {
		for _, m := range clusterService.FindAllStringSubmatch(value, -1) {
			have("Service/"+m[1], where)
		}
	}
	for _, name := range sortedKeys(ix.cms) {
		for k, v := range ix.cms[name].Data {
			addrs("ConfigMap/"+name+" "+k, v)
		}
	}
	pod := func(id string, spec corev1.PodSpec) {
		if sa := spec.ServiceAccountName; sa != "" && sa != "default" {
			have("ServiceAccount/"+sa, id)
		}
		for _, v := range spec.Volumes {
			switch {
			case v.Secret != nil && (v.Secret.Optional == nil || !*v.Secret.Optional):
				if len(v.Secret.Items) == 0 {
					have("Secret/"+v.Secret.SecretName, id+" volume "+v.Name)
				}
				for _, it := range v.Secret.Items {
					have("Secret/"+v.Secret.SecretName+":"+it.Key, id+" volume "+v.Name)
				}
			case v.ConfigMap != nil && (v.ConfigMap.Optional == nil || !*v.ConfigMap.Optional):
				have("ConfigMap/"+v.ConfigMap.Name, id+" volume "+v.Name)
			case v.PersistentVolumeClaim != nil:
				have("PersistentVolumeClaim/"+v.PersistentVolumeClaim.ClaimName, id+" volume "+v.Name)
			}
		}
		for _, c := range append(spec.InitContainers, spec.Containers...) {
			for _, ef := range c.EnvFrom {
				if ef.ConfigMapRef != nil && (ef.ConfigMapRef.Optional == nil || !*ef.ConfigMapRef.Optional) {
					have("ConfigMap/"+ef.ConfigMapRef.Name, id+" envFrom")
				}
			}
			for _, e := range c.Env {
				where := id + " env " + e.Name
				addrs(where, e.Value)
				if e.ValueFrom == nil {
					continue
				}
				if r := e.ValueFrom.SecretKeyRef; r != nil && (r.Optional == nil || !*r.Optional) {
					have("Secret/"+r.Name+":"+r.Key, where)
				}
				if r := e.ValueFrom.ConfigMapKeyRef; r != nil && (r.Optional == nil || !*r.Optional) {
					if cm := ix.cms[r.Name]; cm != nil {
						if _, ok := cm.Data[r.Key]; !ok && !provided["ConfigMap/"+r.Name+":"+r.Key] {
							errs = append(errs, fmt.Errorf("%s: ConfigMap/%s has no key %s", where, r.Name, r.Key))
						}
					} else {
						have("ConfigMap/"+r.Name+":"+r.Key, where)
					}
				}
			}
		}
	}
	for _, name := range sortedKeys(ix.ksvc) {
		s := ix.ksvc[name]
		pod("ksvc/"+name, s.Spec.Template.Spec.PodSpec)
	}
	for _, d := range docs {
		if s, ok := d.Object.(*appsv1.StatefulSet); ok {
			spec := s.Spec.Template.Spec
			claims := map[string]bool{}
			for _, t := range s.Spec.VolumeClaimTemplates {
				claims[t.Name] = true
			}
			for _, c := range spec.Containers {
				for _, m := range c.VolumeMounts {
					found := claims[m.Name]
					for _, v := range spec.Volumes {
						found = found || v.Name == m.Name
					}
					if !found {
						errs = append(errs, fmt.Errorf("%s: volumeMount %s names no volume or volumeClaimTemplate", d.ID(), m.Name))
					}
				}
			}
			pod(d.ID(), spec)
		}
	}
	for _, r := range ix.routes {
		for _, p := range r.Spec.ParentRefs {
			if p.Kind == "" || p.Kind == "Gateway" {
				have("Gateway/"+p.Name, "HTTPRoute/"+r.Metadata.Name+" parentRef")
			}
		}
		for i, rule := range r.Spec.Rules {
			for _, b := range rule.BackendRefs {
				if ix.ksvc[b.Name] == nil && !defined["Service/"+b.Name] {
					errs = append(errs, fmt.Errorf("HTTPRoute/%s rules[%d]: backend Service %s is not in the build", r.Metadata.Name, i, b.Name))
				}
			}
		}
	}
	return errors.Join(errs...)
}
