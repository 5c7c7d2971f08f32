package bot

import "time"

// Category is what an opinion is about (leadership, department, ethics,
// teaching, logistics, safety, fees, other); it decides who the opinion is
// routed to. The vocabulary — the ids, their Chinese names and the words
// that suggest each — belongs to the parser (bot/parse), which reads it
// from messages; the domain only stores and compares it.
type Category string

// CatLeadership is the category of opinions about the leadership team
// (领导班子), which are routed to the supervisor instead of the leadership.
const CatLeadership Category = "leadership"

// CivilDate is the calendar day of t in loc, as midnight UTC.
func CivilDate(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}
