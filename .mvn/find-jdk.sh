# Sourced by ./herald and ./mvnw: points JAVA_HOME at a JDK >= 21.
# Order: $JAVA_HOME, the java on PATH, then the usual install folders (newest first).
# Herald compiles with --release 21, so any JDK 21+ builds and runs it.

herald_jdk_major() { # prints the major version of the JDK at $1, or nothing
  local home=$1 v=""
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "$v"
}

herald_find_jdk() {
  local min=21 candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(herald_jdk_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge "$min" ]; then return 0; fi
  fi
  if command -v java >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    major=$(herald_jdk_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge "$min" ]; then export JAVA_HOME=$candidate; return 0; fi
  fi
  for candidate in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -d "$candidate" ] || continue
    major=$(herald_jdk_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge "$min" ] && [ "$major" -gt "$best_major" ]; then best=$candidate; best_major=$major; fi
  done
  if [ -n "$best" ]; then export JAVA_HOME=$best; return 0; fi
  echo "herald: no JDK 21 or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm, /opt/java, ~/.sdkman). Install one, or set JAVA_HOME." >&2
  return 1
}

# ./mvnw runs with `set -f` (no globbing); the folder scan above needs it.
case $- in *f*) herald_noglob=1; set +f ;; *) herald_noglob=0 ;; esac
herald_find_jdk || exit 1
[ "$herald_noglob" = 1 ] && set -f
unset herald_noglob
# Maven's bundled Guice touches sun.misc.Unsafe; JDK 24+ warns loudly about it. Quiet that (JDK 24+ only knows the flag).
if [ "$(herald_jdk_major "$JAVA_HOME")" -ge 24 ] 2>/dev/null; then
  case "${MAVEN_OPTS:-}" in *sun-misc-unsafe*) ;; *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;; esac
fi
