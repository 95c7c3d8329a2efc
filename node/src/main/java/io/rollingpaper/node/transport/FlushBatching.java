package io.rollingpaper.node.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * Lets a socket's frames written in one event-loop pass go out in one write system call.
 *
 * <p>Vert.x flushes every frame written outside the socket's own read, and deltas are written while the
 * node handles a read of its Redis subscription (or of the sender's socket): with one {@code write(2)} per
 * frame per socket, the system calls cost about as much as the rest of the delivery. Netty's
 * {@link FlushConsolidationHandler} at the head of the connection's pipeline turns those flushes into one
 * scheduled for the end of the current pass (or after 16 of them).
 *
 * <p>Frames held back count against the socket's write queue like frames the kernel has not taken, so
 * before a session judges its client slow it calls {@link #flushHeldBack()}: only what the client has not
 * read then counts.
 *
 * <p>Vert.x has no option for it, so the pipeline is reached through the integrator tier
 * ({@link WebSocketInternal#channelHandlerContext()}). A socket that is not one (a wrapper, another
 * Vert.x) gets {@link #NONE}: its frames are flushed one by one, which {@link WebSocketUpgrade} reports.
 */
public final class FlushBatching {
  /** Nothing installed: every frame is flushed as it is written. */
  public static final FlushBatching NONE = new FlushBatching(null);

  private static final String NAME = "rpl-flush-batching";
  /** Past this many flushes in one pass, one goes out at once (Netty's default is 256). */
  private static final int FLUSH_AT_MOST_EVERY = 16;

  private final ChannelHandlerContext context;

  private FlushBatching(ChannelHandlerContext context) {
    this.context = context;
  }

  /** Installs the consolidation on the socket's channel, or returns {@link #NONE}. Call on the event loop. */
  static FlushBatching install(ServerWebSocket socket) {
    if (!(socket instanceof WebSocketInternal internal)) {
      return NONE;
    }
    ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
    if (pipeline.get(NAME) == null) {
      pipeline.addFirst(NAME, new FlushConsolidationHandler(FLUSH_AT_MOST_EVERY, true));
    }
    return new FlushBatching(pipeline.context(NAME));
  }

  boolean installed() {
    return context != null;
  }

  /** Flushes the frames held back for this pass now, past the consolidation. Call on the event loop. */
  public void flushHeldBack() {
    if (context != null) {
      context.flush();
    }
  }
}
