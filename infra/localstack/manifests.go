package localstack

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// object is the part of any manifest the local stack reads.
type object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Rules []struct {
			Matches []struct {
				Path struct {
					Type  string `json:"type"`
					Value string `json:"value"`
				} `json:"path"`
				Method string `json:"method"`
			} `json:"matches"`
			BackendRefs []struct {
				Name string `json:"name"`
			} `json:"backendRefs"`
		} `json:"rules"`
	} `json:"spec"`
}

// Route sends requests whose path starts with Prefix (is Prefix, when
// Exact) and whose method is Method (any, when empty) to the Knative
// Service Backend, as an HTTPRoute rule's match does.
type Route struct {
	Prefix  string
	Exact   bool
	Method  string
	Backend string
}

// matches reports whether r is for this route. As in Gateway API, a GET
// match does not take HEAD: a route that serves HEAD says so.
func (rt Route) matches(r *http.Request) bool { return rt.Matches(r.Method, r.URL.Path) }

// Matches reports whether a request of method for path is for this route
// (the gateway's own test; the authorisation matrix uses it too).
func (rt Route) Matches(method, path string) bool {
	if rt.Exact && path != rt.Prefix || !rt.Exact && !strings.HasPrefix(path, rt.Prefix) {
		return false
	}
	return rt.Method == "" || rt.Method == method
}

// ReadRoutes returns the HTTPRoute rules of the manifests under dir
// (overlays skipped) in the order the gateway tries them: longest prefix
// first.
func ReadRoutes(dir string) ([]Route, error) {
	_, routes, err := readManifests(dir)
	return routes, err
}

// readManifests walks dir (skipping overlays) and returns the names of the
// Knative Services and the HTTPRoute rules, longest prefix first.
func readManifests(dir string) (services []string, routes []Route, err error) {
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "overlays" {
			return filepath.SkipDir
		}
		if d.IsDir() || (!strings.HasSuffix(path, ".yaml") && !strings.HasSuffix(path, ".yml")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, doc := range bytes.Split(b, []byte("\n---")) {
			if len(bytes.TrimSpace(doc)) == 0 {
				continue
			}
			var o object
			if err := yaml.Unmarshal(doc, &o); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			switch {
			case o.Kind == "Service" && strings.HasPrefix(o.APIVersion, "serving.knative.dev/"):
				services = append(services, o.Metadata.Name)
			case o.Kind == "HTTPRoute":
				for _, r := range o.Spec.Rules {
					if len(r.BackendRefs) == 0 {
						continue
					}
					for _, m := range r.Matches {
						routes = append(routes, Route{Prefix: m.Path.Value, Exact: m.Path.Type == "Exact", Method: m.Method, Backend: r.BackendRefs[0].Name})
					}
				}
			}
		}
		return nil
	})
	sort.Strings(services)
	sort.SliceStable(routes, func(i, j int) bool { return len(routes[i].Prefix) > len(routes[j].Prefix) })
	return services, routes, err
}
