package sqlite

import "github.com/callbackline/callbackline"

// SetFailIntake makes the matching intake requests fail with an SQL error.
func SetFailIntake(s *Store, f func(*callbackline.Callback) bool) { s.TestHooks.FailIntake = f }

// Queued is how many intake requests wait in the committer's channel.
func Queued(s *Store) int { return s.Store.Queued() }

// SetBatchStart has f told the size of every batch before it commits.
func SetBatchStart(s *Store, f func(n int)) { s.TestHooks.BatchStart = f }
