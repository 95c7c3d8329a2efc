package io.rollingpaper.node.transport;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;

/**
 * A frame the WebSocket decoder refused before the node saw it (reserved bits set with no extension
 * negotiated, a continuation with no message, a control frame too long...): the close code RFC 6455
 * gives it, so the client is told why instead of seeing its connection drop. The transport-level
 * side of the session's error handling: the only place that knows Netty's exception.
 */
public record ProtocolViolation(short code, String reason) {
  private static final int MAX_REASON_BYTES = 100;

  /** The violation {@code error} reports, or null when it is not one (an I/O error, a closed connection). */
  public static ProtocolViolation of(Throwable error) {
    if (!(error instanceof CorruptedWebSocketFrameException corrupted)) {
      return null;
    }
    String reason = corrupted.getMessage() == null ? "protocol error" : corrupted.getMessage();
    // A close reason must fit a control frame (125 bytes with the code).
    return new ProtocolViolation((short) corrupted.closeStatus().code(),
        reason.length() > MAX_REASON_BYTES ? reason.substring(0, MAX_REASON_BYTES) : reason);
  }
}
