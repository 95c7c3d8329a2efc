package io.rollingpaper.node.backend.redis;

import io.rollingpaper.node.backend.PaperHead;
import io.rollingpaper.protocol.PaperStatus;
import io.vertx.redis.client.Response;

/**
 * One paper's part of the reply of {@code redis/tick.lua} ({@code {'head', epoch, seq, status}}), or the reply
 * of {@code redis/touch.lua} ({@code {'head', epoch, seq}}); or {@code {'missing'}}.
 *
 * @param status null for touch.lua's reply
 */
record HeadReply(boolean missing, String epoch, long seq, PaperStatus status) {

  static HeadReply of(Response reply) {
    if (!"head".equals(reply.get(0).toString())) {
      return new HeadReply(true, null, 0, null);
    }
    return new HeadReply(false, reply.get(1).toString(), reply.get(2).toLong(),
        reply.size() > 3 ? PaperStatus.fromWire(reply.get(3).toString()) : null);
  }

  PaperHead head() {
    return new PaperHead(epoch, seq, status);
  }
}
