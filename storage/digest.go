package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"minqing/bot"
)

// The weekly digest's read-only queries (bot.DigestTx). Each is one range
// over an index of opinions that starts with school_id (migrations 00010
// and 00040–00042); events are read by opinion through
// ix_opinion_events_opinion. None reads the opinions' text but the export.

type digestRow struct {
	ID             int64          `db:"id"`
	SchoolID       int64          `db:"school_id"`
	Code           string         `db:"code"`
	Category       string         `db:"category"`
	Source         string         `db:"source"`
	UnitID         sql.NullInt64  `db:"unit_id"`
	AssignedUnitID sql.NullInt64  `db:"assigned_unit_id"`
	Status         string         `db:"status"`
	DueDate        sql.NullTime   `db:"due_date"`
	AnsweredAt     sql.NullTime   `db:"answered_at"`
	Rating         sql.NullString `db:"rating"`
	RatedAt        sql.NullTime   `db:"rated_at"`
	CreatedAt      time.Time      `db:"created_at"`
	UpdatedAt      time.Time      `db:"updated_at"`
	RecorderID     sql.NullInt64  `db:"recorder_id"`
}

const digestColumns = `o.id, o.school_id, o.code, o.category, o.source, o.unit_id, o.assigned_unit_id, o.status, o.due_date,
	o.answered_at, o.rating, o.rated_at, o.created_at, o.updated_at, o.recorder_id`

func (r digestRow) opinion() bot.DigestOpinion {
	o := bot.DigestOpinion{
		ID: r.ID, SchoolID: r.SchoolID, Code: r.Code, Category: bot.Category(r.Category), Source: r.Source,
		UnitID: r.UnitID.Int64, AssignedUnitID: r.AssignedUnitID.Int64, Status: bot.OpinionStatus(r.Status),
		Rating: r.Rating.String, Created: r.CreatedAt.UTC(), Updated: r.UpdatedAt.UTC(),
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
	// Nothing stored tells the senders of anonymous opinions apart (that is
	// the anonymity promise), so each counts as a sender of its own: a cell
	// of fewer than min_group opinions is always suppressed.
	if r.RecorderID.Valid {
		o.Sender = "staff:" + strconv.FormatInt(r.RecorderID.Int64, 10)
	} else {
		o.Sender = "opinion:" + strconv.FormatInt(r.ID, 10)
	}
	return o
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return "?" + strings.Repeat(", ?", n-1)
}

// DigestCreated implements bot.DigestTx.
func (t *tx) DigestCreated(ctx context.Context, schoolIDs []int64, from, to time.Time) ([]bot.DigestOpinion, error) {
	if len(schoolIDs) == 0 {
		return nil, nil
	}
	if err := t.flushForDigest(ctx); err != nil {
		return nil, err
	}
	var rows []digestRow
	err := perSchool(schoolIDs, func(id int64) error {
		q, args := qDigestCreated([]int64{id}, from, to)
		var part []digestRow
		err := t.tx.SelectContext(t.ctx(ctx), &part, q, args...)
		rows = append(rows, part...)
		return err
	})
	if err != nil {
		return nil, t.db.translate("digest created", err)
	}
	out := make([]bot.DigestOpinion, len(rows))
	for i, r := range rows {
		out[i] = r.opinion()
	}
	return out, nil
}

// perSchool runs one statement per school: a range of one school's index
// entries, which the planners read through the index whatever the size of
// the district, where an IN over every school would tempt them to scan.
func perSchool(ids []int64, fn func(id int64) error) error {
	for _, id := range ids {
		if err := fn(id); err != nil {
			return err
		}
	}
	return nil
}

// flushForDigest writes a group commit's deferred rows before a digest
// query reads them.
func (t *tx) flushForDigest(ctx context.Context) error {
	if t.pending == nil || t.pending.empty() {
		return nil
	}
	return t.flush(t.ctx(ctx))
}

// digestEventChunk bounds the opinion IDs of one events query.
const digestEventChunk = 500

// DigestActive implements bot.DigestTx: the open opinions (through
// ix_opinions_school_status) and those updated since (through
// ix_opinions_school_updated), then their events by opinion.
func (t *tx) DigestActive(ctx context.Context, schoolIDs []int64, since time.Time) ([]bot.DigestOpinion, []bot.DigestEvent, error) {
	if len(schoolIDs) == 0 {
		return nil, nil, nil
	}
	if err := t.flushForDigest(ctx); err != nil {
		return nil, nil, err
	}
	var rows []digestRow
	err := perSchool(schoolIDs, func(id int64) error {
		q, args := qDigestActive([]int64{id}, since)
		var part []digestRow
		err := t.tx.SelectContext(t.ctx(ctx), &part, q, args...)
		rows = append(rows, part...)
		return err
	})
	if err != nil {
		return nil, nil, t.db.translate("digest active", err)
	}
	ops := make([]bot.DigestOpinion, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ops[i] = r.opinion()
		ids[i] = r.ID
	}
	var events []bot.DigestEvent
	for start := 0; start < len(ids); start += digestEventChunk {
		chunk := ids[start:min(start+digestEventChunk, len(ids))]
		var ev []struct {
			OpinionID int64     `db:"opinion_id"`
			Kind      string    `db:"kind"`
			At        time.Time `db:"at"`
		}
		q, args := qDigestEvents(chunk)
		if err := t.tx.SelectContext(t.ctx(ctx), &ev, q, args...); err != nil {
			return nil, nil, t.db.translate("digest events", err)
		}
		for _, e := range ev {
			events = append(events, bot.DigestEvent{OpinionID: e.OpinionID, Kind: e.Kind, At: e.At.UTC()})
		}
	}
	return ops, events, nil
}

// DigestDue implements bot.DigestTx.
func (t *tx) DigestDue(ctx context.Context, schoolIDs []int64, from, to time.Time, dayEnd time.Duration) ([]bot.DigestDue, error) {
	if len(schoolIDs) == 0 {
		return nil, nil
	}
	type dueRow struct {
		SchoolID int64  `db:"school_id"`
		Category string `db:"category"`
		Due      int    `db:"due"`
		InTime   int    `db:"in_time"`
		Closed   int    `db:"closed"`
	}
	var rows []dueRow
	err := perSchool(schoolIDs, func(id int64) error {
		q, args := t.db.qDigestDue([]int64{id}, from, to, dayEnd)
		var part []dueRow
		err := t.tx.SelectContext(t.ctx(ctx), &part, q, args...)
		rows = append(rows, part...)
		return err
	})
	if err != nil {
		return nil, t.db.translate("digest due", err)
	}
	out := make([]bot.DigestDue, len(rows))
	for i, r := range rows {
		out[i] = bot.DigestDue{SchoolID: r.SchoolID, Category: bot.Category(r.Category), Due: r.Due, AnsweredInTime: r.InTime, Closed: r.Closed}
	}
	return out, nil
}

// DigestRatings implements bot.DigestTx.
func (t *tx) DigestRatings(ctx context.Context, schoolIDs []int64, from, to time.Time) ([]bot.DigestRating, error) {
	if len(schoolIDs) == 0 {
		return nil, nil
	}
	type ratingRow struct {
		SchoolID int64  `db:"school_id"`
		Category string `db:"category"`
		Rating   string `db:"rating"`
		N        int    `db:"n"`
	}
	var rows []ratingRow
	err := perSchool(schoolIDs, func(id int64) error {
		q, args := qDigestRatings([]int64{id}, from, to)
		var part []ratingRow
		err := t.tx.SelectContext(t.ctx(ctx), &part, q, args...)
		rows = append(rows, part...)
		return err
	})
	if err != nil {
		return nil, t.db.translate("digest ratings", err)
	}
	out := make([]bot.DigestRating, len(rows))
	for i, r := range rows {
		out[i] = bot.DigestRating{SchoolID: r.SchoolID, Category: bot.Category(r.Category), Rating: r.Rating, Count: r.N}
	}
	return out, nil
}

// ExportOpinions implements bot.DigestTx.
func (t *tx) ExportOpinions(ctx context.Context, schoolID int64, from, to time.Time) ([]bot.Opinion, error) {
	var rows []opinionRow
	err := t.tx.SelectContext(t.ctx(ctx), &rows, `SELECT `+opinionColumns+` FROM opinions
		WHERE school_id = ? AND created_at >= ? AND created_at < ? ORDER BY created_at, id`, schoolID, from.UTC(), to.UTC())
	if err != nil {
		return nil, t.db.translate("export opinions", err)
	}
	out := make([]bot.Opinion, len(rows))
	for i, r := range rows {
		out[i] = r.opinion()
	}
	return out, nil
}

// The digest's statements, shared with ExplainDigest so that what is
// explained is what runs.

func qDigestCreated(schoolIDs []int64, from, to time.Time) (string, []any) {
	return `SELECT ` + digestColumns + `
		FROM opinions o
		WHERE o.school_id IN (` + placeholders(len(schoolIDs)) + `) AND o.created_at >= ? AND o.created_at < ?
		ORDER BY o.created_at, o.id`, append(anys(schoolIDs), from.UTC(), to.UTC())
}

func qDigestActive(schoolIDs []int64, since time.Time) (string, []any) {
	in := placeholders(len(schoolIDs))
	args := anys(schoolIDs)
	args = append(args, strs(bot.OpenStatuses)...)
	args = append(args, anys(schoolIDs)...)
	args = append(args, since.UTC())
	return `SELECT ` + digestColumns + `
		FROM opinions o
		WHERE o.school_id IN (` + in + `) AND o.status IN (` + placeholders(len(bot.OpenStatuses)) + `)
		UNION
		SELECT ` + digestColumns + `
		FROM opinions o
		WHERE o.school_id IN (` + in + `) AND o.updated_at >= ?`, args
}

func qDigestEvents(ids []int64) (string, []any) {
	return `SELECT opinion_id, kind, at FROM opinion_events
			WHERE opinion_id IN (` + placeholders(len(ids)) + `) ORDER BY opinion_id, id`, anys(ids)
}

func (d *DB) qDigestDue(schoolIDs []int64, from, to time.Time, dayEnd time.Duration) (string, []any) {
	inTime := d.byDialect(`o.answered_at < TIMESTAMPADD(SECOND, ?, o.due_date)`, `o.answered_at < datetime(o.due_date, ?)`)
	var end any = int64(dayEnd / time.Second)
	if d.dialect == SQLite {
		end = "+" + strconv.FormatInt(int64(dayEnd/time.Second), 10) + " seconds"
	}
	args := append([]any{end, string(bot.StatusClosed)}, anys(schoolIDs)...)
	args = append(args, from.Format(time.DateOnly), to.Format(time.DateOnly))
	return `SELECT o.school_id, o.category, COUNT(*) AS due,
			COALESCE(SUM(CASE WHEN o.answered_at IS NOT NULL AND ` + inTime + ` THEN 1 ELSE 0 END), 0) AS in_time,
			COALESCE(SUM(CASE WHEN o.status = ? THEN 1 ELSE 0 END), 0) AS closed
		FROM opinions o
		WHERE o.school_id IN (` + placeholders(len(schoolIDs)) + `) AND o.due_date >= ? AND o.due_date < ?
		GROUP BY o.school_id, o.category
		ORDER BY o.school_id, o.category`, args
}

func qDigestRatings(schoolIDs []int64, from, to time.Time) (string, []any) {
	return `SELECT o.school_id, o.category, o.rating, COUNT(*) AS n
		FROM opinions o
		WHERE o.school_id IN (` + placeholders(len(schoolIDs)) + `) AND o.rated_at >= ? AND o.rated_at < ? AND o.rating IS NOT NULL
		GROUP BY o.school_id, o.category, o.rating
		ORDER BY o.school_id, o.category, o.rating`, append(anys(schoolIDs), from.UTC(), to.UTC())
}

// Plan is the query plan of one digest statement.
type Plan struct {
	Query string
	// Lines are the plan as the database prints it (MySQL's EXPLAIN rows,
	// SQLite's EXPLAIN QUERY PLAN details).
	Lines []string
	// FullScan names the tables of opinions or opinion_events the plan
	// reads in full, if any.
	FullScan []string
}

// ExplainDigest explains every statement of the digest for the schools
// and the week [from, to): each must read opinions and opinion_events
// through an index.
//
// The statements run once per school; bureau is true for the bureau's
// digest, which reads two weeks instead of the trend's eight.
func (d *DB) ExplainDigest(ctx context.Context, schoolID int64, bureau bool, from, to time.Time) ([]Plan, error) {
	schoolIDs := []int64{schoolID}
	var ids []int64
	if err := d.db.SelectContext(ctx, &ids, `SELECT id FROM opinions WHERE school_id = ? ORDER BY id LIMIT 50`, schoolIDs[0]); err != nil {
		return nil, d.translate("explain digest", err)
	}
	if len(ids) == 0 {
		ids = []int64{1}
	}
	type stmt struct {
		name string
		q    string
		args []any
	}
	var stmts []stmt
	add := func(name, q string, args []any) { stmts = append(stmts, stmt{name, q, args}) }
	// One school's digest reads the eight weeks of its trend; the
	// bureau's, of all schools at once, this week and last.
	since := from.AddDate(0, 0, -49)
	if bureau {
		since = from.AddDate(0, 0, -7)
	}
	q, a := qDigestCreated(schoolIDs, since, to)
	add("created", q, a)
	q, a = qDigestActive(schoolIDs, since)
	add("active", q, a)
	q, a = qDigestEvents(ids)
	add("events", q, a)
	q, a = d.qDigestDue(schoolIDs, from.AddDate(0, -3, 0), to, 16*time.Hour)
	add("due", q, a)
	q, a = qDigestRatings(schoolIDs, from.AddDate(0, -3, 0), to)
	add("ratings", q, a)
	var out []Plan
	for _, s := range stmts {
		p := Plan{Query: s.name}
		if d.dialect == MySQL {
			rows, err := d.db.QueryxContext(ctx, "EXPLAIN "+s.q, s.args...)
			if err != nil {
				return nil, d.translate("explain digest", err)
			}
			for rows.Next() {
				m := map[string]any{}
				if err := rows.MapScan(m); err != nil {
					rows.Close()
					return nil, d.translate("explain digest", err)
				}
				str := func(k string) string {
					switch v := m[k].(type) {
					case []byte:
						return string(v)
					case nil:
						return "NULL"
					default:
						return fmt.Sprint(v)
					}
				}
				p.Lines = append(p.Lines, fmt.Sprintf("table=%s type=%s key=%s rows=%s extra=%s", str("table"), str("type"), str("key"), str("rows"), str("Extra")))
				if t := str("table"); (t == "o" || t == "opinions" || t == "opinion_events") && str("type") == "ALL" {
					p.FullScan = append(p.FullScan, t)
				}
			}
			rows.Close()
		} else {
			var plan []struct {
				ID     int    `db:"id"`
				Parent int    `db:"parent"`
				NotUse int    `db:"notused"`
				Detail string `db:"detail"`
			}
			if err := d.db.SelectContext(ctx, &plan, "EXPLAIN QUERY PLAN "+s.q, s.args...); err != nil {
				return nil, d.translate("explain digest", err)
			}
			for _, l := range plan {
				p.Lines = append(p.Lines, l.Detail)
				if strings.HasPrefix(l.Detail, "SCAN ") && !strings.Contains(l.Detail, "INDEX") && !strings.Contains(l.Detail, "SUBQUERY") && !strings.Contains(l.Detail, "CONSTANT") {
					p.FullScan = append(p.FullScan, strings.Fields(l.Detail)[1])
				}
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// SQLFor returns the statement for the database's dialect (for tests and
// tools that run dialect-specific maintenance such as ANALYZE).
func (d *DB) SQLFor(mysql, sqlite string) string { return d.byDialect(mysql, sqlite) }
