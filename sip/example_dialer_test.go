package sip_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/callbackline/callbackline/sip"
)

// A callback: ring extension 101 (then 102), play the request, connect
// the client and record the call. Not run: it needs a PBX.
func ExampleDialer_Callback() {
	ctx := context.Background()
	d, err := sip.New(ctx, sip.Config{
		Listen:          "0.0.0.0:5060",
		ExternalAddress: "203.0.113.5",
		Trunks: []sip.Trunk{{
			Employee: "sip:{extension}@pbx.example.com",
			Client:   "sip:{number}@pbx.example.com",
			Username: "callback", Password: "secret", Register: true,
		}},
		Lines: []sip.Line{{Number: "+4930123456", CallerID: sip.CallerID{Name: "Acme"}}},
	}, slog.Default())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Close()
	res := d.Callback(ctx, sip.Plan{
		Employees:    []string{"101", "102"},
		Announcement: "/var/cache/callbackline/request-42.wav", // 8 kHz mono 16-bit
		Client:       "+4915112345678",
		Line:         "+4930123456",
		Recording:    "/var/lib/callbackline/records/42.wav",
		Timeouts:     sip.Timeouts{EmployeeRing: 20 * time.Second},
		Progress:     func(e sip.Event) { fmt.Println(e.Type, e.Employee) },
	})
	fmt.Println(res.Outcome, res.StatusCode, res.TalkSeconds())
}
