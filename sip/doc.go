// Package sip is callbackline's built-in SIP dialer. It places the two legs
// of a callback itself (employee first, then client), plays the announcement
// that was synthesised beforehand, bridges the legs and records them as one
// stereo WAV file (left: employee, right: client).
//
// The dialer is built on github.com/emiago/diago and sipgo, but nothing of
// them shows in this package's API: configuration is [Config], a call is a
// [Plan] given to [Dialer.Callback], and the outcome is a [Result] with the
// Bitrix24 STATUS_CODE it maps to.
//
// One Dialer per process: diago keeps the RTP port range in package-level
// variables, so a second Dialer with a different range would change the
// first one's. [New] refuses to create a second Dialer while one is open.
//
// Test doubles (a Go fake phone, a baresip launcher and audio checks) live
// in package sip/siptest.
package sip
