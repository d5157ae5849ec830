#!/bin/sh
# Builds the Go load generator from Debian's golang-go and golang-github-gorilla-websocket-dev, offline, as
# ../seed-go/build.sh builds the seed's hub (the same vendored copy of gorilla/websocket).
set -e
cd "$(dirname "$0")"
rm -rf vendor && mkdir -p vendor/github.com/gorilla
cp -r /usr/share/gocode/src/github.com/gorilla/websocket vendor/github.com/gorilla/
printf '# github.com/gorilla/websocket v1.5.0\n## explicit; go 1.12\ngithub.com/gorilla/websocket\n' > vendor/modules.txt
GOFLAGS=-mod=vendor GOPROXY=off go build -o "${1:-/tmp/go-load}" .
