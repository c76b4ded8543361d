package bitrix24test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// SourceClient is an HTTP client whose connections come from the
// loopback address src (any of 127.0.0.0/8), as from another machine:
// the service limits installations per source address. Close its idle
// connections when done.
func SourceClient(src string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}, Timeout: time.Minute}
}

// InstallFlood is a stranger flooding the installation handler at
// installURL through c: junk installations, each naming another
// member_id and carrying a refresh token the OAuth server refuses, posted
// one after another until the service has refused limit of them as
// overloaded (503), or most have been posted. It returns how many were
// refused so; an answer other than 401 (the junk seen through) or 503 is
// an error naming the installation, its status and body.
func (p *Portal) InstallFlood(ctx context.Context, c *http.Client, installURL string, most, limit int) (int, error) {
	limited := 0
	for i := 0; i < most && limited < limit; i++ {
		env := p.InstallEnvelope()
		env.Auth.RefreshToken = "not-a-refresh-token"
		env.Auth.MemberID = fmt.Sprintf("junk%028d", i)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, installURL, strings.NewReader(env.Encode()))
		if err != nil {
			return limited, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := c.Do(req)
		if err != nil {
			return limited, err
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return limited, err
		}
		switch res.StatusCode {
		case http.StatusUnauthorized:
		case http.StatusServiceUnavailable:
			limited++
		default:
			return limited, fmt.Errorf("junk installation %d: %d %s", i, res.StatusCode, body)
		}
	}
	return limited, nil
}
