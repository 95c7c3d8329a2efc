package io.rollingpaper.node.session;

import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.FrameCodec;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;

/**
 * A join refused in-band (PROTOCOL.md "Endpoint"): a browser cannot read the status of a refused
 * upgrade, so the socket is opened, told why in one {@code error} frame ({@code cid} null) and closed
 * with the matching code. {@code code} is null for a close that needs no explanation (a draining
 * node's 1012, which the client answers by reconnecting at once). {@code reason} names it in metrics.
 */
public record Refusal(String reason, ErrorCode code, short closeCode, String message) {

  public static Refusal unauthorized(String message) {
    return new Refusal("unauthorized", ErrorCode.UNAUTHORIZED, CloseCodes.UNAUTHORIZED, message);
  }

  public static Refusal forbidden(String message) {
    return new Refusal("forbidden", ErrorCode.FORBIDDEN, CloseCodes.FORBIDDEN, message);
  }

  public static Refusal notFound(String message) {
    return new Refusal("not_found", ErrorCode.NOT_FOUND, CloseCodes.NOT_FOUND, message);
  }

  public static Refusal rateLimited(String message) {
    return new Refusal("rate_limited", ErrorCode.RATE_LIMITED, CloseCodes.RATE_LIMITED, message);
  }

  /** A draining node sends new sockets away as it sends its own sessions: 1012, reconnect at once. */
  public static Refusal draining() {
    return new Refusal("draining", null, CloseCodes.RESTARTING, "node restarting; reconnect with since");
  }

  /** Tells the client and closes; on the socket's event loop. The close reason is the error code (it fits 123 bytes). */
  public Future<Void> deliver(ServerWebSocket socket) {
    if (code != null) {
      socket.writeTextMessage(FrameCodec.error(null, code, message));
    }
    return socket.close(closeCode, code != null ? code.wire() : message);
  }
}
