package bitrix24

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// IsAdmin asks the portal whether the owner of a fresh access token is one
// of its administrators (user.admin, scope basic). endpoint is the REST
// base URL the OAuth server answered with, never one from a request; it is
// reached only where AllowNetworks allows (see EndpointError), with the
// timeout of o.HTTP. Installation uses it: every user who opens the
// application gets tokens in the frame, and only an administrator may
// install it. A nil OAuth allows no network.
func (o *OAuth) IsAdmin(ctx context.Context, endpoint, accessToken string) (bool, error) {
	if err := checkEndpoint(endpoint); err != nil {
		return false, &EndpointError{Endpoint: endpoint, Reason: err.Error()}
	}
	tr := o.rule().transport()
	defer tr.(schemeTransport).CloseIdleConnections()
	c := &http.Client{Timeout: DefaultOAuthTimeout, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if o != nil && o.HTTP != nil && o.HTTP.Timeout > 0 {
		c.Timeout = o.HTTP.Timeout
	}
	body, _ := json.Marshal(map[string]string{"auth": accessToken})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(endpoint, "/")+"/user.admin.json", bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("bitrix24 user.admin: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := c.Do(req)
	if err != nil {
		var ee *EndpointError
		if errors.As(err, &ee) {
			return false, ee
		}
		return false, fmt.Errorf("bitrix24 user.admin: the portal could not be reached")
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return false, fmt.Errorf("bitrix24 user.admin: %w", err)
	}
	var env struct {
		Result *bool  `json:"result"`
		Error  string `json:"error"`
		Desc   string `json:"error_description"`
	}
	if err := json.Unmarshal(data, &env); err != nil || (env.Result == nil && env.Error == "") {
		return false, fmt.Errorf("bitrix24 user.admin: unexpected answer (HTTP %d)", res.StatusCode)
	}
	if env.Error != "" {
		return false, &APIError{Method: "user.admin", Code: env.Error, Description: env.Desc, HTTPStatus: res.StatusCode}
	}
	return *env.Result, nil
}
