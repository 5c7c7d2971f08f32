package chat

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// DigestSettings configure the weekly digest of a school.
type DigestSettings struct {
	// SendAt is when leaders get last week's digest: a weekday and a time
	// of day in the school's zone, "Mon 07:30" by default.
	SendAt string `json:"send_at,omitempty"`
	// TemplateID is the WeChat template of the digest message; empty: a
	// customer-service message inside the 48-hour window.
	TemplateID string `json:"template_id,omitempty"`
	// LinkDays is how long a digest link stays valid (default 14).
	LinkDays int `json:"link_days,omitempty"`
}

// defaultDigestSettings are the built-in digest settings.
func defaultDigestSettings() DigestSettings {
	return DigestSettings{SendAt: "Mon 07:30", LinkDays: 14}
}

// parseDigestSettings reads in over s.Digest and checks it.
func parseDigestSettings(s *Settings, in DigestSettings) error {
	if in.SendAt != "" {
		if _, err := sendOffset(in.SendAt); err != nil {
			return err
		}
		s.Digest.SendAt = in.SendAt
	}
	if in.LinkDays < 0 || in.LinkDays > 366 {
		return errors.New(textSettingsDigestLinkDays)
	}
	if in.LinkDays > 0 {
		s.Digest.LinkDays = in.LinkDays
	}
	s.Digest.TemplateID = strings.TrimSpace(in.TemplateID)
	return nil
}

var digestWeekdays = map[string]int{"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
	"周一": 0, "周二": 1, "周三": 2, "周四": 3, "周五": 4, "周六": 5, "周日": 6}

// sendOffset reads "Mon 07:30" as the time after the week's start.
func sendOffset(s string) (time.Duration, error) {
	day, clock, ok := strings.Cut(strings.TrimSpace(s), " ")
	d, known := digestWeekdays[strings.ToLower(day)]
	t, err := time.Parse("15:04", strings.TrimSpace(clock))
	if !ok || !known || err != nil {
		return 0, fmt.Errorf(textSettingsDigestSendAt, s)
	}
	return time.Duration(d)*24*time.Hour + time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}
