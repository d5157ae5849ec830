#!/bin/sh
# Builds the Spring Boot peer hub (its own Maven project, not part of Herald's reactor) into one jar.
# Usage: build.sh [output jar, default /tmp/spring-hub.jar]. Uses the repository's Maven wrapper.
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
OUT=${1:-/tmp/spring-hub.jar}
cd "$HERE"
"$ROOT/mvnw" -q -B -ntp -DskipTests package
cp target/spring-hub.jar "$OUT"
