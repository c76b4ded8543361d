package cluster_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/cluster"
	"github.com/callbackline/callbackline/internal/wait"
	"github.com/callbackline/callbackline/store/sqlite"
)

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "cb.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// A member's lease holds after each heartbeat and runs out without one;
// told that another process started under its id, it is fenced: it hangs
// up (Fenced) and joins again as a newer generation.
func TestMemberLeaseAndFence(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	var fenced atomic.Int32
	reg := prometheus.NewRegistry()
	metrics := cluster.NewMetrics()
	if err := metrics.Register(reg); err != nil {
		t.Fatal(err)
	}
	m, err := cluster.Join(ctx, cluster.Options{Store: st, Instance: callbackline.Instance{ID: "host:8080"},
		DeadAfter: 3 * time.Second, Fenced: func() { fenced.Add(1) }, Metrics: metrics})
	if err != nil {
		t.Fatal(err)
	}
	first := m.Lease()
	if !m.Holds(first) || first.Generation != 1 {
		t.Fatalf("after Join: lease %+v holds %v", first, m.Holds(first))
	}
	wait.For(t, "the lease did not run out without a heartbeat", func() bool { return !m.Holds(first) })
	m.Tick(ctx)
	if !m.Holds(first) {
		t.Fatal("a heartbeat did not renew the lease")
	}
	// Another process starts under the same id.
	if _, err := st.Join(ctx, &callbackline.Instance{ID: "host:8080"}); err != nil {
		t.Fatal(err)
	}
	m.Tick(ctx)
	now := m.Lease()
	if fenced.Load() != 1 || m.Holds(first) || now.Generation != 3 || !m.Holds(now) {
		t.Errorf("after the other start: fenced %d times, old lease holds %v, new lease %+v holds %v",
			fenced.Load(), m.Holds(first), now, m.Holds(now))
	}
	got := gather(t, reg)
	for _, want := range []string{`callbackline_instance_fenced_total 1`, `callbackline_instance_info{generation="3",instance="host:8080"} 1`} {
		if !strings.Contains(got, want) {
			t.Errorf("metrics lack %s:\n%s", want, got)
		}
	}
}

// Of two members watching a third that stopped beating, exactly one takes
// it over; a clean Leave is never taken over.
func TestMemberTakeOver(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	const deadAfter = 3 * time.Second // the watchers beat far more often, even on a busy machine
	var took atomic.Int32
	join := func(id string) *cluster.Member {
		m, err := cluster.Join(ctx, cluster.Options{Store: st, Instance: callbackline.Instance{ID: id}, DeadAfter: deadAfter,
			TookOver: func(tk callbackline.Takeover) {
				if tk.Dead.ID == "dead" {
					took.Add(1)
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	join("dead")
	gone := join("gone")
	if err := gone.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	a, b := join("a"), join("b")
	wait.For(t, "the silent instance was not taken over", func() bool {
		a.Tick(ctx)
		b.Tick(ctx)
		return took.Load() > 0
	})
	a.Tick(ctx)
	b.Tick(ctx)
	if took.Load() != 1 {
		t.Errorf("taken over %d times, want once", took.Load())
	}
	list, err := st.Instances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range list {
		if in.ID == "gone" || in.ID == "dead" && in.Alive() {
			t.Errorf("instance %+v", in)
		}
	}
}

// A dead instance taken over is deleted by one of the living members once
// its heartbeat is older than PruneAfter, and counted there once; the
// living members' rows stay.
func TestMemberPrunesDead(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	const deadAfter, pruneAfter = 3 * time.Second, 5 * time.Second
	regs := map[string]*prometheus.Registry{}
	join := func(id string) *cluster.Member {
		reg, metrics := prometheus.NewRegistry(), cluster.NewMetrics()
		if err := metrics.Register(reg); err != nil {
			t.Fatal(err)
		}
		regs[id] = reg
		m, err := cluster.Join(ctx, cluster.Options{Store: st, Instance: callbackline.Instance{ID: id},
			DeadAfter: deadAfter, PruneAfter: pruneAfter, Metrics: metrics})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	join("dead")
	a, b := join("a"), join("b")
	ids := func() []string {
		list, err := st.Instances(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, in := range list {
			out = append(out, in.ID)
		}
		return out
	}
	wait.For(t, "the dead instance's row was not deleted", func() bool {
		a.Tick(ctx)
		b.Tick(ctx)
		return len(ids()) == 2
	})
	if got := ids(); got[0] != "a" || got[1] != "b" {
		t.Errorf("instances left: %v", got)
	}
	a.Tick(ctx)
	b.Tick(ctx)
	n := 0
	for _, id := range []string{"a", "b"} {
		if strings.Contains(gather(t, regs[id]), "callbackline_instances_pruned_total 1") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d members counted the deletion, want one:\n%s\n%s", n, gather(t, regs["a"]), gather(t, regs["b"]))
	}
}

// gather renders the registry's metrics in the text format.
func gather(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range families {
		if _, err := expfmt.MetricFamilyToText(&b, f); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}
