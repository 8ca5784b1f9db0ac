package command

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/sim"
)

// envAPIURL overrides the manifest's api.base_url (and is how tests point
// ltxform at a simulator).
const envAPIURL = "LTX_API_URL"

// newClient is the API client apply uses, for the plan's provider at the
// plan's endpoint. A missing key is an error before anything is sent.
func newClient(env *Env, settings plan.Settings, dir string) (*ltx.Client, error) {
	provider, ok := ltx.LookupProvider(settings.Provider)
	if !ok {
		return nil, fmt.Errorf("the plan names provider %q, which this ltxform does not speak", settings.Provider)
	}
	key, err := ltx.KeyFromEnvFor(provider, env.Getenv)
	if err != nil {
		return nil, err
	}
	return ltx.NewClient(ltx.Options{Provider: provider, BaseURL: settings.Endpoint, Key: key, ImageDir: dir,
		HTTPClient: pooledHTTPClient(settings.Parallelism), TaskTimeout: settings.TaskTimeout()}), nil
}

// pooledHTTPClient keeps an idle connection for every worker. Go's default
// keeps two per host, so that with more workers most requests would open
// (and close) a connection of their own: slower, and bunched arrivals at a
// rate-limited server.
func pooledHTTPClient(parallelism int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(parallelism, 8) + 8
	// Deadlines on each phase, so that a server that stops answering ends
	// the request rather than the run (the executor bounds the whole of it).
	t.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 15 * time.Second
	t.ResponseHeaderTimeout = 90 * time.Second
	return &http.Client{Transport: t}
}

// simulatedLatency is how long a simulated task takes: short enough for a
// first try, long enough that the progress is worth watching.
const simulatedLatency = 800 * time.Millisecond

// localSimulator is `apply -simulate`'s API: the simulator on a loopback
// port, accepting one random key that lives only in this process.
type localSimulator struct {
	provider *ltx.Provider
	sim      *sim.Server
	srv      *http.Server
	url      string
	key      ltx.Key
	served   chan error
}

func startSimulator(provider string) (*localSimulator, error) {
	p, ok := ltx.LookupProvider(provider)
	if !ok || !sim.ValidProvider(p.Name) {
		return nil, fmt.Errorf("the simulator does not speak provider %q", provider)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the simulator: %w", err)
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	key := "sk-sim-" + hex.EncodeToString(b[:])
	s := sim.New(sim.Options{Provider: p.Name, Keys: []string{key}, Latency: simulatedLatency})
	ls := &localSimulator{
		provider: p,
		sim:      s,
		srv:      &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second},
		url:      "http://" + ln.Addr().String(),
		key:      ltx.NewKey(key),
		served:   make(chan error, 1),
	}
	go func() { ls.served <- ls.srv.Serve(ln) }()
	return ls, nil
}

func (ls *localSimulator) client(parallelism int, dir string) *ltx.Client {
	return ltx.NewClient(ltx.Options{Provider: ls.provider, BaseURL: ls.url, Key: ls.key, ImageDir: dir, HTTPClient: pooledHTTPClient(parallelism)})
}

// Close stops the server and waits for its goroutine.
func (ls *localSimulator) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := ls.srv.Shutdown(ctx)
	if serr := <-ls.served; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
