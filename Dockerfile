# syntax=docker/dockerfile:1
#
# Rolling Paper Live node image.
#
#   docker build -t rolling-paper-live:0.1.0 .
#   docker run --rm -p 8080:8080 rolling-paper-live:0.1.0            # in-memory, single node
#   docker run --rm -p 8080:8080 -e REDIS_URL=redis://host:6379 rolling-paper-live:0.1.0
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
