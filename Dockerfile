# syntax=docker/dockerfile:1
#
# Rolling Paper Live node image.
#
#   docker build -t rolling-paper-live:0.1.0 .
#   docker run --rm --stop-timeout 30 -p 8080:8080 rolling-paper-live:0.1.0   # in-memory, single node
#   docker compose up --build      # Redis, PostgreSQL, 3 nodes, HAProxy (compose.yaml)
#
# Configuration is by environment variables only (PORT, REDIS_URL, DRAIN_*, ...);
# see the chart's README (helm/rolling-paper-live) for the list.

# --- build -------------------------------------------------------------------
# Compiled by JDK 17 for release 17 (the README promises Java 17); it runs on 25.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# .dockerignore keeps target/, .git, .cluster, helm/ etc. out of the context.
COPY . .
# Only the node and what it depends on (common); deploy-test and other modules
# are not built. The BuildKit cache mount keeps ~/.m2 between builds.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -pl node -am package -DskipTests \
 && cp node/target/rolling-paper-node.jar /rolling-paper-node.jar

# --- runtime -----------------------------------------------------------------
# Java 25: with its AOT cache (below) a node answers /health/live in ~1 s
# instead of ~2-3 s, on about half the CPU; per delivery, once warm, G1 on 25
# measured the same as on 17 (docs/PROFILE.md, "JVM choice").
FROM eclipse-temurin:25-jre

# Set by CI: docker build --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD)
#   --build-arg CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ) .
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="Rolling Paper Live node" \
      org.opencontainers.image.description="Stateless real-time WebSocket node for shared boards of notes (Redis-backed)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="https://github.com/rolling-paper/rolling-paper-live" \
      org.opencontainers.image.documentation="https://github.com/rolling-paper/rolling-paper-live/blob/main/README.md" \
      io.rolling-paper.stop-timeout="30"

# curl for the HEALTHCHECK below (the base image does not promise one).
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*

# A fixed, numeric non-root user: Kubernetes' runAsNonRoot can verify a
# numeric USER, and the chart's securityContext uses the same 10001.
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin app

COPY --from=build --chown=root:root --chmod=0444 /rolling-paper-node.jar /app/rolling-paper-node.jar

# AOT cache (JEP 483/514/515): a training run of the node in this very image
# (same JDK, same jar path and timestamp, which the cache is checked against),
# in memory, whose workload is the node's own warm-up (WARMUP_DURATION); it is
# stopped with SIGTERM once ready (drain settings at 0) and the JVM writes the
# cache as it exits. The GC and native-access flags are the ENTRYPOINT's; the
# heap is capped so that compressed oops are on whatever the build host's RAM
# (the cache records that mode; a 0.5-2 GiB pod has it on too). A cache that
# does not match (another JVM, JAVA_TOOL_OPTIONS changing the GC) is ignored
# with a warning, and the node starts as it would without one.
RUN set -eu; \
    PORT=8079 HOST=127.0.0.1 WARMUP_DURATION=3s LOG_LEVEL=WARN \
      DRAIN_READY_DELAY=0s DRAIN_CLOSE_WINDOW=0s DRAIN_TIMEOUT=1s \
      java -Xmx1g -XX:+UseG1GC --enable-native-access=ALL-UNNAMED \
           -XX:AOTCacheOutput=/app/rolling-paper-node.aot \
           -Djava.io.tmpdir=/tmp -Dvertx.cacheDirBase=/tmp/vertx-cache \
           -jar /app/rolling-paper-node.jar & \
    pid=$!; i=0; \
    until curl -fs -o /dev/null http://127.0.0.1:8079/health/ready; do \
      kill -0 "$pid" || { echo "AOT training run: the node exited" >&2; exit 1; }; \
      i=$((i + 1)); [ "$i" -le 1200 ] || { echo "AOT training run: not ready in 120 s" >&2; exit 1; }; \
      sleep 0.1; \
    done; \
    kill -TERM "$pid"; wait "$pid" || true; \
    test -s /app/rolling-paper-node.aot; \
    chmod 0444 /app/rolling-paper-node.aot; \
    rm -rf /tmp/* /tmp/.[!.]*

# The working directory is /tmp: writable by the app user here, and the
# chart's emptyDir on a read-only root filesystem. Anything the node writes
# relative to its working directory (e.g. Vert.x BodyHandler's default
# "file-uploads" directory) lands there instead of failing.
WORKDIR /tmp

USER 10001:10001
EXPOSE 8080
ENV PORT=8080 \
    HOST=0.0.0.0

# JVM flags:
# - The JVM reads the container's memory/CPU limits (UseContainerSupport is on
#   by default since 10); MaxRAMPercentage sizes the heap from the limit and
#   leaves 25% for metaspace, thread stacks, Netty's direct buffers and the
#   per-connection send queues.
# - G1. Measured on 2 cores (docs/PROFILE.md, "GC and JVM" and "JVM choice"):
#   generational ZGC (the only ZGC on 25) cost the event loop 20-65% more CPU
#   and fell seconds behind at a load G1 kept up with; SerialGC had the worse
#   tail, and neither it nor ParallelGC started any cheaper than G1. Re-evaluate
#   ZGC on nodes with spare cores.
# - AOTCache: the cache the training run above wrote (see there).
# - --enable-native-access=ALL-UNNAMED: Netty loads its native epoll transport
#   with System.loadLibrary, a restricted method that JDK 25 warns about at
#   every start (and will block in a future release) unless allowed.
# - ExitOnOutOfMemoryError: a node that ran out of heap exits and is restarted
#   rather than limping on; clients resume on another node.
# - Temporary files (Vert.x file cache, hsperfdata) go to /tmp, which the chart
#   mounts as an emptyDir (the root filesystem is read-only there).
# Extra flags: set JAVA_TOOL_OPTIONS (the chart's `javaToolOptions` value).
#
# Liveness of the process (not readiness: a node that cannot reach Redis is
# alive and reports itself not ready; HAProxy checks /health/ready itself).
# The start period covers JVM start-up and the archive's schema migration.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/health/live" || exit 1

# SIGTERM starts the node's graceful drain: readiness fails for
# DRAIN_READY_DELAY (5s), sessions are closed with 1012 over DRAIN_CLOSE_WINDOW
# (3s), in-flight ops get up to DRAIN_TIMEOUT (10s): 18s by default, plus JVM
# exit. Docker's default stop timeout (10s) would SIGKILL it mid-drain, so give
# it 30s (the io.rolling-paper.stop-timeout label above; raise it with the
# DRAIN_* settings):
#   docker run --stop-timeout 30 ...      compose: stop_grace_period: 30s
STOPSIGNAL SIGTERM

# Exec form: java is PID 1 and receives SIGTERM itself, which starts the
# node's graceful drain (readiness fails, sessions closed with 1012, exit).
ENTRYPOINT ["java", \
            "-XX:MaxRAMPercentage=75.0", \
            "-XX:InitialRAMPercentage=50.0", \
            "-XX:+UseG1GC", \
            "-XX:AOTCache=/app/rolling-paper-node.aot", \
            "--enable-native-access=ALL-UNNAMED", \
            "-XX:+ExitOnOutOfMemoryError", \
            "-Djava.io.tmpdir=/tmp", \
            "-Dvertx.cacheDirBase=/tmp/vertx-cache", \
            "-jar", "/app/rolling-paper-node.jar"]
