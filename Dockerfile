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
FROM eclipse-temurin:17-jre

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
# - G1, not ZGC: generational ZGC (-XX:+ZGenerational) exists only from JDK 21
#   and is not a valid flag on 17. Non-generational ZGC on 17 trades throughput
#   and memory headroom (it needs a larger heap to avoid allocation stalls, and
#   no compressed oops) for sub-millisecond pauses; with the 0.5-2 GiB heaps
#   this service runs with, G1's pauses are a few milliseconds, which a
#   WebSocket fan-out does not notice, so G1 is the better fit on 17.
#   (On a JDK 21+ image, -XX:+UseZGC -XX:+ZGenerational is worth trying.)
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
            "-XX:+ExitOnOutOfMemoryError", \
            "-Djava.io.tmpdir=/tmp", \
            "-Dvertx.cacheDirBase=/tmp/vertx-cache", \
            "-jar", "/app/rolling-paper-node.jar"]
