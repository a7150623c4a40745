module github.com/workerpool/workerpool/cmd/workerpool

go 1.26.0

require (
	github.com/schollz/progressbar/v3 v3.19.1
	github.com/workerpool/workerpool v0.0.0
	go.uber.org/goleak v1.3.0
	golang.org/x/sys v0.50.0
	golang.org/x/term v0.47.0
)

require (
	github.com/antithesishq/antithesis-sdk-go v0.9.0-default-no-op // indirect
	github.com/google/go-tpm v0.9.8 // indirect
	github.com/klauspost/compress v1.20.4 // indirect
	github.com/minio/highwayhash v1.0.4 // indirect
	github.com/nats-io/jwt/v2 v2.8.3 // indirect
	github.com/nats-io/nkeys v0.4.17 // indirect
	github.com/nats-io/nuid v1.0.1 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/time v0.16.0 // indirect
)

require (
	github.com/mitchellh/colorstring v0.0.0-20190213212951-d06e56a500db // indirect
	github.com/nats-io/nats-server/v2 v2.15.3 // indirect
	github.com/nats-io/nats.go v1.56.0
	github.com/rivo/uniseg v0.4.7 // indirect
	github.com/workerpool/workerpool/jsqueue v0.0.0
)

replace github.com/workerpool/workerpool => ../..

replace github.com/workerpool/workerpool/jsqueue => ../../jsqueue
