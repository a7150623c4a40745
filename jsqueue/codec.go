package jsqueue

import "encoding/json"

// Codec turns jobs into message payloads and back. Decode sees whatever
// was published on the queue's subject, including payloads no producer of
// this queue wrote, so it must return an error for bad input rather than
// panic (a panic is recovered and treated as a decode error all the same).
// A payload that does not decode is dead-lettered by [Queue.Take] with the
// decode error; it is never returned as a job and never dropped.
//
// Implementations must be safe for concurrent use.
type Codec[T any] interface {
	Encode(job T) ([]byte, error)
	Decode(data []byte) (T, error)
}

// JSONCodec is the default [Codec]: encoding/json. Jobs must be values that
// encoding/json round-trips (exported fields, no channels or funcs).
type JSONCodec[T any] struct{}

// Encode returns job's JSON encoding.
func (JSONCodec[T]) Encode(job T) ([]byte, error) { return json.Marshal(job) }

// Decode parses data as JSON into a T.
func (JSONCodec[T]) Decode(data []byte) (T, error) {
	var job T
	err := json.Unmarshal(data, &job)
	return job, err
}
