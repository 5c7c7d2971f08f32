package handlers

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBatchSizeHistogram(t *testing.T) {
	m := NewMetrics()
	// Three batches of 1, two of 2, one of 4, two of 64.
	sizes := make([]int64, 65)
	sizes[1], sizes[2], sizes[4], sizes[64] = 3, 2, 1, 2
	m.WatchGroupCommit(func() (int64, int64, int64, []int64) { return 8, 139, 1, sizes })
	rec := httptest.NewRecorder()
	m.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	var got []string
	for line := range strings.SplitSeq(string(body), "\n") {
		if strings.HasPrefix(line, "minqing_db_batch") {
			got = append(got, line)
		}
	}
	want := []string{
		"minqing_db_batch_fallbacks_total 1",
		`minqing_db_batch_size_bucket{le="1"} 3`,
		`minqing_db_batch_size_bucket{le="2"} 5`,
		`minqing_db_batch_size_bucket{le="4"} 6`,
		`minqing_db_batch_size_bucket{le="8"} 6`,
		`minqing_db_batch_size_bucket{le="16"} 6`,
		`minqing_db_batch_size_bucket{le="32"} 6`,
		`minqing_db_batch_size_bucket{le="64"} 8`,
		`minqing_db_batch_size_bucket{le="+Inf"} 8`,
		"minqing_db_batch_size_sum 139",
		"minqing_db_batch_size_count 8",
		"minqing_db_batched_updates_total 139",
		"minqing_db_batches_total 8",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("/metrics mismatch (-want +got):\n%s", diff)
	}
}
