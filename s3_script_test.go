package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ltxform/ltxform/internal/s3test"
)

// s3ScriptBucket is the bucket the scripts' manifests name (key "shots");
// each script has a key of its own in it ($S3_SCRIPT_KEY, written into its
// files) and a workspace ($LTXFORM_WORKSPACE).
const s3ScriptBucket = "ltxform-scripts"

// TestS3Scripts runs testdata/script_s3/*.txtar against the S3-compatible
// server of internal/s3test, reached by ltxform through the AWS SDK's
// default chain (credentials, region and endpoint in the environment), with
// a simulator as TestScripts has.
func TestS3Scripts(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	client := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(s3ScriptBucket)})
	cancel()
	var apiErr smithy.APIError
	if err != nil && !(errors.As(err, &apiErr) && strings.HasPrefix(apiErr.ErrorCode(), "BucketAlready")) {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script_s3",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			if err := setupScriptSim(env); err != nil {
				return err
			}
			var b [6]byte
			_, _ = rand.Read(b[:])
			env.Setenv("LTXFORM_WORKSPACE", "script-"+hex.EncodeToString(b[:]))
			// A key of its own: the workspaces under it are the script's.
			key := "shots-" + hex.EncodeToString(b[:])
			env.Setenv("S3_SCRIPT_KEY", key)
			if err := rewriteScriptFiles(env.WorkDir, `key        = "shots"`, `key        = "`+key+`"`); err != nil {
				return err
			}
			for _, kv := range srv.Env() {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			env.Values["s3"] = client
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"simcount": cmdSimCount,
			"simclock": cmdSimClock,
			"s3locked": cmdS3Locked,
		},
	})
}

// cmdS3Locked waits until some run holds the lock of the script's workspace
// (its lock object exists). It gives up after 30 s, so that a script never
// hangs.
func cmdS3Locked(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: s3locked")
	}
	c := ts.Value("s3").(*s3.Client)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	key := ts.Getenv("S3_SCRIPT_KEY") + "/" + ts.Getenv("LTXFORM_WORKSPACE") + "/lock.json"
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s3ScriptBucket), Key: aws.String(key)}); err == nil {
			return
		}
		select {
		case <-ctx.Done():
			ts.Fatalf("the workspace was not locked within 30 s")
		case <-tick.C:
		}
	}
}
