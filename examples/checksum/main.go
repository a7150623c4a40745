// Command checksum prints the SHA-256 of every file under a folder,
// hashing them in parallel on a workerpool.Pool: the library at work on
// real data. Ctrl-C stops it cleanly: files not yet hashed are reported,
// never silently skipped.
//
//	go run ./examples/checksum [-j N] [DIR]
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/workerpool/workerpool"
)

func main() {
	os.Exit(run())
}

func run() int {
	workers := flag.Int("j", runtime.NumCPU(), "number of files hashed at once")
	flag.Parse()
	root := "."
	if flag.NArg() > 0 {
		root = flag.Arg(0)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var mu sync.Mutex
	var lines [][2]string // sum, path
	p, err := workerpool.New(hashFile,
		workerpool.WithWorkers(*workers),
		workerpool.WithJobTimeout(time.Minute),
		workerpool.WithResultHook(func(r workerpool.Result[job]) {
			mu.Lock()
			defer mu.Unlock()
			if r.Err != nil {
				fmt.Fprintf(os.Stderr, "checksum: %s: %v (%s)\n", r.Job.path, r.Err, r.Outcome)
				return
			}
			lines = append(lines, [2]string{*r.Job.sum, r.Job.path})
		}))
	if err != nil {
		fmt.Fprintln(os.Stderr, "checksum:", err)
		return 2
	}
	walkErr := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == ".git" && d.IsDir() {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return p.Submit(ctx, job{path: path, sum: new(string)})
	})
	// On Ctrl-C stop at once: running hashes are canceled, queued files
	// come back unstarted.
	shutdownCtx, cancel := context.WithCancel(context.Background())
	if ctx.Err() != nil {
		cancel()
	}
	unstarted, _ := p.Shutdown(shutdownCtx)
	cancel()
	<-p.Done()

	slices.SortFunc(lines, func(a, b [2]string) int { return strings.Compare(a[1], b[1]) })
	for _, l := range lines {
		fmt.Println(l[0] + "  " + l[1])
	}
	s := p.Stats()
	fmt.Fprintf(os.Stderr, "%d files: %d hashed, %d failed, %d not started\n",
		s.Submitted, s.Succeeded, s.Failed+s.Panicked+s.TimedOut+s.Canceled, len(unstarted))
	switch {
	case walkErr != nil && !errors.Is(walkErr, context.Canceled):
		fmt.Fprintln(os.Stderr, "checksum:", walkErr)
		return 1
	case ctx.Err() != nil:
		return 130
	case s.Succeeded != s.Submitted:
		return 1
	}
	return 0
}

// job is one file to hash; the handler writes the sum through the pointer.
type job struct {
	path string
	sum  *string
}

func hashFile(ctx context.Context, j job) error {
	f, err := os.Open(j.path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, readerWithContext{ctx, f}); err != nil {
		return err
	}
	*j.sum = hex.EncodeToString(h.Sum(nil))
	return nil
}

// readerWithContext stops a long read when the job's context ends.
type readerWithContext struct {
	ctx context.Context
	r   io.Reader
}

func (r readerWithContext) Read(b []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(b)
}
