package io.rollingpaper.node.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.event.KeyValuePair;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gives an event its {@code node}, {@code paper}, {@code session} and {@code user} as SLF4J key-value pairs,
 * which Logback's {@code JsonEncoder} writes as fields ({@code kvpList}). They are taken from the message
 * template: every log line of the node already says {@code "node={} paper={} session={} …"}, so call sites
 * stay one readable line, and the text format shows the same values in its message.
 *
 * <p>An appender filter rather than an encoder: {@code JsonEncoder} stays Logback's own, unchanged. It
 * never refuses an event.
 */
public final class ContextFields extends Filter<ILoggingEvent> {
  private static final Set<String> FIELDS = Set.of("node", "paper", "session", "user");
  /** A {@code key=} right before a placeholder, or a placeholder alone (which still takes an argument). */
  private static final Pattern PLACEHOLDER = Pattern.compile("(?:\\b([a-z]+)=)?\\{}");

  @Override
  public FilterReply decide(ILoggingEvent event) {
    Object[] arguments = event.getArgumentArray();
    if (arguments == null || event.getMessage() == null || !(event instanceof LoggingEvent mutable)) {
      return FilterReply.NEUTRAL;
    }
    Matcher placeholder = PLACEHOLDER.matcher(event.getMessage());
    for (int index = 0; placeholder.find() && index < arguments.length; index++) {
      String key = placeholder.group(1);
      if (key != null && FIELDS.contains(key) && !has(event, key)) {
        mutable.addKeyValuePair(new KeyValuePair(key, String.valueOf(arguments[index])));
      }
    }
    return FilterReply.NEUTRAL;
  }

  private static boolean has(ILoggingEvent event, String key) {
    return event.getKeyValuePairs() != null && event.getKeyValuePairs().stream().anyMatch(pair -> pair.key.equals(key));
  }
}
