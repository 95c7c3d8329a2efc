/**
 * Everything a node can be told, read once at start from environment variables into records, one per
 * concern. {@code NodeConfig.fromEnv} collects every problem into one {@code ConfigException} so an
 * operator fixes them all at once; security-relevant settings fail closed. Runs on the main thread at
 * start; the records are immutable afterwards. Calls nothing else in the node.
 */
package io.rollingpaper.node.config;
