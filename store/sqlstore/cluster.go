package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/callbackline/callbackline"
)

var (
	_ callbackline.ClusterStore   = (*Store)(nil)
	_ callbackline.RecordingStore = (*Store)(nil)
)

// Join records a process starting as in.ID: a new generation, heartbeat
// by the database's clock, alive. An older generation's leases are no
// longer good: their claims fail, their writes are fenced.
func (s *Store) Join(ctx context.Context, in *callbackline.Instance) (callbackline.Lease, error) {
	if in == nil || in.ID == "" {
		return callbackline.Lease{}, callbackline.Errorf(callbackline.EINVALID, "join: an instance id is needed")
	}
	in.ID = ClientID(in.ID)
	err := s.w.Tx(ctx, func(tx DB) error {
		var gen int64
		err := tx.QueryRow(ctx, `SELECT generation FROM instances WHERE id = ?`, in.ID).Scan(&gen)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		in.Generation = gen + 1
		if errors.Is(err, sql.ErrNoRows) {
			_, err = tx.Exec(ctx, `INSERT INTO instances (id, generation, fingerprint, version, started_at, heartbeat_at)
				VALUES (?, ?, ?, ?, `+s.d.Now+`, `+s.d.Now+`)`, in.ID, in.Generation, in.Fingerprint, in.Version)
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE instances SET generation = ?, fingerprint = ?, version = ?,
			started_at = `+s.d.Now+`, heartbeat_at = `+s.d.Now+`, dead_at = NULL, taken_by = '' WHERE id = ?`,
			in.Generation, in.Fingerprint, in.Version, in.ID)
		return err
	})
	if err != nil {
		return callbackline.Lease{}, s.wrap(err, callbackline.EUNAVAILABLE, "join as instance %q", in.ID)
	}
	return callbackline.Lease{Instance: in.ID, Generation: in.Generation}, nil
}

// Beat renews the lease's heartbeat; ErrFenced when the instance was
// declared dead or started again.
func (s *Store) Beat(ctx context.Context, l callbackline.Lease) error {
	n, err := s.w.Exec(ctx, `UPDATE instances SET heartbeat_at = `+s.d.Now+`
		WHERE id = ? AND generation = ? AND dead_at IS NULL`, l.Instance, l.Generation)
	if err != nil {
		return s.wrap(err, callbackline.EUNAVAILABLE, "heartbeat of instance %q", l.Instance)
	}
	if n == 0 {
		return fenced(l)
	}
	return nil
}

// fenced is ErrFenced for the lease.
func fenced(l callbackline.Lease) error {
	return callbackline.WrapError(callbackline.ErrFenced, callbackline.ECONFLICT,
		"instance %q (generation %d) was declared dead or started again elsewhere", l.Instance, l.Generation)
}

// Leave removes the lease's instance row, if it is still the lease's.
func (s *Store) Leave(ctx context.Context, l callbackline.Lease) error {
	_, err := s.w.Exec(ctx, `DELETE FROM instances WHERE id = ? AND generation = ?`, l.Instance, l.Generation)
	return s.wrap(err, callbackline.EUNAVAILABLE, "leave as instance %q", l.Instance)
}

// instanceCols are the columns scanInstance reads.
const instanceCols = `id, generation, fingerprint, version, started_at, heartbeat_at, dead_at, taken_by`

func scanInstance(r Row) (callbackline.Instance, error) {
	var in callbackline.Instance
	err := r.Scan(&in.ID, &in.Generation, &in.Fingerprint, &in.Version, &in.StartedAt, &in.HeartbeatAt, &in.DeadAt, &in.TakenBy)
	return in, err
}

// Instances lists the instance rows by id.
func (s *Store) Instances(ctx context.Context) ([]callbackline.Instance, error) {
	list, err := collect(ctx, s.r, scanInstance, `SELECT `+instanceCols+` FROM instances ORDER BY id`)
	return list, s.wrap(err, callbackline.EUNAVAILABLE, "list instances")
}

// TakeOver declares dead every other instance whose heartbeat is older
// than deadAfter, each in a transaction of its own: the conditional
// update lets one taker win, its callbacks' claims are dropped and its
// running jobs made available (as RecoverJobs does), so that any
// instance's worker goes on with them at once.
func (s *Store) TakeOver(ctx context.Context, taker callbackline.Lease, deadAfter time.Duration) ([]callbackline.Takeover, error) {
	if deadAfter <= 0 {
		return nil, callbackline.Errorf(callbackline.EINVALID, "take over: deadAfter must be positive")
	}
	stale, err := collect(ctx, s.r, scanInstance, `SELECT `+instanceCols+` FROM instances
		WHERE dead_at IS NULL AND id <> ? AND heartbeat_at < `+s.d.Ago, taker.Instance, deadAfter.Microseconds())
	if err != nil {
		return nil, s.wrap(err, callbackline.EUNAVAILABLE, "take over: list stale instances")
	}
	var out []callbackline.Takeover
	for _, in := range stale {
		t, ok, err := s.takeOne(ctx, taker, in, deadAfter)
		if err != nil {
			return out, s.wrap(err, callbackline.EUNAVAILABLE, "take over instance %q", in.ID)
		}
		if ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// takeOne declares in dead and releases its work, unless another taker
// did, or it beat (or started again) meanwhile.
func (s *Store) takeOne(ctx context.Context, taker callbackline.Lease, in callbackline.Instance, deadAfter time.Duration) (callbackline.Takeover, bool, error) {
	t := callbackline.Takeover{Dead: in}
	won := false
	err := s.w.Tx(ctx, func(tx DB) error {
		n, err := tx.Exec(ctx, `UPDATE instances SET dead_at = `+s.d.Now+`, taken_by = ?
			WHERE id = ? AND generation = ? AND dead_at IS NULL AND heartbeat_at < `+s.d.Ago,
			taker.Instance, in.ID, in.Generation, deadAfter.Microseconds())
		if err != nil || n == 0 {
			return err
		}
		won = true
		c, err := tx.Exec(ctx, `UPDATE callbacks SET owner = '', owner_generation = 0
			WHERE owner = ? AND owner_generation = ?`, in.ID, in.Generation)
		if err != nil {
			return err
		}
		j, err := tx.Exec(ctx, s.d.RecoverJobs, in.ID)
		t.Callbacks, t.Jobs = int(c), int(j)
		return err
	})
	if err != nil || !won {
		return t, false, err
	}
	t.Dead.TakenBy = taker.Instance
	return t, true, nil
}

// PruneInstances deletes the rows of instances that were declared dead and taken
// over, whose last heartbeat is older than after by the database's clock,
// and whose id no callback names as its owner any more (its work was
// released): each row once, whatever other instances prune at the same
// time. It returns the rows it deleted. A paused process of a deleted
// instance is still fenced: its heartbeat finds no row.
func (s *Store) PruneInstances(ctx context.Context, after time.Duration) ([]callbackline.Instance, error) {
	if after <= 0 {
		return nil, callbackline.Errorf(callbackline.EINVALID, "prune instances: the bound must be positive")
	}
	list, err := collect(ctx, s.w, scanInstance, `DELETE FROM instances
		WHERE dead_at IS NOT NULL AND taken_by <> '' AND heartbeat_at < `+s.d.Ago+`
		AND NOT EXISTS (SELECT 1 FROM callbacks c WHERE c.owner = instances.id)
		RETURNING `+instanceCols, after.Microseconds())
	return list, s.wrap(err, callbackline.EUNAVAILABLE, "prune dead instances")
}

// Claim makes l the owner of the callback unless a living lease other
// than l owns it: free, l's own, of an older generation, or of an
// instance declared dead (or gone) may be claimed.
func (s *Store) Claim(ctx context.Context, l callbackline.Lease, callbackID int64) (bool, error) {
	n, err := s.w.Exec(ctx, `UPDATE callbacks SET owner = ?, owner_generation = ? WHERE id = ? AND (owner = ''
		OR (owner = ? AND owner_generation = ?)
		OR NOT EXISTS (SELECT 1 FROM instances i WHERE i.id = callbacks.owner
			AND i.generation = callbacks.owner_generation AND i.dead_at IS NULL))`,
		l.Instance, l.Generation, callbackID, l.Instance, l.Generation)
	if err != nil {
		return false, s.wrap(err, callbackline.EUNAVAILABLE, "claim callback %d", callbackID)
	}
	return n == 1, nil
}

// Release drops l's claim on the callback.
func (s *Store) Release(ctx context.Context, l callbackline.Lease, callbackID int64) error {
	_, err := s.w.Exec(ctx, `UPDATE callbacks SET owner = '', owner_generation = 0
		WHERE id = ? AND owner = ? AND owner_generation = ?`, callbackID, l.Instance, l.Generation)
	return s.wrap(err, callbackline.EUNAVAILABLE, "release callback %d", callbackID)
}

// Claims lists the callbacks l owns, by id.
func (s *Store) Claims(ctx context.Context, l callbackline.Lease) ([]int64, error) {
	list, err := collect(ctx, s.r, func(r Row) (id int64, err error) { return id, r.Scan(&id) },
		`SELECT id FROM callbacks WHERE owner = ? AND owner_generation = ? ORDER BY id`, l.Instance, l.Generation)
	return list, s.wrap(err, callbackline.EUNAVAILABLE, "claims of instance %q", l.Instance)
}

// fence, in a transaction that writes a callback's work, checks that the
// lease ctx carries (if any) owns the callback, and locks its row until
// the transaction ends: a takeover waits for the write, or the write
// sees the takeover and fails with ErrFenced.
func (s *Store) fence(ctx context.Context, tx DB, callbackID int64) error {
	l, ok := callbackline.LeaseFrom(ctx)
	if !ok {
		return nil
	}
	n, err := tx.Exec(ctx, `UPDATE callbacks SET owner = owner WHERE id = ? AND owner = ? AND owner_generation = ?`,
		callbackID, l.Instance, l.Generation)
	if err != nil {
		return err
	}
	if n == 0 {
		return fenced(l)
	}
	return nil
}

// SaveRecording stores an attempt's recording until it is attached.
func (s *Store) SaveRecording(ctx context.Context, attemptID int64, name string, data []byte) error {
	_, err := s.w.Exec(ctx, `INSERT INTO recordings (attempt_id, name, data, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (attempt_id) DO UPDATE SET name = excluded.name, data = excluded.data, created_at = excluded.created_at`,
		attemptID, callbackline.CleanText(name), data, now())
	if errors.Is(err, ErrForeignKey) {
		return callbackline.Errorf(callbackline.ENOTFOUND, "save recording: attempt %d not found", attemptID)
	}
	return s.wrap(err, callbackline.EUNAVAILABLE, "save the recording of attempt %d", attemptID)
}

// Recording returns an attempt's stored recording, or ENOTFOUND.
func (s *Store) Recording(ctx context.Context, attemptID int64) (string, []byte, error) {
	var (
		name string
		data []byte
	)
	err := s.r.QueryRow(ctx, `SELECT name, data FROM recordings WHERE attempt_id = ?`, attemptID).Scan(&name, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, callbackline.Errorf(callbackline.ENOTFOUND, "no stored recording of attempt %d", attemptID)
	}
	if err != nil {
		return "", nil, s.wrap(err, callbackline.EUNAVAILABLE, "read the recording of attempt %d", attemptID)
	}
	return name, data, nil
}

// DeleteRecording removes an attempt's stored recording.
func (s *Store) DeleteRecording(ctx context.Context, attemptID int64) error {
	_, err := s.w.Exec(ctx, `DELETE FROM recordings WHERE attempt_id = ?`, attemptID)
	return s.wrap(err, callbackline.EUNAVAILABLE, "delete the recording of attempt %d", attemptID)
}
