package k8scheck

import (
	"errors"
	"fmt"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Build runs kustomize on the kustomization directory dir (for example
// "k8s/overlays/prod") and decodes every resulting resource with Decode.
// It returns an error if kustomize fails, or a joined error naming every
// resource that does not decode or validate; the documents that did decode
// are returned either way.
func Build(dir string) ([]Document, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	var (
		docs []Document
		errs []error
	)
	for _, r := range m.Resources() {
		raw, err := r.AsYAML()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: render: %w", r.CurId(), err))
			continue
		}
		d, err := Decode(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", r.GetKind(), r.GetName(), err))
			continue
		}
		docs = append(docs, d)
	}
	return docs, errors.Join(errs...)
}
