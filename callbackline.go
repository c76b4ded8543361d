// Package callbackline is a Bitrix24 callback line: it receives the
// ONEXTERNALCALLBACKSTART event that a Bitrix24 CRM form sends when a website
// visitor asks to be called back, rings the right employee over SIP, speaks
// the request, dials the client, connects them and logs the call in the CRM.
//
// The root package holds the domain: portals, callbacks, their states, the
// queue job that carries a callback to the workers, the store contracts that
// every backend implements, and the error codes that every layer shares.
// Adapters live in their own packages, one per technology:
//
//	bitrix24        the Bitrix24 wire format, OAuth and REST client
//	bitrix24/bitrix24test  a simulated Bitrix24 portal for tests and the demo
//	phone           phone number normalisation and the toll-fraud guard
//	store/sqlite    the embedded store (SQLite + River)
//	store/postgres  the scaled-out store (PostgreSQL + River)
//	store/storetest the conformance suite every store passes
//	sip, speech     the built-in SIP dialer and text-to-speech
//	web             HTTP: Bitrix24 handlers, API, health, metrics
//	config          configuration from YAML and CALLBACKLINE_* variables
//	cmd/callbackline the binary: wiring only
package callbackline

// Version is the version of callbackline, set at build time with
// -ldflags "-X github.com/callbackline/callbackline.Version=v1.2.3".
var Version = "dev"
