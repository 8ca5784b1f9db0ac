package s3test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// The S3 state lock is an object created with If-None-Match: *; the server
// the tests use must refuse the second such create, or the lock tests
// would pass against a server that cannot lock.
func TestServerRefusesASecondConditionalCreate(t *testing.T) {
	srv := Start(t)
	bucket := srv.Bucket(t)
	c := srv.Client()
	ctx := context.Background()
	put := func() error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String("lock"),
			Body: strings.NewReader("holder"), IfNoneMatch: aws.String("*"),
		})
		return err
	}
	if err := put(); err != nil {
		t.Fatalf("first conditional create: %v", err)
	}
	err := put()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "PreconditionFailed" {
		t.Fatalf("second conditional create: got %v, want PreconditionFailed (412)", err)
	}
}
