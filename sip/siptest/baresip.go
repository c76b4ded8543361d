package siptest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BaresipOptions configures a baresip test phone.
type BaresipOptions struct {
	// User is the account's user part; INVITEs must be addressed to it
	// (baresip answers 404 otherwise). Default "101".
	User string
	// ToneHz is the sine the phone sends (its microphone); default 440.
	ToneHz float64
	// Source is an 8 kHz mono 16-bit WAV to send instead of the tone. It
	// must be longer than the call.
	Source string
	// Seconds is the length of the generated tone; default 120.
	Seconds float64
	// Registrar, when set (host:port), makes the phone register there as
	// User with Password (digest), instead of taking calls sent straight
	// to its own address.
	Registrar string
	// Password is the digest password at Registrar.
	Password string
}

// Baresip is a running baresip phone on 127.0.0.1 that answers every call
// at once and records what it hears (sndfile module).
type Baresip struct {
	User string
	Port int
	dir  string
	cmd  *exec.Cmd
	log  *lockedBuffer
	done chan struct{}
}

// StartBaresip writes a baresip configuration into a temporary directory
// and starts `baresip -f DIR`, waiting for "baresip is ready.". It skips
// the test when baresip is not installed and stops the phone when the test
// ends. Ports are chosen free by the OS (SIP on p, TLS on p+1).
func StartBaresip(t testing.TB, o BaresipOptions) *Baresip {
	t.Helper()
	if _, err := exec.LookPath("baresip"); err != nil {
		t.Skip("baresip not found: install the Debian package baresip-core")
	}
	b, err := LaunchBaresip(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		b.Stop()
		if t.Failed() {
			t.Logf("baresip %s log:\n%s", o.User, b.Log())
		}
	})
	return b
}

// ErrNoBaresip says that the baresip program is not installed (Debian
// package baresip-core).
var ErrNoBaresip = errors.New("baresip not found: install the Debian package baresip-core")

// LaunchBaresip is StartBaresip outside a test (the demo uses it): it
// writes the configuration into dir, starts baresip and waits until it is
// ready. The caller stops it with Stop.
func LaunchBaresip(dir string, o BaresipOptions) (*Baresip, error) {
	bin, err := exec.LookPath("baresip")
	if err != nil {
		return nil, ErrNoBaresip
	}
	if o.User == "" {
		o.User = "101"
	}
	if o.ToneHz == 0 {
		o.ToneHz = 440
	}
	if o.Seconds == 0 {
		o.Seconds = 120
	}
	src := o.Source
	if src == "" {
		src = filepath.Join(dir, "source.wav")
		if err := WriteTone(src, o.ToneHz, 8000, o.Seconds); err != nil {
			return nil, err
		}
	}
	port, err := FreePortPair()
	if err != nil {
		return nil, err
	}
	rtp, err := FreeUDPPort()
	if err != nil {
		return nil, err
	}
	rtp = min(rtp, 65535-100)
	rec := filepath.Join(dir, "rec")
	if err := os.Mkdir(rec, 0o755); err != nil {
		return nil, err
	}
	name := "nil" + strconv.Itoa(port)
	cfg := strings.Join([]string{
		"poll_method epoll",
		fmt.Sprintf("sip_listen 127.0.0.1:%d", port),
		"net_interface 127.0.0.1",
		"dns_server 127.0.0.1:53",
		"audio_player aubridge," + name,
		"audio_alert aubridge," + name,
		"audio_source aufile," + src,
		"ausrc_srate 8000", "auplay_srate 8000", "ausrc_channels 1", "auplay_channels 1",
		fmt.Sprintf("rtp_ports %d-%d", rtp, rtp+99),
		"module_path /usr/lib/baresip/modules",
		"module g711.so", "module aufile.so", "module aubridge.so", "module sndfile.so",
		"module_tmp account.so",
		"snd_path " + rec,
		"statmode_default off",
		"",
	}, "\n")
	acc := fmt.Sprintf("<sip:%s@127.0.0.1:%d>;regint=0;answermode=auto;audio_codecs=pcmu,pcma\n", o.User, port)
	if o.Registrar != "" {
		acc = fmt.Sprintf("<sip:%s@%s>;auth_pass=%s;regint=600;answermode=auto;audio_codecs=pcmu,pcma\n", o.User, o.Registrar, o.Password)
	}
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "accounts"), []byte(acc), 0o600); err != nil {
		return nil, err
	}
	b := &Baresip{User: o.User, Port: port, dir: dir, log: &lockedBuffer{}, done: make(chan struct{})}
	b.cmd = exec.Command(bin, "-f", dir)
	b.cmd.Dir = dir
	b.cmd.Stdin = nil
	pr, pw := io.Pipe()
	b.cmd.Stdout, b.cmd.Stderr = pw, pw
	if err := b.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start baresip: %w", err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		once := sync.Once{}
		for sc.Scan() {
			b.log.WriteLine(sc.Text())
			if strings.Contains(sc.Text(), "baresip is ready.") {
				once.Do(func() { close(ready) })
			}
		}
		_, _ = io.Copy(io.Discard, pr) // a line too long for the scanner must not block baresip
	}()
	go func() {
		_ = b.cmd.Wait()
		pw.Close()
		close(b.done)
	}()
	select {
	case <-ready:
		return b, nil
	case <-b.done:
		return nil, fmt.Errorf("baresip exited before it was ready:\n%s", b.Log())
	case <-time.After(time.Minute): // only against a hang: a busy machine starts it slowly
		b.Stop()
		return nil, fmt.Errorf("baresip not ready after a minute:\n%s", b.Log())
	}
}

// URI is the address to call this phone at.
func (b *Baresip) URI() string { return fmt.Sprintf("sip:%s@127.0.0.1:%d", b.User, b.Port) }

// HostPort is 127.0.0.1:port.
func (b *Baresip) HostPort() string { return fmt.Sprintf("127.0.0.1:%d", b.Port) }

// Stop sends SIGTERM (baresip sends BYE for a call in progress) and waits
// for it to exit, killing it after 5 s.
func (b *Baresip) Stop() {
	select {
	case <-b.done:
		return
	default:
	}
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.done:
	case <-time.After(5 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.done
	}
}

// Recording returns the newest "-dec.wav" the phone wrote: the audio it
// received. It waits up to the context's deadline for the file to appear.
func (b *Baresip) Recording(ctx context.Context) (string, error) {
	for {
		m, _ := filepath.Glob(filepath.Join(b.dir, "rec", "dump-*-dec.wav"))
		if len(m) > 0 {
			newest := m[len(m)-1]
			return newest, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("baresip %s wrote no recording: %w", b.User, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Log returns what baresip printed.
func (b *Baresip) Log() string { return b.log.String() }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// WriteLine appends a line.
func (l *lockedBuffer) WriteLine(s string) {
	l.mu.Lock()
	l.b.WriteString(s)
	l.b.WriteByte('\n')
	l.mu.Unlock()
}

// String returns everything written.
func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
