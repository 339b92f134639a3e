// Package probe checks, read-only, the assumptions the ITCare client makes
// where the API reference page is silent (internal/itcare/doc.go), against
// a real ITCare account. It is the logic of cmd/itcare-probe.
//
// The probe sends only GET requests to the API. The one other request is
// the OAuth2 client-credentials POST to the token endpoint, which is not
// part of the API. A transport refuses every other method before it
// leaves, so that no mistake in a check can change an instance.
//
// Each assumption is a row (see Rows) with a stable ID that the client's
// documentation names ("Probe row: <id>"). A row holds, differs, could not
// be told from what the account shows, or is not checked because only a
// write or a fault would show it.
package probe
