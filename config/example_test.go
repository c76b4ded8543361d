package config_test

import (
	"fmt"

	"github.com/callbackline/callbackline/config"
)

func ExampleLoad() {
	c, err := config.Load("", []string{
		"CALLBACKLINE_LISTEN=127.0.0.1:9090",
		"CALLBACKLINE_INTAKE_ALLOWED_COUNTRIES=ru,kz",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	driver, file, _ := config.SplitDatabase(c.Database)
	fmt.Println(c.Listen, driver, file, c.Intake.AllowedCountries)

	_, err = config.Load("", []string{"CALLBACKLINE_INTAKE_DEDUP_WINDOW=abc", "CALLBACKLINE_LISTN=:1"})
	fmt.Println(err)
	// Output:
	// 127.0.0.1:9090 sqlite ./callbackline.db [RU KZ]
	// config: intake.dedup_window: "abc" is not a duration (e.g. 10m) (from CALLBACKLINE_INTAKE_DEDUP_WINDOW)
	// config: CALLBACKLINE_LISTN names no configuration key; did you mean CALLBACKLINE_LISTEN?
}

func ExampleConfig_DomainLines() {
	c, err := config.Load("callbackline.company.yaml", []string{"CALLBACKLINE_BITRIX24_CLIENT_SECRET=from-the-app-page"})
	if err != nil {
		fmt.Println(err)
		return
	}
	lines, err := c.DomainLines()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range lines {
		p := l.Policy
		fmt.Println(l.Number, l.Employees, l.Target, p.RingMode, p.ClientAttempts, p.Hours.Location, p.Hours.Days[1], p.Hours.Days[6])
	}
	fmt.Println(c.SIP.Trunks[0].Name, c.Redacted().SIP.Trunks[0].Password)
	// Output:
	// sales [12 34]  all 5 Europe/Berlin [09:00-18:00] []
	// support [] 600 sequential 3 Europe/Berlin [09:00-18:00] [10:00-14:00]
	// pbx [redacted]
}

// A portal's administrator writes the portal's own lines (the app page,
// or PUT /api/v1/portals/{member_id}/lines); they are checked like the
// file and start from the service's defaults.policy.
func ExampleConfig_PortalLines() {
	c, err := config.Load("callbackline.company.yaml", []string{"CALLBACKLINE_BITRIX24_CLIENT_SECRET=from-the-app-page"})
	if err != nil {
		fmt.Println(err)
		return
	}
	lines, err := c.PortalLines("4f3b2a1c0d9e8f7a6b5c4d3e2f1a0b9c", `
- number: north
  name: North office
  employees: [7, 9]
  policy:
    client_attempts: 2
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	l := lines[0]
	fmt.Println(l.Number, l.Employees, l.Policy.ClientAttempts, l.Policy.SkipAbsent, l.Policy.Hours.Location)

	_, err = c.PortalLines("4f3b2a1c0d9e8f7a6b5c4d3e2f1a0b9c", "- number: north\n  employes: [7]\n  policy:\n    max_call_length: 3h\n")
	fmt.Println(err)

	// Past the operator's portal_limits, or showing a number the
	// operator did not assign to this portal (portals:).
	_, err = c.PortalLines("4f3b2a1c0d9e8f7a6b5c4d3e2f1a0b9c", "- number: north\n  caller_id: \"+4930999999\"\n  policy:\n    client_attempts: 100000\n")
	fmt.Println(err)
	// Output:
	// north [7 9] 2 true Europe/Berlin
	// config: lines[0].employes: is not a known key; did you mean lines[0].employees? (at settings:2)
	// config: lines[0].policy.client_attempts: is 100000; at most 5 (the operator's portal_limits.client_attempts)
	// config: lines[0].caller_id: is not a number the operator assigned to this portal; leave caller_id out to show the line's usual number, write one assigned to this portal, or ask the operator to assign it (portals: [{member_id: …, caller_ids: […]}] in callbackline.yaml, or /api/v1/portals/{member_id}/caller_ids)
}
