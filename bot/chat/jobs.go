package chat

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"minqing/bot"
)

// Job is scheduled work: purges, reminders, digests. Each run of a job is
// claimed through a lock in the state store, so that it runs once per
// period across all instances.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context, now time.Time) error
}

// Jobs returns the bot's scheduled work.
func (b *Bot) Jobs() []Job {
	return []Job{{
		Name:  "purge_processed",
		Every: time.Hour,
		Run: func(ctx context.Context, now time.Time) error {
			n, err := b.store.PurgeProcessed(ctx, now.Add(-ProcessedRetention))
			if err == nil && n > 0 {
				b.log.Info("processed_purged", "rows", n)
			}
			return err
		},
	}, {
		Name:  "study_reminders",
		Every: time.Minute,
		Run:   b.RemindStudy,
	}, {
		Name:  "submit_drafts",
		Every: JobTick,
		Run:   b.submitDueDrafts,
	}, b.digestJob()}
}

// JobTick is how often RunJobs looks for work in production: the shortest
// period of any job.
const JobTick = 15 * time.Second

// RunJobs runs jobs until ctx ends: each job once per period (Every,
// aligned to the clock), on whichever instance claims the period first.
// It checks every tick (JobTick, 15 s, in production).
func RunJobs(ctx context.Context, state bot.State, jobs []Job, now func() time.Time, tick time.Duration, log *slog.Logger) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		for _, j := range jobs {
			runJob(ctx, state, j, now(), log)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func runJob(ctx context.Context, state bot.State, j Job, now time.Time, log *slog.Logger) {
	period := now.Truncate(j.Every)
	key := "job:" + j.Name + ":" + strconv.FormatInt(period.Unix(), 10)
	// The lock is never released: it expires with the period, so that no
	// other instance runs this period again.
	if _, err := state.Lock(ctx, key, j.Every); err != nil {
		if !errors.Is(err, bot.ErrConflict) {
			log.Warn("job_not_claimed", "job", j.Name, "err", err)
		}
		return
	}
	start := time.Now()
	if err := j.Run(ctx, now); err != nil {
		log.Error("job_failed", "job", j.Name, "err", err)
		return
	}
	log.Debug("job_done", "job", j.Name, "took", time.Since(start))
}
