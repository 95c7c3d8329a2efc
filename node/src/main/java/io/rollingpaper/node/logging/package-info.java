/**
 * Logback components the node's {@code logback*.xml} use: the structured fields of the JSON log format
 * ({@code ContextFields}) and the filter of one known, harmless library warning.
 *
 * <p>Thread: whichever thread logs (event loops, workers, the main and shutdown-hook threads); they keep no
 * state between events. May call: Logback only. Called by: Logback, named in its configuration, never by
 * the node's code.
 */
package io.rollingpaper.node.logging;
