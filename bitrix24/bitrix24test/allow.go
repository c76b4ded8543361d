package bitrix24test

import (
	"net/netip"

	"github.com/callbackline/callbackline/bitrix24"
)

// Loopback are the loopback networks, where the simulated portal runs:
// what bitrix24.OAuth.AllowNetworks (config key bitrix24.allow_networks)
// must allow for a client to reach it. Without it the client refuses the
// portal's address, as it would any internal address in production.
var Loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// LoopbackNetworks is Loopback as the configuration writes it.
var LoopbackNetworks = []string{"127.0.0.0/8", "::1/128"}

// OAuth returns an OAuth client for the portal's OAuth server with the
// application's credentials, allowing Loopback.
func (p *Portal) OAuth() *bitrix24.OAuth {
	return &bitrix24.OAuth{Server: p.OAuthServer(), ClientID: p.ClientID(), ClientSecret: p.ClientSecret(), AllowNetworks: Loopback}
}
