package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"minqing/bot"
)

type opinionRow struct {
	ID             int64          `db:"id"`
	SchoolID       int64          `db:"school_id"`
	Code           string         `db:"code"`
	Category       string         `db:"category"`
	UnitID         sql.NullInt64  `db:"unit_id"`
	Text           string         `db:"text"`
	TextHash       string         `db:"text_hash"`
	Source         string         `db:"source"`
	Anonymous      bool           `db:"anonymous"`
	RecorderID     sql.NullInt64  `db:"recorder_id"`
	Status         string         `db:"status"`
	AssignedUnitID sql.NullInt64  `db:"assigned_unit_id"`
	DueDate        sql.NullTime   `db:"due_date"`
	Answer         sql.NullString `db:"answer"`
	AnsweredAt     sql.NullTime   `db:"answered_at"`
	Rating         sql.NullString `db:"rating"`
	RatedAt        sql.NullTime   `db:"rated_at"`
	MergedInto     sql.NullInt64  `db:"merged_into"`
	CreatedAt      time.Time      `db:"created_at"`
	UpdatedAt      time.Time      `db:"updated_at"`
}

const opinionColumns = `id, school_id, code, category, unit_id, text, text_hash, source, anonymous, recorder_id, status,
	assigned_unit_id, due_date, answer, answered_at, rating, rated_at, merged_into, created_at, updated_at`

func (r opinionRow) opinion() bot.Opinion {
	o := bot.Opinion{
		ID: r.ID, SchoolID: r.SchoolID, Code: r.Code, Category: bot.Category(r.Category), UnitID: r.UnitID.Int64,
		Text: r.Text, TextHash: r.TextHash, Source: r.Source, Anonymous: r.Anonymous, RecorderID: r.RecorderID.Int64,
		Status: bot.OpinionStatus(r.Status), AssignedUnitID: r.AssignedUnitID.Int64, Answer: r.Answer.String,
		Rating: r.Rating.String, MergedInto: r.MergedInto.Int64, Created: r.CreatedAt.UTC(), Updated: r.UpdatedAt.UTC(),
	}
	if r.DueDate.Valid {
		d := r.DueDate.Time
		o.Due = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	}
	if r.AnsweredAt.Valid {
		o.AnsweredAt = r.AnsweredAt.Time.UTC()
	}
	if r.RatedAt.Valid {
		o.RatedAt = r.RatedAt.Time.UTC()
	}
	return o
}

// dueDate stores a calendar date: the same "YYYY-MM-DD" in both dialects.
func dueDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.DateOnly)
}

// CreateOpinion implements bot.OpinionTx.
func (t *tx) CreateOpinion(ctx context.Context, o bot.Opinion) (bot.Opinion, error) {
	res, err := t.tx.ExecContext(t.ctx(ctx), `
		INSERT INTO opinions (school_id, code, category, unit_id, text, text_hash, source, anonymous, recorder_id, status,
			assigned_unit_id, due_date, answer, answered_at, rating, rated_at, merged_into, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.SchoolID, o.Code, o.Category, nullID(o.UnitID), o.Text, o.TextHash, o.Source, o.Anonymous, nullID(o.RecorderID), o.Status,
		nullID(o.AssignedUnitID), dueDate(o.Due), nullString(o.Answer), nullTime(o.AnsweredAt), nullString(o.Rating), nullTime(o.RatedAt),
		nullID(o.MergedInto), o.Created.UTC(), o.Updated.UTC())
	if err != nil {
		return o, t.db.translate("create opinion", err)
	}
	if o.ID, err = res.LastInsertId(); err != nil {
		return o, t.db.translate("create opinion", err)
	}
	return o, nil
}

// UpdateOpinion implements bot.OpinionTx.
func (t *tx) UpdateOpinion(ctx context.Context, o bot.Opinion) error {
	res, err := t.tx.ExecContext(t.ctx(ctx), `
		UPDATE opinions SET category = ?, unit_id = ?, status = ?, assigned_unit_id = ?, due_date = ?, answer = ?,
			answered_at = ?, rating = ?, rated_at = ?, merged_into = ?, updated_at = ?
		WHERE id = ?`,
		o.Category, nullID(o.UnitID), o.Status, nullID(o.AssignedUnitID), dueDate(o.Due), nullString(o.Answer),
		nullTime(o.AnsweredAt), nullString(o.Rating), nullTime(o.RatedAt), nullID(o.MergedInto), o.Updated.UTC(), o.ID)
	return t.db.mustAffect("update opinion", res, err)
}

func (t *tx) getOpinion(ctx context.Context, op, where string, args ...any) (bot.Opinion, error) {
	var r opinionRow
	if err := t.tx.GetContext(t.ctx(ctx), &r, `SELECT `+opinionColumns+` FROM opinions WHERE `+where, args...); err != nil {
		return bot.Opinion{}, t.db.translate(op, err)
	}
	return r.opinion(), nil
}

// Opinion implements bot.OpinionTx.
func (t *tx) Opinion(ctx context.Context, id int64) (bot.Opinion, error) {
	return t.getOpinion(ctx, "opinion", `id = ?`, id)
}

// OpinionByCode implements bot.OpinionTx.
func (t *tx) OpinionByCode(ctx context.Context, code string) (bot.Opinion, error) {
	return t.getOpinion(ctx, "opinion by code", `code = ?`, code)
}

// AddOpinionEvent implements bot.OpinionTx.
func (t *tx) AddOpinionEvent(ctx context.Context, e bot.OpinionEvent) error {
	if t.pending != nil {
		t.pending.events = append(t.pending.events, []any{e.OpinionID, e.Kind, nullID(e.ActorID), nullString(e.Note), e.At.UTC()})
		return nil
	}
	_, err := t.tx.ExecContext(t.ctx(ctx),
		`INSERT INTO opinion_events (opinion_id, kind, actor_id, note, at) VALUES (?, ?, ?, ?, ?)`,
		e.OpinionID, e.Kind, nullID(e.ActorID), nullString(e.Note), e.At.UTC())
	return t.db.translate("add opinion event", err)
}

type eventRow struct {
	ID        int64          `db:"id"`
	OpinionID int64          `db:"opinion_id"`
	Kind      string         `db:"kind"`
	ActorID   sql.NullInt64  `db:"actor_id"`
	Note      sql.NullString `db:"note"`
	At        time.Time      `db:"at"`
}

// OpinionEvents implements bot.OpinionTx. Events are ordered by time, the
// id only breaking ties: on a distributed engine (TiDB) ids grow per
// server, not across them.
func (t *tx) OpinionEvents(ctx context.Context, opinionID int64) ([]bot.OpinionEvent, error) {
	if err := t.beforeRead(ctx, pendingEvents, func(r []any) bool { return r[0] == opinionID }); err != nil {
		return nil, err
	}
	var rows []eventRow
	err := t.tx.SelectContext(t.ctx(ctx), &rows,
		`SELECT id, opinion_id, kind, actor_id, note, at FROM opinion_events WHERE opinion_id = ? ORDER BY at, id`, opinionID)
	if err != nil {
		return nil, t.db.translate("opinion events", err)
	}
	out := make([]bot.OpinionEvent, len(rows))
	for i, r := range rows {
		out[i] = bot.OpinionEvent{ID: r.ID, OpinionID: r.OpinionID, Kind: r.Kind, ActorID: r.ActorID.Int64, Note: r.Note.String, At: r.At.UTC()}
	}
	return out, nil
}

// ledgerRow is a row of the ledger query: the opinion, its units' names
// and the number of rows the query matches before LIMIT.
type ledgerRow struct {
	opinionRow
	UnitName         string `db:"unit_name"`
	AssignedUnitName string `db:"assigned_unit_name"`
	Total            int    `db:"total"`
}

// Ledger implements bot.OpinionTx in one statement: the page, its units'
// names (joined) and the count of all matches (COUNT(*) OVER (), computed
// before LIMIT). Only a page past the end, which has no row to carry the
// count, takes a second statement to count.
func (t *tx) Ledger(ctx context.Context, q bot.LedgerQuery) ([]bot.LedgerEntry, int, error) {
	if len(q.SchoolIDs) == 0 && len(q.Supervised) == 0 {
		return nil, 0, nil
	}
	// Two parts: the opinions of SchoolIDs and the categories, and the
	// leadership opinions of Supervised. Each is a condition and its args.
	var own, supervised []string
	var ownArgs, supervisedArgs []any
	in := func(where *[]string, args *[]any, col string, vals []any, not bool) {
		if len(vals) == 0 {
			return
		}
		op := " IN "
		if not {
			op = " NOT IN "
		}
		*where = append(*where, col+op+`(?`+strings.Repeat(`, ?`, len(vals)-1)+`)`)
		*args = append(*args, vals...)
	}
	in(&own, &ownArgs, "o.school_id", anys(q.SchoolIDs), false)
	in(&own, &ownArgs, "o.category", strs(q.Categories), false)
	in(&own, &ownArgs, "o.category", strs(q.ExceptCategories), true)
	in(&supervised, &supervisedArgs, "o.school_id", anys(q.Supervised), false)
	in(&supervised, &supervisedArgs, "o.category", []any{string(bot.CatLeadership)}, false)

	var parts []string
	var args []any
	ownCond := "(" + strings.Join(own, " AND ") + ")"
	if len(q.SchoolIDs) > 0 {
		parts, args = append(parts, ownCond), append(args, ownArgs...)
	}
	if len(q.Supervised) > 0 {
		parts, args = append(parts, "("+strings.Join(supervised, " AND ")+")"), append(args, supervisedArgs...)
	}
	cond := "(" + strings.Join(parts, " OR ") + ")"
	var statuses []string
	var statusArgs []any
	in(&statuses, &statusArgs, "o.status", strs(q.Statuses), false)
	if len(statuses) > 0 {
		cond += " AND " + statuses[0]
		args = append(args, statusArgs...)
	}

	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	today := q.Today
	if today.IsZero() {
		today = t.db.now()
	}
	part := "0"
	var partArgs []any
	if len(parts) == 2 {
		part, partArgs = `CASE WHEN `+ownCond+` THEN 0 ELSE 1 END`, ownArgs
	}
	// The page is chosen on narrow rows (the sort keys and the count), then
	// joined to the opinions and their units: sorting and counting whole
	// rows, texts included, costs several times more.
	var rows []ledgerRow
	err := t.tx.SelectContext(t.ctx(ctx), &rows, `
		SELECT `+prefixed("o.", opinionColumns)+`, COALESCE(u.name, '') AS unit_name, COALESCE(au.name, '') AS assigned_unit_name,
			p.total
		FROM (
			SELECT o.id, `+part+` AS part, CASE WHEN o.due_date IS NOT NULL AND o.due_date < ? THEN 0 ELSE 1 END AS late,
				o.created_at, COUNT(*) OVER () AS total
			FROM opinions o
			WHERE `+cond+`
			ORDER BY part, late, o.created_at, o.id
			LIMIT ? OFFSET ?
		) p
		JOIN opinions o ON o.id = p.id
		LEFT JOIN org_units u ON u.id = o.unit_id
		LEFT JOIN org_units au ON au.id = o.assigned_unit_id
		ORDER BY p.part, p.late, p.created_at, p.id`,
		slices.Concat(partArgs, []any{today.Format(time.DateOnly)}, args, []any{limit, q.Offset})...)
	if err != nil {
		return nil, 0, t.db.translate("ledger", err)
	}
	if len(rows) == 0 {
		if q.Offset == 0 {
			return nil, 0, nil
		}
		var total int
		if err := t.tx.GetContext(t.ctx(ctx), &total, `SELECT COUNT(*) FROM opinions o WHERE `+cond, args...); err != nil {
			return nil, 0, t.db.translate("ledger", err)
		}
		return nil, total, nil
	}
	out := make([]bot.LedgerEntry, len(rows))
	for i, r := range rows {
		out[i] = bot.LedgerEntry{Opinion: r.opinion(), UnitName: r.UnitName, AssignedUnitName: r.AssignedUnitName}
	}
	return out, rows[0].Total, nil
}

func strs[T ~string](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func anys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

type receiptRow struct {
	OpinionID    int64     `db:"opinion_id"`
	SenderHash   string    `db:"sender_hash"`
	SealedOpenID []byte    `db:"sealed_openid"`
	ExpiresAt    time.Time `db:"expires_at"`
	CreatedAt    time.Time `db:"created_at"`
}

// PutReceipt implements bot.OpinionTx.
func (t *tx) PutReceipt(ctx context.Context, r bot.Receipt) error {
	if t.pending != nil {
		t.pending.receipts = append(t.pending.receipts, []any{r.OpinionID, r.SenderHash, r.SealedOpenID, r.Expires.UTC(), r.Created.UTC()})
		return nil
	}
	_, err := t.tx.ExecContext(t.ctx(ctx),
		`INSERT INTO receipts (opinion_id, sender_hash, sealed_openid, expires_at, created_at) VALUES (?, ?, ?, ?, ?)`,
		r.OpinionID, r.SenderHash, r.SealedOpenID, r.Expires.UTC(), r.Created.UTC())
	return t.db.translate("put receipt", err)
}

// Receipt implements bot.OpinionTx.
func (t *tx) Receipt(ctx context.Context, opinionID int64) (bot.Receipt, error) {
	if err := t.beforeRead(ctx, pendingReceipts, func(r []any) bool { return r[0] == opinionID }); err != nil {
		return bot.Receipt{}, err
	}
	var r receiptRow
	err := t.tx.GetContext(t.ctx(ctx), &r,
		`SELECT opinion_id, sender_hash, sealed_openid, expires_at, created_at FROM receipts WHERE opinion_id = ?`, opinionID)
	if err != nil {
		return bot.Receipt{}, t.db.translate("receipt", err)
	}
	return bot.Receipt{OpinionID: r.OpinionID, SenderHash: r.SenderHash, SealedOpenID: r.SealedOpenID, Expires: r.ExpiresAt.UTC(), Created: r.CreatedAt.UTC()}, nil
}

// SenderOpinions implements bot.OpinionTx.
func (t *tx) SenderOpinions(ctx context.Context, senderHash string, since time.Time) ([]bot.Opinion, error) {
	if err := t.beforeRead(ctx, pendingReceipts, func(r []any) bool { return r[1] == senderHash }); err != nil {
		return nil, err
	}
	var rows []opinionRow
	err := t.tx.SelectContext(t.ctx(ctx), &rows, `
		SELECT `+prefixed("o.", opinionColumns)+` FROM receipts r JOIN opinions o ON o.id = r.opinion_id
		WHERE r.sender_hash = ? AND r.created_at >= ? ORDER BY r.created_at DESC, o.id DESC`, senderHash, since.UTC())
	if err != nil {
		return nil, t.db.translate("sender opinions", err)
	}
	out := make([]bot.Opinion, len(rows))
	for i, r := range rows {
		out[i] = r.opinion()
	}
	return out, nil
}

// prefixed qualifies each column of a column list with a table alias.
func prefixed(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// PurgeReceipts implements bot.Store.
func (d *DB) PurgeReceipts(ctx context.Context, before time.Time) (int64, error) {
	res, err := d.db.ExecContext(ctx, `DELETE FROM receipts WHERE expires_at < ?`, before.UTC())
	if err != nil {
		return 0, d.translate("purge receipts", err)
	}
	n, err := res.RowsAffected()
	return n, d.translate("purge receipts", err)
}

type draftRow struct {
	SenderHash   string    `db:"sender_hash"`
	SchoolID     int64     `db:"school_id"`
	SealedOpenID []byte    `db:"sealed_openid"`
	Parts        string    `db:"parts"`
	Source       string    `db:"source"`
	StartedAt    time.Time `db:"started_at"`
	Deadline     time.Time `db:"deadline"`
}

// PutDraft implements bot.OpinionTx with an upsert (upsert.go).
func (t *tx) PutDraft(ctx context.Context, d bot.Draft) error {
	parts, err := json.Marshal(d.Parts)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(t.ctx(ctx), t.db.byDialect(`
		INSERT INTO opinion_drafts (sender_hash, school_id, sealed_openid, parts, source, started_at, deadline)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE school_id = VALUES(school_id), sealed_openid = VALUES(sealed_openid), parts = VALUES(parts),
			source = VALUES(source), started_at = VALUES(started_at), deadline = VALUES(deadline)`, `
		INSERT INTO opinion_drafts (sender_hash, school_id, sealed_openid, parts, source, started_at, deadline)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (sender_hash) DO UPDATE SET school_id = excluded.school_id, sealed_openid = excluded.sealed_openid,
			parts = excluded.parts, source = excluded.source, started_at = excluded.started_at, deadline = excluded.deadline`),
		d.SenderHash, d.SchoolID, d.SealedOpenID, string(parts), d.Source, d.Started.UTC(), d.Deadline.UTC())
	return t.db.translate("put draft", err)
}

// Draft implements bot.OpinionTx.
func (t *tx) Draft(ctx context.Context, senderHash string) (bot.Draft, error) {
	var r draftRow
	err := t.tx.GetContext(t.ctx(ctx), &r, `
		SELECT sender_hash, school_id, sealed_openid, parts, source, started_at, deadline
		FROM opinion_drafts WHERE sender_hash = ?`, senderHash)
	if err != nil {
		return bot.Draft{}, t.db.translate("draft", err)
	}
	d := bot.Draft{SenderHash: r.SenderHash, SchoolID: r.SchoolID, SealedOpenID: r.SealedOpenID, Source: r.Source,
		Started: r.StartedAt.UTC(), Deadline: r.Deadline.UTC()}
	if err := json.Unmarshal([]byte(r.Parts), &d.Parts); err != nil {
		return d, t.db.translate("draft", err)
	}
	return d, nil
}

// DeleteDraft implements bot.OpinionTx.
func (t *tx) DeleteDraft(ctx context.Context, senderHash string) error {
	_, err := t.tx.ExecContext(t.ctx(ctx), `DELETE FROM opinion_drafts WHERE sender_hash = ?`, senderHash)
	return t.db.translate("delete draft", err)
}

// DueDrafts implements bot.Store.
func (d *DB) DueDrafts(ctx context.Context, before time.Time) ([]string, error) {
	var out []string
	if err := d.db.SelectContext(ctx, &out, `SELECT sender_hash FROM opinion_drafts WHERE deadline < ? ORDER BY deadline`, before.UTC()); err != nil {
		return nil, d.translate("due drafts", err)
	}
	return out, nil
}

// SchoolSettings implements bot.OpinionTx.
func (t *tx) SchoolSettings(ctx context.Context, schoolID int64) ([]byte, error) {
	var doc string
	if err := t.tx.GetContext(t.ctx(ctx), &doc, `SELECT settings FROM school_settings WHERE school_id = ?`, schoolID); err != nil {
		return nil, t.db.translate("school settings", err)
	}
	return []byte(doc), nil
}

// PutSchoolSettings implements bot.OpinionTx with an upsert (upsert.go).
func (t *tx) PutSchoolSettings(ctx context.Context, schoolID int64, doc []byte) error {
	_, err := t.tx.ExecContext(t.ctx(ctx), t.db.byDialect(`
		INSERT INTO school_settings (school_id, settings, updated_at) VALUES (?, ?, ?)
		ON DUPLICATE KEY UPDATE settings = VALUES(settings), updated_at = VALUES(updated_at)`, `
		INSERT INTO school_settings (school_id, settings, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (school_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`),
		schoolID, string(doc), t.db.now().UTC())
	return t.db.translate("put school settings", err)
}
