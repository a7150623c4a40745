// Package reliability holds the tests that prove the worker pool loses
// nothing: a model-based test of random sequences of submissions, stops,
// resizes and cancellations (TestSequences, with pgregory.net/rapid) and a
// soak test of millions of jobs (TestSoak, off unless asked for; see
// soak.sh). It is a module of its own so that the core's go.mod never
// requires rapid. It has no API; README.md says what the tests guarantee
// and how to run them.
package reliability
