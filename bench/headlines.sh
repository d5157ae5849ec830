# Sourced by the harness scripts: `headlines HARNESS` appends the run's headline figures, read from stdin as lines
# `metric<TAB>herald[<TAB>peer]`, to bench/results/headlines.csv (dev.herald.bench.Headlines, the one writer of that
# file: date, commit, machine note, ratio = herald ÷ peer). Needs JAVA_HOME and the built herald-bench jar; a failure
# to append is reported and does not fail the benchmark. HEADLINE_NOTE adds free text to the machine note.
headlines() {
  "$JAVA_HOME/bin/java" -cp herald-bench/target/herald-bench.jar dev.herald.bench.Headlines "$@" \
    || echo "could not append to bench/results/headlines.csv" >&2
}
