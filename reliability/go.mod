module github.com/workerpool/workerpool/reliability

go 1.26.0

require (
	github.com/workerpool/workerpool v0.0.0
	go.uber.org/goleak v1.3.0
	pgregory.net/rapid v1.3.0
)

replace github.com/workerpool/workerpool => ../
