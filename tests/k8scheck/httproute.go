package k8scheck

// HTTPRoute is the plain subset of a Gateway API gateway.networking.k8s.io/v1
// HTTPRoute that the public origin uses and the local stack reads to build
// its gateway. It is decoded strictly, so a field outside this subset (a
// filter, a header match, a weight) fails the check until the local stack
// learns it too.
type HTTPRoute struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace,omitempty"`
		Labels      map[string]string `json:"labels,omitempty"`
		Annotations map[string]string `json:"annotations,omitempty"`
	} `json:"metadata"`
	Spec HTTPRouteSpec `json:"spec"`
}

// HTTPRouteSpec is the spec of an HTTPRoute.
type HTTPRouteSpec struct {
	ParentRefs []ParentRef     `json:"parentRefs,omitempty"`
	Hostnames  []string        `json:"hostnames,omitempty"`
	Rules      []HTTPRouteRule `json:"rules"`
}

// ParentRef names the Gateway the route attaches to.
type ParentRef struct {
	Group       string `json:"group,omitempty"`
	Kind        string `json:"kind,omitempty"`
	Namespace   string `json:"namespace,omitempty"`
	Name        string `json:"name"`
	SectionName string `json:"sectionName,omitempty"`
}

// HTTPRouteRule sends requests matching any of Matches to BackendRefs.
type HTTPRouteRule struct {
	Matches     []HTTPRouteMatch `json:"matches"`
	BackendRefs []BackendRef     `json:"backendRefs"`
}

// HTTPRouteMatch matches a request path and, when Method is set, its
// method (the local stack's gateway honours both).
type HTTPRouteMatch struct {
	Path   HTTPPathMatch `json:"path"`
	Method string        `json:"method,omitempty"`
}

// HTTPPathMatch is a path match; the local stack supports Type PathPrefix
// and Exact.
type HTTPPathMatch struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// BackendRef names the function (Knative Service) that serves a rule.
type BackendRef struct {
	Name string `json:"name"`
	Port int32  `json:"port,omitempty"`
}
