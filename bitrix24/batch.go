package bitrix24

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/callbackline/callbackline"
)

// MaxBatch is the most commands one batch request may carry (docs/bitrix24.md §4.4).
const MaxBatch = 50

// BatchCmd is one command of a batch: a method and its parameters, under
// a key that names its result. Params must encode as a JSON object; they
// are sent as PHP's http_build_query would write them. A parameter value
// may refer to an earlier result of the same request as
// "$result[key][field]".
type BatchCmd struct {
	Key    string // "" means c<index>
	Method string
	Params any
}

// BatchResult holds the results and errors of every command by key.
type BatchResult struct {
	Results map[string]json.RawMessage
	Errors  map[string]*APIError
	Total   map[string]int
	Next    map[string]int
}

// Decode decodes the result of one command into out; the command's error
// if it failed.
func (r *BatchResult) Decode(key string, out any) error {
	if e := r.Errors[key]; e != nil {
		return e
	}
	raw, ok := r.Results[key]
	if !ok {
		return fmt.Errorf("bitrix24 batch: no result for %q", key)
	}
	return decodeResult("batch", raw, out)
}

// Batch runs the commands, at most MaxBatch per request; longer lists are
// split into several requests, sent in order. With halt, a request stops at
// its first failing command and no further request is sent. A command's
// failure is in BatchResult.Errors; the returned error is for the requests
// themselves. A batch is replayed after a network error only when every
// command in it is replay-safe.
func (c *Client) Batch(ctx context.Context, p *callbackline.Portal, cmds []BatchCmd, halt bool) (*BatchResult, error) {
	res := &BatchResult{Results: map[string]json.RawMessage{}, Errors: map[string]*APIError{},
		Total: map[string]int{}, Next: map[string]int{}}
	seen := map[string]bool{}
	type enc struct{ key, method, cmd string }
	all := make([]enc, 0, len(cmds))
	for i, cmd := range cmds {
		key := cmd.Key
		if key == "" {
			key = "c" + strconv.Itoa(i)
		}
		if seen[key] {
			return nil, fmt.Errorf("bitrix24 batch: key %q used twice", key)
		}
		seen[key] = true
		if strings.EqualFold(cmd.Method, "batch") {
			return nil, fmt.Errorf("bitrix24 batch: a batch cannot contain a batch")
		}
		q, err := phpQuery(cmd.Params)
		if err != nil {
			return nil, fmt.Errorf("bitrix24 batch %s: %w", key, err)
		}
		s := cmd.Method
		if q != "" {
			s += "?" + q
		}
		all = append(all, enc{key, cmd.Method, s})
	}
	for start := 0; start < len(all); start += MaxBatch {
		chunk := all[start:min(start+MaxBatch, len(all))]
		cmdMap := make(map[string]string, len(chunk))
		safe := true
		for _, e := range chunk {
			cmdMap[e.key] = e.cmd
			safe = safe && IsReplaySafe(e.method)
		}
		h := 0
		if halt {
			h = 1
		}
		var raw struct {
			Result      json.RawMessage `json:"result"`
			ResultError json.RawMessage `json:"result_error"`
			ResultTotal json.RawMessage `json:"result_total"`
			ResultNext  json.RawMessage `json:"result_next"`
		}
		if err := c.Call(ctx, p, "batch", map[string]any{"halt": h, "cmd": cmdMap}, &raw, ReplaySafe(safe)); err != nil {
			return res, err
		}
		var results map[string]json.RawMessage
		var errs map[string]struct {
			Error string `json:"error"`
			Desc  string `json:"error_description"`
		}
		var totals, nexts map[string]ID
		if err := phpMap(raw.Result, &results); err != nil {
			return res, fmt.Errorf("bitrix24 batch: result: %w", err)
		}
		if err := phpMap(raw.ResultError, &errs); err != nil {
			return res, fmt.Errorf("bitrix24 batch: result_error: %w", err)
		}
		_ = phpMap(raw.ResultTotal, &totals)
		_ = phpMap(raw.ResultNext, &nexts)
		method := map[string]string{}
		for _, e := range chunk {
			method[e.key] = e.method
		}
		for k, v := range results {
			res.Results[k] = v
		}
		for k, v := range errs {
			res.Errors[k] = &APIError{Method: method[k], Code: v.Error, Description: v.Desc}
		}
		for k, v := range totals {
			res.Total[k] = int(v)
		}
		for k, v := range nexts {
			res.Next[k] = int(v)
		}
		if halt && len(errs) > 0 {
			break
		}
	}
	return res, nil
}

// phpMap decodes a JSON object, or PHP's empty array [] as an empty map.
func phpMap[T any](raw json.RawMessage, out *map[string]T) error {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '{' {
		if len(t) > 0 && t[0] == '[' {
			// A list: keys are the indexes.
			var list []T
			if err := json.Unmarshal(t, &list); err != nil {
				return err
			}
			m := make(map[string]T, len(list))
			for i, v := range list {
				m[strconv.Itoa(i)] = v
			}
			*out = m
			return nil
		}
		*out = map[string]T{}
		return nil
	}
	return json.Unmarshal(t, out)
}

// phpQuery encodes parameters as PHP's http_build_query: nested keys in
// brackets, true/false as 1/0, nulls left out.
func phpQuery(params any) (string, error) {
	if params == nil {
		return "", nil
	}
	b, err := json.Marshal(params)
	if err != nil {
		return "", err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "", err
	}
	m, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			return "", nil
		}
		return "", fmt.Errorf("parameters must encode as a JSON object")
	}
	var parts []string
	phpFlatten(&parts, "", m)
	return strings.Join(parts, "&"), nil
}

func phpFlatten(parts *[]string, prefix string, v any) {
	key := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "[" + k + "]"
	}
	switch x := v.(type) {
	case nil:
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			phpFlatten(parts, key(k), x[k])
		}
	case []any:
		for i, e := range x {
			phpFlatten(parts, key(strconv.Itoa(i)), e)
		}
	case bool:
		s := "0"
		if x {
			s = "1"
		}
		*parts = append(*parts, url.QueryEscape(prefix)+"="+s)
	case json.Number:
		*parts = append(*parts, url.QueryEscape(prefix)+"="+url.QueryEscape(x.String()))
	case string:
		*parts = append(*parts, url.QueryEscape(prefix)+"="+url.QueryEscape(x))
	}
}

// List walks a list method page by page (docs/bitrix24.md §4.3): params gets start
// = 0, 50, … while the answer names a next page. page is called with each
// page's result; an error from it stops the walk.
func (c *Client) List(ctx context.Context, p *callbackline.Portal, method string, params map[string]any, page func(result json.RawMessage) error) error {
	q := make(map[string]any, len(params)+1)
	for k, v := range params {
		q[k] = v
	}
	start := 0
	for {
		q["start"] = start
		resp, err := c.Do(ctx, p, method, q)
		if err != nil {
			return err
		}
		if err := page(resp.Result); err != nil {
			return err
		}
		if resp.Next == nil || *resp.Next <= start {
			return nil
		}
		start = *resp.Next
	}
}

// ListAll collects every row of a list method whose result is an array.
func ListAll[T any](ctx context.Context, c *Client, p *callbackline.Portal, method string, params map[string]any) ([]T, error) {
	var all []T
	err := c.List(ctx, p, method, params, func(raw json.RawMessage) error {
		var rows []T
		if err := decodeResult(method, raw, &rows); err != nil {
			return err
		}
		all = append(all, rows...)
		return nil
	})
	return all, err
}
