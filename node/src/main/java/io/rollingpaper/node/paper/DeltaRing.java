package io.rollingpaper.node.paper;

import io.rollingpaper.node.transport.OutboundFrame;

/**
 * The most recent deltas a node relayed for one paper, contiguous by seq, so a session that is a
 * little behind (a join racing live writes, a short resume) is served from memory. Older deltas
 * come from the store's history.
 */
final class DeltaRing {
  private final OutboundFrame[] frames;
  private long last;
  private int count;

  DeltaRing(int capacity, long lastSeq) {
    this.frames = new OutboundFrame[capacity];
    this.last = lastSeq;
  }

  long last() {
    return last;
  }

  /** Appends the delta with seq {@code last() + 1}. */
  void append(OutboundFrame frame) {
    last++;
    frames[(int) (last % frames.length)] = frame;
    count = Math.min(count + 1, frames.length);
  }

  /** The delta with this seq, or null when it is not held (too old, or not yet relayed). */
  OutboundFrame get(long seq) {
    if (seq > last || seq <= last - count) {
      return null;
    }
    return frames[(int) (seq % frames.length)];
  }

  /** Forgets everything and restarts after {@code lastSeq} (a new snapshot or epoch). */
  void reset(long lastSeq) {
    java.util.Arrays.fill(frames, null);
    last = lastSeq;
    count = 0;
  }
}
