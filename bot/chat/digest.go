package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"minqing/bot"
)

// The weekly digest (周报): for a school — or the bureau's schools side by
// side with the district's totals — and one school week, every stream's
// figures beside last week's. A digest is a list of sections; each stream
// plugs in as one digestSection registered with registerDigestSection (in
// the stream's own digest_*.go file), so that adding a stream edits
// nothing else of the digest.

// digestSection is one stream's part of the digest.
type digestSection interface {
	// Key names the section in the JSON form ("ledger", "study" …) and
	// orders the sections (registration order).
	Key() string
	// Compute reads the section's figures for in's schools and week. It
	// returns nil when the stream has nothing to say to this viewer.
	Compute(ctx context.Context, tx bot.Tx, in *digestInput) (sectionData, error)
}

// sectionData is a section's computed figures. Its JSON form is the
// section's part of the digest's JSON.
type sectionData interface {
	// View lays the figures out for the text, the page and the roll-up.
	View() SectionView
	// Active reports whether anything happened in the week: a school with
	// no activity in any section is shown as such in the roll-up.
	Active() bool
}

var (
	sectionsMu     sync.Mutex
	digestSections []digestSection
)

// registerDigestSection adds a section; streams call it from init.
func registerDigestSection(s digestSection) {
	sectionsMu.Lock()
	defer sectionsMu.Unlock()
	digestSections = append(digestSections, s)
	slices.SortStableFunc(digestSections, func(a, b digestSection) int { return sectionOrder(a.Key()) - sectionOrder(b.Key()) })
}

// sectionOrder puts the known streams in the order a principal reads
// them; unknown ones go last in registration order.
func sectionOrder(key string) int {
	if i := slices.Index([]string{"ledger", "study", "visits", "observations"}, key); i >= 0 {
		return i
	}
	return 100
}

func sections() []digestSection {
	sectionsMu.Lock()
	defer sectionsMu.Unlock()
	return slices.Clone(digestSections)
}

// digestInput is what a section computes from.
type digestInput struct {
	// Schools are the schools counted together (one, or the district).
	Schools []bot.OrgUnit
	// Settings are the school's (the defaults, with the largest min_group
	// of the schools, for several).
	Settings Settings
	Loc      *time.Location
	Week     Week
	Semester Semester
	// Now is when the digest is made; figures "as of" use the week's end
	// or Now, whichever is earlier.
	Now time.Time
	// Viewer is the person the digest is for; nil for the CLI, which sees
	// everything.
	Viewer *bot.Person
	// Ordinary and Supervised are the schools whose ordinary and
	// leadership opinions the viewer may see.
	Ordinary, Supervised []int64
	// Leader is true when the viewer may see who is behind (names).
	Leader bool
	// TrendWeeks is how many weeks the trend charts cover (0: none).
	TrendWeeks int
}

// schoolIDs returns the IDs of the input's schools.
func (in *digestInput) schoolIDs() []int64 {
	ids := make([]int64, len(in.Schools))
	for i, s := range in.Schools {
		ids[i] = s.ID
	}
	return ids
}

// asOf is the end of the week or now, whichever is earlier.
func (in *digestInput) asOf(w Week) time.Time {
	if in.Now.Before(w.End()) {
		return in.Now
	}
	return w.End()
}

// covers reports whether the viewer may count an opinion of the category
// of the school.
func (in *digestInput) covers(schoolID int64, c bot.Category) bool {
	if c == bot.CatLeadership {
		return slices.Contains(in.Supervised, schoolID)
	}
	return slices.Contains(in.Ordinary, schoolID)
}

// SectionView is a section laid out: figures beside last week's, tables,
// charts (Apache ECharts options) and notes.
type SectionView struct {
	Key     string   `json:"key"`
	Title   string   `json:"title"`
	Figures []Figure `json:"figures,omitempty"`
	Tables  []Table  `json:"tables,omitempty"`
	Charts  []Chart  `json:"charts,omitempty"`
	Notes   []string `json:"notes,omitempty"`
}

// Figure is one figure of the week beside last week's, as shown.
type Figure struct {
	Label  string `json:"label"`
	This   string `json:"this"`
	Last   string `json:"last"`
	Change string `json:"change"`
	// Better says which way is good: "up", "down", or "" (neither), for
	// the page's colours.
	Better string `json:"better,omitempty"`
}

// Tone is "good", "bad" or "" for the figure's change.
func (f Figure) Tone() string {
	up, down := strings.HasPrefix(f.Change, "+"), strings.HasPrefix(f.Change, "-")
	switch {
	case f.Better == "up" && up, f.Better == "down" && down:
		return "good"
	case f.Better == "up" && down, f.Better == "down" && up:
		return "bad"
	}
	return ""
}

// better sets which way is good on figures.
func better(way string, fs ...*Figure) {
	for _, f := range fs {
		f.Better = way
	}
}

// Table is a list in a section (open opinions, a breakdown …).
type Table struct {
	Title string     `json:"title"`
	Head  []string   `json:"head"`
	Rows  [][]string `json:"rows"`
	// More is how many rows were left out.
	More int `json:"more,omitempty"`
}

// Chart is one chart of the page: an ECharts option.
type Chart struct {
	ID     string          `json:"id"`
	Title  string          `json:"title"`
	Option json.RawMessage `json:"option"`
}

// Digest is one week's digest for a school, or for the bureau (Schools
// side by side and the district's totals in Sections).
type Digest struct {
	Kind     string `json:"kind"` // "school" or "bureau"
	UnitID   int64  `json:"unit_id"`
	Name     string `json:"name"`
	Week     string `json:"week"`
	Number   int    `json:"number"`
	From     string `json:"from"`
	To       string `json:"to"`
	Semester string `json:"semester,omitempty"`
	// Partial is true for a week that has not ended yet.
	Partial   bool            `json:"partial,omitempty"`
	Generated time.Time       `json:"generated"`
	Sections  []DigestSection `json:"sections"`
	Schools   []SchoolColumn  `json:"schools,omitempty"`
	Link      string          `json:"link,omitempty"`
	views     []SectionView   // laid out, for text and page
	rollup    []rollupRow     // bureau: figures per school
	data      map[string]any  // section data by key (tests)
}

// DigestSection is one section of the JSON form.
type DigestSection struct {
	Key   string `json:"key"`
	Title string `json:"title"`
	Data  any    `json:"data"`
}

// SchoolColumn is one school of the bureau's roll-up.
type SchoolColumn struct {
	SchoolID int64           `json:"school_id"`
	Name     string          `json:"name"`
	Active   bool            `json:"active"`
	Sections []DigestSection `json:"sections"`
}

// rollupRow is one figure of the roll-up, per school and in total.
type rollupRow struct {
	Section, Label string
	PerSchool      []string
	Total          string
}

// Views returns the digest's sections laid out (for the page).
func (d *Digest) Views() []SectionView { return d.views }

// Rollup returns the bureau's table: the head (figure, each school, the
// district) and one row per figure.
func (d *Digest) Rollup() (head []string, rows [][]string) {
	if d.Kind != digestBureau {
		return nil, nil
	}
	head = append(head, textDigestFigure)
	for _, s := range d.Schools {
		head = append(head, s.Name)
	}
	head = append(head, textDigestDistrict)
	for _, r := range d.rollup {
		row := append([]string{r.Section + "·" + r.Label}, r.PerSchool...)
		rows = append(rows, append(row, r.Total))
	}
	return head, rows
}

const (
	digestSchool = "school"
	digestBureau = "bureau"
)

// digestRequest says which digest to make.
type digestRequest struct {
	// Unit is a school or a bureau.
	Unit bot.OrgUnit
	Week Week
	// Viewer is the person it is for; nil: everything (the CLI).
	Viewer *bot.Person
}

// makeDigest computes a digest inside tx.
func (b *Bot) makeDigest(ctx context.Context, tx bot.Tx, req digestRequest) (*Digest, error) {
	now := b.now().UTC()
	d := &Digest{
		UnitID: req.Unit.ID, Name: req.Unit.Name, Week: req.Week.Label(), Number: req.Week.Number(),
		From: req.Week.Start.Format(time.DateOnly), To: req.Week.End().AddDate(0, 0, -1).Format(time.DateOnly),
		Partial: now.Before(req.Week.End()), Generated: now, data: map[string]any{},
	}
	var sc ledgerScope
	if req.Viewer != nil {
		var err error
		if sc, err = b.scopeOf(ctx, tx, req.Viewer); err != nil {
			return nil, err
		}
	}
	leader := req.Viewer == nil || req.Viewer.Can(bot.ActDigest)
	switch req.Unit.Kind {
	case bot.UnitSchool:
		d.Kind = digestSchool
		set, err := b.settings(ctx, tx, req.Unit.ID)
		if err != nil {
			return nil, err
		}
		in := &digestInput{Schools: []bot.OrgUnit{req.Unit}, Settings: set, Loc: b.loc, Week: req.Week, Now: now,
			Viewer: req.Viewer, Leader: leader, TrendWeeks: 8}
		if req.Viewer == nil {
			in.Ordinary, in.Supervised = []int64{req.Unit.ID}, []int64{req.Unit.ID}
		} else {
			in.Ordinary, in.Supervised = sc.ordinary, sc.supervised
		}
		in.Semester, _ = set.CurrentSemester(req.Week.Start, b.loc)
		d.Semester = in.Semester.Name
		secs, views, err := computeSections(ctx, tx, in)
		if err != nil {
			return nil, err
		}
		d.Sections, d.views = secs, views
		for _, s := range secs {
			d.data[s.Key] = s.Data
		}
	case bot.UnitBureau:
		d.Kind = digestBureau
		if err := b.bureauDigest(ctx, tx, d, req, sc, leader, now); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("chat: digest of a %s: %w", req.Unit.Kind, bot.ErrInvalid)
	}
	return d, nil
}

// computeSections runs every registered section.
func computeSections(ctx context.Context, tx bot.Tx, in *digestInput) ([]DigestSection, []SectionView, error) {
	var (
		out   []DigestSection
		views []SectionView
	)
	for _, s := range sections() {
		data, err := s.Compute(ctx, tx, in)
		if err != nil {
			return nil, nil, fmt.Errorf("chat: digest section %s: %w", s.Key(), err)
		}
		if data == nil {
			continue
		}
		v := data.View()
		v.Key = s.Key()
		out = append(out, DigestSection{Key: s.Key(), Title: v.Title, Data: data})
		views = append(views, v)
	}
	return out, views, nil
}

// bureauDigest fills d with the bureau's schools side by side and the
// district's totals.
func (b *Bot) bureauDigest(ctx context.Context, btx bot.Tx, d *Digest, req digestRequest, sc ledgerScope, leader bool, now time.Time) error {
	// The schools' columns read the data; the district's totals are
	// computed from the same reads, remembered (not read a second time).
	tx := newMemoTx(btx)
	all, err := tx.Units(ctx, bot.UnitSchool)
	if err != nil {
		return err
	}
	var schools []bot.OrgUnit
	for _, s := range all {
		if s.ParentID == req.Unit.ID {
			schools = append(schools, s)
		}
	}
	total := &digestInput{Schools: schools, Settings: DefaultSettings(), Loc: b.loc, Week: req.Week, Now: now, Viewer: req.Viewer, Leader: leader}
	for _, s := range schools {
		// The bureau sees every school's ordinary figures; the leadership
		// opinions only of the schools it supervises.
		total.Ordinary = append(total.Ordinary, s.ID)
		if req.Viewer == nil || slices.Contains(sc.supervised, s.ID) {
			total.Supervised = append(total.Supervised, s.ID)
		}
		set, err := b.settings(ctx, tx, s.ID)
		if err != nil {
			return err
		}
		total.Settings.MinGroup = max(total.Settings.MinGroup, set.MinGroup)
	}
	total.Semester, _ = total.Settings.CurrentSemester(req.Week.Start, b.loc)
	d.Semester = total.Semester.Name
	type column struct {
		views []SectionView
	}
	var cols []column
	for _, s := range schools {
		set, err := b.settings(ctx, tx, s.ID)
		if err != nil {
			return err
		}
		in := *total
		in.Schools, in.Settings = []bot.OrgUnit{s}, set
		in.Semester, _ = set.CurrentSemester(req.Week.Start, b.loc)
		secs, views, err := computeSections(ctx, tx, &in)
		if err != nil {
			return err
		}
		active := false
		for _, sec := range secs {
			if sec.Data.(sectionData).Active() {
				active = true
			}
		}
		d.Schools = append(d.Schools, SchoolColumn{SchoolID: s.ID, Name: s.Name, Active: active, Sections: secs})
		cols = append(cols, column{views: views})
	}
	secs, views, err := computeSections(ctx, tx, total)
	if err != nil {
		return err
	}
	d.Sections, d.views = secs, views
	for _, s := range secs {
		d.data[s.Key] = s.Data
	}
	// The roll-up: every figure of the district's sections, per school.
	for _, v := range views {
		for _, f := range v.Figures {
			r := rollupRow{Section: v.Title, Label: f.Label, Total: f.This}
			for i, c := range cols {
				val := textDigestNoActivity
				if d.Schools[i].Active {
					val = "—"
					for _, cv := range c.views {
						if cv.Key != v.Key {
							continue
						}
						for _, cf := range cv.Figures {
							if cf.Label == f.Label {
								val = cf.This
							}
						}
					}
				}
				r.PerSchool = append(r.PerSchool, val)
			}
			d.rollup = append(d.rollup, r)
		}
	}
	return nil
}

// lastCompleteWeek is the school week before the one now falls in.
func lastCompleteWeek(now time.Time, loc *time.Location) Week { return WeekOf(now, loc).Prev() }

// digestUnit is the unit whose digest a person gets: their school, or the
// bureau for the bureau's staff.
func digestUnit(ctx context.Context, tx bot.Tx, p *bot.Person) (bot.OrgUnit, error) {
	return tx.Unit(ctx, p.SchoolID)
}

// mayReadDigest reports whether p gets a digest: leaders, and whoever
// supervises the leadership opinions of a school.
func (b *Bot) mayReadDigest(ctx context.Context, tx bot.Tx, p *bot.Person) (bool, error) {
	if p == nil || !p.Active {
		return false, nil
	}
	if p.Can(bot.ActDigest) {
		return true, nil
	}
	sc, err := b.scopeOf(ctx, tx, p)
	return len(sc.supervised) > 0, err
}
