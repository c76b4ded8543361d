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
// A configuration in YAML (the config package decodes it into [Config]):
//
//	listen: 0.0.0.0:5060
//	transport: udp                 # udp, tcp or tls (tls: cert_file, key_file)
//	external_address: 203.0.113.5  # Contact and SDP behind NAT
//	rtp_ports: {min: 20000, max: 29999}
//	codecs: [pcmu, pcma]           # telephone-event is always offered
//	trunks:
//	  - name: pbx
//	    employee: "sip:{extension}@pbx.example.com"
//	    extension_pattern: "^[1-9][0-9]{1,5}$"   # the default: 2–6 digits
//	    client: "sip:{number}@pbx.example.com"    # or {digits}: without "+"
//	    username: callback
//	    password: secret
//	    register: true
//	    outbound_proxy: proxy.example.com:5060
//	    caller_id: {number: "+4930123456", name: Acme}
//	lines:
//	  - {number: "+4930123456", trunk: pbx, caller_id: {name: Acme Sales}}
//	inbound: {accept: false}       # inbound INVITEs get 403
//
// Numbers reach a SIP address only through a trunk's template, and only
// when they pass [ValidE164] (clients) or the trunk's [ExtensionRule]
// (employees), so nothing but the plan's targets is ever dialled, no
// employee extension the trunk's rule refuses is sent (a public number, a
// feature code), and no value can change the address beyond its user part.
//
// One Dialer per process: diago keeps the RTP port range in package-level
// variables, so a second Dialer with a different range would change the
// first one's. [New] refuses to create a second Dialer while one is open.
//
// One callback's call is a session (session.go), in the order it runs:
// the plan resolved against the configuration (resolve.go), the employees
// rung (employees.go; each leg placed by invite.go), the announcement and
// the accept prompt (announce.go), the client rung under a ringback tone
// (client.go), then the bridge (bridge.go) and its recording (record.go).
// media.go moves the audio, hold.go follows re-INVITEs, register.go keeps
// registrations alive, dialer.go starts and stops it all.
//
// Test doubles (a Go fake phone, a baresip launcher and audio checks) live
// in package sip/siptest.
package sip
