//go:build wire_refcopy

// The reference's own TypeFileStream sender (streamSend, unexported) against a receiver built
// on wire. run.sh copies this file next to a temporary copy of the reference package (main) and
// runs it there with -tags wire_refcopy; it never compiles in wire's tree.
//
// Env: WIRE_FS_ADDR (host:port of the receiver), WIRE_FS_FILES (paths, separated by ':').
package dataexchange

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStreamSendToWire(t *testing.T) {
	addr := os.Getenv("WIRE_FS_ADDR")
	files := strings.Split(os.Getenv("WIRE_FS_FILES"), ":")
	if addr == "" || len(files) == 0 {
		t.Fatal("set WIRE_FS_ADDR and WIRE_FS_FILES")
	}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		info, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		res, err := streamSend(conn, filepath.Base(path), f, info.Size(), 20*time.Second)
		conn.Close()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !res.OK || res.TotalBytes != info.Size() || res.BytesSent+res.BytesResumed != info.Size() {
			t.Fatalf("%s: %+v", path, res)
		}
		t.Logf("%s: sent %d bytes, sha256 %s, COMPLETE ok", filepath.Base(path), res.BytesSent, res.Sha256)
	}
}
