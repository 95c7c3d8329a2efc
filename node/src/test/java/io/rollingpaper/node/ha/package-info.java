/**
 * Fault tests: real Redis topologies (a replica with WAIT, Sentinel failover, a three-master Cluster) and a blackhole proxy, killed, paused or partitioned under live writes; each asserts that no acknowledged op is lost and every socket still sees one gap-free order. The test thread drives the faults; nodes and clients run on their own Vert.x event loops.
 */
package io.rollingpaper.node.ha;
