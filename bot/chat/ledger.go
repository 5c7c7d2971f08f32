package chat

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"minqing/bot"
	"minqing/bot/parse"
)

// The ledger (民情台帐) in chat, for leaders: 台帐, 详情, 交办, 办理中,
// 答复, 办结, 不予受理, 合并. Opinions about the leadership team go to the
// configured supervisor, not to the leadership.

const ledgerPageSize = 5

// ledgerScope is what of the ledger a person sees.
type ledgerScope struct {
	// schools whose ordinary opinions (all but leadership) the person handles.
	ordinary []int64
	// supervised are the schools whose leadership opinions the person handles.
	supervised []int64
}

func (s ledgerScope) empty() bool { return len(s.ordinary) == 0 && len(s.supervised) == 0 }

// scopeOf works out a person's ledger scope from roles, units and settings.
func (b *Bot) scopeOf(ctx context.Context, tx bot.Tx, p *bot.Person) (ledgerScope, error) {
	var sc ledgerScope
	if p == nil || !(p.Can(bot.ActLedger) || p.Can(bot.ActSupervise)) {
		return sc, nil
	}
	// The schools come from the catalog (no statement while it is fresh);
	// a home that is not among them is a bureau, or a school newer than
	// the catalog, which one look at the unit tells apart.
	schools, err := b.schools(ctx, tx)
	if err != nil {
		return sc, err
	}
	home, found := bot.OrgUnit{}, false
	for _, s := range schools {
		if s.ID == p.SchoolID {
			home, found = s, true
		}
	}
	if !found {
		if home, err = tx.Unit(ctx, p.SchoolID); err != nil {
			return sc, err
		}
	}
	if home.Kind == bot.UnitSchool {
		if p.Can(bot.ActLedger) {
			sc.ordinary = append(sc.ordinary, home.ID)
		}
		set, err := b.settings(ctx, tx, home.ID)
		if err != nil {
			return sc, err
		}
		if (set.Supervisor == SupervisorDiscipline && p.Has(bot.RoleDiscipline)) ||
			(set.Supervisor == SupervisorPartySecretary && p.Has(bot.RolePartySecretary)) {
			sc.supervised = append(sc.supervised, home.ID)
		}
		return sc, nil
	}
	// Bureau staff supervise the schools under the bureau that name the
	// bureau as their supervisor.
	for _, s := range schools {
		if s.ParentID != home.ID {
			continue
		}
		set, err := b.settings(ctx, tx, s.ID)
		if err != nil {
			return sc, err
		}
		if set.Supervisor == SupervisorBureau {
			sc.supervised = append(sc.supervised, s.ID)
		}
	}
	return sc, nil
}

// covers reports whether the scope includes the opinion.
func (s ledgerScope) covers(o bot.Opinion) bool {
	if o.Category == bot.CatLeadership {
		return slices.Contains(s.supervised, o.SchoolID)
	}
	return slices.Contains(s.ordinary, o.SchoolID)
}

// mayHandle checks that the sender may act on o; when not, it returns the
// polite refusal.
func (b *Bot) mayHandle(ctx context.Context, tx bot.Tx, t *turn, o bot.Opinion) (bot.Reply, bool, error) {
	sc, err := b.scopeOf(ctx, tx, t.person)
	if err != nil {
		return bot.Reply{}, false, err
	}
	if sc.empty() {
		return refuse(t.person, bot.ActLedger), false, nil
	}
	if !sc.covers(o) {
		if o.Category == bot.CatLeadership {
			return refuse(t.person, bot.ActSupervise), false, nil
		}
		return bot.Text(textLedgerNotYours), false, nil
	}
	return bot.Reply{}, true, nil
}

// ledgerOpinion finds the opinion a ledger command names and checks the
// sender may handle it.
func (b *Bot) ledgerOpinion(ctx context.Context, tx bot.Tx, t *turn, code string) (bot.Opinion, bot.Reply, bool, error) {
	if t.person == nil {
		return bot.Opinion{}, refuse(nil, bot.ActLedger), false, nil
	}
	if code == "" {
		return bot.Opinion{}, bot.Text(textLedgerNeedCode), false, nil
	}
	o, err := tx.OpinionByCode(ctx, code)
	if errors.Is(err, bot.ErrNotFound) {
		if sc, err := b.scopeOf(ctx, tx, t.person); err != nil || sc.empty() {
			return bot.Opinion{}, refuse(t.person, bot.ActLedger), false, err
		}
		return bot.Opinion{}, bot.Text(fmt.Sprintf(textLedgerNoSuchCode, code)), false, nil
	}
	if err != nil {
		return bot.Opinion{}, bot.Reply{}, false, err
	}
	r, ok, err := b.mayHandle(ctx, tx, t, o)
	return o, r, ok, err
}

// onLedger lists the open opinions of the sender's scope, overdue first.
func (b *Bot) onLedger(ctx context.Context, tx bot.Tx, t *turn, page int) (bot.Reply, error) {
	sc, err := b.scopeOf(ctx, tx, t.person)
	if err != nil {
		return bot.Reply{}, err
	}
	if sc.empty() {
		return refuse(t.person, bot.ActLedger), nil
	}
	if page < 1 {
		page = 1
	}
	today := bot.CivilDate(t.now, b.loc)
	// One statement: the page of the union of the two parts, ordinary
	// first, with the units' names and the count.
	items, total, err := tx.Ledger(ctx, bot.LedgerQuery{
		SchoolIDs: sc.ordinary, ExceptCategories: []bot.Category{bot.CatLeadership}, Supervised: sc.supervised,
		Statuses: bot.OpenStatuses, Today: today, Offset: (page - 1) * ledgerPageSize, Limit: ledgerPageSize,
	})
	if err != nil {
		return bot.Reply{}, err
	}
	if total == 0 {
		return bot.Text(textLedgerEmpty), nil
	}
	pages := (total + ledgerPageSize - 1) / ledgerPageSize
	if len(items) == 0 {
		return bot.Text(fmt.Sprintf(textLedgerNoPage, page, pages)), nil
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, textLedgerHead, total)
	for i, o := range items {
		sb.WriteString("\n")
		fmt.Fprintf(&sb, "%d. %s %s·%s %s", (page-1)*ledgerPageSize+i+1, o.Code, label(o.Category), statusLabel(o.Status), o.Created.In(b.loc).Format("1-2"))
		if o.AssignedUnitID != 0 {
			fmt.Fprintf(&sb, " →%s", o.AssignedUnitName)
			if !o.Due.IsZero() {
				if o.Due.Before(today) {
					fmt.Fprintf(&sb, textLedgerOverdue, o.Due.Format("1-2"))
				} else {
					fmt.Fprintf(&sb, textLedgerDue, o.Due.Format("1-2"))
				}
			}
		}
		sb.WriteString("\n   " + bot.Clip(o.Text, 40))
	}
	sb.WriteString("\n")
	fmt.Fprintf(&sb, textLedgerFoot, page, pages)
	if page < pages {
		fmt.Fprintf(&sb, textLedgerNext, page+1)
	}
	return bot.Text(sb.String()), nil
}

func (b *Bot) unitNames(ctx context.Context, tx bot.Tx, os []bot.Opinion) (map[int64]string, error) {
	names := map[int64]string{}
	for _, o := range os {
		for _, id := range []int64{o.AssignedUnitID, o.UnitID} {
			if id == 0 || names[id] != "" {
				continue
			}
			u, err := tx.Unit(ctx, id)
			if err != nil {
				return nil, err
			}
			names[id] = u.Name
		}
	}
	return names, nil
}

// onDetail shows an opinion in full with its history.
func (b *Bot) onDetail(ctx context.Context, tx bot.Tx, t *turn, code string) (bot.Reply, error) {
	if code == "" {
		return b.ownList(ctx, tx, t)
	}
	o, r, ok, err := b.ledgerOpinion(ctx, tx, t, code)
	if err != nil || !ok {
		return r, err
	}
	names, err := b.unitNames(ctx, tx, []bot.Opinion{o})
	if err != nil {
		return bot.Reply{}, err
	}
	events, err := tx.OpinionEvents(ctx, o.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, textDetailHead, o.Code, label(o.Category), statusLabel(o.Status), o.Created.In(b.loc).Format("2006-01-02 15:04"))
	if !o.Anonymous {
		sb.WriteString(textDetailNotAnonymous)
	}
	if o.UnitID != 0 {
		fmt.Fprintf(&sb, textDetailUnit, names[o.UnitID])
	}
	if o.AssignedUnitID != 0 {
		fmt.Fprintf(&sb, textDetailAssigned, names[o.AssignedUnitID], o.Due.Format("1月2日"))
	}
	sb.WriteString("\n" + bot.Clip(o.Text, 400))
	if o.Answer != "" {
		fmt.Fprintf(&sb, "\n"+textDetailAnswer, bot.Clip(o.Answer, 200))
	}
	if o.Rating != "" {
		fmt.Fprintf(&sb, "\n"+textQueryRated, ratingLabel(o.Rating))
		if o.RatingComment != "" {
			fmt.Fprintf(&sb, textDetailRatingComment, bot.Clip(o.RatingComment, 200))
		}
	}
	sb.WriteString("\n" + textDetailHistory)
	for _, e := range b.history(o, events) {
		fmt.Fprintf(&sb, "\n· %s %s", e.when, eventLabel(e.kind))
	}
	return bot.Text(sb.String()), nil
}

// historyLine is one line of an opinion's history in 详情.
type historyLine struct {
	at         time.Time
	when, kind string
}

// history merges an opinion's events with what its sender did, which is
// kept on the opinion itself, to the hour (receipt, rating, withdrawal),
// and orders them by time.
func (b *Bot) history(o bot.Opinion, events []bot.OpinionEvent) []historyLine {
	var out []historyLine
	hourly := func(at time.Time, kind string) {
		out = append(out, historyLine{at: at, when: at.In(b.loc).Format("1-2 15时"), kind: kind})
	}
	seen := map[string]bool{}
	for _, e := range events {
		seen[e.Kind] = true
	}
	// Opinions filed before the upgrade may still have these events.
	if !seen[string(bot.StatusReceived)] {
		hourly(o.Created, string(bot.StatusReceived))
	}
	for _, e := range events {
		out = append(out, historyLine{at: e.At, when: e.At.In(b.loc).Format("1-2 15:04"), kind: e.Kind})
	}
	if o.Rating != "" && !o.RatedAt.IsZero() && !seen["rated"] {
		hourly(o.RatedAt, "rated")
	}
	if o.Status == bot.StatusWithdrawn && !seen[string(bot.StatusWithdrawn)] {
		hourly(o.Updated, string(bot.StatusWithdrawn))
	}
	slices.SortStableFunc(out, func(a, b historyLine) int { return a.at.Compare(b.at) })
	return out
}

// onAssign hands an opinion to a unit with a deadline in school days.
func (b *Bot) onAssign(ctx context.Context, tx bot.Tx, t *turn, code, unitName string, days int) (bot.Reply, error) {
	o, r, ok, err := b.ledgerOpinion(ctx, tx, t, code)
	if err != nil || !ok {
		return r, err
	}
	set, err := b.settings(ctx, tx, o.SchoolID)
	if err != nil {
		return bot.Reply{}, err
	}
	unitName = strings.TrimSpace(unitName)
	units, err := tx.UnitsOfSchool(ctx, o.SchoolID)
	if err != nil {
		return bot.Reply{}, err
	}
	if unitName == "" {
		if unitName = set.Route(parse.Category(o.Category), units); unitName == "" {
			return bot.Text(fmt.Sprintf(textAssignNoRoute, label(o.Category), unitList(units))), nil
		}
	}
	unit, found := findUnit(units, unitName)
	if !found {
		return bot.Text(fmt.Sprintf(textAssignNoUnit, unitName, unitList(units))), nil
	}
	from := o.Status
	if err := bot.Transition(&o, bot.StatusAssigned); err != nil {
		return bot.Text(fmt.Sprintf(textIllegalTransition, o.Code, statusLabel(from), statusLabel(bot.StatusAssigned))), nil
	}
	if days <= 0 {
		days = set.DueDays
	}
	if days > 60 {
		return bot.Text(textAssignTooLong), nil
	}
	o.AssignedUnitID = unit.ID
	o.Due = set.AddSchoolDays(bot.CivilDate(t.now, b.loc), days)
	o.Updated = t.now
	if err := b.saveStep(ctx, tx, o, t.person.ID, fmt.Sprintf("%s，%d个工作日，限%s", unit.Name, days, o.Due.Format("2006-01-02"))); err != nil {
		return bot.Reply{}, err
	}
	return bot.Text(fmt.Sprintf(textAssigned, o.Code, unit.Name, days, o.Due.Format("1月2日"))), nil
}

// findUnit finds a unit by exact name, else by a name containing it.
func findUnit(units []bot.OrgUnit, name string) (bot.OrgUnit, bool) {
	if name == "" {
		return bot.OrgUnit{}, false
	}
	for _, u := range units {
		if u.Name == name && u.Kind != bot.UnitSchool {
			return u, true
		}
	}
	var hits []bot.OrgUnit
	for _, u := range units {
		if u.Kind != bot.UnitSchool && utf8.RuneCountInString(name) >= 2 && strings.Contains(u.Name, name) {
			hits = append(hits, u)
		}
	}
	if len(hits) == 1 {
		return hits[0], true
	}
	return bot.OrgUnit{}, false
}

// unitList names a school's departments and campuses for a prompt.
func unitList(units []bot.OrgUnit) string {
	var names []string
	for _, u := range units {
		if u.Kind == bot.UnitDepartment || u.Kind == bot.UnitCampus {
			names = append(names, u.Name)
		}
	}
	if len(names) == 0 {
		return textNoUnits
	}
	return strings.Join(names, "、")
}

// saveStep saves an opinion after a ledger step and records the event.
func (b *Bot) saveStep(ctx context.Context, tx bot.Tx, o bot.Opinion, actor int64, note string) error {
	if err := tx.UpdateOpinion(ctx, o); err != nil {
		return err
	}
	return tx.AddOpinionEvent(ctx, bot.OpinionEvent{OpinionID: o.ID, Kind: string(o.Status), ActorID: actor, Note: note, At: o.Updated})
}

// onStep moves an opinion to processing or closed.
func (b *Bot) onStep(ctx context.Context, tx bot.Tx, t *turn, code string, to bot.OpinionStatus, note string) (bot.Reply, error) {
	o, r, ok, err := b.ledgerOpinion(ctx, tx, t, code)
	if err != nil || !ok {
		return r, err
	}
	from := o.Status
	if err := bot.Transition(&o, to); err != nil {
		if to == bot.StatusClosed && (from == bot.StatusAssigned || from == bot.StatusProcessing) {
			// 办结 comes after the answer: say so.
			return bot.Text(fmt.Sprintf(textCloseAnswerFirst, o.Code, statusLabel(from))), nil
		}
		return bot.Text(fmt.Sprintf(textIllegalTransition, o.Code, statusLabel(from), statusLabel(to))), nil
	}
	o.Updated = t.now
	if err := b.saveStep(ctx, tx, o, t.person.ID, strings.TrimSpace(note)); err != nil {
		return bot.Reply{}, err
	}
	return bot.Text(fmt.Sprintf(textStepDone, o.Code, statusLabel(to))), nil
}

// onAnswer records the school's answer and pushes it to the sender.
func (b *Bot) onAnswer(ctx context.Context, tx bot.Tx, t *turn, code, answer string, reject bool) (bot.Reply, error) {
	o, r, ok, err := b.ledgerOpinion(ctx, tx, t, code)
	if err != nil || !ok {
		return r, err
	}
	answer = strings.TrimSpace(answer)
	to := bot.StatusAnswered
	if reject {
		to = bot.StatusRejected
	}
	if answer == "" {
		if reject {
			return bot.Text(fmt.Sprintf(textRejectNeedReason, o.Code)), nil
		}
		return bot.Text(fmt.Sprintf(textAnswerNeedText, o.Code)), nil
	}
	if utf8.RuneCountInString(answer) > 600 {
		return bot.Text(textAnswerTooLong), nil
	}
	from := o.Status
	if err := bot.Transition(&o, to); err != nil {
		if from == bot.StatusReceived && to == bot.StatusAnswered {
			return bot.Text(fmt.Sprintf(textAnswerAssignFirst, o.Code)), nil
		}
		return bot.Text(fmt.Sprintf(textIllegalTransition, o.Code, statusLabel(from), statusLabel(to))), nil
	}
	o.Answer, o.AnsweredAt, o.Updated = answer, t.now, t.now
	if err := b.saveStep(ctx, tx, o, t.person.ID, bot.Clip(answer, 100)); err != nil {
		return bot.Reply{}, err
	}
	if !o.Anonymous && o.RecorderID != 0 {
		push := fmt.Sprintf(textPushVisitReply, o.Code, answer)
		if reject {
			push = fmt.Sprintf(textPushVisitRej, o.Code, answer)
		}
		t.after(func(ctx context.Context) { b.pushToRecorder(ctx, o.ID, o.RecorderID, push) })
		return bot.Text(fmt.Sprintf(textAnsweredToRec, o.Code, statusLabel(to))), nil
	}
	if !o.Anonymous {
		return bot.Text(fmt.Sprintf(textAnsweredNotAnonymous, o.Code, statusLabel(to))), nil
	}
	var (
		openid string
		found  bool
	)
	if !t.stateDown {
		openid, found, err = b.senderOf(ctx, o)
	} else {
		err = errLinkDown
	}
	if errors.Is(err, errLinkDown) {
		b.log.Warn("state_unavailable", "op", "answer_link", "err", err)
		return bot.Text(fmt.Sprintf(textAnsweredLinkDown, o.Code, statusLabel(to))), nil
	} else if err != nil {
		return bot.Reply{}, err
	}
	if !found {
		return bot.Text(fmt.Sprintf(textAnsweredNoLink, o.Code, statusLabel(to))), nil
	}
	set, err := b.settings(ctx, tx, o.SchoolID)
	if err != nil {
		return bot.Reply{}, err
	}
	push := fmt.Sprintf(textPushAnswer, o.Code, answer) + "\n" + fmt.Sprintf(textRateHow, o.Code)
	if reject {
		push = fmt.Sprintf(textPushRejected, o.Code, answer)
	}
	t.after(func(ctx context.Context) {
		if b.pushToSender(ctx, o.ID, openid, push) && !reject {
			b.noteAnswered(ctx, o, openid, linkWindow(set))
		}
	})
	return bot.Text(fmt.Sprintf(textAnswered, o.Code, statusLabel(to))), nil
}

// pushToSender sends an anonymous sender a customer-service message and
// records whether it arrived (an event at the time of the school's answer,
// not of anything the sender did). Outside the 48-hour window it waits for
// the sender's 查询. It reports whether the message was delivered.
func (b *Bot) pushToSender(ctx context.Context, opinionID int64, openid, text string) bool {
	err := b.notifier.SendText(ctx, openid, text)
	kind, note := "pushed", ""
	switch {
	case err == nil:
	case errors.Is(err, bot.ErrOutsideWindow):
		kind, note = "push_failed", "outside the 48-hour window; shown on 查询"
	case errors.Is(err, bot.ErrNotFollowing):
		kind, note = "push_failed", "the sender no longer follows the account"
	default:
		kind, note = "push_failed", "WeChat API unavailable; shown on 查询"
		b.log.Warn("push_failed", "what", "answer", "err", err)
	}
	b.recordPush(ctx, opinionID, kind, note)
	return kind == "pushed"
}

// recordPush records, in a transaction of its own, whether the answer of
// an opinion was pushed (kind "pushed" or "push_failed"). The push is
// done either way: a failure to record it is logged, not returned.
func (b *Bot) recordPush(ctx context.Context, opinionID int64, kind, note string) {
	now := b.now().UTC()
	if err := b.store.Update(ctx, func(tx bot.Tx) error {
		return tx.AddOpinionEvent(ctx, bot.OpinionEvent{OpinionID: opinionID, Kind: kind, Note: note, At: now})
	}); err != nil {
		b.log.Error("event_failed", "kind", kind, "err", err)
	}
}

// onMerge marks an opinion as a repeat of another.
func (b *Bot) onMerge(ctx context.Context, tx bot.Tx, t *turn, code, target string) (bot.Reply, error) {
	o, r, ok, err := b.ledgerOpinion(ctx, tx, t, code)
	if err != nil || !ok {
		return r, err
	}
	if target == "" || target == o.Code {
		return bot.Text(textMergeHow), nil
	}
	into, r, ok, err := b.ledgerOpinion(ctx, tx, t, target)
	if err != nil || !ok {
		return r, err
	}
	from := o.Status
	if err := bot.Transition(&o, bot.StatusMerged); err != nil {
		return bot.Text(fmt.Sprintf(textIllegalTransition, o.Code, statusLabel(from), statusLabel(bot.StatusMerged))), nil
	}
	o.MergedInto, o.Updated = into.ID, t.now
	if err := b.saveStep(ctx, tx, o, t.person.ID, "→ "+into.Code); err != nil {
		return bot.Reply{}, err
	}
	return bot.Text(fmt.Sprintf(textMerged, o.Code, into.Code)), nil
}
