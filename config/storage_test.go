package config

import (
	"testing"
	"time"
)

func TestStorageBlock(t *testing.T) {
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": `storage "s3" {
  bucket         = "acme-videos"
  prefix         = "campaign/"
  endpoint       = "http://127.0.0.1:7070"
  path_style     = true
  presign_expiry = "2h"
}

video "a" {
  prompt = "a"
}
`})
	m, diags := Load(dir, LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	s := m.Storage
	if s == nil || s.Bucket != "acme-videos" || s.Prefix != "campaign/" || s.Endpoint != "http://127.0.0.1:7070" || !s.PathStyle || s.PresignExpiry != 2*time.Hour {
		t.Fatalf("storage = %+v", s)
	}
	if ls, _ := LoadStorage(dir); ls == nil || ls.Bucket != "acme-videos" {
		t.Fatalf("LoadStorage = %+v", ls)
	}
}

// Bad storage settings are errors at the attribute, saying what is allowed.
func TestStorageBlockErrors(t *testing.T) {
	tests := []struct {
		name, block, summary string
		line                 int
		words                []string
	}{
		{"type", `storage "gcs" {
  bucket = "b"
}`, "Unsupported storage type", 1, []string{`"gcs"`, `"s3"`}},
		{"credentials in the endpoint", `storage "s3" {
  bucket   = "b"
  endpoint = "https://key:secret@s3.example.com"
}`, "Invalid storage endpoint", 3, []string{"default chain", "AWS_ACCESS_KEY_ID"}},
		{"expiry over S3's limit", `storage "s3" {
  bucket         = "b"
  presign_expiry = "200h"
}`, "Invalid storage presign_expiry", 3, []string{"168h"}},
		{"a variable", `storage "s3" {
  bucket = var.bucket
}`, "Invalid storage bucket", 2, []string{"literal"}},
		{"absolute prefix", `storage "s3" {
  bucket = "b"
  prefix = "/videos/"
}`, "Invalid storage prefix", 3, []string{"must not start with '/'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeManifest(t, map[string]string{"main.ltx.hcl": tt.block + "\n\nvideo \"a\" {\n  prompt = \"a\"\n}\n"})
			oneError(t, dir, LoadOptions{}, tt.summary, "main.ltx.hcl", tt.line, tt.words...)
		})
	}
}
