package io.rollingpaper.node.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * A text frame serialized once and written to any number of sockets without copying: each socket
 * gets its own view of one shared, unreleasable buffer (Netty releases what it writes, so the
 * shared bytes must not be released by the first socket).
 *
 * <p>{@code WebSocketFrameImpl} is the one Vert.x {@code impl} type left in the node: neither the public API
 * ({@code WebSocketFrame.textFrame} takes a String, so a copy per socket) nor the integrator tier of 5.0.7
 * builds a text frame over bytes it is given. {@code BufferInternal} is integrator tier.
 */
public final class OutboundFrame {
  private final ByteBuf shared;
  private final int length;

  private OutboundFrame(Buffer utf8) {
    this.shared = Unpooled.unreleasableBuffer(((BufferInternal) utf8).getByteBuf());
    this.length = utf8.length();
  }

  public static OutboundFrame of(Buffer utf8Json) {
    return new OutboundFrame(utf8Json);
  }

  public static OutboundFrame of(String json) {
    return new OutboundFrame(Buffer.buffer(json));
  }

  public int length() {
    return length;
  }

  /** A frame for one socket: a view of the shared bytes, released by the write without touching them. */
  public WebSocketFrame toFrame() {
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, shared.duplicate(), true);
  }
}
