package web

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/callbackline/callbackline"
)

// codes maps domain error codes to HTTP statuses. It is the one place where
// that mapping lives.
var codes = map[string]int{
	callbackline.EINVALID:      http.StatusBadRequest,
	callbackline.EUNAUTHORIZED: http.StatusUnauthorized,
	callbackline.EFORBIDDEN:    http.StatusForbidden,
	callbackline.ENOTFOUND:     http.StatusNotFound,
	callbackline.EMETHOD:       http.StatusMethodNotAllowed,
	callbackline.ECONFLICT:     http.StatusConflict,
	callbackline.EREINSTALL:    http.StatusConflict,
	callbackline.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	callbackline.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	callbackline.EUNAVAILABLE:  http.StatusServiceUnavailable,
	callbackline.EINTERNAL:     http.StatusInternalServerError,
}

// StatusOf returns the HTTP status for an error's domain code.
func StatusOf(err error) int {
	if s, ok := codes[callbackline.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// writeError answers with the status and JSON body for err. Internal errors
// are logged with their cause; callers only see a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := callbackline.ErrorCode(err)
	status := StatusOf(err)
	if status >= 500 {
		s.logger.ErrorContext(r.Context(), "request failed", slog.String("path", r.URL.Path), slog.String("code", code), slog.Any("err", err))
	}
	writeJSON(w, status, errorBody{Error: code, Message: callbackline.ErrorMessage(err)})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// allow answers 405 unless the request's method is one of methods.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	for _, m := range methods {
		w.Header().Add("Allow", m)
	}
	s.writeError(w, r, callbackline.Errorf(callbackline.EMETHOD, "method %s is not allowed here; use %v", r.Method, methods))
	return false
}
