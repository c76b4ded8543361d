package sqlite

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/callbackline/callbackline/store/sqlstore"
)

// dialect is SQLite's: "?" placeholders, times as microseconds since the
// epoch.
var dialect = &sqlstore.Dialect{Name: "sqlite", Micros: true, Errors: driverError, RecoverJobs: sqlRecoverJobs,
	DeleteJobs: `DELETE FROM river_job WHERE kind = 'callback' AND state <> 'running'
		AND args ->> '$.callback_id' IN (SELECT id FROM callbacks WHERE member_id = ?)`}

// driverError marks SQLite's constraint errors for the core.
func driverError(err error) error {
	var e *sqlite.Error
	if errors.As(err, &e) {
		switch e.Code() {
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %w", sqlstore.ErrForeignKey, err)
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", sqlstore.ErrUnique, err)
		}
	}
	return err
}

// sqlRecoverJobs makes the running jobs whose last attempt was by ?1
// available now. attempted_by is a JSON(B) array of client ids; the
// attempt count stays, so MaxAttempts still bounds the retries. Times are
// in River's SQLite format ("2006-01-02 15:04:05.000" in UTC), which its
// queries compare as text.
const sqlRecoverJobs = `UPDATE river_job
SET state = 'available', scheduled_at = strftime('%Y-%m-%d %H:%M:%f', 'now'),
	metadata = CASE WHEN typeof(metadata) = 'text' AND NOT json_valid(metadata) THEN metadata
		ELSE jsonb_set(coalesce(metadata, jsonb('{}')), '$."callbackline:recovered_from"', ?1) END
WHERE state = 'running'
	AND attempted_by IS NOT NULL
	AND NOT (typeof(attempted_by) = 'text' AND NOT json_valid(attempted_by))
	AND json_extract(attempted_by, '$[#-1]') = ?1`
