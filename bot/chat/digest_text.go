package chat

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The digest as text: the whole of it (`minqing digest --text`) and the
// short form for chat; and as JSON.

// Title is the digest's heading.
func (d *Digest) Title() string {
	from, to := shortDate(d.From), shortDate(d.To)
	if d.Kind == digestBureau {
		return fmt.Sprintf(textDigestTitleBureau, d.Name, d.Number, from, to)
	}
	return fmt.Sprintf(textDigestTitleSchool, d.Name, d.Number, from, to)
}

func shortDate(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("1月2日")
}

// Text is the whole digest as plain text.
func (d *Digest) Text(loc *time.Location) string {
	var sb strings.Builder
	sb.WriteString(d.Title())
	if d.Partial {
		fmt.Fprintf(&sb, textDigestPartial, d.Generated.In(loc).Format("1月2日 15:04"))
	}
	sb.WriteString("\n")
	if d.Semester != "" {
		fmt.Fprintf(&sb, textDigestSemester+"\n", d.Semester)
	}
	for _, v := range d.views {
		sb.WriteString("\n【" + v.Title + "】\n")
		for _, f := range v.Figures {
			fmt.Fprintf(&sb, "%s：%s（上周 %s，%s）\n", f.Label, f.This, f.Last, f.Change)
		}
		for _, t := range v.Tables {
			sb.WriteString("\n" + t.Title + "\n")
			sb.WriteString(strings.Join(t.Head, " | ") + "\n")
			for _, r := range t.Rows {
				sb.WriteString(strings.Join(r, " | ") + "\n")
			}
			if t.More > 0 {
				fmt.Fprintf(&sb, textDigestMore+"\n", t.More)
			}
		}
		for _, n := range v.Notes {
			sb.WriteString("注：" + n + "\n")
		}
	}
	if head, rows := d.Rollup(); len(rows) > 0 {
		sb.WriteString("\n【" + textDigestSchoolsHead + "】\n")
		sb.WriteString(strings.Join(head, " | ") + "\n")
		for _, r := range rows {
			sb.WriteString(strings.Join(r, " | ") + "\n")
		}
	}
	if d.Link != "" {
		sb.WriteString("\n" + fmt.Sprintf(textDigestLinkLine, d.Link) + "\n")
	}
	return sb.String()
}

// JSON is the digest's data, indented.
func (d *Digest) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Short is the digest for a chat message: the ledger's headline figures,
// one line per other section, and the link.
func (d *Digest) Short(linkDays int) string {
	var lines []string
	lines = append(lines, fmt.Sprintf(textDigestShortHead, d.Name, d.Number, shortDate(d.From), shortDate(d.To)))
	for _, s := range d.Sections {
		if l, ok := s.Data.(*LedgerDigest); ok {
			lines = append(lines,
				fmt.Sprintf(textDigestShortNew, l.New.This, l.New.Last, l.Assigned.This, l.Answered.This, l.Closed.This, l.Open.This, l.Overdue.This),
				fmt.Sprintf(textDigestShortRates, pct(l.Response.This), pct(l.Resolution.This), pct(l.Satisfaction.This),
					pct(l.SemesterResponse.This), pct(l.SemesterResolution.This), pct(l.SemesterSatisfaction.This)))
			continue
		}
		for _, v := range d.views {
			if v.Key == s.Key && len(v.Figures) > 0 {
				var parts []string
				for _, f := range v.Figures[:min(3, len(v.Figures))] {
					parts = append(parts, f.Label+" "+f.This)
				}
				lines = append(lines, fmt.Sprintf(textDigestShortOther, v.Title, strings.Join(parts, "，")))
			}
		}
	}
	if d.Kind == digestBureau {
		lines = append(lines, textDigestBureauNote)
	}
	if d.Link != "" {
		lines = append(lines, fmt.Sprintf(textDigestLinkLine, d.Link)+fmt.Sprintf(textDigestLinkExpiry, linkDays))
	}
	return strings.Join(lines, "\n")
}
