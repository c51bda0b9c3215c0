// Package k8scheck builds the kustomize overlays under k8s/ with the
// kustomize Go library (no kubectl binary), decodes every resulting document
// strictly into the real Knative API types (serving v1 Service, eventing v1
// Broker and Trigger, sources v1 PingSource), runs their own defaulting and
// validation, and cross-checks the build as a whole: every Trigger reaches an
// existing Service with an explicit delivery policy, every Knative Service
// has probes and resource requests, every function has a Service, and prod
// carries neither development backing services nor the development issuer.
//
// The checks are plain functions (Build, Decode, CrossCheck, ...) so the
// tests in this package and a future `make k8s-check` call the same code.
package k8scheck
