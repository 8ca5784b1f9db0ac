package pgstate_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ltxform/ltxform/state"
	"github.com/ltxform/ltxform/state/pgstate"
	"github.com/ltxform/ltxform/state/pgstate/pgtest"
	"github.com/ltxform/ltxform/state/storetest"
)

// pgProxy forwards TCP connections to the test's PostgreSQL until cut,
// as a network between a host and its database server would.
type pgProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	cut   bool
}

// startPGProxy returns the proxy and a connection string through it.
func startPGProxy(t *testing.T, connStr string) (*pgProxy, string) {
	t.Helper()
	cfg, err := pgx.ParseConfig(connStr)
	if err != nil {
		t.Fatal(err)
	}
	network, addr := "tcp", net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))
	if strings.HasPrefix(cfg.Host, "/") {
		network, addr = "unix", filepath.Join(cfg.Host, fmt.Sprintf(".s.PGSQL.%d", cfg.Port))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgProxy{ln: ln}
	t.Cleanup(p.Cut)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial(network, addr)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			if p.cut {
				p.mu.Unlock()
				c.Close()
				s.Close()
				continue
			}
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(s, c); s.Close() }()
			go func() { _, _ = io.Copy(c, s); c.Close() }()
		}
	}()
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if strings.HasPrefix(connStr, "postgres://") || strings.HasPrefix(connStr, "postgresql://") {
		u, err := url.Parse(connStr)
		if err != nil {
			t.Fatal(err)
		}
		u.Host = ln.Addr().String()
		q := u.Query()
		q.Del("host")
		q.Del("port")
		u.RawQuery = q.Encode()
		return p, u.String()
	}
	// In key=value form the last value of a key wins.
	return p, connStr + " host=" + host + " port=" + port
}

// Cut drops every connection and refuses new ones: the server is gone.
func (p *pgProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
}

// waitDegraded waits, up to 10 s, for the store to notice its loss.
func waitDegraded(t *testing.T, s *pgstate.PGStore) error {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.Degraded() == nil {
		if time.Now().After(deadline) {
			t.Fatal("the store did not notice that its database was lost within 10 s")
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not ordering events
	}
	return s.Degraded()
}

func TestPGDatabaseLostMidRunKeepsTransitionsLocally(t *testing.T) {
	conn := pgtest.ConnStr(t)
	schema := pgtest.Schema(t, conn)
	ctx := context.Background()
	dir := t.TempDir()
	proxy, viaProxy := startPGProxy(t, conn)

	s := openPG(t, viaProxy, schema, "ws")
	s.UsePendingJournal(dir)
	unlock, err := s.Lock(ctx, state.NewLockInfo("apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, storetest.Entry("video.a", state.StatusCreated)); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, storetest.Entry("video.gone", state.StatusFailed)); err != nil {
		t.Fatal(err)
	}
	if s.Degraded() != nil {
		t.Fatalf("Degraded = %v while the database answers", s.Degraded())
	}

	proxy.Cut()
	// The task in flight ends and its result is kept, although the
	// database is gone; so is a removal.
	if err := s.Record(ctx, storetest.Entry("video.a", state.StatusDownloaded)); err != nil {
		t.Fatalf("Record with the database gone = %v; want it kept locally", err)
	}
	if err := s.Remove(ctx, "video.gone"); err != nil {
		t.Fatalf("Remove with the database gone = %v; want it kept locally", err)
	}
	derr := waitDegraded(t, s)
	pending := filepath.Join(dir, state.DirName, pgstate.PendingJournalName("ws"))
	var de *pgstate.PGDegradedError
	if !errors.As(derr, &de) || !strings.Contains(derr.Error(), pending) || !strings.Contains(derr.Error(), "no new create") {
		t.Fatalf("Degraded = %v; want a PGDegradedError naming %s", derr, pending)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatalf("Checkpoint of a degraded store = %v; want nil (the pending journal is durable)", err)
	}
	// The run's record, which the database cannot take, waits beside the
	// journal: else it would stay "running" there and be called killed.
	lost := &state.Run{ID: "20261201T090000Z-abcdef", Started: time.Now().UTC(), Status: state.RunStateLost, ExitCode: 1, Host: "alice"}
	if err := pgstate.NewBackend(s).SaveRun(ctx, lost); err != nil {
		t.Fatalf("SaveRun with the database gone = %v; want it kept locally", err)
	}
	_ = unlock() // the connection is gone: the server has freed the lock
	if _, err := os.Stat(pending); err != nil {
		t.Fatalf("the pending journal: %v", err)
	}

	// The next run, with the database back: a plan without the lock sees
	// the pending transitions; the lock writes them to the database.
	next := openPG(t, conn, schema, "ws")
	next.UsePendingJournal(dir)
	st, err := next.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Get("video.a"); got == nil || got.Status != state.StatusDownloaded || st.Get("video.gone") != nil {
		t.Fatalf("Load before the replay: %s", statusesOf(st))
	}
	unlock2, err := next.Lock(ctx, state.NewLockInfo("apply"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock2()
	if _, err := os.Stat(pending); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the pending journal after the replay: %v; want it removed", err)
	}
	runs, err := pgstate.NewBackend(openPG(t, conn, schema, "ws")).ListRuns(ctx)
	if err != nil || len(runs) != 1 || runs[0].ID != lost.ID || runs[0].Status != state.RunStateLost || runs[0].ExitCode != 1 || runs[0].Host != "alice" {
		t.Fatalf("runs in the database after the replay = %+v, %v; want the lost run's record, as it was kept", runs, err)
	}
	st, err = openPG(t, conn, schema, "ws").Load(ctx) // the database alone, as another host sees it
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Get("video.a"); got == nil || got.Status != state.StatusDownloaded || st.Get("video.gone") != nil {
		t.Fatalf("the database after the replay: %s", statusesOf(st))
	}
	if err := next.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := next.Load(ctx); st.Serial != 1 {
		t.Fatalf("serial after the replayed run's checkpoint = %d; want 1", st.Serial)
	}
}

func TestPGLockLostDegradesTheStore(t *testing.T) {
	conn := pgtest.ConnStr(t)
	schema := pgtest.Schema(t, conn)
	ctx := context.Background()
	dir := t.TempDir()
	s := openPG(t, conn, schema, "ws")
	s.UsePendingJournal(dir)
	unlock, err := s.Lock(ctx, state.NewLockInfo("apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	pgtest.TerminateLockHolder(t, conn, schema, "ws")
	derr := waitDegraded(t, s)
	if !strings.Contains(derr.Error(), "lock") {
		t.Fatalf("Degraded = %v; want it to say the lock was lost", derr)
	}
	// Another run may hold the lock now: this one's transitions stay local,
	// although the database answers.
	other := openPG(t, conn, schema, "ws")
	unlockOther, err := other.Lock(ctx, state.NewLockInfo("apply"), 0)
	if err != nil {
		t.Fatalf("the lock after its holder's connection died: %v", err)
	}
	if err := s.Record(ctx, storetest.Entry("video.late", state.StatusCompleted)); err != nil {
		t.Fatal(err)
	}
	if st, _ := other.Load(ctx); st.Get("video.late") != nil {
		t.Fatal("a store that lost its lock wrote to the database")
	}
	unlockOther()
}

// A store without a pending journal (state push) fails the Record instead.
func TestPGLostWithoutPendingJournalFails(t *testing.T) {
	conn := pgtest.ConnStr(t)
	schema := pgtest.Schema(t, conn)
	proxy, viaProxy := startPGProxy(t, conn)
	s := openPG(t, viaProxy, schema, "ws")
	proxy.Cut()
	err := s.Record(context.Background(), storetest.Entry("video.a", state.StatusCreated))
	var ce *pgstate.PGConnError
	if !errors.As(err, &ce) {
		t.Fatalf("Record = %v; want a PGConnError", err)
	}
}

func statusesOf(st *state.State) string {
	var parts []string
	for _, e := range st.Sorted() {
		parts = append(parts, e.Address+"="+string(e.Status))
	}
	return strings.Join(parts, " ")
}
