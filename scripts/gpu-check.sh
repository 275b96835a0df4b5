#!/bin/bash
# gpu-check.sh pack | run
#
#   pack  (here, with a JDK 25 and Maven): builds the project with its tests compiled and packs what a GPU
#         machine without Java and without network needs into .gpu-kit/ (ignored by git): a jlink runtime,
#         the runtime + test dependency jars, the module jars and test classes, and the JUnit console.
#   run   (on the GPU machine, from the repository root, with .gpu-kit carried along; at most about 8.5 minutes,
#         each step under its own time limit): unpacks the runtime,
#         puts the CUDA 13.0 libraries on LD_LIBRARY_PATH, runs every test tagged gpu (conformance fixtures
#         and the backend contract on the GPU), then `jax4j bench --backend cuda` and, in the same run,
#         JAX's timings of the same workloads (scripts/jax_bench.py). Logs go to $OUT (or ./gpu-check-out).
#
# With the device tool: scripts/gpu-check.sh pack here, then
#   run(command: "bash scripts/gpu-check.sh run", carry: [".gpu-kit"], timeout_s: 540)   (see docs/gpu.md)
set -euo pipefail
cd "$(dirname "$0")/.."
kit=.gpu-kit

pack() {
  if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
    # shellcheck source=../.ci/jdk.sh
    . .ci/jdk.sh
    JAVA_HOME=$(find_jdk25)
  fi
  export JAVA_HOME
  rm -rf "$kit"; mkdir -p "$kit/jars" "$kit/test-classes"
  grep -qx '/.gpu-kit/' "$(git rev-parse --git-path info/exclude)" 2>/dev/null || echo '/.gpu-kit/' >> "$(git rev-parse --git-path info/exclude)"
  # One reactor build: the modules (tests compiled, not run) and the dependencies of benchmarks and tests,
  # the sibling modules resolved from the reactor, so a fresh machine needs nothing installed in ~/.m2.
  ./mvnw -q -B -DskipTests package dependency:copy-dependencies -pl benchmarks,tests -am -DincludeScope=test \
    -DexcludeClassifiers=windows-x86_64,macosx-x86_64,macosx-arm64,linux-arm64,linux-ppc64le,android-arm64,android-x86_64,linux-armhf,ios-arm64,ios-x86_64 \
    -DexcludeGroupIds=io.jax4j,org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian -DoutputDirectory="$PWD/$kit/jars" \
    -DexcludeArtifactIds=pdfbox,fontbox,graphics2d,VectorGraphics2D,jmh-core,jopt-simple,commons-math3,jazzer,jazzer-api,jazzer-junit
  # OpenBLAS without its LAPACK builds (jax4j loads openblas_nolapack) and headers: 19 -> 12 MB
  for j in "$kit"/jars/openblas-*-linux-x86_64.jar; do
    python3 - "$j" <<'PY'
import os, sys, zipfile
src = sys.argv[1]; tmp = src + ".tmp"
drop = ("/libjniopenblas.so", "/libjniopenblas_full.so")
with zipfile.ZipFile(src) as z, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as o:
    for i in z.infolist():
        if not i.filename.endswith(drop) and "/include/" not in i.filename:
            o.writestr(i, z.read(i.filename))
os.replace(tmp, src)
PY
  done
  tmp=$(mktemp -d)
  "$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,java.management,java.xml,jdk.unsupported,jdk.management \
    --output "$tmp/jre" --strip-debug --no-man-pages --no-header-files --compress zip-9
  tar cJf "$kit/jre.tar.xz" -C "$tmp" jre
  rm -rf "$tmp"
  # (JUnit itself comes as the console launcher alone: a second copy of its engine on the class path clashes)
  # the project's own modules as their freshly built jars (not ~/.m2 copies)
  for j in */target/jax4j-*.jar; do case "$j" in *-sources.jar|*-javadoc.jar|*-tests.jar) ;; *) cp "$j" "$kit/jars/" ;; esac; done
  # test classes without the conformance fixtures: the run reads them from the repository (tests/src/test/resources)
  for m in xla-lower tests; do mkdir -p "$kit/test-classes/$m" && cp -r "$m/target/test-classes/." "$kit/test-classes/$m/"; done
  rm -rf "$kit/test-classes/tests/fixtures"
  # the fuzz tests (and their seed inputs) need Jazzer, which stays here: they run in .ci/run, not on the GPU
  find "$kit/test-classes" \( -name '*FuzzTest*.class' -o -name '*FuzzTestInputs' \) -prune -exec rm -rf {} +
  ls "$kit/jars" | grep -q junit-platform-console-standalone || \
    ./mvnw -q -B dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1 -DoutputDirectory="$PWD/$kit/jars" >/dev/null
  # the kit travels with the repository: the device tool carries at most 64 MiB in all
  kb=$(du -sk "$kit" | cut -f1)
  repo_kb=$(( $(git ls-files -z | xargs -0 stat -c %s | awk '{s += $1} END {print s}') / 1024 ))
  echo "packed $((kb / 1024)) MiB into $kit; with the repository's $((repo_kb / 1024)) MiB: $(((kb + repo_kb) / 1024)) of the 64 MiB the device tool carries"
  [ $((kb + repo_kb)) -lt $((60 * 1024)) ] || { echo "gpu-check: the kit and the repository are too large to travel (keep them under 60 MiB)" >&2; exit 3; }
}

# The CUDA 13.0 libraries: the toolkit's targets/x86_64-linux/lib, the pip wheels' (cuBLAS, NVRTC) and the driver's.
cuda_libs() {
  local dirs=() d f
  for d in /usr/local/cuda-13.0/targets/x86_64-linux/lib /usr/local/cuda/targets/x86_64-linux/lib /usr/local/nvidia/lib64 /usr/lib/x86_64-linux-gnu; do
    [ -d "$d" ] && dirs+=("$d")
  done
  for f in libcublas.so.13 libnvrtc.so.13 libcuda.so.1 libnccl.so.2; do
    local hit=""
    for d in "${dirs[@]}"; do [ -e "$d/$f" ] && hit=$d && break; done
    if [ -z "$hit" ]; then
      hit=$(find / -name "$f" -not -path '*/stubs/*' -not -path '*cuda-standin*' -not -path '/proc/*' -not -path '/sys/*' 2>/dev/null | head -1 | xargs -r dirname)
      [ -n "$hit" ] && dirs+=("$hit")
    fi
    [ -n "$hit" ] || echo "gpu-check: WARNING: $f not found" >&2
  done
  (IFS=:; echo "${dirs[*]}")
}

run() {
  [ -d "$kit/jars" ] || { echo "no $kit here: run 'scripts/gpu-check.sh pack' first and carry $kit" >&2; exit 2; }
  out=${OUT:-$PWD/gpu-check-out}; mkdir -p "$out"
  mkdir -p /tmp/j && [ -x /tmp/j/jre/bin/java ] || tar xJf "$kit/jre.tar.xz" -C /tmp/j
  java=/tmp/j/jre/bin/java
  LD_LIBRARY_PATH="$(cuda_libs)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; export LD_LIBRARY_PATH
  export JAX4J_CACHE_DIR=/tmp/jax4j-cache
  { nvidia-smi -L || true; echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"; } | tee "$out/env.txt"
  cp=$(ls "$PWD/$kit"/jars/*.jar | grep -v junit-platform-console-standalone | paste -sd:)
  console=$(ls .gpu-kit/jars/junit-platform-console-standalone-*.jar)
  status=0
  echo "== gpu-tagged tests (conformance fixtures, backend contract, device tests) =="
  set +e
  timeout 200 "$java" --enable-native-access=ALL-UNNAMED -Xss8m -jar "$console" execute --disable-banner --details=summary \
    --class-path "$cp:$kit/test-classes/xla-lower:$kit/test-classes/tests:tests/src/test/resources" \
    --scan-class-path "$kit/test-classes/xla-lower:$kit/test-classes/tests" --include-tag gpu --fail-if-no-tests --reports-dir "$out/junit" 2>&1 | tee "$out/gpu-tests.txt"
  status=${PIPESTATUS[0]}
  aborted=$(grep -oE '[0-9]+ tests aborted' "$out/gpu-tests.txt" | grep -oE '^[0-9]+' || echo 0)
  if [ "$status" = 0 ] && [ "${aborted:-0}" != 0 ]; then
    echo "gpu-check: $aborted GPU tests were skipped (no usable CUDA device? reasons in $out/junit): failing the check" >&2
    status=3
  fi
  echo "== jax4j bench --backend cuda (TF32 products; W2 alone, under its own time limit; then W5 in FP32) =="
  bench=("$java" --enable-native-access=ALL-UNNAMED -Xss8m -cp "$cp" io.jax4j.examples.cli.Jax4jCli bench --backend cuda --repeats 3)
  timeout 110 "${bench[@]}" --only W7,W1,W3,W4,W5,W6 --json "$out/jax4j-bench.json" 2>&1 | tee "$out/jax4j-bench.txt"
  timeout 45 "${bench[@]}" --only W2 --json "$out/jax4j-bench-w2.json" 2>&1 | tee -a "$out/jax4j-bench.txt"
  timeout 35 "$java" -Djax4j.matmulPrecision=highest "${bench[@]:1}" --only W5 --json "$out/jax4j-bench-highest.json" 2>&1 | tee -a "$out/jax4j-bench.txt"
  echo "== JAX on the same GPU, same workloads =="
  PYTHONUNBUFFERED=1 timeout 120 python3 scripts/jax_bench.py 2>&1 | tee "$out/jax-bench.txt"
  echo "== jax4j beside JAX (same GPU, same run) =="
  python3 scripts/gpu_table.py "$out/jax-bench.txt" "$out/jax4j-bench-highest.json" "$out/jax4j-bench.json" "$out/jax4j-bench-w2.json" | tee "$out/table.txt"
  set -e
  exit "$status"
}

case "${1:-}" in
  pack) pack ;;
  run) run ;;
  *) echo "usage: $0 pack|run" >&2; exit 2 ;;
esac
