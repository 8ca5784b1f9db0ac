package pgstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ltxform/ltxform/state"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultPGSchema is the schema the pg store's tables live in unless the
// backend block names another.
const DefaultPGSchema = "ltxform"

// DefaultWorkspace is the workspace of a backend that names none.
const DefaultWorkspace = "default"

// pgMaxConns bounds the pool the executor's workers record through. Each
// Record is one short statement, so a few connections keep the commits of
// many workers flowing together.
const pgMaxConns = 16

// PGStore keeps the state of one workspace in PostgreSQL: one row per video
// entry, a row for the workspace's serial and lineage, the run records and
// the lock info. Several machines share it; the lock is a session-level
// advisory lock. See issue 12.
type PGStore struct {
	pool      *pgxpool.Pool
	cfg       *pgx.ConnConfig // for the lock's dedicated connection
	schema    string
	workspace string
	where     string // "host/database", never the password, for messages
	password  string // only to scrub it from driver errors
	t         pgTables

	// pendingPath is the local journal of the transitions the database
	// could not take mid-run ("" when the store has none); see pg_pending.go.
	pendingPath string
	pending     *state.Journal
	// degraded is set once the database or the lock's connection is lost.
	degraded atomic.Pointer[PGDegradedError]
}

var _ state.Store = (*PGStore)(nil)

// pgTables are the quoted, schema-qualified table names.
type pgTables struct {
	schema, version, workspaces, entries, runs, locks, ledger string
}

func newPGTables(schema string) pgTables {
	q := func(name string) string { return pgx.Identifier{schema, name}.Sanitize() }
	return pgTables{
		schema:     pgx.Identifier{schema}.Sanitize(),
		version:    q("schema_version"),
		workspaces: q("workspaces"),
		entries:    q("entries"),
		runs:       q("runs"),
		locks:      q("locks"),
		ledger:     q("ledger"),
	}
}

// PGConnError is a database that cannot be reached or refused us. It names
// the host and the database, never the password.
type PGConnError struct {
	Where string // host/database
	Err   string // the driver's message, password scrubbed
}

func (e *PGConnError) Error() string {
	return fmt.Sprintf("cannot use the state database %s: %s", e.Where, e.Err)
}

// NewPGStore connects to the database of connStr and makes sure the tables
// of schema (DefaultPGSchema when empty) exist at the current version. The
// database unreachable is a *PGConnError naming host and database.
func NewPGStore(ctx context.Context, connStr, schema, workspace string) (*PGStore, error) {
	if schema == "" {
		schema = DefaultPGSchema
	}
	if workspace == "" {
		workspace = DefaultWorkspace
	}
	pcfg, err := pgxpool.ParseConfig(connStr)
	if err != nil {
		// The driver redacts passwords from its parse errors only as best it
		// can, so its message is not shown.
		return nil, errors.New("the PostgreSQL connection string is invalid: expected a URL (postgres://user@host/database) or key=value pairs (host=... dbname=...)")
	}
	pcfg.MaxConns = pgMaxConns
	cc := pcfg.ConnConfig
	lockCfg := cc.Copy()
	// Names the lock's session in pg_stat_activity for a DBA.
	lockCfg.RuntimeParams["application_name"] = "ltxform lock " + workspace
	// The lock's connection is watched for its loss by a read that is ended,
	// at unlock, by a deadline: a cancel request would race the unlock.
	lockCfg.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: pc.Conn()}
	}
	s := &PGStore{
		cfg:       lockCfg,
		schema:    schema,
		workspace: workspace,
		where:     pgWhere(cc),
		password:  cc.Password,
		t:         newPGTables(schema),
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, s.connErr(err)
	}
	s.pool = pool
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, s.connErr(err)
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// pgWhere is host/database as people name a server: the first host, with
// its port when it is not the default.
func pgWhere(cc *pgx.ConnConfig) string {
	host := cc.Host
	if cc.Port != 0 && cc.Port != 5432 && !strings.HasPrefix(host, "/") {
		host = fmt.Sprintf("%s:%d", host, cc.Port)
	}
	return host + "/" + cc.Database
}

// scrub removes password from a driver message.
func scrub(msg, password string) string {
	if password != "" {
		msg = strings.ReplaceAll(msg, password, "********")
	}
	return msg
}

func (s *PGStore) connErr(err error) error {
	// The driver lists one line per address it tried: keep them on one.
	msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
	return &PGConnError{Where: s.where, Err: scrub(msg, s.password)}
}

// dbErr wraps an error of a statement: connection failures name the server,
// anything else says what was being done.
func (s *PGStore) dbErr(doing string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	// Anything but the server's answer to a statement is the connection.
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || isConnLost(err) {
		return s.connErr(err)
	}
	return fmt.Errorf("%s in the state database %s: %s", doing, s.where, scrub(err.Error(), s.password))
}

func isConnLost(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// admin_shutdown (pg_terminate_backend), crash_shutdown, cannot_connect_now
		return pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	var connectErr *pgconn.ConnectError
	return errors.As(err, &connectErr)
}

// Where is host/database/schema/workspace, for messages.
func (s *PGStore) Where() string {
	return fmt.Sprintf("workspace %q in %s (schema %s)", s.workspace, s.where, s.schema)
}

// Workspace is the name of the store's workspace.
func (s *PGStore) Workspace() string { return s.workspace }

// Close releases the pool. The lock is released by the unlock function Lock
// returned.
func (s *PGStore) Close() error {
	s.pool.Close()
	if s.pending != nil {
		return s.pending.Close()
	}
	return nil
}

// pgMigrations take the tables from one version to the next; the version
// is the number of migrations applied. Append, never edit.
var pgMigrations = []func(t pgTables) string{
	func(t pgTables) string {
		return `
CREATE TABLE ` + t.workspaces + ` (
	workspace      text PRIMARY KEY,
	format_version integer NOT NULL DEFAULT 1,
	serial         bigint NOT NULL DEFAULT 0,
	lineage        text NOT NULL DEFAULT '',
	dirty          boolean NOT NULL DEFAULT false, -- recorded since the last checkpoint
	updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ` + t.entries + ` (
	workspace  text NOT NULL,
	address    text NOT NULL,
	status     text NOT NULL,
	entry      jsonb NOT NULL, -- a state.Entry as JSON: new fields flow through
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace, address)
);
CREATE INDEX ON ` + t.entries + ` (workspace, status);
CREATE TABLE ` + t.runs + ` (
	workspace text NOT NULL,
	id        text NOT NULL,
	host      text NOT NULL,
	started   timestamptz NOT NULL,
	record    jsonb NOT NULL, -- a state.Run as JSON
	PRIMARY KEY (workspace, id)
);
CREATE TABLE ` + t.locks + ` (
	workspace text PRIMARY KEY,
	info      jsonb NOT NULL -- a state.LockInfo: who holds, or last held, the lock
);`
	},
	// The ledger: one row per billed task, in the order written, never
	// updated or deleted. IF NOT EXISTS: builds before this migration made
	// the table on first use, outside the numbered migrations.
	func(t pgTables) string {
		return `
CREATE TABLE IF NOT EXISTS ` + t.ledger + ` (
	seq       bigserial PRIMARY KEY,
	workspace text NOT NULL,
	line      jsonb NOT NULL, -- a state.Charge as JSON
	at        timestamptz NOT NULL DEFAULT now()
);`
	},
}

// migrate creates the schema and brings its tables to the current version,
// in one transaction, serialised between processes by a transaction-level
// advisory lock so that two first runs do not both create the tables.
func (s *PGStore) migrate(ctx context.Context) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.dbErr("starting the migration", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "ltxform-migrate/"+s.schema); err != nil {
		return s.dbErr("locking the schema for its migration", err)
	}
	if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+s.t.schema); err != nil {
		return s.dbErr("creating schema "+s.schema, err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+s.t.version+` (version integer NOT NULL)`); err != nil {
		return s.dbErr("creating the schema_version table", err)
	}
	var version int
	err = tx.QueryRow(ctx, `SELECT version FROM `+s.t.version).Scan(&version)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if _, err := tx.Exec(ctx, `INSERT INTO `+s.t.version+` (version) VALUES (0)`); err != nil {
			return s.dbErr("initialising schema_version", err)
		}
	case err != nil:
		return s.dbErr("reading schema_version", err)
	}
	if version > len(pgMigrations) {
		return fmt.Errorf("the tables in schema %s of %s were made by a newer ltxform (version %d; this build knows up to %d); upgrade ltxform", s.schema, s.where, version, len(pgMigrations))
	}
	for v := version; v < len(pgMigrations); v++ {
		if _, err := tx.Exec(ctx, pgMigrations[v](s.t)); err != nil {
			return s.dbErr(fmt.Sprintf("migrating schema %s to version %d", s.schema, v+1), err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE `+s.t.version+` SET version = $1`, len(pgMigrations)); err != nil {
		return s.dbErr("updating schema_version", err)
	}
	// The workspace row exists from the start, so that Record only has to
	// flag it dirty.
	if _, err := tx.Exec(ctx, `INSERT INTO `+s.t.workspaces+` (workspace) VALUES ($1) ON CONFLICT DO NOTHING`, s.workspace); err != nil {
		return s.dbErr("creating workspace "+s.workspace, err)
	}
	return s.dbErr("committing the migration", tx.Commit(ctx))
}

// Load returns the workspace's state as the local store would: serial and
// lineage of the last checkpoint, every entry as last recorded.
func (s *PGStore) Load(ctx context.Context) (*state.State, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, s.dbErr("reading the state", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	st := state.NewState()
	var format int
	err = tx.QueryRow(ctx, `SELECT format_version, serial, lineage FROM `+s.t.workspaces+` WHERE workspace = $1`, s.workspace).
		Scan(&format, &st.Serial, &st.Lineage)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, s.dbErr("reading the state", err)
	}
	if format > state.FormatVersion {
		return nil, fmt.Errorf("the state of %s was written by a newer ltxform (format_version %d; this build reads up to %d); upgrade ltxform", s.Where(), format, state.FormatVersion)
	}
	rows, err := tx.Query(ctx, `SELECT address, entry FROM `+s.t.entries+` WHERE workspace = $1`, s.workspace)
	if err != nil {
		return nil, s.dbErr("reading the state", err)
	}
	var addr string
	var raw []byte
	_, err = pgx.ForEachRow(rows, []any{&addr, &raw}, func() error {
		var e state.Entry
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("entry %s of %s is corrupt: %v", addr, s.Where(), err)
		}
		if e.Address == "" {
			e.Address = addr
		}
		st.Entries[addr] = &e
		return nil
	})
	if err != nil {
		return nil, s.dbErr("reading the state", err)
	}
	// What an earlier run could not write to the database is newer than
	// the rows: a plan without the lock (which would replay it) sees it too.
	ops, err := s.readPending()
	if err != nil {
		return nil, err
	}
	for _, op := range ops {
		st.Apply(op)
	}
	return st, nil
}

// Exists tells whether anything was ever recorded in the workspace.
func (s *PGStore) Exists(ctx context.Context) (bool, error) {
	var exists bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+s.t.workspaces+` WHERE workspace = $1 AND (serial > 0 OR dirty))
		OR EXISTS (SELECT 1 FROM `+s.t.entries+` WHERE workspace = $1)`, s.workspace).Scan(&exists)
	return exists, s.dbErr("reading the state", err)
}

// Record writes e and flags the workspace dirty in one statement, that is
// one transaction, committed (and so durable) before it returns. The flag
// is only written when it is not yet set, so concurrent records do not
// queue on the workspace row. Once the database is lost mid-run (see
// Degraded), e goes to the pending journal instead, fsynced.
func (s *PGStore) Record(ctx context.Context, e state.Entry) error {
	if e.Address == "" {
		return errors.New("state: record of an entry without an address")
	}
	data, err := json.Marshal(&e)
	if err != nil {
		return err
	}
	return s.writeOp(ctx, state.Op{Op: state.OpSet, Entry: &e}, "recording "+e.Address, func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, `WITH up AS (
	INSERT INTO `+s.t.entries+` AS t (workspace, address, status, entry, updated_at) VALUES ($1, $2, $3, $4, now())
	ON CONFLICT (workspace, address) DO UPDATE SET status = excluded.status, entry = excluded.entry, updated_at = excluded.updated_at)
UPDATE `+s.t.workspaces+` SET dirty = true WHERE workspace = $1 AND NOT dirty`,
			s.workspace, e.Address, string(e.Status), data)
		return err
	})
}

// Remove deletes the entry of address, durably, in one statement.
func (s *PGStore) Remove(ctx context.Context, address string) error {
	return s.writeOp(ctx, state.Op{Op: state.OpRemove, Address: address}, "removing "+address, func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, `WITH del AS (
	DELETE FROM `+s.t.entries+` WHERE workspace = $1 AND address = $2)
UPDATE `+s.t.workspaces+` SET dirty = true WHERE workspace = $1 AND NOT dirty`,
			s.workspace, address)
		return err
	})
}

// Checkpoint bumps the serial (and gives the state its lineage on the first
// one) when anything was recorded since the last checkpoint; otherwise it
// keeps the serial, so that a no-op run does not make saved plans stale.
// The rows are already durable: nothing else needs folding. As with the
// local store, the lock holder calls it once its writers are done.
//
// A degraded store writes nothing: its transitions since the loss are in
// the pending journal, which the next Lock replays.
func (s *PGStore) Checkpoint(ctx context.Context) error {
	if s.degraded.Load() != nil {
		return nil
	}
	_, err := s.pool.Exec(ctx, `UPDATE `+s.t.workspaces+`
SET serial = serial + 1, dirty = false, updated_at = now(), format_version = $3,
	lineage = CASE WHEN lineage = '' THEN $2 ELSE lineage END
WHERE workspace = $1 AND dirty`, s.workspace, state.NewRandomID(), state.FormatVersion)
	return s.dbErr("checkpointing the state", err)
}

// Replace makes st (serial and lineage included) the whole state of the
// workspace, in one transaction: state push. The caller holds the lock.
func (s *PGStore) Replace(ctx context.Context, st *state.State) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.dbErr("replacing the state", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `DELETE FROM `+s.t.entries+` WHERE workspace = $1`, s.workspace); err != nil {
		return s.dbErr("replacing the state", err)
	}
	rows := make([][]any, 0, len(st.Entries))
	for _, e := range st.Sorted() {
		data, err := json.Marshal(e)
		if err != nil {
			return err
		}
		rows = append(rows, []any{s.workspace, e.Address, string(e.Status), string(data)})
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{s.schema, "entries"}, []string{"workspace", "address", "status", "entry"}, pgx.CopyFromRows(rows)); err != nil {
		return s.dbErr("replacing the state", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE `+s.t.workspaces+` SET serial = $2, lineage = $3, dirty = false, format_version = $4, updated_at = now() WHERE workspace = $1`,
		s.workspace, int64(st.Serial), st.Lineage, state.FormatVersion); err != nil {
		return s.dbErr("replacing the state", err)
	}
	return s.dbErr("replacing the state", tx.Commit(ctx))
}

// SaveRun stores r, giving it an id from its start time if it has none;
// host is the machine that ran it.
func (s *PGStore) SaveRun(ctx context.Context, r *state.Run, host string) error {
	out, err := state.PrepareRun(r)
	if err != nil {
		return err
	}
	data, err := json.Marshal(out)
	if err != nil {
		return err
	}
	// At the end of a run whose database was lost, a server that does not
	// answer must not keep the run from ending.
	ctx, cancel := context.WithTimeout(ctx, pgRecordTimeout)
	defer cancel()
	_, err = s.pool.Exec(ctx, `INSERT INTO `+s.t.runs+` (workspace, id, host, started, record) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (workspace, id) DO UPDATE SET host = excluded.host, started = excluded.started, record = excluded.record`,
		s.workspace, r.ID, host, r.Started, data)
	return s.dbErr("saving run "+r.ID, err)
}

// PGRun is a run record with the host that ran it.
type PGRun struct {
	*state.Run
	Host string
}

// ListRuns returns every run record of the workspace, newest first, with
// the host of each.
func (s *PGStore) ListRuns(ctx context.Context) ([]PGRun, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, host, record FROM `+s.t.runs+` WHERE workspace = $1 ORDER BY started DESC, id DESC`, s.workspace)
	if err != nil {
		return nil, s.dbErr("listing the runs", err)
	}
	var runs []PGRun
	var errs []error
	var id, host string
	var raw []byte
	_, err = pgx.ForEachRow(rows, []any{&id, &host, &raw}, func() error {
		r, err := decodePGRun(id, raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("run %s in %s: %w", id, s.Where(), err))
			return nil
		}
		runs = append(runs, PGRun{Run: r, Host: host})
		return nil
	})
	if err != nil {
		return nil, s.dbErr("listing the runs", err)
	}
	return runs, errors.Join(errs...)
}

// LoadRun reads the record of run id; a unique prefix of an id is enough.
func (s *PGStore) LoadRun(ctx context.Context, id string) (PGRun, error) {
	if id == "" {
		return PGRun{}, fmt.Errorf("invalid run id %q", id)
	}
	// Escape LIKE's wildcards: the id is matched as a literal prefix.
	prefix := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(id)
	rows, err := s.pool.Query(ctx, `SELECT id, host, record FROM `+s.t.runs+` WHERE workspace = $1 AND (id = $2 OR id LIKE $3 || '%') ORDER BY id LIMIT 3`, s.workspace, id, prefix)
	if err != nil {
		return PGRun{}, s.dbErr("reading run "+id, err)
	}
	type found struct {
		id, host string
		raw      []byte
	}
	var matches []found
	var f found
	_, err = pgx.ForEachRow(rows, []any{&f.id, &f.host, &f.raw}, func() error {
		if f.id == id { // an exact id wins over longer ones it prefixes
			matches = []found{f}
			return nil
		}
		if len(matches) == 1 && matches[0].id == id {
			return nil
		}
		matches = append(matches, f)
		return nil
	})
	if err != nil {
		return PGRun{}, s.dbErr("reading run "+id, err)
	}
	switch len(matches) {
	case 0:
		return PGRun{}, fmt.Errorf("%w %s in %s", state.ErrNoRun, id, s.Where())
	case 1:
		r, err := decodePGRun(matches[0].id, matches[0].raw)
		if err != nil {
			return PGRun{}, fmt.Errorf("run %s in %s: %w", matches[0].id, s.Where(), err)
		}
		return PGRun{Run: r, Host: matches[0].host}, nil
	default:
		ids := make([]string, len(matches))
		for i, m := range matches {
			ids[i] = m.id
		}
		return PGRun{}, fmt.Errorf("run id %s is ambiguous: it starts %s", id, strings.Join(ids, ", "))
	}
}

func decodePGRun(id string, raw []byte) (*state.Run, error) { return state.DecodeRun(id, raw) }

// lockKey is the advisory lock's name; the server hashes it to the lock's
// bigint key, so that every client computes the same one.
func (s *PGStore) lockKey() string { return "ltxform/" + s.schema + "/" + s.workspace }

// Lock takes the workspace's session-level advisory lock on a connection of
// its own, held until unlock, waiting up to timeout (0: try once). A holder
// that dies loses the lock when its connection drops. The lock-info row
// names the holder; a busy lock is a *state.LockedError naming it.
func (s *PGStore) Lock(ctx context.Context, info state.LockInfo, timeout time.Duration) (func() error, error) {
	info = info.Completed()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, s.cfg)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, s.connErr(err)
	}
	closeConn := func() { _ = conn.Close(context.Background()) }

	got, err := s.tryAdvisoryLock(ctx, conn, timeout)
	if err != nil {
		closeConn()
		return nil, err
	}
	if !got {
		closeConn()
		return nil, &state.LockedError{Path: s.Where(), Info: s.ReadLockInfo()}
	}
	data, err := json.Marshal(info)
	if err != nil {
		closeConn()
		return nil, err
	}
	if _, err := conn.Exec(ctx, `INSERT INTO `+s.t.locks+` (workspace, info) VALUES ($1, $2) ON CONFLICT (workspace) DO UPDATE SET info = excluded.info`, s.workspace, data); err != nil {
		closeConn()
		return nil, s.dbErr("writing the lock info", err)
	}
	// What an earlier run on this machine could not write to the database
	// goes in first, under the lock, before anything is planned from it.
	if _, err := s.replayPending(ctx); err != nil {
		_ = s.release(conn, info.ID)
		return nil, err
	}
	if err := s.replayPendingRuns(ctx); err != nil {
		_ = s.release(conn, info.ID)
		return nil, err
	}
	stopWatch := s.watchLock(conn)
	var once sync.Once
	var unlockErr error
	unlock := func() error {
		once.Do(func() {
			stopWatch()
			unlockErr = s.release(conn, info.ID)
		})
		return unlockErr
	}
	return unlock, nil
}

// watchLock degrades the store as soon as the lock's connection is lost (the
// server ended it, or it broke): the advisory lock went with it, so another
// run may take the lock, and this one must not go on as if it held it. It
// waits in a read on the idle connection, which the server's goodbye or the
// broken socket ends at once. stop ends the watch and returns once conn is
// free for the unlock.
func (s *PGStore) watchLock(conn *pgx.Conn) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			// Only a notification ends the wait without an error; none is
			// listened for, but one is harmless.
			err := conn.PgConn().WaitForNotification(ctx)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				s.degrade("the connection holding the lock was lost, so another run may take the lock: " + s.connErr(err).(*PGConnError).Err)
				return
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// release removes the lock info of holder id and frees the lock held on
// conn, then closes conn.
func (s *PGStore) release(conn *pgx.Conn, id string) error {
	var unlockErr error
	{
		bg := context.Background()
		// Remove the info first, while the lock is still held: a new holder
		// writes its own once the lock is free.
		if _, err := conn.Exec(bg, `DELETE FROM `+s.t.locks+` WHERE workspace = $1 AND info->>'id' = $2`, s.workspace, id); err != nil {
			unlockErr = s.dbErr("removing the lock info", err)
		}
		// Closing the session releases the advisory lock even when the
		// unlock statement cannot be sent.
		if _, err := conn.Exec(bg, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, s.lockKey()); err != nil && unlockErr == nil {
			unlockErr = s.dbErr("releasing the lock", err)
		}
		_ = conn.Close(bg)
	}
	return unlockErr
}

// tryAdvisoryLock takes the lock on conn: at once, or waiting up to timeout
// inside the server (lock_timeout), which hands it over as soon as it is
// free. It reports false when the wait ran out.
func (s *PGStore) tryAdvisoryLock(ctx context.Context, conn *pgx.Conn, timeout time.Duration) (bool, error) {
	if timeout <= 0 {
		var got bool
		err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, s.lockKey()).Scan(&got)
		return got, s.dbErr("taking the lock", err)
	}
	ms := timeout.Milliseconds()
	if ms < 1 {
		ms = 1
	}
	if _, err := conn.Exec(ctx, `SELECT set_config('lock_timeout', $1, false)`, fmt.Sprintf("%dms", ms)); err != nil {
		return false, s.dbErr("taking the lock", err)
	}
	_, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtextextended($1, 0))`, s.lockKey())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "55P03" { // lock_not_available
		return false, nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, s.dbErr("taking the lock", err)
	}
	_, err = conn.Exec(ctx, `SELECT set_config('lock_timeout', '0', false)`)
	return true, s.dbErr("taking the lock", err)
}

// ReadLockInfo returns who holds, or last held, the lock; nil if nobody
// left lock info (or the database cannot be read).
func (s *PGStore) ReadLockInfo() *state.LockInfo {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var raw []byte
	if err := s.pool.QueryRow(ctx, `SELECT info FROM `+s.t.locks+` WHERE workspace = $1`, s.workspace).Scan(&raw); err != nil {
		return nil
	}
	var info state.LockInfo
	if json.Unmarshal(raw, &info) != nil {
		return nil
	}
	return &info
}

// ForceUnlock removes the lock info left by the holder with lock ID id,
// once that holder is gone. A dead holder's advisory lock went with its
// connection; a holder that still holds it is alive, and the lock is not
// taken from it.
func (s *PGStore) ForceUnlock(id string) error {
	ctx := context.Background()
	info := s.ReadLockInfo()
	if info == nil {
		return fmt.Errorf("the state is not locked: there is no lock info for %s", s.Where())
	}
	if info.ID != id {
		return fmt.Errorf("lock ID %q does not match the lock held by %s (lock ID %s, pid %d on %s); nothing was unlocked", id, info.Printable().Operation, info.Printable().ID, info.PID, info.Printable().Host)
	}
	conn, err := pgx.ConnectConfig(ctx, s.cfg)
	if err != nil {
		return s.connErr(err)
	}
	defer conn.Close(ctx)
	got, err := s.tryAdvisoryLock(ctx, conn, 0)
	if err != nil {
		return err
	}
	if !got {
		return fmt.Errorf("the holder of lock %s (%s, pid %d on %s, since %s) is still running and holds the lock; stop it instead of unlocking",
			info.ID, info.Operation, info.PID, info.Host, info.Created.UTC().Format(time.RFC3339))
	}
	_, err = conn.Exec(ctx, `DELETE FROM `+s.t.locks+` WHERE workspace = $1 AND info->>'id' = $2`, s.workspace, id)
	// Released here, not by closing the connection: the server frees a
	// closed session's locks a moment later, and a run started right after
	// the force-unlock would find the lock still held.
	if _, uerr := conn.Exec(ctx, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, s.lockKey()); uerr != nil && err == nil {
		err = uerr
	}
	return s.dbErr("removing the lock info", err)
}

// EnsureLineage gives the workspace its lineage, if it has none yet, and
// returns it; see (*LocalStore).EnsureLineage.
func (s *PGStore) EnsureLineage(ctx context.Context) (string, error) {
	var lineage string
	err := s.pool.QueryRow(ctx, `UPDATE `+s.t.workspaces+`
SET lineage = CASE WHEN lineage = '' THEN $2 ELSE lineage END
WHERE workspace = $1 RETURNING lineage`, s.workspace, state.NewRandomID()).Scan(&lineage)
	if err != nil {
		return "", s.dbErr("giving the state its lineage", err)
	}
	return lineage, nil
}
