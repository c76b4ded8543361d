package https

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Files is a certificate chain and its key in PEM files, read again at the
// first handshake after either file changed (a certbot renewal, a deploy
// hook's copy, a symlink moved): no restart is needed. A pair that does
// not load (a renewal half written) is logged and the previous one kept
// until the files change again.
type Files struct {
	certFile, keyFile string
	logger            *slog.Logger

	mu       sync.Mutex
	cert     *tls.Certificate
	certStat os.FileInfo
	keyStat  os.FileInfo
	failed   bool // the files as they are now did not load
}

// LoadFiles reads the certificate and key once; an error says which file
// and why. logger takes the reload messages (nil: none).
func LoadFiles(certFile, keyFile string, logger *slog.Logger) (*Files, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	f := &Files{certFile: certFile, keyFile: keyFile, logger: logger}
	cs, ks, err := f.stat()
	if err != nil {
		return nil, err
	}
	if err := f.load(cs, ks); err != nil {
		return nil, err
	}
	return f, nil
}

// GetCertificate is tls.Config's GetCertificate: the current pair, read
// again first when the files changed.
func (f *Files) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cs, ks, err := f.stat()
	if err == nil && (changed(f.certStat, cs) || changed(f.keyStat, ks)) {
		if err = f.load(cs, ks); err == nil {
			f.logger.Info("TLS certificate reloaded", slog.String("cert_file", f.certFile),
				slog.String("not_after", f.cert.Leaf.NotAfter.UTC().Format(time.RFC3339)))
		}
	}
	if err != nil && !f.failed {
		f.failed = true
		f.logger.Warn("TLS certificate files do not load; the previous certificate is kept", slog.Any("err", err))
	}
	return f.cert, nil
}

// stat returns what the files are now.
func (f *Files) stat() (cert, key os.FileInfo, err error) {
	if cert, err = os.Stat(f.certFile); err != nil {
		return nil, nil, fmt.Errorf("the certificate (tls.cert_file): %w", err)
	}
	if key, err = os.Stat(f.keyFile); err != nil {
		return nil, nil, fmt.Errorf("the private key (tls.key_file): %w", err)
	}
	return cert, key, nil
}

// load reads the pair; cs and ks are the files' states it was read at.
// Called with mu held (or before f is shared).
func (f *Files) load(cs, ks os.FileInfo) error {
	// The states are taken first: a file changing while it is read is
	// read again at the next handshake.
	f.certStat, f.keyStat = cs, ks
	pair, err := tls.LoadX509KeyPair(f.certFile, f.keyFile)
	if err != nil {
		return fmt.Errorf("loading %s with %s (tls.cert_file, tls.key_file): %w", f.certFile, f.keyFile, err)
	}
	f.cert, f.failed = &pair, false
	return nil
}

// changed reports whether a file is no longer the one seen before: another
// file (a moved symlink, a rename), another size or another time.
func changed(before, now os.FileInfo) bool {
	return !os.SameFile(before, now) || before.Size() != now.Size() || !before.ModTime().Equal(now.ModTime())
}
