package io.rollingpaper.node.session;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Lets a socket's frames written in one event-loop pass go out in one write system call.
 *
 * <p>Vert.x flushes every frame written outside the socket's own read, and deltas are written while the
 * node handles a read of its Redis subscription (or of the sender's socket): with one {@code write(2)} per
 * frame per socket, the system calls cost about as much as the rest of the delivery. Netty's
 * {@link FlushConsolidationHandler} at the head of the connection's pipeline turns those flushes into one
 * scheduled for the end of the current pass (or after 16 of them); everything else is untouched: the
 * writes themselves, the write queue's high-water mark and drain, and close (which flushes first).
 *
 * <p>Vert.x has no option for it, so the pipeline is reached through its connection implementation; on
 * a connection that is not one (another Vert.x version, HTTP/2) nothing is installed and frames are
 * flushed one by one as before.
 */
public final class FlushBatching {
  private static final String NAME = "rpl-flush-batching";
  /**
   * Past this many flushes in one pass, one goes out at once. Unflushed frames count against the send
   * queue's bounds (Vert.x's write queue is the channel's pending bytes), so this bounds what a burst in one
   * pass can hold back: 16 frames of the largest note (16 KB) stay below the default soft bound (256 KB).
   * Netty's default, 256, let a client that reads perfectly well be closed with 1013 during a burst of
   * large notes (SlowClientTest's writer).
   */
  private static final int FLUSH_AT_MOST_EVERY = 16;

  private FlushBatching() {
  }

  /** Installs the consolidation on the connection's channel; true if it could. Call on the event loop. */
  public static boolean install(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) {
      return false;
    }
    ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
    if (pipeline.get(NAME) == null) {
      pipeline.addFirst(NAME, new FlushConsolidationHandler(FLUSH_AT_MOST_EVERY, true));
    }
    return true;
  }
}
