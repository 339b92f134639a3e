package emulator

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// fields is a decoded JSON object. Its getters coerce scalars the way
// Jackson does by default ("15" for a number, 15 for a string, "true" for
// a boolean) and treat null as absent.
type fields map[string]any

func decodeObject(body []byte, what string) (fields, *APIError) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, apiErr(http.StatusBadRequest, "INVALID_BODY", what, "Required request body is missing")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, apiErr(http.StatusBadRequest, "MALFORMED_JSON", what, "JSON parse error: "+err.Error())
	}
	if dec.More() {
		return nil, apiErr(http.StatusBadRequest, "MALFORMED_JSON", what, "JSON parse error: trailing data after the object")
	}
	if m == nil {
		return nil, apiErr(http.StatusBadRequest, "MALFORMED_JSON", what, "JSON parse error: expected an object")
	}
	return fields(m), nil
}

func (f fields) str(name string) (string, bool, *APIError) {
	switch v := f[name].(type) {
	case nil:
		return "", false, nil
	case string:
		return v, true, nil
	case json.Number:
		return v.String(), true, nil
	case bool:
		return strconv.FormatBool(v), true, nil
	}
	return "", false, fieldErr(name, "must be a string")
}

func (f fields) integer(name string) (int64, bool, *APIError) {
	var s string
	switch v := f[name].(type) {
	case nil:
		return 0, false, nil
	case json.Number:
		s = v.String()
	case string:
		s = strings.TrimSpace(v)
	default:
		return 0, false, fieldErr(name, "must be an integer")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		fl, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || fl != math.Trunc(fl) || math.Abs(fl) > math.MaxInt64/2 {
			return 0, false, fieldErr(name, "must be an integer")
		}
		n = int64(fl)
	}
	return n, true, nil
}

func (f fields) boolean(name string) (bool, bool, *APIError) {
	switch v := f[name].(type) {
	case nil:
		return false, false, nil
	case bool:
		return v, true, nil
	case string:
		switch strings.ToLower(v) {
		case "true":
			return true, true, nil
		case "false":
			return false, true, nil
		}
	}
	return false, false, fieldErr(name, "must be a boolean")
}

// requiredStr reads a string that must be given and not empty.
func (f fields) requiredStr(name string) (string, *APIError) {
	v, ok, e := f.str(name)
	if e != nil {
		return "", e
	}
	if !ok || v == "" {
		return "", fieldErr(name, "is required")
	}
	return v, nil
}

// requiredInt reads an integer that must be given.
func (f fields) requiredInt(name string) (int64, *APIError) {
	v, ok, e := f.integer(name)
	if e != nil {
		return 0, e
	}
	if !ok {
		return 0, fieldErr(name, "is required")
	}
	return v, nil
}

func (f fields) object(name string) (fields, bool, *APIError) {
	switch v := f[name].(type) {
	case nil:
		return nil, false, nil
	case map[string]any:
		return fields(v), true, nil
	}
	return nil, false, fieldErr(name, "must be an object")
}
