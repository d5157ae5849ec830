# Sourced by bench/cluster and bench/run-cluster: the machine's Redis and PostgreSQL (started when not running, as
# .ci/run does), the packaged herald.jar, and N `herald serve` nodes on them. Run from the repository's root.
# Reads: CLUSTER_DIR (state: pids, logs), BASE_PORT (node k listens on BASE_PORT + k - 1), PG_URL, REDIS_URL,
# CLUSTER_DATABASE, CLUSTER_PREFIX (the channel prefix), SKIP_BUILD=1; before starting nodes, NODE_LAUNCH (a
# command put before java, e.g. "taskset -c 0") and NODE_ARGS (more `serve` flags).
dir=${CLUSTER_DIR:-/tmp/herald-cluster}
base_port=${BASE_PORT:-8181}
pg_url=${PG_URL:-postgresql://postgres@127.0.0.1:5432}
redis_url=${REDIS_URL:-redis://127.0.0.1:6379}
database=${CLUSTER_DATABASE:-herald_cluster}
channel_prefix=${CLUSTER_PREFIX:-herald-local}
jar=herald-server/target/herald.jar

die() { echo "${0#./}: $*" >&2; exit 1; }

redis_host() { echo "$redis_url" | sed -E 's#redis://([^:/]+).*#\1#'; }
redis_port() { echo "$redis_url" | sed -E 's#.*:([0-9]+).*#\1#'; }

ensure_redis() {
  local host port
  host=$(redis_host); port=$(redis_port)
  redis-cli -h "$host" -p "$port" ping >/dev/null 2>&1 && return
  echo "starting redis-server on $host:$port"
  mkdir -p "$dir/redis"
  redis-server --daemonize yes --bind "$host" --port "$port" --save "" --appendonly no --dir "$dir/redis" --logfile "$dir/redis/redis.log"
  for _ in $(seq 1 30); do redis-cli -h "$host" -p "$port" ping >/dev/null 2>&1 && return; sleep 0.2; done
  die "Redis did not start (see $dir/redis/redis.log)"
}

psql_admin() { psql "$pg_url/postgres" -v ON_ERROR_STOP=1 -qtA "$@"; }

ensure_postgres() {
  if ! psql_admin -c 'select 1' >/dev/null 2>&1; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
    for _ in $(seq 1 30); do psql_admin -c 'select 1' >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  if [ -z "$(psql_admin -c "select 1 from pg_database where datname = '$database'")" ]; then
    psql_admin -c "create database $database" >/dev/null
  fi
}

# A fresh, empty database (the benchmark's durable messages must not pile up from run to run).
recreate_database() {
  psql_admin -c "drop database if exists $database with (force)" >/dev/null
  psql_admin -c "create database $database" >/dev/null
}

ensure_jar() {
  if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$jar" ]; then
    . .mvn/find-jdk.sh
    ./mvnw -q -B -ntp -o -DskipTests -pl herald-server -am package
  fi
  [ -f "$jar" ] || die "$jar is missing"
}

java_bin() {
  if [ -n "${JAVA_HOME:-}" ]; then echo "$JAVA_HOME/bin/java"; else . .mvn/find-jdk.sh; echo "$JAVA_HOME/bin/java"; fi
}

# start_nodes N: node1..nodeN on BASE_PORT.., each with its own data dir and log under CLUSTER_DIR, pids in
# $dir/node<k>/pid. Returns at once: wait_nodes waits for them.
start_nodes() {
  local n=$1 java k port
  java=$(java_bin)
  for k in $(seq 1 "$n"); do
    port=$((base_port + k - 1))
    mkdir -p "$dir/node$k"
    # dev mode (no auth) is allowed on loopback only: the nodes listen on 127.0.0.1
    # shellcheck disable=SC2086 # NODE_LAUNCH and NODE_ARGS are lists of words
    nohup ${NODE_LAUNCH:-} "$java" -jar "$jar" serve --port "$port" --node-id "node$k" --data-dir "$dir/node$k" \
      --store "$pg_url/$database" --broker "$redis_url" --cluster.channel-prefix "$channel_prefix" \
      --shutdown.drain-delay 2s ${NODE_ARGS:-} \
      > "$dir/node$k/herald.log" 2>&1 &
    echo $! > "$dir/node$k/pid"
  done
  echo "$n" > "$dir/nodes"
}

# wait_nodes N: until each node answers /health/ready (30 s each), or dies with its log's tail.
wait_nodes() {
  local n=$1 k port ok
  for k in $(seq 1 "$n"); do
    port=$((base_port + k - 1)); ok=
    for _ in $(seq 1 120); do
      if curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then ok=1; break; fi
      kill -0 "$(cat "$dir/node$k/pid")" 2>/dev/null || break
      sleep 0.25
    done
    [ -n "$ok" ] || { tail -20 "$dir/node$k/herald.log" >&2; die "node$k did not come up (log: $dir/node$k/herald.log)"; }
    echo "node$k: http://127.0.0.1:$port (pid $(cat "$dir/node$k/pid"))"
  done
}

# stop_nodes: SIGTERM to every node of $dir/nodes (each drains), then waits up to 20 s for each.
stop_nodes() {
  [ -f "$dir/nodes" ] || return 0
  local n k pid
  n=$(cat "$dir/nodes")
  for k in $(seq 1 "$n"); do
    pid=$(cat "$dir/node$k/pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  for k in $(seq 1 "$n"); do
    pid=$(cat "$dir/node$k/pid" 2>/dev/null || true)
    for _ in $(seq 1 80); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && echo "node$k (pid $pid) still draining after 20 s" || echo "node$k stopped"
    rm -f "$dir/node$k/pid"
  done
  rm -f "$dir/nodes"
}
