package itcare

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// timeLayouts are tried in order. Go's parser accepts an optional fraction
// after the seconds when the layout has none, so each layout covers both.
var timeLayouts = []string{
	time.RFC3339,                // 2022-11-02T09:32:02.000+00:00, 2025-07-06T11:01:21.263Z
	"2006-01-02T15:04:05Z0700",  // 2016-06-01T12:27:19.000+0200
	"2006-01-02T15:04:05Z07",    // 2016-06-01T12:27:19+02
	"2006-01-02T15:04:05",       // no zone: taken as UTC
	"2006-01-02 15:04:05Z07:00", // a space for the T, as some Java formatters write
	"2006-01-02",
}

// ParseTime parses a date-time in any form the API is known to send. A value
// without a zone is taken as UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("itcare: cannot parse date-time %q", s)
}

// UnmarshalJSON accepts a date-time string; null and "" give the zero Time.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*t = Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("itcare: date-time must be a string: %w", err)
	}
	if strings.TrimSpace(s) == "" {
		*t = Time{}
		return nil
	}
	parsed, err := ParseTime(s)
	if err != nil {
		return err
	}
	t.Time = parsed
	return nil
}

// MarshalJSON writes RFC 3339 with milliseconds, the form of the API's
// samples; the zero Time is null.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.Format("2006-01-02T15:04:05.000Z07:00"))
}
