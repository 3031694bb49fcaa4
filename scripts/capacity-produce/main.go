// Command capacity-produce writes pre-encoded Mimir ingest records to one partition with franz-go (the
// client Mimir uses) configured as Mimir's writer, then asks the broker how many bytes the partition
// holds. It checks the planner's measured bytes per sample (mimirkafka.capacity.measure) against bytes
// a real broker stores. Test tooling only (scripts/toolchain builds it; tests/e2e use it); no Mimir code.
//
// Producer options follow grafana/mimir@00be541 pkg/storage/ingest/writer_client.go
// (NewKafkaWriterClient): ProducerBatchMaxBytes(16_000_000), ProducerLinger(50ms),
// RequiredAcks(AllISRAcks), DisableIdempotentWrite, and no ProducerBatchCompression, so franz-go's
// default applies (snappy, then none). Records carry the tenant as key and the 4-byte Version header
// (pkg/storage/ingest/writer.go, version.go).
//
// Input: -records FILE, a sequence of [4-byte big-endian length][record value]. Output: one JSON line
// {"records": N, "value_bytes": B, "partition_bytes": S}. Exit 1 on a produce or broker error.
//
// With -compress FILE it talks to no broker: it compresses the file (a record batch's records section)
// with franz-go's own default compressor, as the producer does for each batch, and prints
// {"raw": R, "compressed": C}. mimirkafka.capacity.measure --franz uses it for the measured table.
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "capacity-produce: "+format+"\n", args...)
	os.Exit(1)
}

func readRecords(path string) [][]byte {
	f, err := os.Open(path)
	if err != nil {
		fail("%v", err)
	}
	defer f.Close()
	var out [][]byte
	var n [4]byte
	for {
		if _, err := io.ReadFull(f, n[:]); err == io.EOF {
			return out
		} else if err != nil {
			fail("reading %s: %v", path, err)
		}
		v := make([]byte, binary.BigEndian.Uint32(n[:]))
		if _, err := io.ReadFull(f, v); err != nil {
			fail("reading %s: %v", path, err)
		}
		out = append(out, v)
	}
}

func main() {
	bootstrap := flag.String("bootstrap", "", "host:port[,host:port]")
	topic := flag.String("topic", "", "topic")
	partition := flag.Int("partition", 0, "partition")
	records := flag.String("records", "", "file of length-prefixed record values")
	key := flag.String("key", "anonymous", "record key (Mimir: the tenant ID)")
	version := flag.Int("version", 2, "Mimir record version (header)")
	user := flag.String("user", "", "SASL PLAIN user (empty: no SASL)")
	password := flag.String("password", "", "SASL PLAIN password")
	compress := flag.String("compress", "", "compress this file with franz-go's default codec and exit")
	flag.Parse()

	if *compress != "" {
		raw, err := os.ReadFile(*compress)
		if err != nil {
			fail("%v", err)
		}
		// The producer's compressor: the default preference list is snappy, then none (pkg/kgo/config.go).
		c, err := kgo.DefaultCompressor(kgo.SnappyCompression(), kgo.NoCompression())
		if err != nil {
			fail("compressor: %v", err)
		}
		out, codec := c.Compress(new(bytes.Buffer), raw)
		if codec != kgo.CodecSnappy || len(out) >= len(raw) {
			out = raw // franz-go sends the batch uncompressed when compressing does not shrink it
		}
		line, _ := json.Marshal(map[string]int{"raw": len(raw), "compressed": len(out)})
		fmt.Println(string(line))
		return
	}

	opts := []kgo.Opt{
		kgo.SeedBrokers(strings.Split(*bootstrap, ",")...),
		kgo.ProducerBatchMaxBytes(16_000_000),
		kgo.ProducerLinger(50 * time.Millisecond),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.DisableIdempotentWrite(),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
	}
	if *user != "" {
		opts = append(opts, kgo.SASL(plain.Auth{User: *user, Pass: *password}.AsMechanism()))
	}
	client, err := kgo.NewClient(opts...)
	if err != nil {
		fail("client: %v", err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	values := readRecords(*records)
	var header [4]byte
	binary.BigEndian.PutUint32(header[:], uint32(*version))
	var produced, valueBytes int
	errs := make(chan error, len(values))
	for _, v := range values {
		valueBytes += len(v)
		rec := &kgo.Record{Topic: *topic, Partition: int32(*partition), Key: []byte(*key), Value: v}
		if *version >= 1 {
			rec.Headers = []kgo.RecordHeader{{Key: "Version", Value: header[:]}}
		}
		client.Produce(ctx, rec, func(_ *kgo.Record, err error) { errs <- err })
	}
	for range values {
		if err := <-errs; err != nil {
			fail("produce: %v", err)
		}
		produced++
	}

	req := kmsg.NewPtrDescribeLogDirsRequest()
	t := kmsg.NewDescribeLogDirsRequestTopic()
	t.Topic = *topic
	t.Partitions = []int32{int32(*partition)}
	req.Topics = append(req.Topics, t)
	var size int64
	for _, shard := range client.RequestSharded(ctx, req) {
		if shard.Err != nil {
			fail("describe log dirs: %v", shard.Err)
		}
		resp := shard.Resp.(*kmsg.DescribeLogDirsResponse)
		for _, dir := range resp.Dirs {
			for _, dt := range dir.Topics {
				for _, p := range dt.Partitions {
					size += p.Size
				}
			}
		}
	}
	out, _ := json.Marshal(map[string]int64{
		"records": int64(produced), "value_bytes": int64(valueBytes), "partition_bytes": size,
	})
	fmt.Println(string(out))
}
