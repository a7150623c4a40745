package jsqueue_test

import (
	"reflect"
	"testing"

	"github.com/workerpool/workerpool/jsqueue"
)

type codecJob struct {
	Name string            `json:"name"`
	N    int               `json:"n"`
	Tags map[string]string `json:"tags,omitempty"`
}

// FuzzJSONCodec feeds arbitrary payloads to the default codec, as Take
// does with whatever was published: Decode must not panic, and what it
// accepts must survive an Encode/Decode round trip unchanged.
func FuzzJSONCodec(f *testing.F) {
	for _, s := range []string{`{"name":"a","n":1}`, `{"tags":{"k":"v"}}`, `null`, `{`, `[]`, "\xff", `{"n":1e400}`} {
		f.Add([]byte(s))
	}
	var c jsqueue.JSONCodec[codecJob]
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := c.Decode(data)
		if err != nil {
			return
		}
		enc, err := c.Encode(j)
		if err != nil {
			t.Fatalf("Encode(%+v) = %v after Decode(%q) accepted it", j, err, data)
		}
		again, err := c.Decode(enc)
		if err != nil || !reflect.DeepEqual(again, j) {
			t.Fatalf("Decode(Encode(%+v)) = %+v, %v; want the same job", j, again, err)
		}
	})
}
