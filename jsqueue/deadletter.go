package jsqueue

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Headers of a dead letter, besides [HeaderID] and the job's own headers
// (those not starting with "Nats-", which are the engine's). The payload is
// the job's, unchanged.
const (
	// HeaderSubject is the subject the job was delivered on.
	HeaderSubject = "Jsqueue-Subject"
	// HeaderStream is the work stream the job came from.
	HeaderStream = "Jsqueue-Stream"
	// HeaderSequence is the job's sequence in that stream, in decimal.
	HeaderSequence = "Jsqueue-Stream-Seq"
	// HeaderDeliveries is how many times the job was delivered, in decimal.
	HeaderDeliveries = "Jsqueue-Deliveries"
	// HeaderError is why the job was dead-lettered: the reason given to
	// [Message.Fail], or the decode or delivery-limit error of [Queue.Take].
	HeaderError = "Jsqueue-Error"
	// HeaderFailedAt is when it was dead-lettered, in RFC 3339 with
	// nanoseconds, UTC.
	HeaderFailedAt = "Jsqueue-Failed-At"
)

// maxReasonLen bounds HeaderError, so that a long error (a stack, say)
// cannot make the dead letter too big to store.
const maxReasonLen = 4096

// deadLetter copies msg to the dead-letter stream and then terminates it.
// The copy's message ID is derived from the job's stream sequence, so a
// repeated dead-lettering of the same job within the duplicate window
// stores one copy.
func (e *engine) deadLetter(ctx context.Context, msg jetstream.Msg, meta *jetstream.MsgMetadata, reason string) error {
	reason = headerValue(reason)
	dl := &nats.Msg{Subject: e.cfg.DeadLetterSubject, Data: msg.Data(), Header: nats.Header{}}
	for k, vs := range msg.Headers() {
		if !strings.HasPrefix(k, "Nats-") {
			dl.Header[k] = vs
		}
	}
	dl.Header.Set(HeaderSubject, msg.Subject())
	dl.Header.Set(HeaderStream, meta.Stream)
	dl.Header.Set(HeaderSequence, strconv.FormatUint(meta.Sequence.Stream, 10))
	dl.Header.Set(HeaderDeliveries, strconv.FormatUint(meta.NumDelivered, 10))
	dl.Header.Set(HeaderError, reason)
	dl.Header.Set(HeaderFailedAt, time.Now().UTC().Format(time.RFC3339Nano))
	id := meta.Stream + "." + strconv.FormatUint(meta.Sequence.Stream, 10)

	pctx, cancel := e.withDefaultTimeout(ctx)
	defer cancel()
	if _, err := e.js.PublishMsg(pctx, dl, jetstream.WithMsgID(id), jetstream.WithExpectStream(e.cfg.DeadLetterStream)); err != nil {
		return fmt.Errorf("copy to dead-letter stream %q: %w", e.cfg.DeadLetterStream, err)
	}
	if err := e.ackSync(ctx, msg, "+TERM "+reason); err != nil {
		return fmt.Errorf("terminate after dead-lettering: %w", err)
	}
	return nil
}

// headerValue makes s fit in one header line of bounded length.
func headerValue(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxReasonLen {
		s = strings.ToValidUTF8(s[:maxReasonLen], "")
	}
	return s
}
