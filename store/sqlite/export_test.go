package sqlite

import "github.com/callbackline/callbackline"

// SetFailIntake makes the matching intake requests fail with an SQL error.
func SetFailIntake(f func(*callbackline.Callback) bool) { testFailIntake = f }

// Queued is how many intake requests wait in the committer's channel.
func Queued(s *Store) int { return len(s.intake) }

// SetBatchStart has f told the size of every batch before it commits.
func SetBatchStart(f func(n int)) { testBatchStart = f }
