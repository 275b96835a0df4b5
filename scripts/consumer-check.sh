#!/usr/bin/env bash
# Builds scripts/consumer (a project depending on io.jax4j:jax4j alone, as the README shows) against the
# installed artifacts and runs its jitted value-and-grad on the class path and on the module path; both
# must use the cpu backend and print the same numbers. Run ./mvnw install -DskipTests first.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/.ci/jdk.sh"
JAVA_HOME=$(find_jdk25); export JAVA_HOME
cd "$ROOT/scripts/consumer"
"$ROOT/mvnw" -B -q package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
CP="target/classes:$(cat target/classpath.txt)"
JAVA="$JAVA_HOME/bin/java"
on_class_path=$("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP" demo.Main)
on_module_path=$("$JAVA" --enable-native-access=io.jax4j.tracer,io.jax4j.xla,org.bytedeco.javacpp -p "$CP" -m demo/demo.Main)
echo "class path:  $on_class_path"
echo "module path: $on_module_path"
case "$on_class_path" in "backend cpu "*) ;; *) echo "consumer-check: the class path run did not get the cpu backend" >&2; exit 1;; esac
[ "$on_class_path" = "$on_module_path" ] || { echo "consumer-check: the module path run differs" >&2; exit 1; }
