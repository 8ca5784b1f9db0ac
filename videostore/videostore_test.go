package videostore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/internal/s3test"
	"github.com/ltxform/ltxform/videostore"
)

// open gives a store on a bucket of its own, reached as ltxform reaches
// it: credentials and endpoint from the environment only.
func open(t *testing.T, prefix string) (*videostore.Store, *s3test.Server, string) {
	t.Helper()
	srv := s3test.Start(t)
	bucket := srv.Bucket(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	s, err := videostore.Open(context.Background(), config.Storage{Type: "s3", Bucket: bucket, Prefix: prefix, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	return s, srv, bucket
}

func writeVideo(t *testing.T, body string) (path, sum string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "a.mp4")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256([]byte(body))
	return path, hex.EncodeToString(h[:])
}

func TestPutGetCopyAndLink(t *testing.T) {
	ctx := context.Background()
	s, _, bucket := open(t, "team/")
	path, sum := writeVideo(t, "take one")
	key := s.Key("out/a.mp4")
	if key != "team/out/a.mp4" {
		t.Fatalf("key %q, want prefix + output path", key)
	}
	obj, err := s.Put(ctx, key, path, sum)
	if err != nil {
		t.Fatal(err)
	}
	if obj.Bucket != bucket || obj.Bytes != 8 || obj.SHA256 != sum {
		t.Fatalf("stored %+v", obj)
	}
	var got bytes.Buffer
	if err := s.Get(ctx, obj, &got); err != nil || got.String() != "take one" {
		t.Fatalf("get: %q, %v", got.String(), err)
	}

	kept, err := s.Copy(ctx, obj, s.Key("out/.takes/a/1-task.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	got.Reset()
	if err := s.Get(ctx, kept, &got); err != nil || got.String() != "take one" {
		t.Fatalf("get of the kept take: %q, %v", got.String(), err)
	}

	link, err := s.URL(ctx, obj)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "take one" {
		t.Fatalf("presigned link: %d %q", resp.StatusCode, body)
	}
}

func TestPutRefusesAFileChangedSinceTheDownload(t *testing.T) {
	s, _, _ := open(t, "")
	path, _ := writeVideo(t, "graded by hand")
	_, other := writeVideo(t, "as downloaded")
	_, err := s.Put(context.Background(), s.Key("a.mp4"), path, other)
	if err == nil || !strings.Contains(err.Error(), "changed since it was downloaded") {
		t.Fatalf("err = %v", err)
	}
}

func TestGetRefusesAnObjectThatIsNotTheRecordedOne(t *testing.T) {
	ctx := context.Background()
	s, _, _ := open(t, "")
	path, sum := writeVideo(t, "take one")
	obj, err := s.Put(ctx, s.Key("a.mp4"), path, sum)
	if err != nil {
		t.Fatal(err)
	}
	obj.SHA256 = strings.Repeat("0", 64)
	err = s.Get(ctx, obj, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "the state says") {
		t.Fatalf("err = %v", err)
	}
}

func TestPublicBaseURLLinksWithoutSigning(t *testing.T) {
	ctx := context.Background()
	s, err := videostore.Open(ctx, config.Storage{Type: "s3", Bucket: "b", Region: "eu-west-1", PublicBaseURL: "https://cdn.example.com/v/"})
	if err != nil {
		t.Fatal(err)
	}
	link, err := s.URL(ctx, videostore.Object("b", "out/a b.mp4"))
	if err != nil || link != "https://cdn.example.com/v/out/a%20b.mp4" {
		t.Fatalf("link %q, %v", link, err)
	}
}

// Signing is local: no server is needed, and the link lives presign_expiry.
func TestPresignedLinkLivesPresignExpiry(t *testing.T) {
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_CONFIG_FILE": os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_S3": "", "AWS_ENDPOINT_URL": ""} {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	s, err := videostore.Open(ctx, config.Storage{Type: "s3", Bucket: "acme-videos", Region: "eu-west-1", PresignExpiry: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	link, err := s.URL(ctx, videostore.Object("acme-videos", "out/a.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, "https://acme-videos.s3.eu-west-1.amazonaws.com/out/a.mp4?") || !strings.Contains(link, "X-Amz-Expires=7200") || strings.Contains(link, "secret") {
		t.Fatalf("link %s", link)
	}
}
