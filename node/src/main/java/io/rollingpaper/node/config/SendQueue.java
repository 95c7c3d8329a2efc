package io.rollingpaper.node.config;

/**
 * How much a session may have waiting to be sent before it is degraded, then closed.
 *
 * @param softBytes past this, signals to the session are dropped
 * @param maxBytes  past this, the session is closed with 1013 (the client resumes)
 */
public record SendQueue(int softBytes, int maxBytes) {

  static SendQueue read(EnvReader r) {
    SendQueue queue = new SendQueue(
        r.integer("SEND_QUEUE_SOFT_BYTES", 256 * 1024, 1024, Integer.MAX_VALUE),
        r.integer("SEND_QUEUE_MAX_BYTES", 4 * 1024 * 1024, 1024, Integer.MAX_VALUE));
    if (queue.maxBytes() < queue.softBytes()) {
      r.problem("SEND_QUEUE_MAX_BYTES must be at least SEND_QUEUE_SOFT_BYTES");
    }
    return queue;
  }
}
