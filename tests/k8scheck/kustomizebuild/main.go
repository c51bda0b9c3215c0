// Command kustomizebuild prints `kustomize build <dir>` with the kustomize
// Go library the checks use (no kustomize or kubectl binary needed); `make
// images` pipes each overlay through `ko resolve`.
//
//	go run ./k8scheck/kustomizebuild ../k8s/overlays/prod > prod.yaml
package main

import (
	"fmt"
	"os"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: kustomizebuild <kustomization dir>")
		os.Exit(2)
	}
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "kustomizebuild:", err)
		os.Exit(1)
	}
	out, err := m.AsYaml()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kustomizebuild:", err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
}
