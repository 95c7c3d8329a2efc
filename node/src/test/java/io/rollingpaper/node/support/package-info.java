/**
 * What the node's tests stand on: real servers on free ports ({@code RedisProcess}, the one redis-server
 * fixture, behind {@code RedisServer} and {@code RedisPerClass} for one Redis and {@code RedisTopology} for a
 * replicated or clustered one; {@code PostgresProcess} behind {@code PostgresPerClass}), nodes in Vert.x
 * instances of their own ({@code TestNode}), and clients that speak the protocol ({@code TestClient}), break
 * it ({@code RawWebSocket}) or watch the event loop's latency ({@code Bystander}); and, for every test class of
 * the module without opting in, a dump of the test JVM's threads and open test clients when a wait times out
 * ({@code ThreadDumpOnTimeout}, {@code ThreadDumpOnLateTimeout}, {@code ThreadDump}).
 *
 * <p>Thread: the JUnit thread starts and stops the servers (blocking on purpose, bounded); clients and
 * waits are futures on the test's Vert.x event loop, bounded by the test's timeout or {@code Poll}; the
 * thread dumps are taken on the JUnit thread that saw the timeout. May call: the node's public API and
 * config, the protocol (common), Testcontainers. Called by: the node's tests.
 */
package io.rollingpaper.node.support;
