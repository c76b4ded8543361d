package sqlite

import "github.com/callbackline/callbackline"

// SetFailIntake makes the matching intake requests fail with an SQL error.
func SetFailIntake(f func(*callbackline.Callback) bool) { testFailIntake = f }
