package k8scheck

import (
	"context"
	"errors"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	eventingv1 "knative.dev/eventing/pkg/apis/eventing/v1"
	sourcesv1 "knative.dev/eventing/pkg/apis/sources/v1"
	"knative.dev/pkg/apis"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	"sigs.k8s.io/yaml"
)

// Document is one resource of a build: its identity, its YAML as kustomize
// rendered it, and the object it decoded into.
type Document struct {
	APIVersion string
	Kind       string
	Name       string
	Namespace  string
	// Raw is the resource's YAML.
	Raw []byte
	// Object is the strictly decoded resource as written (before
	// defaulting): *servingv1.Service, *eventingv1.Broker,
	// *eventingv1.Trigger, *sourcesv1.PingSource, *HTTPRoute,
	// *corev1.ConfigMap, *corev1.Service, *corev1.Namespace,
	// *appsv1.StatefulSet, or *unstructured.Unstructured for any other kind.
	Object any
}

// ID returns "Kind/name", the way errors name a document.
func (d Document) ID() string { return d.Kind + "/" + d.Name }

// knative is what the Knative API types decoded here have in common.
type knative interface {
	apis.Defaultable
	apis.Validatable
}

// Decode strictly decodes one YAML resource by its apiVersion and kind
// (unknown fields are an error). Knative kinds are defaulted (on a copy) and
// validated with their own Validate; a validation failure is returned with
// the apis.FieldError text. Every other kind must at least carry apiVersion,
// kind and metadata.name.
func Decode(raw []byte) (Document, error) {
	var u unstructured.Unstructured
	if err := yaml.Unmarshal(raw, &u.Object); err != nil {
		return Document{}, fmt.Errorf("decode: %w", err)
	}
	d := Document{
		APIVersion: u.GetAPIVersion(),
		Kind:       u.GetKind(),
		Name:       u.GetName(),
		Namespace:  u.GetNamespace(),
		Raw:        raw,
	}
	var missing []error
	for field, v := range map[string]string{"apiVersion": d.APIVersion, "kind": d.Kind, "metadata.name": d.Name} {
		if v == "" {
			missing = append(missing, fmt.Errorf("missing %s", field))
		}
	}
	if len(missing) > 0 {
		return d, errors.Join(missing...)
	}

	switch d.APIVersion + " " + d.Kind {
	case "serving.knative.dev/v1 Service":
		return decodeKnative(d, &servingv1.Service{}, func(o *servingv1.Service) knative { return o.DeepCopy() })
	case "eventing.knative.dev/v1 Broker":
		return decodeKnative(d, &eventingv1.Broker{}, func(o *eventingv1.Broker) knative { return o.DeepCopy() })
	case "eventing.knative.dev/v1 Trigger":
		return decodeKnative(d, &eventingv1.Trigger{}, func(o *eventingv1.Trigger) knative { return o.DeepCopy() })
	case "sources.knative.dev/v1 PingSource":
		return decodeKnative(d, &sourcesv1.PingSource{}, func(o *sourcesv1.PingSource) knative { return o.DeepCopy() })
	case "gateway.networking.k8s.io/v1 HTTPRoute":
		return decodeStrict(d, &HTTPRoute{})
	case "v1 ConfigMap":
		return decodeStrict(d, &corev1.ConfigMap{})
	case "v1 Service":
		return decodeStrict(d, &corev1.Service{})
	case "v1 Namespace":
		return decodeStrict(d, &corev1.Namespace{})
	case "apps/v1 StatefulSet":
		return decodeStrict(d, &appsv1.StatefulSet{})
	case "networking.k8s.io/v1 NetworkPolicy":
		return decodeStrict(d, &networkingv1.NetworkPolicy{})
	default:
		d.Object = &u
		return d, nil
	}
}

// decodeStrict decodes d.Raw into obj, refusing unknown fields.
func decodeStrict[T any](d Document, obj *T) (Document, error) {
	if err := yaml.UnmarshalStrict(d.Raw, obj); err != nil {
		return d, fmt.Errorf("strict decode into %T: %w", obj, err)
	}
	d.Object = obj
	return d, nil
}

// decodeKnative decodes d.Raw strictly into obj, then defaults and validates
// a deep copy, so d.Object stays exactly what the manifest says.
func decodeKnative[T any](d Document, obj *T, deepCopy func(*T) knative) (Document, error) {
	d, err := decodeStrict(d, obj)
	if err != nil {
		return d, err
	}
	if err := ValidateKnative(deepCopy(obj)); err != nil {
		return d, err
	}
	return d, nil
}

// ValidateKnative applies the object's own defaults and then its own
// validation as the API server's webhook would on create. It returns nil or
// an error carrying the apis.FieldError text. obj is modified by defaulting.
func ValidateKnative(obj knative) error {
	ctx := apis.WithinCreate(context.Background())
	obj.SetDefaults(ctx)
	if fe := obj.Validate(ctx); fe != nil {
		return fmt.Errorf("knative validation: %s", fe.Error())
	}
	return nil
}
