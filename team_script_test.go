package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ltxform/ltxform/internal/s3test"
	"github.com/ltxform/ltxform/state/pgstate/pgtest"
)

// TestTeamScripts runs testdata/script_team/*.txtar: a team of hosts (and
// throwaway runners) sharing one PostgreSQL workspace and one bucket of an
// S3-compatible server, with a simulator as TestScripts has. Each script
// gets a bucket of its own; `storageblock DIR` writes the storage block
// that names it into DIR.
func TestTeamScripts(t *testing.T) {
	t.Parallel()
	conn := pgtest.ConnStr(t)
	srv := s3test.Start(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script_team",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			if err := setupScriptSim(env); err != nil {
				return err
			}
			var b [6]byte
			_, _ = rand.Read(b[:])
			ws := "script-" + hex.EncodeToString(b[:])
			schema := pgScriptSchema + "_" + hex.EncodeToString(b[:])
			if err := rewriteScriptFiles(env.WorkDir, `schema_name = "`+pgScriptSchema+`"`, `schema_name = "`+schema+`"`); err != nil {
				return err
			}
			env.Defer(func() { dropPGSchema(env.T(), conn, schema) })
			env.Setenv("PG_CONN_STR", conn)
			env.Setenv("LTXFORM_WORKSPACE", ws)
			for _, kv := range srv.Env() {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			bucket := "team-" + hex.EncodeToString(b[:])
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, err := srv.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
				return fmt.Errorf("create bucket: %w", err)
			}
			env.Values["s3"] = srv
			env.Setenv("BUCKET", bucket)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"simcount":     cmdSimCount,
			"storageblock": cmdStorageBlock,
			"objects":      cmdObjects,
			"mkbucket":     cmdMkBucket,
			"rmobject":     cmdRmObject,
		},
	})
}

// cmdStorageBlock writes DIR/storage.ltx.hcl: storage "s3" on the
// script's bucket, path-style, endpoint and credentials from the
// environment. `storageblock DIR PREFIX BUCKET` sets a prefix and
// another bucket.
func cmdStorageBlock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 3 {
		ts.Fatalf("usage: storageblock DIR [PREFIX [BUCKET]]")
	}
	prefix, bucket := "", ts.Getenv("BUCKET")
	if len(args) >= 2 {
		prefix = args[1]
	}
	if len(args) == 3 {
		bucket = args[2]
	}
	body := fmt.Sprintf("storage \"s3\" {\n  bucket     = %q\n  prefix     = %q\n  path_style = true\n}\n", bucket, prefix)
	ts.Check(os.WriteFile(filepath.Join(ts.MkAbs(args[0]), "storage.ltx.hcl"), []byte(body), 0o644))
}

// cmdObjects asserts how many objects the script's bucket holds under a
// prefix: `objects PREFIX N [BUCKET]`. Nothing is ever deleted from it.
func cmdObjects(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: objects PREFIX N [BUCKET]")
	}
	bucket := ts.Getenv("BUCKET")
	if len(args) == 3 {
		bucket = args[2]
	}
	srv := ts.Value("s3").(*s3test.Server)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := srv.Client().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(args[0])})
	ts.Check(err)
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	if fmt.Sprint(len(keys)) != args[1] {
		ts.Fatalf("%d objects under %q, want %s: %v", len(keys), args[0], args[1], keys)
	}
	ts.Logf("objects: %v", keys)
}

// cmdMkBucket creates a bucket: `mkbucket NAME`.
func cmdMkBucket(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: mkbucket NAME")
	}
	srv := ts.Value("s3").(*s3test.Server)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := srv.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(args[0])})
	ts.Check(err)
}

// cmdRmObject removes an object from the script's bucket, as a lifecycle
// rule or a person would: `rmobject KEY`.
func cmdRmObject(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: rmobject KEY")
	}
	srv := ts.Value("s3").(*s3test.Server)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := srv.Client().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(ts.Getenv("BUCKET")), Key: aws.String(args[0])})
	ts.Check(err)
}
