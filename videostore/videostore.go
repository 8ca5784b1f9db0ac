// Package videostore keeps finished videos in S3 or an S3-compatible
// service (storage "s3"): uploaded and verified after a download, fetched
// by a host that lacks the file, linked from reports. Nothing is ever
// deleted from the bucket: a newer take is uploaded only after the older
// one was copied to its take key.
package videostore

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/state"
)

// sha256Meta is the object metadata that carries the file's SHA-256, so
// that a fetch can check it before reading the body.
const sha256Meta = "sha256"

// Store is one bucket and prefix.
type Store struct {
	client  *s3.Client
	presign *s3.PresignClient
	cfg     config.Storage
	now     func() time.Time
}

// Open makes the client: credentials, and the region and endpoint the
// block does not set, from the AWS SDK's default chain (environment,
// shared profiles, roles); the SDK also reads AWS_ENDPOINT_URL_S3 and
// AWS_ENDPOINT_URL. Nothing is sent until the first request.
func Open(ctx context.Context, c config.Storage) (*Store, error) {
	var loads []func(*awsconfig.LoadOptions) error
	if c.Region != "" {
		loads = append(loads, awsconfig.WithRegion(c.Region))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		return nil, fmt.Errorf("storage \"s3\": reading the AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		// S3-compatible servers take any region; AWS needs the bucket's.
		awsCfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
		o.UsePathStyle = c.PathStyle
		// S3-compatible servers (R2, GCS, versitygw) reject or mangle the
		// SDK's default CRC checksums: only where an operation needs one.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return &Store{client: client, presign: s3.NewPresignClient(client), cfg: c, now: time.Now}, nil
}

// Key is the object key of a file relative to the manifest directory.
func (s *Store) Key(output string) string { return s.cfg.Prefix + output }

// Bucket names the bucket, for entries and messages.
func (s *Store) Bucket() string { return s.cfg.Bucket }

// Where is s3://bucket/key, for messages.
func (s *Store) Where(key string) string { return "s3://" + s.cfg.Bucket + "/" + key }

// Put uploads the file at path to key and verifies it: the body is sent
// with its Content-MD5, which the server checks, and the answer's ETag is
// that MD5 (S3's for a single-part upload); where a service answers
// another ETag (encryption with KMS), the object's size and recorded
// SHA-256 are read back instead. wantSHA256 is the download's checksum:
// a file that changed since is not uploaded under it.
func (s *Store) Put(ctx context.Context, key, path, wantSHA256 string) (state.StoredObject, error) {
	f, err := os.Open(path)
	if err != nil {
		return state.StoredObject{}, err
	}
	defer f.Close()
	sum, md, n, err := hashFile(f)
	if err != nil {
		return state.StoredObject{}, err
	}
	if wantSHA256 != "" && sum != wantSHA256 {
		return state.StoredObject{}, fmt.Errorf("%s changed since it was downloaded (sha256 %s, the state says %s); not uploaded", path, short(sum), short(wantSHA256))
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return state.StoredObject{}, err
	}
	out, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(s.cfg.Bucket),
		Key:           aws.String(key),
		Body:          f,
		ContentLength: aws.Int64(n),
		ContentMD5:    aws.String(base64.StdEncoding.EncodeToString(md)),
		ContentType:   aws.String(contentType(key)),
		Metadata:      map[string]string{sha256Meta: sum},
	}, s3.WithAPIOptions(
		// The Content-MD5 guards the body: the signature need not read a
		// video of hundreds of megabytes a third time.
		v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware,
	))
	if err != nil {
		return state.StoredObject{}, fmt.Errorf("uploading to %s: %w", s.Where(key), err)
	}
	obj := state.StoredObject{Bucket: s.cfg.Bucket, Key: key, Bytes: n, SHA256: sum, StoredAt: s.now().UTC()}
	if strings.Trim(aws.ToString(out.ETag), `"`) == hex.EncodeToString(md) {
		return obj, nil
	}
	if err := s.verify(ctx, obj); err != nil {
		return state.StoredObject{}, err
	}
	return obj, nil
}

// verify reads back the object's size and checksum.
func (s *Store) verify(ctx context.Context, want state.StoredObject) error {
	head, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(want.Bucket), Key: aws.String(want.Key)})
	if err != nil {
		return fmt.Errorf("verifying %s: %w", s.Where(want.Key), err)
	}
	if got := aws.ToInt64(head.ContentLength); got != want.Bytes {
		return fmt.Errorf("verifying %s: %d bytes stored, %d sent", s.Where(want.Key), got, want.Bytes)
	}
	if got := head.Metadata[sha256Meta]; got != want.SHA256 {
		return fmt.Errorf("verifying %s: the stored object's sha256 is %q, want %s", s.Where(want.Key), got, want.SHA256)
	}
	return nil
}

// Get streams obj into w and checks its size and SHA-256 on the way; the
// caller commits what w wrote only when Get returns nil.
func (s *Store) Get(ctx context.Context, obj state.StoredObject, w io.Writer) error {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(obj.Bucket), Key: aws.String(obj.Key)})
	if err != nil {
		return fmt.Errorf("fetching %s: %w", s.where(obj), err)
	}
	defer out.Body.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), out.Body)
	if err != nil {
		return fmt.Errorf("fetching %s: %w", s.where(obj), err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); n != obj.Bytes || sum != obj.SHA256 {
		return fmt.Errorf("fetching %s: got %d bytes with sha256 %s, the state says %d bytes with sha256 %s (replaced by hand in the bucket?)",
			s.where(obj), n, short(sum), obj.Bytes, short(obj.SHA256))
	}
	return nil
}

// Copy keeps obj under another key of the same bucket, server-side, before
// a newer take is uploaded over its key.
func (s *Store) Copy(ctx context.Context, obj state.StoredObject, toKey string) (state.StoredObject, error) {
	_, err := s.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:     aws.String(s.cfg.Bucket),
		Key:        aws.String(toKey),
		CopySource: aws.String(obj.Bucket + "/" + escapeKey(obj.Key)),
	})
	if err != nil {
		return state.StoredObject{}, fmt.Errorf("keeping %s as %s: %w", s.where(obj), s.Where(toKey), err)
	}
	kept := state.StoredObject{Bucket: s.cfg.Bucket, Key: toKey, Bytes: obj.Bytes, SHA256: obj.SHA256, StoredAt: s.now().UTC()}
	if err := s.verify(ctx, kept); err != nil {
		return state.StoredObject{}, err
	}
	return kept, nil
}

// URL is where a report links obj: public_base_url + key when set, else a
// presigned GET that works for presign_expiry.
func (s *Store) URL(ctx context.Context, obj state.StoredObject) (string, error) {
	if s.cfg.PublicBaseURL != "" {
		return s.cfg.PublicBaseURL + escapeKey(obj.Key), nil
	}
	expiry := s.cfg.PresignExpiry
	if expiry <= 0 {
		expiry = config.DefaultPresignExpiry
	}
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(obj.Bucket), Key: aws.String(obj.Key)},
		s3.WithPresignExpires(expiry))
	if err != nil {
		return "", fmt.Errorf("presigning %s: %w", s.where(obj), err)
	}
	return req.URL, nil
}

// IsNotFound tells an object (or bucket) that is not there.
func (s *Store) IsNotFound(err error) bool { return IsNotFound(err) }

// IsNotFound tells an object (or bucket) that is not there.
func IsNotFound(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "NoSuchKey", "NotFound", "NoSuchBucket":
			return true
		}
	}
	return false
}

func (s *Store) where(obj state.StoredObject) string { return "s3://" + obj.Bucket + "/" + obj.Key }

func hashFile(r io.Reader) (sum string, md []byte, n int64, err error) {
	h, m := sha256.New(), md5.New()
	n, err = io.Copy(io.MultiWriter(h, m), r)
	if err != nil {
		return "", nil, 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), m.Sum(nil), n, nil
}

// escapeKey escapes a key for a URL path, keeping its slashes.
func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

func contentType(key string) string {
	switch {
	case strings.HasSuffix(key, ".mp4"):
		return "video/mp4"
	case strings.HasSuffix(key, ".webm"):
		return "video/webm"
	case strings.HasSuffix(key, ".mov"):
		return "video/quicktime"
	}
	return "application/octet-stream"
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12] + "…"
	}
	return sum
}

// Object names an object whose size and checksum are not needed (links).
func Object(bucket, key string) state.StoredObject {
	return state.StoredObject{Bucket: bucket, Key: key}
}
