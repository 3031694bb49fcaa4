// pulumi-resource-kafka, rebuilt offline: the Go module proxy reachable from the test bed refuses
// github.com/pulumi/pulumi-kafka/provider/v3 at every version, but serves both halves of it: the
// Terraform provider it bridges (github.com/Mongey/terraform-provider-kafka) and the Pulumi
// Terraform bridge. This main wires them together the way pulumi-kafka does: one module "index",
// tokens kafka:index/<camelName>:<Name>, so the resources of the pulumi_kafka Python SDK resolve.
//
// No Pulumi schema is embedded: the engine does not ask for it during up/preview/refresh/destroy,
// and the bridge then skips its config type check (the Python SDK has already typed the inputs).
package main

import (
	kafka "github.com/Mongey/terraform-provider-kafka/kafka"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
)

// version is set with -ldflags "-X main.version=<the pulumi-kafka release the Python SDK asks for>".
var version = "0.0.0-dev"

func main() {
	info := tfbridge.ProviderInfo{
		P:           shimv2.NewProvider(kafka.Provider()),
		Name:        "kafka",
		Version:     version,
		GitHubOrg:   "Mongey",
		Repository:  "https://github.com/pulumi/pulumi-kafka",
		Description: "Kafka provider (offline rebuild for the mimirkafka test bed)",
	}
	// The names the pulumi_kafka SDK uses where they differ from the bridge's defaults: Acl's
	// resource_name/resource_type would clash with Pulumi's reserved resource properties.
	info.Resources = map[string]*tfbridge.ResourceInfo{
		"kafka_acl": {
			Tok: "kafka:index/acl:Acl",
			Fields: map[string]*tfbridge.SchemaInfo{
				"resource_name": {Name: "aclResourceName"},
				"resource_type": {Name: "aclResourceType"},
			},
		},
	}
	// The SDK invokes its data sources with module-less tokens (pulumi_kafka's get_topic.py invokes
	// "kafka:index:getTopic"), not the bridge's standard "kafka:index/getTopic:getTopic".
	info.DataSources = map[string]*tfbridge.DataSourceInfo{
		"kafka_topic":  {Tok: "kafka:index:getTopic"},
		"kafka_topics": {Tok: "kafka:index:getTopics"},
	}
	// Provider config defaults as the SDK documents them (and their environment variables).
	info.Config = map[string]*tfbridge.SchemaInfo{
		"sasl_mechanism":  {Default: &tfbridge.DefaultInfo{EnvVars: []string{"KAFKA_SASL_MECHANISM"}, Value: "plain"}},
		"skip_tls_verify": {Default: &tfbridge.DefaultInfo{EnvVars: []string{"KAFKA_SKIP_VERIFY"}, Value: false}},
		"tls_enabled":     {Default: &tfbridge.DefaultInfo{EnvVars: []string{"KAFKA_ENABLE_TLS"}, Value: true}},
	}
	info.MustComputeTokens(tokens.SingleModule("kafka_", "index", tokens.MakeStandard("kafka")))
	info.SetAutonaming(255, "-")
	tfbridge.Main("kafka", version, info, nil)
}
