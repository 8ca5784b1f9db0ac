package s3state

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// bucket is the few object operations the store needs, with errors that
// name the bucket and the key.
type bucket struct {
	c    *s3.Client
	name string
}

// errNotFound is a missing object.
var errNotFound = errors.New("no such object")

// errPrecondition is a conditional write refused: the object exists
// (If-None-Match) or changed (If-Match).
var errPrecondition = errors.New("precondition failed")

func (b *bucket) wrap(doing, key string, err error) error {
	if err == nil {
		return nil
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return errNotFound
		case "PreconditionFailed", "ConditionalRequestConflict":
			return errPrecondition
		}
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusNotFound:
			return errNotFound
		case http.StatusPreconditionFailed, http.StatusConflict:
			return errPrecondition
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%s s3://%s/%s: %w", doing, b.name, key, err)
}

// get reads an object and its ETag.
func (b *bucket) get(ctx context.Context, key string) ([]byte, string, error) {
	out, err := b.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.name), Key: aws.String(key)})
	if err != nil {
		return nil, "", b.wrap("reading", key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, "", b.wrap("reading", key, err)
	}
	return data, aws.ToString(out.ETag), nil
}

// putMode is a write's condition.
type putMode struct {
	ifNoneMatch bool   // create only: errPrecondition if the object exists
	ifMatch     string // replace only this version (its ETag)
}

// put writes an object whole; S3 makes it visible at once or not at all.
func (b *bucket) put(ctx context.Context, key string, data []byte, mode putMode) error {
	in := &s3.PutObjectInput{
		Bucket: aws.String(b.name), Key: aws.String(key),
		Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data))),
		ContentType: aws.String("application/json"),
	}
	if mode.ifNoneMatch {
		in.IfNoneMatch = aws.String("*")
	}
	if mode.ifMatch != "" {
		in.IfMatch = aws.String(mode.ifMatch)
	}
	_, err := b.c.PutObject(ctx, in)
	return b.wrap("writing", key, err)
}

// remove deletes the objects of keys; a missing one is no error.
func (b *bucket) remove(ctx context.Context, keys []string) error {
	for len(keys) > 0 {
		n := min(len(keys), 1000) // DeleteObjects' limit
		ids := make([]s3types.ObjectIdentifier, n)
		for i, k := range keys[:n] {
			ids[i] = s3types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := b.c.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(b.name), Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return b.wrap("deleting objects under", keys[0], err)
		}
		for _, e := range out.Errors {
			if aws.ToString(e.Code) != "NoSuchKey" {
				return fmt.Errorf("deleting s3://%s/%s: %s", b.name, aws.ToString(e.Key), aws.ToString(e.Message))
			}
		}
		keys = keys[n:]
	}
	return nil
}

// removeOne deletes one object; a missing one is no error.
func (b *bucket) removeOne(ctx context.Context, key string) error {
	_, err := b.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.name), Key: aws.String(key)})
	if err = b.wrap("deleting", key, err); errors.Is(err, errNotFound) {
		return nil
	}
	return err
}

// list returns the keys under prefix that sort after startAfter, in order.
func (b *bucket) list(ctx context.Context, prefix, startAfter string) ([]string, error) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(b.name), Prefix: aws.String(prefix)}
	if startAfter != "" {
		in.StartAfter = aws.String(startAfter)
	}
	var keys []string
	p := s3.NewListObjectsV2Paginator(b.c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, b.wrap("listing", prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}

// listDirs returns the names of the "directories" right under prefix.
func (b *bucket) listDirs(ctx context.Context, prefix string) ([]string, error) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(b.name), Prefix: aws.String(prefix), Delimiter: aws.String("/")}
	var names []string
	p := s3.NewListObjectsV2Paginator(b.c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, b.wrap("listing", prefix, err)
		}
		for _, cp := range page.CommonPrefixes {
			names = append(names, strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), prefix), "/"))
		}
	}
	return names, nil
}

// getAll reads the objects of keys, a few at a time, in the order given.
func (b *bucket) getAll(ctx context.Context, keys []string) ([][]byte, error) {
	out := make([][]byte, len(keys))
	errs := make([]error, len(keys))
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i, k := range keys {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i], _, errs[i] = b.get(ctx, k)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", keys[i], err)
		}
	}
	return out, nil
}
