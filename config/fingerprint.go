package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Fingerprint is a hash of the settings every instance on one database
// must share: the encryption key (its hash, never the key), the Bitrix24
// application (client id, the secret's hash, OAuth server), public_url,
// default_region, intake, lines, defaults, portal_limits, portals,
// retention and cluster (but cluster.calls). Each instance stores it in
// its row; doctor compares them. Settings of the instance alone (listen,
// sip, data_dir, logging, shutdown_grace, cluster.calls) are not in it.
func (c *Config) Fingerprint() string {
	shared := struct {
		Key, ClientID, Secret, OAuth, PublicURL, Region string
		Intake                                          Intake
		Lines                                           []Line
		Defaults                                        Defaults
		PortalLimits                                    PortalLimits
		Portals                                         []Portal
		Retention                                       Retention
		Cluster                                         Cluster
		Notify                                          Notify
	}{
		Key: digest(c.EncryptionKey), ClientID: c.Bitrix24.ClientID, Secret: digest(c.Bitrix24.ClientSecret),
		OAuth: c.Bitrix24.OAuthServer, PublicURL: c.PublicURL, Region: c.DefaultRegion, Intake: c.Intake, Lines: c.Lines,
		Defaults: c.Defaults, PortalLimits: c.PortalLimits, Portals: c.Portals, Retention: c.Retention, Cluster: c.Cluster,
		Notify: c.Notify,
	}
	shared.Cluster.Calls = true // whether this instance dials is its own choice
	if key, err := c.EncryptionKeyBytes(); err == nil && key != nil {
		shared.Key = digest(string(key)) // base64 and hex of one key are one key
	}
	b, _ := json.Marshal(shared) // plain values: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// digest is a hash of a secret that tells two secrets apart without
// revealing either ("" for none).
func digest(s string) string {
	if s == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("callbackline shared setting\x00" + s))
	return hex.EncodeToString(sum[:])
}
