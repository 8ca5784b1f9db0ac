// Package s3test gives tests an S3-compatible server on loopback: the one
// named by LTXFORM_TEST_S3_ENDPOINT (as .ci/run starts it), or else a
// versitygw started for the test when the binary is on PATH or in
// $GOPATH/bin. Without either a test is skipped with a message that says how
// to run it; with CI set it fails instead, so that CI never skips a test that
// needs the server.
//
// versitygw (Apache-2.0) enforces conditional writes: a second PUT with
// If-None-Match: * answers 412, which the S3 state lock relies on.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The environment a server given from outside is described by.
const (
	EndpointEnv  = "LTXFORM_TEST_S3_ENDPOINT"
	AccessKeyEnv = "LTXFORM_TEST_S3_ACCESS_KEY"
	SecretKeyEnv = "LTXFORM_TEST_S3_SECRET_KEY"
)

// Region is what every test client says; versitygw accepts any.
const Region = "us-east-1"

// HowToRun is the skip message's advice.
const HowToRun = "needs an S3-compatible server: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0 " +
	"(then it is started for the test), or set " + EndpointEnv + ", " + AccessKeyEnv + " and " + SecretKeyEnv +
	" (.ci/run does both)"

// Server is a reachable S3-compatible endpoint with root credentials.
type Server struct {
	Endpoint  string // http://127.0.0.1:PORT
	AccessKey string
	SecretKey string
}

// Start returns the server for t: the one in the environment, or a
// versitygw started now and stopped when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	if ep := os.Getenv(EndpointEnv); ep != "" {
		return &Server{Endpoint: ep, AccessKey: os.Getenv(AccessKeyEnv), SecretKey: os.Getenv(SecretKeyEnv)}
	}
	bin := findVersitygw()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but no S3 server: %s", HowToRun)
		}
		t.Skip(HowToRun)
	}
	return startVersitygw(t, bin)
}

func findVersitygw() string {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if home, err := os.UserHomeDir(); err == nil {
			gopath = filepath.Join(home, "go")
		}
	}
	p := filepath.Join(gopath, "bin", "versitygw")
	if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
		return p
	}
	return ""
}

func startVersitygw(t testing.TB, bin string) *Server {
	t.Helper()
	dir := t.TempDir()
	data, meta := filepath.Join(dir, "data"), filepath.Join(dir, "meta")
	for _, d := range []string{data, meta} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	addr := freeLoopbackAddr(t)
	s := &Server{Endpoint: "http://" + addr, AccessKey: "ltxformtest", SecretKey: randomHex(t, 16)}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--port", addr, "posix", "--sidecar", meta, data)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s.AccessKey, "ROOT_SECRET_KEY="+s.SecretKey)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	dieWithTest(cmd)
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start versitygw: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cancel(); <-exited })
	if err := waitListening(addr, exited, 30*time.Second); err != nil {
		t.Fatalf("versitygw on %s: %v\n%s", addr, err, out.String())
	}
	return s
}

// waitListening waits until addr accepts a connection, the server exits or
// the limit passes.
func waitListening(addr string, exited <-chan struct{}, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not listening after %s: %w", limit, err)
		}
		select {
		case <-exited:
			return fmt.Errorf("exited before listening")
		case <-tick.C:
		}
	}
}

func freeLoopbackAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// Client is an S3 client for the server, path-style, with checksums only
// where an operation requires them (what S3-compatible servers expect).
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:                     Region,
		BaseEndpoint:               aws.String(s.Endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

// Bucket creates a bucket of its own for t and returns its name.
func (s *Server) Bucket(t testing.TB) string {
	t.Helper()
	name := "ltxform-" + randomHex(t, 6)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s at %s: %v", name, s.Endpoint, err)
	}
	return name
}

// Env is what an ltxform process needs to reach the server through the AWS
// SDK's default chain: credentials, region and endpoint, never in a file.
func (s *Server) Env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + s.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretKey,
		"AWS_REGION=" + Region,
		"AWS_ENDPOINT_URL_S3=" + s.Endpoint,
		// No shared config or credentials file of the machine's user.
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}
