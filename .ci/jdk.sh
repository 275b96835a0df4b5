# Sourced by ./jax4j and .ci/run: find_jdk25 prints the home of a JDK 25 or newer, or fails with a message.
# Order: $JAVA_HOME if it is 25+, the `java` on PATH if it is 25+, then /usr/lib/jvm/temurin-25*.

java_major() {  # the major version of "$1/bin/java", or nothing
  local v
  v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n1) || true
  printf '%s' "$v"
}

find_jdk25() {
  local home major candidate
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    major=$(java_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then printf '%s\n' "$JAVA_HOME"; return 0; fi
  fi
  if command -v java >/dev/null 2>&1; then
    home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    major=$(java_major "$home")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then printf '%s\n' "$home"; return 0; fi
  fi
  for candidate in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25-* /usr/lib/jvm/jdk-25*; do
    if [ -x "$candidate/bin/java" ]; then
      major=$(java_major "$candidate")
      if [ -n "$major" ] && [ "$major" -ge 25 ]; then printf '%s\n' "$candidate"; return 0; fi
    fi
  done
  echo "jax4j needs a JDK 25 or newer: JAVA_HOME (${JAVA_HOME:-unset}) and the java on PATH are older or missing," \
       "and none was found under /usr/lib/jvm/temurin-25*. Install one (e.g. Eclipse Temurin 25) and set JAVA_HOME." >&2
  return 1
}
