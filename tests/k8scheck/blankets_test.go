package k8scheck

import (
	"testing"

	eventingv1 "knative.dev/eventing/pkg/apis/eventing/v1"

	"nemrefusion.dk/events"
)

// Every registered blanket (events/registry.go) reaches the function of
// its family through exactly one Trigger, and no Trigger feeds a blanket
// function a blanket type the registry gives another family: a blanket
// without its Trigger is accepted at the front door and then never decided.
func TestEveryBlanketHasOneTriggerToItsFunction(t *testing.T) {
	t.Parallel()
	for _, o := range overlays {
		t.Run(o, func(t *testing.T) {
			t.Parallel()
			byType := map[string][]*eventingv1.Trigger{}
			for _, tr := range newIndex(build(t, o)).triggers {
				if tr.Spec.Filter != nil {
					typ := tr.Spec.Filter.Attributes["type"]
					byType[typ] = append(byType[typ], tr)
				}
			}
			for _, b := range events.Blankets() {
				want := events.FamilyFunction[b.Family]
				var to []string
				for _, tr := range byType[b.Type] {
					if tr.Spec.Subscriber.Ref != nil && tr.Spec.Subscriber.Ref.Name == want {
						to = append(to, tr.Name)
					}
				}
				if len(to) != 1 {
					t.Errorf("%s: %d Triggers to %s %v; want exactly one", b.Type, len(to), want, to)
				}
				for _, tr := range byType[b.Type] {
					if ref := tr.Spec.Subscriber.Ref; ref != nil && ref.Name != want && isBlanketFunction(ref.Name) {
						t.Errorf("%s: Trigger %s feeds it to %s, not its family's function %s", b.Type, tr.Name, ref.Name, want)
					}
				}
			}
		})
	}
}

func isBlanketFunction(name string) bool {
	for _, f := range events.FamilyFunction {
		if f == name {
			return true
		}
	}
	return false
}
