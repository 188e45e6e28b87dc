// Package kubernetes writes registry credentials into a Kubernetes cluster
// through client-go: kubernetes.io/dockerconfigjson Secrets (store
// kubernetes) and the TCR add-on's ImagePullSecret resource on TKE (store
// tke-image-pull-secret).
//
// A Secret may hold several targets' registries: each target's part is one
// "auths" entry (its registry host) in .dockerconfigjson and one annotation
// part.regmint.io/<ref> holding its metadata (storemeta, no secret). A write
// reads the Secret, changes its own part and updates it under the
// resourceVersion read, retrying on a conflict (409), so concurrent writers
// never lose each other's parts. regmint writes only Secrets it created
// (label app.kubernetes.io/managed-by=regmint): a Secret of the same name
// without the label is an error naming it, never overwritten.
//
// The namespaces of a destination are read on every call (a selector's
// matches change), and a namespace that lacks the part another namespace
// holds gets a copy of it when it is read, so that a namespace appearing
// mid-run is served by the next read rather than the next rotation.
//
// The configuration side (kind names, keys, checks) is in kubespec, which
// does not link client-go.
package kubernetes
