/**
 * Hostile input over real sockets: malformed frames and seeded fuzzing (`FuzzTest`, `HostileFrames`, `-Dfuzz.seed=`), asserting the protocol's error and close codes, an unchanged paper and a node that stays ready. Clients run on the test's Vert.x event loop.
 */
package io.rollingpaper.node.badinput;
