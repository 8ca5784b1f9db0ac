package s3state

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ltxform/ltxform/state"
)

// Open is the backend "s3" of req: a workspace under the block's key in its
// bucket, reached with the AWS SDK's default chain.
func Open(ctx context.Context, req state.OpenRequest) (state.Backend, error) {
	c, err := newClient(ctx, req.Block)
	if err != nil {
		return nil, err
	}
	s := newStore(bucket{c: c, name: req.Block.Bucket}, req.Block.Key, req.Workspace)
	s.UsePendingJournal(req.Dir)
	return s, nil
}

// New is the store of workspace under key in bucket, reached with c (for
// tests and benchmarks that make their own client).
func New(c *s3.Client, bucketName, key, workspace string) *Store {
	return newStore(bucket{c: c, name: bucketName}, key, workspace)
}
