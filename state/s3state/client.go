package s3state

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	cfgpkg "github.com/ltxform/ltxform/config"
)

// newClient is an S3 client for the block: credentials, region and, unless
// the block names one, the endpoint ($AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL)
// from the AWS SDK's default chain; never from a file of ltxform's.
// Checksums are sent and checked only where an operation requires them, as
// S3-compatible servers expect.
func newClient(ctx context.Context, be *cfgpkg.Backend) (*s3.Client, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if be.Region != "" {
		opts = append(opts, awsconfig.WithRegion(be.Region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: the backend \"s3\" cannot load the AWS configuration: %w", be.DeclRange, err)
	}
	if cfg.Region == "" {
		// S3-compatible servers seldom care; AWS itself answers with a
		// redirect naming the bucket's region.
		cfg.Region = "us-east-1"
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if be.Endpoint != "" {
			o.BaseEndpoint = aws.String(be.Endpoint)
		}
		o.UsePathStyle = be.PathStyle
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}), nil
}
