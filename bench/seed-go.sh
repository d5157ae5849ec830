# Sourced by the bench scripts that run the seed's Go hub as a peer.
# build_seed_go DEST: installs Go and gorilla/websocket from Debian when missing, then builds the hub (with its
# /broadcast adapter) from a copy of herald-bench/peers/seed-go (its build.sh writes a vendor/ folder) into DEST.
build_seed_go() {
  if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/github.com/gorilla/websocket ]; then
    echo "installing Go and gorilla/websocket from Debian (the seed's hub needs them) ..." >&2
    apt-get install -y -qq golang-go golang-github-gorilla-websocket-dev >&2 \
      || { apt-get update -qq >&2 && apt-get install -y -qq golang-go golang-github-gorilla-websocket-dev >&2; }
  fi
  local src; src=$(mktemp -d)
  cp -r herald-bench/peers/seed-go "$src/seed-go-src" && sh "$src/seed-go-src/build.sh" "$1" >&2
  rm -rf "$src"
}
