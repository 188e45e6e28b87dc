//go:build lambda.norpc

package stores

// kubernetesKinds, in the Lambda build, are the Kubernetes kinds' specs
// without client-go: a config naming them parses, and opening them says
// where they run. The bootstrap stays the size it was.
func kubernetesKinds() []Kind { return unlinkedKubernetesKinds() }
