module github.com/workerpool/workerpool

go 1.26.0
