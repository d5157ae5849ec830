# Sourced by ./herald and by the memory benchmarks (bench/idle-slope, bench/heap-herald-peers), after find-jdk.sh:
# sets HERALD_DEFAULT_JAVA_OPTS, the JVM flags the launcher puts before $HERALD_JAVA_OPTS (a flag given there
# again wins: the JVM takes the last one). Documented in docs/configuration.md ("JVM defaults").
#
# -XX:TrimNativeHeapInterval=2000: every 2 s the JVM gives the C heap's free pages back to the OS (glibc malloc_trim).
# The JIT compilers borrow tens of MB of arena memory while they compile and free it afterwards, but glibc keeps
# those pages, so a node's RSS kept the compilers' peak: ~2 KB per connection of bench/idle-slope's 5,000 → 10,000
# step was such pages, not connections. Trimming runs on a thread of its own and pauses during safepoints. The flag
# exists from JDK 21.0.1 (a 21.0.0 JVM would refuse to start with it, so it is left out there) but was experimental
# until JDK-8325496 (21.0.4 and 23): 21.0.1–21.0.3 and 22 refuse it unless experimental options are unlocked, which
# costs nothing where it is a product flag.
herald_java_version() { # the full version of the JDK at $JAVA_HOME, e.g. 21.0.5
  sed -n 's/^JAVA_VERSION="\([0-9.]*\).*/\1/p' "$JAVA_HOME/release" 2>/dev/null
}
HERALD_DEFAULT_JAVA_OPTS=""
case "$(herald_java_version)" in
  21|21.0|21.0.0|"") ;;
  *) HERALD_DEFAULT_JAVA_OPTS="-XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=2000" ;;
esac
