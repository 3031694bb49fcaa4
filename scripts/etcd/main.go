// Command etcd: the etcd server for the test bed's Kubernetes control plane.
//
// `go install go.etcd.io/etcd/server/v3@vX` is refused because that module's go.mod has replace
// directives (../api, ../client/...), so scripts/toolchain builds this wrapper module instead, which
// requires go.etcd.io/etcd/server/v3 and its sibling modules at the same published version and calls
// the same entry point the etcd binary does (go.etcd.io/etcd/server/v3@v3.6.5 etcdmain/main.go).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
