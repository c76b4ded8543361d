package speech

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Defaults of the Cache's bounds.
const (
	DefaultCacheBytes = 256 << 20           // 256 MiB, about 4.5 hours of 8 kHz audio
	DefaultCacheAge   = 30 * 24 * time.Hour // files unused for 30 days are removed
	// cacheGrace protects files used recently from eviction, so a path
	// just returned by File stays valid while the call plays it.
	cacheGrace = 10 * time.Minute
	// pruneEvery spaces the pruning after new files: a pass over a full
	// cache takes about 10 ms.
	pruneEvery = time.Minute
	// keyVersion changes when the file format or key layout changes.
	keyVersion = "speech-cache-v2"
)

// Cache keeps synthesised announcements as WAV files (8 kHz, mono, 16-bit,
// ready for diago's PlayFile) in a directory, keyed by the engine (with
// its settings), the voice and the text, so a text is synthesised once.
// Concurrent requests for the same key share one synthesis; files are
// written atomically (temporary file, then rename); files unused for
// MaxAge, and the least recently used beyond MaxBytes, are removed by
// Prune, which runs after a new file at most once a minute (never removing
// one used in the last 10 minutes). Use NewCache.
type Cache struct {
	Engine   Engine
	Dir      string
	MaxBytes int64         // bound of the directory's size; 0 is DefaultCacheBytes
	MaxAge   time.Duration // bound of a file's time unused; 0 is DefaultCacheAge

	mu        sync.Mutex
	flights   map[string]*flight
	pruneMu   sync.Mutex
	lastPrune time.Time // guarded by pruneMu
}

// flight is one synthesis in progress, shared by its waiters. It runs in
// its own goroutine, owned by the Cache: it ends when the engine returns,
// and is cancelled when its last waiter gives up.
type flight struct {
	done    chan struct{}
	cancel  context.CancelFunc
	waiters int
	err     error
}

// NewCache returns a cache of e's output in dir, creating dir if needed.
func NewCache(e Engine, dir string) (*Cache, error) {
	if e == nil || dir == "" {
		return nil, errorf(ReasonConfig, "", nil, "a cache needs an engine and a directory")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, errorf(ReasonCache, "", err, "cannot create the speech cache directory %s; check its permissions", dir)
	}
	return &Cache{Engine: e, Dir: dir, flights: map[string]*flight{}}, nil
}

// Key returns the cache key of text and voice for the cache's engine: a
// hex SHA-256 of the engine's key, the voice and the cleaned text.
func (c *Cache) Key(text string, v Voice) string {
	h := sha256.New()
	for _, s := range []string{keyVersion, engineKey(c.Engine), v.ID, v.Language, v.Gender.String(), Clean(text, math.MaxInt32)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// File returns the path of an 8 kHz mono 16-bit WAV of text spoken with the
// voice for the Bitrix24 voice id (see VoiceFor), synthesising it unless it
// is cached. Errors are *Error (the engine's, or ReasonCache,
// ReasonCanceled).
func (c *Cache) File(ctx context.Context, text, voiceID string) (string, error) {
	v := VoiceFor(voiceID)
	key := c.Key(text, v)
	return c.file(ctx, key, func(ctx context.Context) (*Audio, error) { return c.speak(ctx, text, v) })
}

// speak synthesises text with v as telephone audio: its phone numbers,
// times and dates said in v's language (Normalize), at Rate, at the
// telephone level, after a short pause (ForPhone).
func (c *Cache) speak(ctx context.Context, text string, v Voice) (*Audio, error) {
	a, err := c.Engine.Synthesize(ctx, Normalize(text, v.Language), v)
	if err != nil {
		return nil, err
	}
	return ForPhone(a), nil
}

// file returns the path of the file named key (+ ".wav"), made by produce
// unless it exists. Concurrent requests for one key share one produce.
func (c *Cache) file(ctx context.Context, key string, produce func(context.Context) (*Audio, error)) (string, error) {
	path := filepath.Join(c.Dir, key+".wav")
	if c.hit(path) {
		return path, nil
	}
	c.mu.Lock()
	if c.flights == nil {
		c.flights = map[string]*flight{}
	}
	f, ok := c.flights[key]
	if !ok {
		if c.hit(path) { // finished between the check and the lock
			c.mu.Unlock()
			return path, nil
		}
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), cancel: cancel}
		c.flights[key] = f
		go c.fill(fctx, f, key, path, produce)
	}
	f.waiters++
	c.mu.Unlock()
	select {
	case <-f.done:
		if f.err != nil {
			return "", f.err
		}
		return path, nil
	case <-ctx.Done():
		c.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.cancel()
			if c.flights[key] == f {
				delete(c.flights, key)
			}
		}
		c.mu.Unlock()
		return "", errorf(ReasonCanceled, c.Engine.Name(), ctx.Err(), "gave up waiting for speech")
	}
}

// hit reports whether a complete file is at path, and marks it used.
func (c *Cache) hit(path string) bool {
	fi, err := os.Stat(path)
	if err != nil || fi.Size() < 46 || !fi.Mode().IsRegular() {
		return false
	}
	if now := time.Now(); now.Sub(fi.ModTime()) > time.Minute {
		_ = os.Chtimes(path, now, now) // recency for eviction; a failure only makes eviction earlier
	}
	return true
}

// fill makes one key's audio and writes its file.
func (c *Cache) fill(ctx context.Context, f *flight, key, path string, produce func(context.Context) (*Audio, error)) {
	defer func() {
		f.cancel()
		c.mu.Lock()
		if c.flights[key] == f {
			delete(c.flights, key)
		}
		c.mu.Unlock()
		close(f.done)
	}()
	a, err := produce(ctx)
	if err != nil {
		f.err = err
		return
	}
	if f.err = c.write(path, a); f.err == nil {
		c.pruneMu.Lock()
		due := time.Since(c.lastPrune) > pruneEvery
		c.pruneMu.Unlock()
		if due {
			_ = c.Prune() // best effort; File's result does not depend on it
		}
	}
}

// write stores a as a WAV at path atomically.
func (c *Cache) write(path string, a *Audio) error {
	tmp, err := os.CreateTemp(c.Dir, ".tmp-*.wav")
	if err != nil {
		return errorf(ReasonCache, "", err, "cannot write to the speech cache %s; check its permissions and free space", c.Dir)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	w := bufio.NewWriter(tmp)
	err = a.WriteWAV(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return errorf(ReasonCache, "", err, "cannot write to the speech cache %s; check its permissions and free space", c.Dir)
	}
	return nil
}

// Prune removes cached files unused for MaxAge, then the least recently
// used until the directory holds at most MaxBytes, and temporary files
// left by a crash. Files used in the last 10 minutes are kept.
func (c *Cache) Prune() error {
	c.pruneMu.Lock()
	defer c.pruneMu.Unlock()
	c.lastPrune = time.Now()
	maxBytes, maxAge := c.MaxBytes, c.MaxAge
	if maxBytes <= 0 {
		maxBytes = DefaultCacheBytes
	}
	if maxAge <= 0 {
		maxAge = DefaultCacheAge
	}
	entries, err := os.ReadDir(c.Dir)
	if err != nil {
		return errorf(ReasonCache, "", err, "cannot read the speech cache %s", c.Dir)
	}
	type file struct {
		path string
		size int64
		used time.Time
	}
	var files []file
	var total int64
	now := time.Now()
	var errs []error
	remove := func(p string) {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	for _, e := range entries {
		name := e.Name()
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		p := filepath.Join(c.Dir, name)
		age := now.Sub(info.ModTime())
		switch {
		case strings.HasPrefix(name, ".tmp-"):
			if age > time.Hour {
				remove(p)
			}
			continue
		case !isKeyFile(name):
			continue
		case age > maxAge && age > cacheGrace:
			remove(p)
			continue
		}
		files = append(files, file{p, info.Size(), info.ModTime()})
		total += info.Size()
	}
	sort.Slice(files, func(i, j int) bool { return files[i].used.Before(files[j].used) })
	for _, f := range files {
		if total <= maxBytes {
			break
		}
		if now.Sub(f.used) <= cacheGrace {
			break // the rest is newer still
		}
		remove(f.path)
		total -= f.size
	}
	if len(errs) > 0 {
		return errorf(ReasonCache, "", errors.Join(errs...), "cannot prune the speech cache %s", c.Dir)
	}
	return nil
}

// isKeyFile reports whether name is a cache file: 64 hex digits, for an
// announcement followed by '-' and 16 more, + ".wav".
func isKeyFile(name string) bool {
	return keyFile.MatchString(name)
}

var keyFile = regexp.MustCompile(`^[0-9a-f]{64}(-[0-9a-f]{16})?\.wav$`)

// Remove deletes the cached files of the keys (from Key, or from
// AnnouncementKey: every announcement of the text) and returns how many
// it deleted; a key without a
// file is no error. Files of other keys are kept: the cache is shared.
func (c *Cache) Remove(keys []string) (int, error) {
	n := 0
	var errs []error
	for _, k := range keys {
		if !isKeyFile(k + ".wav") {
			errs = append(errs, errorf(ReasonCache, "", nil, "%q is not a speech cache key", k))
			continue
		}
		// An announcement's files: <key>-<variant>.wav (see Announce).
		variants, _ := filepath.Glob(filepath.Join(c.Dir, k+"-*.wav"))
		for _, p := range append(variants, filepath.Join(c.Dir, k+".wav")) {
			err := os.Remove(p)
			switch {
			case err == nil:
				n++
			case !errors.Is(err, os.ErrNotExist):
				errs = append(errs, err)
			}
		}
	}
	if len(errs) > 0 {
		return n, errorf(ReasonCache, "", errors.Join(errs...), "cannot remove from the speech cache %s", c.Dir)
	}
	return n, nil
}

// BeepFile returns the path of the Beep as a WAV in the cache directory,
// writing it if needed.
func (c *Cache) BeepFile() (string, error) {
	path := filepath.Join(c.Dir, "beep.wav")
	if fi, err := os.Stat(path); err == nil && fi.Size() == int64(44+2*len(Beep().Samples)) {
		return path, nil
	}
	return path, c.write(path, Beep())
}
