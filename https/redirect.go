package https

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Redirect answers every request with a redirect to the same path and
// query over https: at base's scheme and host when base is an https URL
// (the public address), else at the host the request named, on httpsPort
// unless it is 443. GET and HEAD get 301; other methods 308, which keeps
// the method and body. Nothing else is served.
func Redirect(base *url.URL, httpsPort string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := ""
		if base != nil && base.Scheme == "https" && base.Host != "" {
			host = base.Host
		} else if h := requestHost(r.Host); h != "" {
			switch {
			case httpsPort != "" && httpsPort != "443":
				host = net.JoinHostPort(h, httpsPort)
			case strings.Contains(h, ":"):
				host = "[" + h + "]"
			default:
				host = h
			}
		}
		if host == "" {
			http.Error(w, "use https", http.StatusBadRequest)
			return
		}
		target := (&url.URL{Scheme: "https", Host: host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}).String()
		code := http.StatusPermanentRedirect
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			code = http.StatusMovedPermanently
		}
		http.Redirect(w, r, target, code)
	})
}

// requestHost is the host of a Host header without its port, "" when it
// is not an IP address or a name of letters, digits, hyphens and dots.
func requestHost(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	if ip := net.ParseIP(h); ip != nil {
		return ip.String()
	}
	if h == "" || strings.IndexFunc(h, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.')
	}) >= 0 {
		return ""
	}
	return h
}
