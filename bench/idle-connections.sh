# Sourced by bench/heap-herald-peers and bench/probe-stalls: a Herald server holding idle seed connections made by
# the peer generator (herald-bench's dev.herald.bench.peers.LoadGenerator at 1 msg/s, one long window) on core 1. Needs JAVA_HOME (.mvn/find-jdk.sh)
# and the repository root as the working directory.

# await_port PORT: returns once something listens on 127.0.0.1:PORT (30 s at most).
await_port() {
  for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# hold_idle_connections SERVER_PID PORT CONNS OUT_DIR LABEL WINDOW_SECONDS: starts the generator in the background
# (results.tsv and gen.log in OUT_DIR); its pid is in IDLE_GEN_PID.
hold_idle_connections() {
  taskset -c 1 "$JAVA_HOME/bin/java" -Xmx1g -XX:ActiveProcessorCount=1 -cp herald-bench/target/herald-bench.jar dev.herald.bench.peers.LoadGenerator \
    --server-pid "$1" --port "$2" --label "$5" --out "$4/results.tsv" --connections "$3" --source-ips 2 \
    --send-query "&persist=false" --rates 1 --warmup 0 --ramp 0 --window "$6" --saturation 0 > "$4/gen.log" 2>&1 &
  IDLE_GEN_PID=$!
}

# await_connections PORT CONNS: waits until Herald's /api/v1/stats counts CONNS connections (5 minutes at most: on a
# busy machine connecting takes longer than any fixed sleep); prints the count reached.
await_connections() {
  local n=0
  for _ in $(seq 1 600); do
    n=$(curl -s "http://127.0.0.1:$1/api/v1/stats" | sed -n 's/.*"connections":\([0-9]*\).*/\1/p')
    [ "${n:-0}" -ge "$2" ] && break; sleep 0.5
  done
  echo "${n:-0}"
}
