package k8scheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// KoPrefix is how a manifest names an image ko builds: ko://<import path>.
const KoPrefix = "ko://"

// CheckKoImages returns an error for every Knative Service whose image is
// not ko://<want[name]> (want maps a Service name to its Go import path,
// e.g. audit -> nemrefusion.dk/functions/audit); a Service absent from want
// must still name a ko:// image.
func CheckKoImages(docs []Document, want map[string]string) error {
	var errs []error
	for _, name := range sortedKeys(KnativeServices(docs)) {
		s := KnativeServices(docs)[name]
		for _, c := range s.Spec.Template.Spec.Containers {
			switch w, ok := want[name]; {
			case ok && c.Image != KoPrefix+w:
				errs = append(errs, fmt.Errorf("ksvc/%s: image %q, want %q (ko builds it from the function's module)", name, c.Image, KoPrefix+w))
			case !ok && !strings.HasPrefix(c.Image, KoPrefix):
				errs = append(errs, fmt.Errorf("ksvc/%s: image %q is not a ko:// import path: nothing builds it", name, c.Image))
			}
		}
	}
	return errors.Join(errs...)
}

// ModulePath returns the module path in dir/go.mod.
func ModulePath(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
			return f[1], nil
		}
	}
	return "", fmt.Errorf("%s/go.mod: no module line", dir)
}

// DecodeAll decodes a multi-document YAML stream (such as ko resolve's
// output) with Decode, document by document.
func DecodeAll(stream []byte) ([]Document, error) {
	var (
		docs []Document
		errs []error
	)
	for _, raw := range bytes.Split(append([]byte("\n"), stream...), []byte("\n---")) {
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		d, err := Decode(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.ID(), err))
			continue
		}
		docs = append(docs, d)
	}
	return docs, errors.Join(errs...)
}

var digestRef = regexp.MustCompile(`^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+(:[A-Za-z0-9._-]+)?@(sha256:[0-9a-f]{64})$`)

// CheckResolvedImages returns an error unless every container of every
// Knative Service (and every other pod template in docs that names a ko://
// image) names a registry image by digest, repo/<name>@sha256:..., and,
// when layoutDir is not empty, that digest is an image in the OCI image
// layout at layoutDir (its index.json): the resolved manifests name the
// images `make images` built.
func CheckResolvedImages(docs []Document, layoutDir string) error {
	var inLayout map[string]bool
	var errs []error
	if layoutDir != "" {
		var err error
		if inLayout, err = layoutDigests(layoutDir); err != nil {
			return err
		}
	}
	for _, d := range docs {
		if strings.Contains(string(d.Raw), KoPrefix) {
			errs = append(errs, fmt.Errorf("%s: still names a %s image (not resolved)", d.ID(), KoPrefix))
		}
	}
	ksvc := KnativeServices(docs)
	if len(ksvc) == 0 {
		errs = append(errs, errors.New("no Knative Service in the resolved manifests"))
	}
	for _, name := range sortedKeys(ksvc) {
		for _, c := range ksvc[name].Spec.Template.Spec.Containers {
			m := digestRef.FindStringSubmatch(c.Image)
			switch {
			case m == nil:
				errs = append(errs, fmt.Errorf("ksvc/%s: image %q is not repository/name@sha256:<digest>", name, c.Image))
			case !strings.Contains(m[2]+m[0], "/"+name):
				errs = append(errs, fmt.Errorf("ksvc/%s: image %q is not named after the function", name, c.Image))
			case inLayout != nil && !inLayout[m[4]]:
				errs = append(errs, fmt.Errorf("ksvc/%s: image digest %s is not in the OCI layout %s: the build was not reproducible, or the layout is stale", name, m[4], layoutDir))
			}
		}
	}
	return errors.Join(errs...)
}

// layoutDigests returns the digests of the manifests in an OCI image
// layout's index.json (and of the indexes it nests).
func layoutDigests(dir string) (map[string]bool, error) {
	out := map[string]bool{}
	var walk func(path string) error
	walk = func(path string) error {
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("OCI layout: %w", err)
		}
		var idx struct {
			Manifests []struct {
				MediaType string `json:"mediaType"`
				Digest    string `json:"digest"`
			} `json:"manifests"`
		}
		if err := json.Unmarshal(b, &idx); err != nil {
			return fmt.Errorf("OCI layout %s: %w", path, err)
		}
		for _, m := range idx.Manifests {
			out[m.Digest] = true
			if strings.HasSuffix(m.MediaType, "index.v1+json") || strings.HasSuffix(m.MediaType, "manifest.list.v2+json") {
				if err := walk(filepath.Join(dir, "blobs", strings.Replace(m.Digest, ":", "/", 1))); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return out, walk(filepath.Join(dir, "index.json"))
}
