package web_test

import (
	"net/http"
	"net/http/httptest"
)

// newRecorder serves one request to h and returns the recording.
func newRecorder(h http.Handler, method, path, authorization string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
