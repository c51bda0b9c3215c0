package k8scheck

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 22: every Knative Service named ghcr.io/nemrefusion/<fn>:latest,
// an image nothing built. Each names ko://<its function's module> now.
func TestImagesAreBuiltByKo(t *testing.T) {
	t.Parallel()
	names, err := Commands(functionsDir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, n := range names {
		if want[n], err = ModulePath(filepath.Join(functionsDir, n)); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range overlays {
		t.Run(o, func(t *testing.T) {
			t.Parallel()
			if err := CheckKoImages(build(t, o), want); err != nil {
				t.Error(err)
			}
		})
	}
	old := strings.Replace(goodService("audit"), "image: ghcr.io/nemrefusion/audit:latest", "image: ghcr.io/nemrefusion/audit:latest", 1)
	if err := CheckKoImages(mustDocs(t, old), want); err == nil || !strings.Contains(err.Error(), "ko://nemrefusion.dk/functions/audit") {
		t.Fatalf("the old ghcr.io image passed: %v", err)
	}
}

// The output of `make images` (.data/images/resolved-<overlay>.yaml, from
// ko resolve): decodes and validates like the source, passes the same
// cross-checks, and names every function's image by a digest that is in
// the OCI layout the same run wrote. Skipped when make images has not run
// (NR_IMAGES, which make k8s-check sets, names the directory).
func TestResolvedManifests(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("NR_IMAGES")
	if dir == "" {
		dir = filepath.Join(root, ".data", "images")
	}
	for _, o := range overlays {
		t.Run(o, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(filepath.Join(dir, "resolved-"+o+".yaml"))
			if errors.Is(err, os.ErrNotExist) {
				t.Skipf("no %s: run make images first", filepath.Join(dir, "resolved-"+o+".yaml"))
			}
			if err != nil {
				t.Fatal(err)
			}
			docs, err := DecodeAll(b)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != len(build(t, o)) {
				t.Errorf("resolved %s has %d documents, kustomize build %d: stale, run make images", o, len(docs), len(build(t, o)))
			}
			for name, check := range map[string]func([]Document) error{
				"cross-check":      CrossCheck,
				"internal traffic": CheckInternalTraffic,
				"references":       func(d []Document) error { return CheckReferences(d, operatorProvided(t)) },
				"images":           func(d []Document) error { return CheckResolvedImages(d, filepath.Join(dir, "oci")) },
			} {
				if err := check(docs); err != nil {
					t.Errorf("%s: %s:\n%v", o, name, err)
				}
			}
		})
	}
}

// The resolved-image check refuses what ko would leave unresolved and what
// the manifests named before ko.
func TestResolvedImageCheckFails(t *testing.T) {
	t.Parallel()
	for _, image := range []string{"ko://nemrefusion.dk/functions/audit", "ghcr.io/nemrefusion/audit:latest"} {
		doc := strings.Replace(goodService("audit"), "ghcr.io/nemrefusion/audit:latest", image, 1)
		if err := CheckResolvedImages(mustDocs(t, doc), ""); err == nil {
			t.Errorf("image %s accepted as resolved", image)
		}
	}
	good := strings.Replace(goodService("audit"), "ghcr.io/nemrefusion/audit:latest", "registry.invalid/nemrefusion/audit:latest@sha256:"+strings.Repeat("ab", 32), 1)
	if err := CheckResolvedImages(mustDocs(t, good), ""); err != nil {
		t.Errorf("a digest reference refused: %v", err)
	}
}
