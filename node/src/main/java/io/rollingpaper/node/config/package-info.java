/**
 * Everything a node can be told, read once at start from environment variables into immutable records, one
 * per concept ({@code Listen}, {@code PaperTimings}, {@code SendQueue}, {@code Drain}, {@code RateLimits},
 * {@code RedisSettings}, {@code AuthSettings}, ...), each reading its own variables and checking its own
 * bounds through {@code EnvReader}. {@code NodeConfig.fromEnv} adds the checks that span two records and
 * throws one {@code ConfigException} naming every problem, so an operator fixes them all at once;
 * security-relevant settings fail closed. The README's configuration table mirrors these records.
 *
 * <p>Thread: the main thread, at start; the records are read from any thread afterwards. May call: auth
 * (to load the configured keys, so an unusable key stops the node) and the protocol's {@code Limits}
 * (common). Called by: every package that needs a setting.
 */
package io.rollingpaper.node.config;
