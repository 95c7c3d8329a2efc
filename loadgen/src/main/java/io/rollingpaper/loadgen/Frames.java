package io.rollingpaper.loadgen;

/**
 * Just enough of the protocol's server frames to measure: the node writes a delta as
 * {@code {"type":"delta","paper":…,"seq":N,"by":…,"cid":…,"op":{…}}} (FrameCodec.delta), so a
 * delta is recognised by its prefix and its few fields are found with indexOf, without a JSON tree.
 * The Socket.IO peer's delta is the same object inside its framing ({@code 42["delta",{…}]}); a
 * {@link WireDialect} says where the object starts and the same scan runs from there.
 * Anything else goes to the (rare) slow path.
 */
final class Frames {
  static final String DELTA_PREFIX = "{\"type\":\"delta\"";
  static final String SNAPSHOT_PREFIX = "{\"type\":\"snapshot\"";
  static final String PRESENCE_PREFIX = "{\"type\":\"presence\"";
  private static final String SEQ = "\"seq\":";
  private static final String CID = "\"cid\":";
  private static final String OP = "\"op\":";
  private static final String T = "\"t\":";

  private Frames() {
  }

  /** The value of the first {@code "seq":} at or after {@code from}, or -1. */
  static long seq(String s, int from) {
    int i = s.indexOf(SEQ, from);
    return i < 0 ? -1 : parseLong(s, i + SEQ.length());
  }

  /** Index of the delta's cid value (its opening quote, or 'n' of null), or -1. */
  static int cidValue(String s) {
    return cidValue(s, DELTA_PREFIX.length());
  }

  /** Index of the cid value of the delta object that starts at {@code from}, or -1. */
  static int cidValue(String s, int from) {
    int i = s.indexOf(CID, from);
    return i < 0 ? -1 : i + CID.length();
  }

  /** The send time {@code t} in the delta's note (after "op"), or -1. */
  static long sendTime(String s, int from) {
    int o = s.indexOf(OP, Math.max(from, 0));
    if (o < 0) {
      return -1;
    }
    int t = s.indexOf(T, o);
    return t < 0 ? -1 : parseLong(s, t + T.length());
  }

  /** A non-negative decimal integer at {@code pos}, or -1 if there are no digits. */
  static long parseLong(String s, int pos) {
    long v = 0;
    int n = s.length();
    int start = pos;
    while (pos < n) {
      char c = s.charAt(pos);
      if (c < '0' || c > '9') {
        break;
      }
      v = v * 10 + (c - '0');
      pos++;
    }
    return pos == start ? -1 : v;
  }
}
