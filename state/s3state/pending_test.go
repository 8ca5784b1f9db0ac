package s3state

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ltxform/ltxform/internal/s3test"
	"github.com/ltxform/ltxform/state"
	"github.com/ltxform/ltxform/state/storetest"
)

// clientVia is a client of srv that goes through endpoint.
func clientVia(srv *s3test.Server, endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region: s3test.Region, BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RetryMaxAttempts:           1,
	})
}

func TestBucketLostMidRunKeepsTransitionsLocally(t *testing.T) {
	srv := s3test.Start(t)
	name := srv.Bucket(t)
	ctx := context.Background()
	dir := t.TempDir()
	target, err := url.Parse(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	defer proxy.Close()

	s := New(clientVia(srv, proxy.URL), name, "k", "ws")
	s.UsePendingJournal(dir)
	if _, err := s.Lock(ctx, state.NewLockInfo("apply"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, storetest.Entry("video.a", state.StatusCreated)); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, storetest.Entry("video.gone", state.StatusFailed)); err != nil {
		t.Fatal(err)
	}
	if s.Degraded() != nil {
		t.Fatalf("Degraded = %v while the bucket answers", s.Degraded())
	}

	proxy.Close() // the bucket is gone
	if err := s.Record(ctx, storetest.Entry("video.a", state.StatusDownloaded)); err != nil {
		t.Fatalf("Record with the bucket gone = %v; want it kept locally", err)
	}
	if err := s.Remove(ctx, "video.gone"); err != nil {
		t.Fatalf("Remove with the bucket gone = %v; want it kept locally", err)
	}
	pending := filepath.Join(dir, state.DirName, PendingJournalName("ws"))
	var de *DegradedError
	if derr := s.Degraded(); !errors.As(derr, &de) || !strings.Contains(derr.Error(), pending) || !strings.Contains(derr.Error(), "no new create") {
		t.Fatalf("Degraded = %v; want a DegradedError naming %s", derr, pending)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatalf("Checkpoint of a degraded store = %v; want nil (the pending journal is durable)", err)
	}
	lost := &state.Run{ID: "20261201T090000Z-abcdef", Started: time.Now().UTC(), Status: state.RunStateLost, ExitCode: 1, Host: "alice"}
	if err := s.SaveRun(ctx, lost); err != nil {
		t.Fatalf("SaveRun with the bucket gone = %v; want it kept locally", err)
	}
	s.Close()

	// The holder's process is gone with its lock object left behind; the
	// next run here takes it over (as a later process would).
	direct := srv.Client()
	if err := (&bucket{c: direct, name: name}).removeOne(ctx, "k/ws/lock.json"); err != nil {
		t.Fatal(err)
	}
	next := New(direct, name, "k", "ws")
	next.UsePendingJournal(dir)
	defer next.Close()
	st, err := next.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Get("video.a"); got == nil || got.Status != state.StatusDownloaded || st.Get("video.gone") != nil {
		t.Fatalf("Load before the replay: %+v", st.Entries)
	}
	unlock, err := next.Lock(ctx, state.NewLockInfo("apply"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if _, err := os.Stat(pending); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the pending journal after the replay: %v; want it removed", err)
	}
	st, err = New(direct, name, "k", "ws").Load(ctx) // the bucket alone, as another host sees it
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Get("video.a"); got == nil || got.Status != state.StatusDownloaded || st.Get("video.gone") != nil {
		t.Fatalf("the bucket after the replay: %+v", st.Entries)
	}
	runs, err := New(direct, name, "k", "ws").ListRuns(ctx)
	if err != nil || len(runs) != 1 || runs[0].Status != state.RunStateLost || runs[0].ExitCode != 1 {
		t.Fatalf("runs in the bucket after the replay = %+v, %v; want the lost run's record", runs, err)
	}
}
