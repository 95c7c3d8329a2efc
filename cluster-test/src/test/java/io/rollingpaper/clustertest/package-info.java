/**
 * Tests with real processes: redis-server, node JVMs and HAProxy, started by the tests themselves
 * ({@link io.rollingpaper.clustertest.LocalCluster}) or by {@code scripts/cluster}
 * ({@link io.rollingpaper.clustertest.ScriptCluster}). The tests' own threads start, scale and stop the
 * processes and wait with deadlines ({@link io.rollingpaper.clustertest.Await}); each protocol client
 * ({@link io.rollingpaper.clustertest.WritingClient}) runs on a Vert.x event loop of its own context.
 */
package io.rollingpaper.clustertest;
