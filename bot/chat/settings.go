package chat

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"minqing/bot"
	"minqing/bot/parse"
)

// Settings are what a school (or the bureau for it) configures; every
// field has a default, so an empty document is valid.
type Settings struct {
	// Routes names, per category, the unit an opinion is normally assigned
	// to (by unit name, e.g. "总务处"). 交办 without a unit uses it.
	Routes map[parse.Category]string `json:"routes,omitempty"`
	// Supervisor handles the opinions about the leadership team instead of
	// the leadership: "discipline" (the party branch's discipline member,
	// default), "party_secretary", or "bureau".
	Supervisor string `json:"supervisor,omitempty"`
	// Holidays are days without school: "2026-10-01" or a range
	// "2026-10-01/2026-10-07". Weekends are always off unless listed in
	// Workdays (make-up school days, 调休).
	Holidays []string `json:"holidays,omitempty"`
	Workdays []string `json:"workdays,omitempty"`
	// Lexicon adds keywords per category to the built-in ones.
	Lexicon parse.Lexicon `json:"lexicon,omitempty"`
	// DailyOpinionCap is how many opinions one sender may file a day.
	DailyOpinionCap int `json:"daily_opinion_cap,omitempty"`
	// LinkDays is how long, at most, the state store keeps what links an
	// anonymous opinion to its sender (to push the answer, 撤回, 改为):
	// default 7, at most MaxLinkDays. A change applies to opinions filed
	// after it.
	LinkDays int `json:"link_days,omitempty"`
	// ReceiptDays is read and ignored: receipts no longer exist (LinkDays).
	ReceiptDays int `json:"receipt_days,omitempty"`
	// DueDays is the deadline, in school days, of 交办 when none is given.
	DueDays int `json:"due_days,omitempty"`
	// MinGroup is the smallest number of distinct senders a breakdown may
	// show (k-anonymity).
	MinGroup int `json:"min_group,omitempty"`
	// Semesters are the school's semesters (period.go); when empty, autumn
	// runs 1 Sep – 31 Jan and spring 1 Mar – 15 Jul.
	Semesters []SemesterDates `json:"semesters,omitempty"`
	Digest    DigestSettings  `json:"digest,omitempty"`
	// Study are the study targets and reminders (study_settings.go).
	Study  StudySettings `json:"study,omitempty"`
	Visits VisitSettings `json:"visits,omitempty"` // visit_settings.go
}

// The link window (Settings.LinkDays).
const (
	DefaultLinkDays = 7
	MaxLinkDays     = 30
)

// Supervisors.
const (
	SupervisorDiscipline     = "discipline"
	SupervisorPartySecretary = "party_secretary"
	SupervisorBureau         = "bureau"
)

// defaultRoutes are, per category, the usual names of the unit opinions
// go to; a school without a route of its own uses the first of them it
// has (see Route).
var defaultRoutes = map[parse.Category][]string{
	parse.CatDepartment: {"校长办公室", "校长室", "办公室", "党政办", "综合办"},
	parse.CatEthics:     {"党支部", "党总支", "纪检", "政教处", "德育处"},
	parse.CatTeaching:   {"教务处", "教导处", "教科室", "教学处"},
	parse.CatLogistics:  {"总务处", "后勤处", "后勤服务中心", "后勤"},
	parse.CatSafety:     {"政教处", "德育处", "安全办", "保卫处", "保卫科"},
	parse.CatFees:       {"总务处", "财务室", "后勤处"},
	parse.CatOther:      {"校长办公室", "校长室", "办公室", "党政办", "综合办"},
}

// DefaultSettings are the built-in settings. They name no routes: see
// Route for the default unit of a category.
func DefaultSettings() Settings {
	return Settings{
		Routes:          map[parse.Category]string{},
		Supervisor:      SupervisorDiscipline,
		DailyOpinionCap: 10,
		LinkDays:        DefaultLinkDays,
		DueDays:         5,
		MinGroup:        3,
		Digest:          defaultDigestSettings(),
		Study:           DefaultStudySettings(),
		Visits:          DefaultVisitSettings(),
	}
}

// Route returns the unit of the school (given its units) that opinions of
// category c go to: the configured route, else the first usual name the
// school has; "" when there is none.
func (s Settings) Route(c parse.Category, units []bot.OrgUnit) string {
	if r := s.Routes[c]; r != "" {
		return r
	}
	for _, name := range defaultRoutes[c] {
		if u, ok := findUnit(units, name); ok && u.Name == name {
			return name
		}
	}
	return ""
}

// WithRoutes returns the settings with every category's effective route
// for a school of the given units, for showing them.
func (s Settings) WithRoutes(units []bot.OrgUnit) Settings {
	out := s
	out.Routes = map[parse.Category]string{}
	for _, c := range parse.Categories {
		if r := s.Route(c, units); r != "" {
			out.Routes[c] = r
		}
	}
	return out
}

// CheckRoutes reports the configured routes that name no unit of the
// school, in Chinese.
func (s Settings) CheckRoutes(units []bot.OrgUnit) error {
	var errs []string
	for _, c := range parse.Categories {
		r := s.Routes[c]
		if r == "" {
			continue
		}
		if _, ok := findUnit(units, r); !ok {
			errs = append(errs, fmt.Sprintf(textSettingsRouteNoUnit, c.Label(), r))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return &settingsError{strings.Join(errs, "\n") + "\n" + fmt.Sprintf(textSettingsUnits, unitList(units))}
}

// settingsError is a problem with a settings document, in Chinese for the
// administrator; it matches ErrInvalid.
type settingsError struct{ msg string }

func (e *settingsError) Error() string        { return e.msg }
func (e *settingsError) Is(target error) bool { return target == bot.ErrInvalid }

func invalid(format string, args ...any) error {
	return &settingsError{fmt.Sprintf(format, args...)}
}

// settingsKeys maps the Chinese names of the settings (and of a
// template's explanation, which is ignored) to their JSON keys.
var settingsKeys = map[string]string{
	"交办部门":   "routes",
	"监督":     "supervisor",
	"领导班子监督": "supervisor",
	"节假日":    "holidays",
	"调休上课日":  "workdays",
	"关键词":    "lexicon",
	"每日意见上限": "daily_opinion_cap",
	"推送答复天数": "link_days",
	"回执保存天数": "receipt_days",
	"办理期限":   "due_days",
	"最少人数":   "min_group",
	"学期":     "semesters",
	"周报":     "digest",
	"家访听课":   "visits",
	"学习打卡":   "study",
	"说明":     "",
}

// settingsKeyOrder is the order of the keys in the template and in error
// messages.
var settingsKeyOrder = []string{"交办部门", "监督", "节假日", "调休上课日", "关键词", "每日意见上限", "推送答复天数", "办理期限", "最少人数", "学期", "周报", "家访听课", "学习打卡"}

var supervisorNames = map[string]string{
	"纪检委员": SupervisorDiscipline, "纪检": SupervisorDiscipline,
	"书记": SupervisorPartySecretary, "党组织书记": SupervisorPartySecretary, "党支部书记": SupervisorPartySecretary,
	"教育局": SupervisorBureau,
}

// translateSettings turns a document with Chinese keys (and category
// names, supervisor names) into the JSON keys.
func translateSettings(doc []byte) ([]byte, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, invalid(textSettingsNotJSON, err)
	}
	english := map[string]bool{}
	for _, k := range settingsKeys {
		english[k] = true
	}
	out := map[string]json.RawMessage{}
	for k, v := range raw {
		key := strings.TrimSpace(k)
		if zh, ok := settingsKeys[key]; ok {
			key = zh
		} else if !english[key] {
			return nil, invalid(textSettingsUnknownKey, k, nearestKey(key), strings.Join(settingsKeyOrder, "、"))
		}
		if key == "" {
			continue // the template's explanation
		}
		switch key {
		case "routes", "lexicon":
			var m map[string]json.RawMessage
			if err := json.Unmarshal(v, &m); err != nil {
				return nil, invalid(textSettingsNotObject, k)
			}
			t := map[string]json.RawMessage{}
			for ck, cv := range m {
				c, ok := parse.CategoryFromLabel(ck)
				if !ok {
					return nil, invalid(textSettingsUnknownCategory, k, ck, categoryNames())
				}
				t[string(c)] = cv
			}
			v, _ = json.Marshal(t)
		case "supervisor":
			var name string
			if err := json.Unmarshal(v, &name); err == nil {
				if en, ok := supervisorNames[strings.TrimSpace(name)]; ok {
					v, _ = json.Marshal(en)
				}
			}
		}
		out[key] = v
	}
	return json.Marshal(out)
}

// nearestKey suggests the settings key closest to a mistyped one.
func nearestKey(k string) string {
	best, bestD := settingsKeyOrder[0], 1<<30
	for _, zh := range settingsKeyOrder {
		if d := min(parse.Distance(k, zh), parse.Distance(k, settingsKeys[zh])); d < bestD {
			best, bestD = zh, d
		}
	}
	return best
}

func categoryNames() string {
	names := make([]string, len(parse.Categories))
	for i, c := range parse.Categories {
		names[i] = c.Label()
	}
	return strings.Join(names, "、")
}

// ParseSettings reads a settings document over the defaults and checks it.
// Keys may be the JSON names (routes, supervisor …) or the Chinese ones
// of the template (交办部门, 监督 …); categories may be named in Chinese.
func ParseSettings(doc []byte) (Settings, error) {
	s := DefaultSettings()
	if len(strings.TrimSpace(string(doc))) == 0 {
		return s, nil
	}
	doc, err := translateSettings(doc)
	if err != nil {
		return s, err
	}
	var in Settings
	dec := json.NewDecoder(strings.NewReader(string(doc)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return s, invalid(textSettingsBadValue, err)
	}
	for c, u := range in.Routes {
		if !c.Valid() {
			return s, invalid(textSettingsUnknownCategory, "routes", c, categoryNames())
		}
		if u = strings.TrimSpace(u); u != "" {
			s.Routes[c] = u
		}
	}
	if in.Supervisor != "" {
		switch in.Supervisor {
		case SupervisorDiscipline, SupervisorPartySecretary, SupervisorBureau:
			s.Supervisor = in.Supervisor
		default:
			return s, invalid(textSettingsSupervisor, in.Supervisor)
		}
	}
	var errs []string
	for _, h := range in.Holidays {
		if _, _, err := parseDayRange(h); err != nil {
			errs = append(errs, err.Error())
		}
	}
	for _, w := range in.Workdays {
		if _, err := time.Parse(time.DateOnly, w); err != nil {
			errs = append(errs, fmt.Sprintf(textSettingsWorkday, w))
		}
	}
	if len(errs) > 0 {
		return s, &settingsError{strings.Join(errs, "\n")}
	}
	if len(in.Holidays) > 0 {
		s.Holidays = in.Holidays
	}
	if len(in.Workdays) > 0 {
		s.Workdays = in.Workdays
	}
	for c := range in.Lexicon {
		if !c.Valid() {
			return s, invalid(textSettingsUnknownCategory, "lexicon", c, categoryNames())
		}
	}
	if len(in.Lexicon) > 0 {
		s.Lexicon = in.Lexicon
	}
	positive := func(name string, v int, dst *int) {
		if v < 0 {
			errs = append(errs, fmt.Sprintf(textSettingsPositive, name))
		} else if v > 0 {
			*dst = v
		}
	}
	positive("每日意见上限（daily_opinion_cap）", in.DailyOpinionCap, &s.DailyOpinionCap)
	positive("推送答复天数（link_days）", in.LinkDays, &s.LinkDays)
	if s.LinkDays > MaxLinkDays {
		errs = append(errs, fmt.Sprintf(textSettingsLinkDays, MaxLinkDays))
	}
	positive("办理期限（due_days）", in.DueDays, &s.DueDays)
	positive("最少人数（min_group）", in.MinGroup, &s.MinGroup)
	for _, sd := range in.Semesters {
		if _, err := sd.semester(time.UTC); err != nil {
			errs = append(errs, fmt.Sprintf(textSettingsSemester, sd.Name))
		}
	}
	if len(in.Semesters) > 0 {
		s.Semesters = in.Semesters
	}
	if err := parseDigestSettings(&s, in.Digest); err != nil {
		errs = append(errs, err.Error())
	}
	if err := s.mergeVisits(in.Visits); err != nil {
		errs = append(errs, err.Error())
	}
	study, err := parseStudySettings(in.Study)
	if err != nil {
		errs = append(errs, err.Error())
	}
	s.Study = study
	if len(errs) > 0 {
		return s, &settingsError{strings.Join(errs, "\n")}
	}
	return s, nil
}

// Template is a settings document with the Chinese keys and the given
// settings' values, for an administrator to edit.
func Template(s Settings) []byte {
	var b strings.Builder
	b.WriteString("{\n")
	field := func(key string, v any, last bool) {
		raw, _ := json.MarshalIndent(v, "  ", "  ")
		fmt.Fprintf(&b, "  %q: %s", key, raw)
		if !last {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	field("说明", textSettingsTemplateNote, false)
	routes := map[string]string{}
	for c, u := range s.Routes {
		routes[c.Label()] = u
	}
	field("交办部门", routes, false)
	sup := map[string]string{SupervisorDiscipline: "纪检委员", SupervisorPartySecretary: "党组织书记", SupervisorBureau: "教育局"}[s.Supervisor]
	field("监督", sup, false)
	field("节假日", nonNil(s.Holidays), false)
	field("调休上课日", nonNil(s.Workdays), false)
	lex := map[string][]string{}
	for c, words := range s.Lexicon {
		lex[c.Label()] = words
	}
	field("关键词", lex, false)
	field("每日意见上限", s.DailyOpinionCap, false)
	field("推送答复天数", s.LinkDays, false)
	field("办理期限", s.DueDays, false)
	field("最少人数", s.MinGroup, false)
	sem := s.Semesters
	if sem == nil {
		sem = []SemesterDates{}
	}
	field("学期", sem, false)
	field("周报", s.Digest, false)
	field("家访听课", s.Visits, false)
	field("学习打卡", s.Study, true)
	b.WriteString("}\n")
	return []byte(b.String())
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// parseDayRange reads "YYYY-MM-DD" or "YYYY-MM-DD/YYYY-MM-DD".
func parseDayRange(s string) (from, to time.Time, err error) {
	a, b, isRange := strings.Cut(s, "/")
	if from, err = time.Parse(time.DateOnly, strings.TrimSpace(a)); err != nil {
		return from, to, invalid(textSettingsHoliday, s)
	}
	to = from
	if isRange {
		if to, err = time.Parse(time.DateOnly, strings.TrimSpace(b)); err != nil || to.Before(from) {
			return from, to, invalid(textSettingsHolidayRange, s)
		}
	}
	return from, to, nil
}

// isSchoolDay reports whether the calendar day d (any time on it, read in
// UTC as a date) is a school day.
func (s Settings) isSchoolDay(d time.Time) bool {
	day := d.Format(time.DateOnly)
	for _, w := range s.Workdays {
		if w == day {
			return true
		}
	}
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	for _, h := range s.Holidays {
		from, to, err := parseDayRange(h)
		if err == nil && !d.Before(from) && !d.After(to) {
			return false
		}
	}
	return true
}

// AddSchoolDays returns the date n school days after the calendar day
// from (a date at midnight UTC): 交办 on Friday with 1 day is due Monday.
func (s Settings) AddSchoolDays(from time.Time, n int) time.Time {
	d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if s.isSchoolDay(d) {
			n--
		}
	}
	return d
}

// label is the Chinese name of an opinion's category.
func label(c bot.Category) string { return parse.Category(c).Label() }
