// The reference's TypeFileStream receiver on a TCP port, for the live-transfer tests: every
// connection gets its own StreamReceiver over one directory (so a transfer cut on one
// connection resumes from its .partial on the next) and is served ReadFrame -> HandleFrame ->
// WriteFrame, as the reference service does with type-7 frames. Prints "port N" once listening
// and "saved NAME SIZE" for each completed file.
//
// usage: receiver DIR
package main

import (
	"fmt"
	"io"
	"net"
	"os"

	dx "github.com/pilot-protocol/dataexchange"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: receiver DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("port %d\n", ln.Addr().(*net.TCPAddr).Port)
	for {
		conn, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		go serve(conn, dir)
	}
}

func serve(conn net.Conn, dir string) {
	defer conn.Close()
	// The file keeps its own name: each test transfer's name is unique.
	same := func(base string) string { return base }
	saved := func(name, path string, size int64) { fmt.Printf("saved %s %d\n", name, size) }
	receiver := dx.NewStreamReceiver(dir, same, saved)
	defer receiver.Close()
	for {
		frame, err := dx.ReadFrame(conn)
		if err != nil {
			if err != io.EOF {
				fmt.Fprintln(os.Stderr, "read:", err)
			}
			return
		}
		if reply := receiver.HandleFrame(frame); reply != nil {
			if err := dx.WriteFrame(conn, reply); err != nil {
				fmt.Fprintln(os.Stderr, "write:", err)
				return
			}
		}
	}
}
