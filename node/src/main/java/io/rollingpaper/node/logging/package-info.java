/**
 * Logback components the node's {@code logback.xml} uses: the structured fields of the JSON log format and
 * the filter of one known, harmless library warning. They run on whichever thread logs (event loops, the
 * main and shutdown threads) and keep no state between events.
 */
package io.rollingpaper.node.logging;
