package cli

import (
	"bytes"
	"encoding/json"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// JobRecord is the JSON object --json writes for each job, one per line.
//
// JSON strings hold only UTF-8, so for an input or an output that is not
// valid UTF-8 the text field carries it with each bad byte replaced by
// U+FFFD, and the matching *_base64 field carries the exact bytes.
type JobRecord struct {
	Seq         int64   `json:"seq"`
	Input       string  `json:"input"`
	InputBase64 []byte  `json:"input_base64,omitempty"`
	Command     string  `json:"command"`         // as a sh command line
	Outcome     string  `json:"outcome"`         // succeeded, failed, timed out, canceled, …
	ExitCode    int     `json:"exit_code"`       // -1 when killed by a signal
	Signal      string  `json:"signal"`          // e.g. "SIGTERM"; "" when none
	Start       string  `json:"start"`           // RFC 3339, local time
	Duration    float64 `json:"duration"`        // seconds, of the last attempt
	Attempts    int     `json:"attempts"`        // 1 unless retried
	Error       string  `json:"error,omitempty"` // why it failed, beyond its exit code
	Stdout      string  `json:"stdout"`          // of the last attempt
	StdoutB64   []byte  `json:"stdout_base64,omitempty"`
	Stderr      string  `json:"stderr"`
	StderrB64   []byte  `json:"stderr_base64,omitempty"`
}

// textField returns s as JSON text, plus its exact bytes when JSON cannot
// carry them.
func textField(b []byte) (string, []byte) {
	if utf8.Valid(b) {
		return string(b), nil
	}
	return string(b), append([]byte(nil), b...) // encoding/json writes U+FFFD for bad bytes
}

// jobRecord builds the --json record of a finished job.
func jobRecord(f finished, command, outcome, why string) JobRecord {
	j := f.job
	rec := JobRecord{
		Seq:      j.seq,
		Command:  command,
		Outcome:  outcome,
		Error:    why,
		ExitCode: j.res.ExitCode,
		Attempts: f.attempts,
		Duration: j.res.Duration.Seconds(),
	}
	if !j.res.Start.IsZero() {
		rec.Start = j.res.Start.Format(time.RFC3339Nano)
	}
	if j.res.Signal != 0 {
		rec.Signal = unix.SignalName(j.res.Signal)
	}
	rec.Input, rec.InputBase64 = textField([]byte(j.input))
	rec.Stdout, rec.StdoutB64 = textField(j.stdout.Bytes())
	rec.Stderr, rec.StderrB64 = textField(j.stderr.Bytes())
	return rec
}

// marshalLine is rec as one line of JSON, with <, > and & left as they
// are so that commands and output stay readable.
func marshalLine(rec JobRecord) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil { // cannot happen: plain fields only
		return []byte(`{"error":"workerpool: cannot encode record"}` + "\n")
	}
	return buf.Bytes()
}
