package bitrix24

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// ID is an integer that Bitrix24 sends sometimes as a JSON number and
// sometimes as a string ("797"). Empty values (null, "", false, [], {})
// decode as 0. It encodes as a number.
type ID int64

// UnmarshalJSON accepts 797, "797", 797.0, null, "", false, [] and {}.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	s := string(b)
	switch s {
	case "null", `""`, "false", "[]", "{}":
		*id = 0
		return nil
	case "true":
		*id = 1
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			*id = 0
			return nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*id = ID(n)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int64(f)) {
		return fmt.Errorf("bitrix24: %s is not an integer id", b)
	}
	*id = ID(int64(f))
	return nil
}

// String returns the decimal form.
func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }
