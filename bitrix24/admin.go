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
	var admin *bool
	if err := o.tokenCall(ctx, endpoint, accessToken, "user.admin", &admin); err != nil {
		return false, err
	}
	if admin == nil {
		return false, fmt.Errorf("bitrix24 user.admin: unexpected answer (no result)")
	}
	return *admin, nil
}

// CurrentUser asks the portal who owns an access token (user.current,
// scope user_brief or more): the application page learns so who changes
// a portal's settings from the AUTH_ID of its frame. endpoint is as for
// IsAdmin. A result without an ID is an error.
func (o *OAuth) CurrentUser(ctx context.Context, endpoint, accessToken string) (*User, error) {
	var u *User
	if err := o.tokenCall(ctx, endpoint, accessToken, "user.current", &u); err != nil {
		return nil, err
	}
	if u == nil || u.ID <= 0 {
		return nil, fmt.Errorf("bitrix24 user.current: unexpected answer (no user id)")
	}
	return u, nil
}

// tokenCall calls a method without parameters with a user's access token
// (not a portal's stored one) and decodes its result into out; the
// portal's error is an *APIError.
func (o *OAuth) tokenCall(ctx context.Context, endpoint, accessToken, method string, out any) error {
	if err := checkEndpoint(endpoint); err != nil {
		return &EndpointError{Endpoint: endpoint, Reason: err.Error()}
	}
	tr := o.rule().transport()
	defer tr.(schemeTransport).CloseIdleConnections()
	c := &http.Client{Timeout: DefaultOAuthTimeout, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if o != nil && o.HTTP != nil && o.HTTP.Timeout > 0 {
		c.Timeout = o.HTTP.Timeout
	}
	body, _ := json.Marshal(map[string]string{"auth": accessToken})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(endpoint, "/")+"/"+method+".json", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("bitrix24 %s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := c.Do(req)
	if err != nil {
		var ee *EndpointError
		if errors.As(err, &ee) {
			return ee
		}
		return fmt.Errorf("bitrix24 %s: the portal could not be reached", method)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("bitrix24 %s: %w", method, err)
	}
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  string          `json:"error"`
		Desc   string          `json:"error_description"`
	}
	if err := json.Unmarshal(data, &env); err != nil || (len(env.Result) == 0 && env.Error == "") {
		return fmt.Errorf("bitrix24 %s: unexpected answer (HTTP %d)", method, res.StatusCode)
	}
	if env.Error != "" {
		return &APIError{Method: method, Code: env.Error, Description: env.Desc, HTTPStatus: res.StatusCode}
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		return fmt.Errorf("bitrix24 %s: unexpected answer (%v)", method, err)
	}
	return nil
}
