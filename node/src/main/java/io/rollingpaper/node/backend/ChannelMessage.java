package io.rollingpaper.node.backend;

import io.vertx.core.buffer.Buffer;

/**
 * A message on a paper channel, parsed once where it arrives. On the wire it is a kind letter,
 * space-separated header fields, and (for most kinds) the frame to relay to clients, already serialized,
 * so a node forwards a slice of the received buffer without parsing JSON:
 * <pre>
 *   D epoch seq frame     an accepted op (the frame is the delta)
 *   C epoch seq frame     the paper was completed at seq
 *   X epoch               the paper was deleted
 *   P version frame       presence changed (version orders presence changes)
 *   S session frame       a signal from that session (which does not get it back)
 * </pre>
 * Only this type and the Lua scripts know that format. The scripts that publish it on Redis:
 * {@code src/main/resources/redis/apply.lua} and {@code release.lua} (D), {@code complete.lua} (C),
 * {@code delete.lua} (X), {@code prelude.lua}'s {@code presence_publish} (P); S is published from Java
 * ({@link Signal#encode()}). Change them together.
 *
 * <p>The paper is not part of the message: it is the channel's, and the broker passes it alongside.
 */
public sealed interface ChannelMessage {

  /** The bytes published on the channel. */
  Buffer encode();

  /** The messages a paper applies in seq order (deltas, completion, deletion), all of one epoch. */
  sealed interface Ordered extends ChannelMessage {
    String epoch();
  }

  /** An accepted op: its delta frame, the seq it was given. */
  record Delta(String epoch, long seq, Buffer frame) implements Ordered {
    @Override
    public Buffer encode() {
      return wire('D', epoch + " " + seq, frame);
    }
  }

  /** The paper was completed at {@code seq}; the frame tells the clients. */
  record Completed(String epoch, long seq, Buffer frame) implements Ordered {
    @Override
    public Buffer encode() {
      return wire('C', epoch + " " + seq, frame);
    }
  }

  /** The paper (in that epoch) was deleted. */
  record Deleted(String epoch) implements Ordered {
    @Override
    public Buffer encode() {
      return Buffer.buffer("X " + epoch);
    }
  }

  /** Presence changed; {@code version} orders the changes of one paper. */
  record Presence(long version, Buffer frame) implements ChannelMessage {
    @Override
    public Buffer encode() {
      return wire('P', Long.toString(version), frame);
    }
  }

  /** A signal from {@code senderSession}, relayed to every other session of the paper. */
  record Signal(String senderSession, Buffer frame) implements ChannelMessage {
    public Signal(String senderSession, String frame) {
      this(senderSession, Buffer.buffer(frame));
    }

    @Override
    public Buffer encode() {
      return wire('S', senderSession, frame);
    }
  }

  private static Buffer wire(char kind, String headers, Buffer frame) {
    return Buffer.buffer(headers.length() + frame.length() + 3)
        .appendByte((byte) kind).appendByte((byte) ' ')
        .appendString(headers).appendByte((byte) ' ')
        .appendBuffer(frame);
  }

  /**
   * Parses a raw message; null for anything not of this format (the caller ignores and logs it). The frame is
   * a slice of {@code raw}, not a copy.
   */
  static ChannelMessage parse(Buffer raw) {
    if (raw.length() < 3 || raw.getByte(1) != ' ') {
      return null;
    }
    byte kind = raw.getByte(0);
    if (kind == 'X') {
      int end = indexOfSpace(raw, 2);
      return end == 2 ? null : new Deleted(raw.getString(2, end < 0 ? raw.length() : end));
    }
    int end = indexOfSpace(raw, 2);
    if (end <= 2) {
      return null;
    }
    String first = raw.getString(2, end);
    try {
      return switch (kind) {
        case 'D', 'C' -> {
          int seqEnd = indexOfSpace(raw, end + 1);
          if (seqEnd < 0) {
            yield null;
          }
          long seq = Long.parseLong(raw.getString(end + 1, seqEnd));
          Buffer frame = raw.slice(seqEnd + 1, raw.length());
          yield kind == 'D' ? new Delta(first, seq, frame) : new Completed(first, seq, frame);
        }
        case 'P' -> new Presence(Long.parseLong(first), raw.slice(end + 1, raw.length()));
        case 'S' -> new Signal(first, raw.slice(end + 1, raw.length()));
        default -> null;
      };
    } catch (NumberFormatException e) {
      return null;
    }
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
