package io.rollingpaper.node.backend;

import io.vertx.core.buffer.Buffer;

/**
 * A message on a paper channel. On the wire it is a kind letter, space-separated header fields, and
 * (for most kinds) the frame to relay to clients, already serialized, so a node forwards a slice of
 * the received buffer without parsing JSON:
 * <pre>
 *   D epoch seq frame     an accepted op (the frame is the delta)
 *   C epoch seq frame     the paper was completed at seq
 *   X epoch               the paper was deleted
 *   P version frame       presence changed (version orders presence changes)
 *   S session frame       a signal from that session (which does not get it back)
 * </pre>
 */
public record ChannelMessage(String paper, Kind kind, String header1, String header2, Buffer frame) {

  public enum Kind { DELTA, COMPLETED, DELETED, PRESENCE, SIGNAL }

  public String epoch() {
    return header1;
  }

  public long seq() {
    return Long.parseLong(header2);
  }

  public long presenceVersion() {
    return Long.parseLong(header1);
  }

  public String senderSession() {
    return header1;
  }

  public static String delta(String epoch, long seq, String frame) {
    return "D " + epoch + " " + seq + " " + frame;
  }

  public static String completed(String epoch, long seq, String frame) {
    return "C " + epoch + " " + seq + " " + frame;
  }

  public static String deleted(String epoch) {
    return "X " + epoch;
  }

  public static String presence(long version, String frame) {
    return "P " + version + " " + frame;
  }

  public static String signal(String session, String frame) {
    return "S " + session + " " + frame;
  }

  /** Parses a raw message; null for anything not of this format (it is ignored and logged by the caller). */
  public static ChannelMessage parse(String paper, Buffer raw) {
    if (raw.length() < 3 || raw.getByte(1) != ' ') {
      return null;
    }
    Kind kind = switch (raw.getByte(0)) {
      case 'D' -> Kind.DELTA;
      case 'C' -> Kind.COMPLETED;
      case 'X' -> Kind.DELETED;
      case 'P' -> Kind.PRESENCE;
      case 'S' -> Kind.SIGNAL;
      default -> null;
    };
    if (kind == null) {
      return null;
    }
    int headers = switch (kind) {
      case DELTA, COMPLETED -> 2;
      case DELETED -> 1;
      case PRESENCE, SIGNAL -> 1;
    };
    String[] values = new String[2];
    int start = 2;
    for (int h = 0; h < headers; h++) {
      int end = indexOfSpace(raw, start);
      if (end < 0) {
        if (kind == Kind.DELETED) {
          end = raw.length();
        } else {
          return null;
        }
      }
      values[h] = raw.getString(start, end);
      start = end + 1;
    }
    Buffer frame = kind == Kind.DELETED ? null : raw.slice(start, raw.length());
    return new ChannelMessage(paper, kind, values[0], values[1], frame);
  }

  private static int indexOfSpace(Buffer raw, int from) {
    for (int i = from; i < raw.length(); i++) {
      if (raw.getByte(i) == ' ') {
        return i;
      }
    }
    return -1;
  }
}
