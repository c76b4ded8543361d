package postgres

import (
	"database/sql"

	"github.com/callbackline/callbackline"
)

// SetFailIntake makes the matching intake requests fail with an SQL error.
func SetFailIntake(s *Store, f func(*callbackline.Callback) bool) { s.TestHooks.FailIntake = f }

// PortalLockKey is the advisory lock key of the portal's intakes.
func PortalLockKey(s *Store, memberID string) int64 { return s.portalLockKey(memberID) }

// Queued is how many intake requests wait in the committers' channels.
func Queued(s *Store) int { return s.Store.Queued() }

// DB is the store's database/sql handle.
func DB(s *Store) *sql.DB { return s.sdb }
