// Command franz-check connects to Kafka the way Grafana Mimir's ingest storage does, with franz-go
// (the client library Mimir uses), configured ONLY from a rendered Mimir config or Helm values file:
// it produces one record of the configured maximum size to every partition of the topic, reads each
// back, and commits an offset in the consumer group of every ingester instance ID it is given.
//
// It is test tooling for the mimirkafka package (scripts/toolchain builds it; tests/e2e use it); it
// contains no Mimir code. The client options follow Mimir's source, cited where they are set:
// grafana/mimir pkg/storage/ingest/writer_client.go (NewKafkaWriterClient) and reader_client.go
// (NewKafkaReaderClient), read at commit 00be5415 / 5872fb1d.
//
// Exit status: 0 all checks passed; 1 a check failed (the JSON report on stdout says which stage and
// the broker's or TLS error); 2 the config or the command line is unusable.
package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
	"gopkg.in/yaml.v3"
)

const (
	// Mimir's default and maximum producer_max_record_size_bytes (grafana/mimir
	// pkg/storage/ingest/config.go: 15983616 = 16,000,000 minus the batch overhead).
	defaultMaxRecordBytes = 15_983_616
	// grafana/mimir pkg/storage/ingest/writer.go: producerBatchMaxBytes = 16_000_000, passed to
	// kgo.ProducerBatchMaxBytes in writer_client.go.
	producerBatchMaxBytes = 16_000_000
)

type report struct {
	OK          bool              `json:"ok"`
	Stage       string            `json:"stage,omitempty"`
	Error       string            `json:"error,omitempty"`
	ErrorCode   string            `json:"error_code,omitempty"`
	Bootstrap   []string          `json:"bootstrap,omitempty"`
	Topic       string            `json:"topic,omitempty"`
	Mechanism   string            `json:"sasl_mechanism,omitempty"`
	TLS         bool              `json:"tls"`
	Partitions  int               `json:"partitions"`
	RecordBytes int               `json:"record_bytes"`
	Produced    map[string]int64  `json:"produced,omitempty"`  // partition -> offset
	ReadBack    map[string]string `json:"read_back,omitempty"` // partition -> sha256 of the value
	Committed   map[string]int    `json:"committed,omitempty"` // consumer group -> partitions committed
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

func main() {
	var (
		configFile = flag.String("config", "", "rendered Mimir config or Helm values (YAML) holding ingest_storage.kafka")
		tlsDir     = flag.String("tls-dir", "", "local directory standing in for every in-pod file path of the config (matched by base name)")
		timeout    = flag.Duration("timeout", 3*time.Minute, "overall deadline")
		partitions = flag.Int("expect-partitions", 0, "fail unless the topic has exactly this many partitions (0: any)")
		ids        multiFlag
		maps       multiFlag
	)
	flag.Var(&ids, "instance-id", "ingester instance ID to commit as (repeatable); its consumer group is the ID, as in Mimir")
	flag.Var(&maps, "map", "IN_POD_DIR=LOCAL_DIR path mapping for files named in the config (repeatable)")
	flag.Parse()
	rep := &report{}
	if *configFile == "" {
		usage(rep, errors.New("-config is required"))
	}
	cfg, err := loadKafkaConfig(*configFile)
	if err != nil {
		usage(rep, err)
	}
	resolve := pathResolver(*tlsDir, maps)
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, cfg, resolve, ids, *partitions, rep); err != nil {
		fail(rep, err)
	}
	rep.OK = true
	emit(rep, 0)
}

// ---- config -------------------------------------------------------------------------------------

type kafkaConfig map[string]any

func (c kafkaConfig) str(key string) string {
	v, ok := c[key]
	if !ok || v == nil {
		return ""
	}
	switch t := v.(type) {
	case string:
		return t
	case []any:
		parts := make([]string, 0, len(t))
		for _, p := range t {
			parts = append(parts, fmt.Sprint(p))
		}
		return strings.Join(parts, ",")
	default:
		return fmt.Sprint(t)
	}
}

func (c kafkaConfig) boolean(key string) bool {
	b, _ := strconv.ParseBool(c.str(key))
	return b
}

// loadKafkaConfig finds ingest_storage.kafka wherever the file nests Mimir's config (a Mimir config
// at the top, or Helm values under mimir.structuredConfig) and expands ${VAR} from the environment,
// as Mimir does with -config.expand-env.
func loadKafkaConfig(file string) (kafkaConfig, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var tree any
	if err := yaml.Unmarshal(raw, &tree); err != nil {
		return nil, fmt.Errorf("%s: not YAML: %w", file, err)
	}
	found := findIngestKafka(tree)
	if found == nil {
		return nil, fmt.Errorf("%s: no ingest_storage.kafka block", file)
	}
	out := kafkaConfig{}
	for k, v := range found {
		if s, ok := v.(string); ok {
			var missing []string
			s = envRef.ReplaceAllStringFunc(s, func(ref string) string {
				name := envRef.FindStringSubmatch(ref)[1]
				val, ok := os.LookupEnv(name)
				if !ok {
					missing = append(missing, name)
				}
				return val
			})
			if len(missing) > 0 {
				return nil, fmt.Errorf("ingest_storage.kafka.%s references ${%s}, which is not set", k, missing[0])
			}
			v = s
		}
		out[k] = v
	}
	return out, nil
}

func findIngestKafka(tree any) map[string]any {
	switch t := tree.(type) {
	case map[string]any:
		if ingest, ok := t["ingest_storage"].(map[string]any); ok {
			if k, ok := ingest["kafka"].(map[string]any); ok {
				return k
			}
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if found := findIngestKafka(t[k]); found != nil {
				return found
			}
		}
	case []any:
		for _, v := range t {
			if found := findIngestKafka(v); found != nil {
				return found
			}
		}
	}
	return nil
}

// pathResolver maps a file path as the pod sees it to the local file standing in for the mounted Secret.
func pathResolver(dir string, maps []string) func(string) (string, error) {
	return func(p string) (string, error) {
		for _, m := range maps {
			from, to, ok := strings.Cut(m, "=")
			if ok && (p == from || strings.HasPrefix(p, strings.TrimSuffix(from, "/")+"/")) {
				return filepath.Join(to, strings.TrimPrefix(p, from)), nil
			}
		}
		if dir != "" {
			local := filepath.Join(dir, path.Base(p))
			if _, err := os.Stat(local); err == nil {
				return local, nil
			}
			return "", fmt.Errorf("%s (in the pod) has no local stand-in %s", p, local)
		}
		return p, nil
	}
}

// ---- client options, as Mimir builds them --------------------------------------------------------

func clientOptions(cfg kafkaConfig, resolve func(string) (string, error), rep *report) ([]kgo.Opt, error) {
	var seeds []string
	for _, a := range strings.Split(cfg.str("address"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			seeds = append(seeds, a)
		}
	}
	if len(seeds) == 0 {
		return nil, errors.New("ingest_storage.kafka.address is empty")
	}
	rep.Bootstrap = seeds
	opts := []kgo.Opt{kgo.SeedBrokers(seeds...), kgo.DialTimeout(10 * time.Second)}
	if id := cfg.str("client_id"); id != "" {
		opts = append(opts, kgo.ClientID(id))
	}
	if cfg.boolean("tls_enabled") {
		tc, err := tlsConfig(cfg, resolve)
		if err != nil {
			return nil, err
		}
		rep.TLS = true
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	mech, err := saslMechanism(cfg, resolve)
	if err != nil {
		return nil, err
	}
	if mech != nil {
		rep.Mechanism = mech.Name()
		opts = append(opts, kgo.SASL(mech))
	}
	return opts, nil
}

// Go's TLS with the names dskit accepts for tls_min_version and tls_cipher_suites
// (grafana/dskit crypto/tls/tls.go: "VersionTLS1x" and the crypto/tls cipher suite names).
var tlsVersions = map[string]uint16{
	"VersionTLS10": tls.VersionTLS10, "VersionTLS11": tls.VersionTLS11,
	"VersionTLS12": tls.VersionTLS12, "VersionTLS13": tls.VersionTLS13,
}

func tlsConfig(cfg kafkaConfig, resolve func(string) (string, error)) (*tls.Config, error) {
	tc := &tls.Config{
		ServerName:         cfg.str("tls_server_name"),
		InsecureSkipVerify: cfg.boolean("tls_insecure_skip_verify"), //nolint:gosec // as configured
	}
	if p := cfg.str("tls_ca_path"); p != "" {
		local, err := resolve(p)
		if err != nil {
			return nil, fmt.Errorf("tls_ca_path: %w", err)
		}
		pem, err := os.ReadFile(local)
		if err != nil {
			return nil, fmt.Errorf("tls_ca_path: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls_ca_path=%s: no PEM certificate", p)
		}
		tc.RootCAs = pool
	}
	certPath, keyPath := cfg.str("tls_cert_path"), cfg.str("tls_key_path")
	if (certPath == "") != (keyPath == "") {
		return nil, errors.New("tls_cert_path and tls_key_path must be set together")
	}
	if certPath != "" {
		c, err := resolve(certPath)
		if err != nil {
			return nil, fmt.Errorf("tls_cert_path: %w", err)
		}
		k, err := resolve(keyPath)
		if err != nil {
			return nil, fmt.Errorf("tls_key_path: %w", err)
		}
		pair, err := tls.LoadX509KeyPair(c, k)
		if err != nil {
			return nil, fmt.Errorf("tls_cert_path/tls_key_path: %w", err)
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	if v := cfg.str("tls_min_version"); v != "" {
		ver, ok := tlsVersions[v]
		if !ok {
			return nil, fmt.Errorf("tls_min_version=%q is not one of VersionTLS10..VersionTLS13", v)
		}
		tc.MinVersion = ver
	}
	if names := cfg.str("tls_cipher_suites"); names != "" {
		byName := map[string]uint16{}
		for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
			byName[s.Name] = s.ID
		}
		for _, n := range strings.Split(names, ",") {
			id, ok := byName[strings.TrimSpace(n)]
			if !ok {
				return nil, fmt.Errorf("tls_cipher_suites: unknown cipher suite %q", n)
			}
			tc.CipherSuites = append(tc.CipherSuites, id)
		}
	}
	return tc, nil
}

func saslMechanism(cfg kafkaConfig, resolve func(string) (string, error)) (sasl.Mechanism, error) {
	user, pass := cfg.str("sasl_username"), cfg.str("sasl_password")
	switch m := cfg.str("sasl_mechanism"); m {
	case "":
		if user != "" || pass != "" {
			return plain.Auth{User: user, Pass: pass}.AsMechanism(), nil
		}
		return nil, nil
	case "PLAIN":
		if user == "" && pass == "" {
			return nil, nil
		}
		return plain.Auth{User: user, Pass: pass}.AsMechanism(), nil
	case "SCRAM-SHA-256":
		return scram.Auth{User: user, Pass: pass}.AsSha256Mechanism(), nil
	case "SCRAM-SHA-512":
		return scram.Auth{User: user, Pass: pass}.AsSha512Mechanism(), nil
	case "OAUTHBEARER":
		auth := oauth.Auth{Token: cfg.str("sasl_oauthbearer_token"), Zid: cfg.str("sasl_oauthbearer_zid")}
		if p := cfg.str("sasl_oauthbearer_file_path"); p != "" {
			// The file Mimir reads holds {"token": ...} (grafana/mimir integration tests write
			// `{"token":"<jwt>"}` for -ingest-storage.kafka.sasl-oauthbearer-file-path).
			local, err := resolve(p)
			if err != nil {
				return nil, fmt.Errorf("sasl_oauthbearer_file_path: %w", err)
			}
			raw, err := os.ReadFile(local)
			if err != nil {
				return nil, fmt.Errorf("sasl_oauthbearer_file_path: %w", err)
			}
			var f struct {
				Token      string            `json:"token"`
				Zid        string            `json:"zid"`
				Extensions map[string]string `json:"extensions"`
			}
			if err := json.Unmarshal(raw, &f); err != nil {
				return nil, fmt.Errorf("sasl_oauthbearer_file_path: not JSON: %w", err)
			}
			auth = oauth.Auth{Token: f.Token, Zid: f.Zid, Extensions: f.Extensions}
		}
		if auth.Token == "" {
			return nil, errors.New("sasl_mechanism=OAUTHBEARER without a token (sasl_oauthbearer_token or _file_path)")
		}
		return auth.AsMechanism(), nil
	case "AWS_MSK_IAM":
		return nil, errors.New("sasl_mechanism=AWS_MSK_IAM needs AWS; this test bed has no MSK")
	default:
		return nil, fmt.Errorf("sasl_mechanism=%q is not one Mimir supports", m)
	}
}

// ---- the check ----------------------------------------------------------------------------------

type stageError struct {
	stage string
	err   error
}

func (e *stageError) Error() string { return e.stage + ": " + e.err.Error() }
func (e *stageError) Unwrap() error { return e.err }

func at(stage string, err error) error {
	if err == nil {
		return nil
	}
	return &stageError{stage, err}
}

func run(ctx context.Context, cfg kafkaConfig, resolve func(string) (string, error), ids []string, expect int, rep *report) error {
	common, err := clientOptions(cfg, resolve, rep)
	if err != nil {
		return at("config", err)
	}
	topic := cfg.str("topic")
	if topic == "" {
		return at("config", errors.New("ingest_storage.kafka.topic is empty"))
	}
	rep.Topic = topic
	maxBytes := defaultMaxRecordBytes
	if s := cfg.str("producer_max_record_size_bytes"); s != "" {
		if maxBytes, err = strconv.Atoi(s); err != nil {
			return at("config", fmt.Errorf("producer_max_record_size_bytes=%q: %w", s, err))
		}
	}
	rep.RecordBytes = maxBytes

	// Writer: grafana/mimir pkg/storage/ingest/writer_client.go NewKafkaWriterClient.
	writer, err := kgo.NewClient(append(common,
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ProducerBatchMaxBytes(producerBatchMaxBytes),
		kgo.DisableIdempotentWrite(),
		kgo.ProducerLinger(50*time.Millisecond),
		kgo.RecordDeliveryTimeout(60*time.Second),
		kgo.ProduceRequestTimeout(60*time.Second),
	)...)
	if err != nil {
		return at("config", err)
	}
	defer writer.Close()

	n, err := partitionCount(ctx, writer, topic)
	if err != nil {
		return at("metadata", err)
	}
	rep.Partitions = n
	if expect > 0 && n != expect {
		return at("metadata", fmt.Errorf("topic %s has %d partitions, expected %d", topic, n, expect))
	}
	progress("connected to %v (tls=%v sasl=%q): topic %s has %d partitions", rep.Bootstrap, rep.TLS, rep.Mechanism, topic, n)

	records := make([]*kgo.Record, n)
	sums := map[int32]string{}
	for p := 0; p < n; p++ {
		value := make([]byte, maxBytes) // random, so compression cannot shrink it under the limit
		if _, err := rand.Read(value); err != nil {
			return at("produce", err)
		}
		records[p] = &kgo.Record{Topic: topic, Partition: int32(p), Value: value}
		sum := sha256.Sum256(value)
		sums[int32(p)] = hex.EncodeToString(sum[:])
	}
	rep.Produced = map[string]int64{}
	for _, r := range writer.ProduceSync(ctx, records...) {
		if r.Err != nil {
			return at("produce", r.Err)
		}
		rep.Produced[strconv.Itoa(int(r.Record.Partition))] = r.Record.Offset
	}
	progress("produced one %d-byte record to each of %d partitions (acks=all)", maxBytes, n)

	// Reader: grafana/mimir pkg/storage/ingest/reader_client.go NewKafkaReaderClient.
	start := map[int32]kgo.Offset{}
	for p, off := range rep.Produced {
		pi, _ := strconv.Atoi(p)
		start[int32(pi)] = kgo.NewOffset().At(off)
	}
	reader, err := kgo.NewClient(append(common,
		kgo.FetchMinBytes(1),
		kgo.FetchMaxBytes(100_000_000),
		kgo.FetchMaxWait(5*time.Second),
		kgo.FetchMaxPartitionBytes(50_000_000),
		kgo.BrokerMaxReadBytes(1_000_000_000),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: start}),
	)...)
	if err != nil {
		return at("config", err)
	}
	defer reader.Close()
	rep.ReadBack = map[string]string{}
	for len(rep.ReadBack) < n {
		fetches := reader.PollFetches(ctx)
		if ctx.Err() != nil {
			return at("consume", fmt.Errorf("read back %d of %d partitions before the deadline", len(rep.ReadBack), n))
		}
		var ferr error
		fetches.EachError(func(_ string, _ int32, err error) { ferr = err })
		if ferr != nil {
			return at("consume", ferr)
		}
		fetches.EachRecord(func(r *kgo.Record) {
			sum := sha256.Sum256(r.Value)
			if hex.EncodeToString(sum[:]) == sums[r.Partition] && r.Offset == rep.Produced[strconv.Itoa(int(r.Partition))] {
				rep.ReadBack[strconv.Itoa(int(r.Partition))] = sums[r.Partition]
			}
		})
	}
	progress("read every record back, byte for byte")

	// Commit as each ingester: the consumer group is the ingester instance ID unless the config sets
	// consumer_group (grafana/mimir pkg/storage/ingest/config.go ConsumerGroup: "When empty (recommended),
	// Mimir uses the ingester instance ID"). Like the ingester's committer, a plain OffsetCommit with no
	// group membership.
	rep.Committed = map[string]int{}
	for _, id := range ids {
		group := id
		if g := cfg.str("consumer_group"); g != "" {
			group = g
		}
		if err := commit(ctx, writer, group, topic, rep.Produced); err != nil {
			return at("commit", fmt.Errorf("group %s: %w", group, err))
		}
		rep.Committed[group] = len(rep.Produced)
		progress("committed %d partitions as consumer group %s", len(rep.Produced), group)
	}
	return nil
}

func partitionCount(ctx context.Context, cl *kgo.Client, topic string) (int, error) {
	req := kmsg.NewPtrMetadataRequest()
	t := kmsg.NewMetadataRequestTopic()
	t.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return 0, err
	}
	for _, rt := range resp.Topics {
		if rt.Topic != nil && *rt.Topic == topic {
			if err := kerr.ErrorForCode(rt.ErrorCode); err != nil {
				return 0, fmt.Errorf("topic %s: %w", topic, err)
			}
			return len(rt.Partitions), nil
		}
	}
	return 0, fmt.Errorf("topic %s not in the metadata response", topic)
}

func commit(ctx context.Context, cl *kgo.Client, group, topic string, produced map[string]int64) error {
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Group = group
	req.Generation = -1
	rt := kmsg.NewOffsetCommitRequestTopic()
	rt.Topic = topic
	for p, off := range produced {
		pi, _ := strconv.Atoi(p)
		rp := kmsg.NewOffsetCommitRequestTopicPartition()
		rp.Partition = int32(pi)
		rp.Offset = off + 1
		rp.LeaderEpoch = -1
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return err
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return fmt.Errorf("partition %d: %w", p.Partition, err)
			}
		}
	}
	// Read the commit back, as the ingester does on restart.
	fetch := kmsg.NewPtrOffsetFetchRequest()
	fetch.Group = group
	ft := kmsg.NewOffsetFetchRequestTopic()
	ft.Topic = topic
	for p := range produced {
		pi, _ := strconv.Atoi(p)
		ft.Partitions = append(ft.Partitions, int32(pi))
	}
	fetch.Topics = append(fetch.Topics, ft)
	fresp, err := fetch.RequestWith(ctx, cl)
	if err != nil {
		return err
	}
	if err := kerr.ErrorForCode(fresp.ErrorCode); err != nil {
		return fmt.Errorf("offset fetch: %w", err)
	}
	for _, t := range fresp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return fmt.Errorf("offset fetch partition %d: %w", p.Partition, err)
			}
			if want := produced[strconv.Itoa(int(p.Partition))] + 1; p.Offset != want {
				return fmt.Errorf("partition %d: committed offset reads back as %d, want %d", p.Partition, p.Offset, want)
			}
		}
	}
	return nil
}

// ---- output -------------------------------------------------------------------------------------

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[franz-check] "+format+"\n", args...)
}

func emit(rep *report, code int) {
	out, _ := json.MarshalIndent(rep, "", "  ")
	fmt.Println(string(out))
	os.Exit(code)
}

func usage(rep *report, err error) {
	rep.Stage, rep.Error = "config", err.Error()
	emit(rep, 2)
}

func fail(rep *report, err error) {
	var se *stageError
	if errors.As(err, &se) {
		rep.Stage = se.stage
	}
	rep.Error = err.Error()
	var ke *kerr.Error
	if errors.As(err, &ke) {
		rep.ErrorCode = ke.Message
	}
	code := 1
	if rep.Stage == "config" {
		code = 2
	}
	emit(rep, code)
}
