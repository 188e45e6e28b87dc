// Package core holds what every part of regmint shares: the Credential a
// provider mints, the Target that says what to mint, the Issuer, Revoker and
// Store interfaces, docker config.json rendering and merging, registry
// verification (the Docker Registry v2 login handshake) and the retry policy
// used around vendor calls.
//
// core imports no cloud SDK. Provider packages (core/tcr, core/swr) implement
// Issuer and Revoker; store packages (core/store/...) implement Store.
package core
