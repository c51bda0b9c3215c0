// Package s3 is the object store adapter: documents, uploads in quarantine
// and letters live in an S3-compatible store. It speaks plain S3 through
// aws-sdk-go-v2 with path-style addressing and static credentials, so MinIO,
// Ceph, Garage or AWS S3 itself all work; nothing here is specific to one
// product.
//
// Errors: a missing object matches ErrNotFound; a store that cannot be
// reached (connection refused, timeouts, 5xx, throttling) matches
// ErrUnavailable, so callers answer 503 and the broker retries.
package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"nemrefusion.dk/infra/config"
)

// Config says where the store is and how to sign requests.
type Config struct {
	// Endpoint is the store's base URL, e.g. "http://127.0.0.1:9000".
	Endpoint string
	// Region is the signing region; S3-compatible stores accept any.
	Region string
	// AccessKey and SecretKey are static credentials.
	AccessKey, SecretKey string
	// Timeout bounds one request (default 30 s).
	Timeout time.Duration
}

// FromBase takes the S3_* settings of the shared configuration.
func FromBase(b config.Base) Config {
	return Config{Endpoint: b.S3Endpoint, Region: b.S3Region, AccessKey: b.S3AccessKey, SecretKey: b.S3SecretKey}
}

// Store is a client of one S3-compatible store. It is safe for concurrent use.
type Store struct {
	c       *s3.Client
	presign *s3.PresignClient
}

// ErrNotFound matches the error of an operation on a missing object or bucket.
var ErrNotFound = errors.New("s3: not found")

// ErrUnavailable matches the error of an operation the store did not answer
// properly: it is down, slow, or answered 5xx or 429. Retrying may help.
var ErrUnavailable = errors.New("s3: store unavailable")

// New returns a Store for cfg. It does not contact the store.
func New(cfg Config) (*Store, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("s3: endpoint %q must be an absolute http(s) URL", cfg.Endpoint)
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("s3: S3_ACCESS_KEY and S3_SECRET_KEY are required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	creds := aws.Credentials{AccessKeyID: cfg.AccessKey, SecretAccessKey: cfg.SecretKey, Source: "nemrefusion config"}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	c := s3.New(s3.Options{
		Region:       cfg.Region,
		BaseEndpoint: aws.String(strings.TrimSuffix(cfg.Endpoint, "/")),
		UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		}),
		HTTPClient: &http.Client{Timeout: cfg.Timeout, Transport: tr},
		// Checksums only where the operation requires them: every
		// S3-compatible store understands Content-MD5/x-amz-content-sha256,
		// not all understand the newer flexible checksums.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RetryMaxAttempts:           2,
	})
	return &Store{c: c, presign: s3.NewPresignClient(c)}, nil
}

// EnsureBuckets creates every bucket that does not exist yet. Call it at
// start; it is idempotent and safe to run from several processes at once.
func (s *Store) EnsureBuckets(ctx context.Context, buckets ...string) error {
	for _, b := range buckets {
		_, err := s.c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b)})
		if err == nil {
			continue
		}
		if !errors.Is(classify(err), ErrNotFound) {
			return fmt.Errorf("s3: check bucket %s: %w", b, classify(err))
		}
		_, err = s.c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)})
		var owned *types.BucketAlreadyOwnedByYou
		var exists *types.BucketAlreadyExists
		if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
			return fmt.Errorf("s3: create bucket %s: %w", b, classify(err))
		}
	}
	return nil
}

// Put stores body (read from its start; it must be seekable so the request
// can be signed and retried) under bucket/key, replacing any object there.
func (s *Store) Put(ctx context.Context, bucket, key string, body io.ReadSeeker, contentType string) error {
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("s3: put %s/%s: rewind body: %w", bucket, key, err)
	}
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: body}
	if contentType != "" {
		in.ContentType = aws.String(contentType)
	}
	if _, err := s.c.PutObject(ctx, in); err != nil {
		return fmt.Errorf("s3: put %s/%s: %w", bucket, key, classify(err))
	}
	return nil
}

// Object describes a stored object.
type Object struct {
	Size        int64
	ContentType string
	ETag        string
}

// Get opens bucket/key for reading; the caller closes the reader.
func (s *Store) Get(ctx context.Context, bucket, key string) (io.ReadCloser, Object, error) {
	out, err := s.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, Object{}, fmt.Errorf("s3: get %s/%s: %w", bucket, key, classify(err))
	}
	return out.Body, Object{Size: aws.ToInt64(out.ContentLength), ContentType: aws.ToString(out.ContentType), ETag: aws.ToString(out.ETag)}, nil
}

// Stat returns the description of bucket/key without its content.
func (s *Store) Stat(ctx context.Context, bucket, key string) (Object, error) {
	out, err := s.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return Object{}, fmt.Errorf("s3: stat %s/%s: %w", bucket, key, classify(err))
	}
	return Object{Size: aws.ToInt64(out.ContentLength), ContentType: aws.ToString(out.ContentType), ETag: aws.ToString(out.ETag)}, nil
}

// Copy copies srcBucket/srcKey to dstBucket/dstKey inside the store (the
// bytes do not pass through this process), replacing any object there.
// Objects up to 5 GiB can be copied this way.
func (s *Store) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string) error {
	src := srcBucket + "/" + url.PathEscape(srcKey)
	_, err := s.c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(dstBucket), Key: aws.String(dstKey), CopySource: aws.String(src)})
	if err != nil {
		return fmt.Errorf("s3: copy %s/%s to %s/%s: %w", srcBucket, srcKey, dstBucket, dstKey, classify(err))
	}
	return nil
}

// Delete removes bucket/key. Deleting a missing object is not an error.
func (s *Store) Delete(ctx context.Context, bucket, key string) error {
	_, err := s.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil && !errors.Is(classify(err), ErrNotFound) {
		return fmt.Errorf("s3: delete %s/%s: %w", bucket, key, classify(err))
	}
	return nil
}

// Presign returns a URL that lets whoever holds it GET bucket/key for ttl
// (at most 7 days; keep it short). It is signed locally and does not check
// that the object exists. downloadName, when set, is sent back as the
// attachment's file name.
func (s *Store) Presign(ctx context.Context, bucket, key string, ttl time.Duration, downloadName string) (string, error) {
	// A document is personal data: no cache along the way may keep it.
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ResponseCacheControl: aws.String("no-store")}
	if downloadName != "" {
		in.ResponseContentDisposition = aws.String(`attachment; filename="` + sanitizeName(downloadName) + `"`)
	}
	req, err := s.presign.PresignGetObject(ctx, in, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("s3: presign %s/%s: %w", bucket, key, err)
	}
	return req.URL, nil
}

// sanitizeName keeps a file name safe inside a quoted header parameter.
func sanitizeName(n string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '\\' || r > 0x7e {
			return '_'
		}
		return r
	}, n)
}

// classify wraps err so that errors.Is finds ErrNotFound or ErrUnavailable.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var nsk *types.NoSuchKey
	var nsb *types.NoSuchBucket
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nsb) || errors.As(err, &nf) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NotFound", "NoSuchKey", "NoSuchBucket":
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		case "SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout":
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		switch c := re.HTTPStatusCode(); {
		case c == http.StatusNotFound:
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		case c >= 500 || c == http.StatusTooManyRequests:
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	var oe *smithy.OperationError
	if errors.As(err, &oe) && strings.Contains(err.Error(), "connect") {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}
