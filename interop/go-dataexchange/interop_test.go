// Interop between wire's dataexchange codec (through the `wire` CLI, path in $WIRE_BIN) and the
// reference Go package at the version in $WIRE_DX_VERSION (`main` or `0.2.1-beta.1`, built from
// ../shared/reference through go.mod's replace): frames we encode are read by the real
// ReadFrame/ReadTracePayload, and frames the real WriteFrame/WriteTraceFrame write are decoded
// by us, for every vector of that version's file.
package interop

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	dx "github.com/pilot-protocol/dataexchange"
)

type vector struct {
	Name   string          `json:"name"`
	Type   string          `json:"type"`
	Fields json.RawMessage `json:"fields"`
	Hex    string          `json:"hex"`
}

type fields struct {
	Kind      any     `json:"kind"`
	Type      *uint32 `json:"type"`
	Filename  *string `json:"filename"`
	Payload   string  `json:"payload"`
	InnerType *uint32 `json:"inner_type"`
	SentAtNs  *int64  `json:"sent_at_ns"`
}

// The version under test and its vector file.
func version(t *testing.T) (string, string) {
	switch v := os.Getenv("WIRE_DX_VERSION"); v {
	case "main":
		return v, "../../vectors/dataexchange-latest.json"
	case "0.2.1-beta.1":
		return v, "../../vectors/dataexchange.json"
	default:
		t.Fatalf("WIRE_DX_VERSION %q: main or 0.2.1-beta.1", v)
		return "", ""
	}
}

func load(t *testing.T) []vector {
	_, file := version(t)
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Vectors []vector `json:"vectors"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc.Vectors
}

func parse(t *testing.T, v vector) (fields, []byte) {
	var f fields
	if err := json.Unmarshal(v.Fields, &f); err != nil {
		t.Fatalf("%s: %v", v.Name, err)
	}
	if f.Kind != nil {
		// A TypeFileStream control frame: the frame layer carries its payload raw.
		raw := unhex(t, v.Hex)
		seven := uint32(7)
		f.Type = &seven
		f.Filename = nil // an INIT's name is inside the payload, not the frame layer's
		return f, raw[8:]
	}
	payload, err := hex.DecodeString(f.Payload)
	if err != nil {
		t.Fatalf("%s: %v", v.Name, err)
	}
	return f, payload
}

func unhex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wire(t *testing.T, stdin []byte, args ...string) []byte {
	v, _ := version(t)
	args = append(args, "-o", "version="+v)
	bin := os.Getenv("WIRE_BIN")
	if bin == "" {
		t.Fatal("WIRE_BIN must name the wire CLI binary")
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("wire %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// Frames encoded by wire are read by the reference reader to the vectors' fields.
func TestReferenceReadsWhatWireWrites(t *testing.T) {
	vectors := load(t)
	var docs bytes.Buffer
	for _, v := range vectors {
		doc, _ := json.Marshal(map[string]any{"type": v.Type, "fields": v.Fields})
		docs.Write(doc)
		docs.WriteByte('\n')
	}
	stream := bytes.NewReader(wire(t, docs.Bytes(), "encode", "dataexchange", "--json", "-", "--raw"))
	for _, v := range vectors {
		want, payload := parse(t, v)
		frame, err := dx.ReadFrame(stream)
		if err != nil {
			t.Fatalf("%s: ReadFrame: %v", v.Name, err)
		}
		if want.InnerType != nil {
			trace, err := dx.ReadTracePayload(frame)
			if err != nil {
				t.Fatalf("%s: ReadTracePayload: %v", v.Name, err)
			}
			if trace.InnerType != *want.InnerType || trace.SentAtNs != *want.SentAtNs || !bytes.Equal(trace.Payload, payload) {
				t.Errorf("%s: got %+v", v.Name, trace)
			}
			continue
		}
		if frame.Type != *want.Type || !bytes.Equal(frame.Payload, payload) {
			t.Errorf("%s: got type %d payload %x", v.Name, frame.Type, frame.Payload)
		}
		if want.Filename != nil && frame.Filename != *want.Filename {
			t.Errorf("%s: got filename %q", v.Name, frame.Filename)
		}
		var again bytes.Buffer
		if err := dx.WriteFrame(&again, frame); err != nil || hex.EncodeToString(again.Bytes()) != v.Hex {
			t.Errorf("%s: the reference writes back %x (%v)", v.Name, again.Bytes(), err)
		}
	}
	if _, err := dx.ReadFrame(stream); err != io.EOF {
		t.Fatalf("expected io.EOF after the last frame, got %v", err)
	}
}

// Frames written by the reference writer decode with wire to the vectors' fields.
func TestWireReadsWhatReferenceWrites(t *testing.T) {
	vectors := load(t)
	var stream bytes.Buffer
	for _, v := range vectors {
		f, payload := parse(t, v)
		var err error
		if f.InnerType != nil {
			err = dx.WriteTraceFrame(&stream, &dx.TraceFrame{InnerType: *f.InnerType, SentAtNs: *f.SentAtNs, Payload: payload})
		} else {
			frame := &dx.Frame{Type: *f.Type, Payload: payload}
			if f.Filename != nil {
				frame.Filename = *f.Filename
			}
			err = dx.WriteFrame(&stream, frame)
		}
		if err != nil {
			t.Fatalf("%s: write: %v", v.Name, err)
		}
	}
	lines := strings.Split(strings.TrimSpace(string(wire(t, stream.Bytes(), "decode", "dataexchange", "--stream"))), "\n")
	if len(lines) != len(vectors) {
		t.Fatalf("wire decoded %d frames, want %d", len(lines), len(vectors))
	}
	for i, v := range vectors {
		var got struct {
			Type   string          `json:"type"`
			Fields json.RawMessage `json:"fields"`
		}
		if err := json.Unmarshal([]byte(lines[i]), &got); err != nil {
			t.Fatal(err)
		}
		if got.Type != v.Type || !sameJSON(t, got.Fields, v.Fields) {
			t.Errorf("%s: wire decoded %s", v.Name, lines[i])
		}
	}
}

func sameJSON(t *testing.T, a, b json.RawMessage) bool {
	var x, y any
	for _, p := range []struct {
		raw json.RawMessage
		out *any
	}{{a, &x}, {b, &y}} {
		dec := json.NewDecoder(bytes.NewReader(p.raw))
		dec.UseNumber()
		if err := dec.Decode(p.out); err != nil {
			t.Fatal(err)
		}
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return bytes.Equal(xs, ys)
}
