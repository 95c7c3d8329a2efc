package io.rollingpaper.node.backend.redis;

import io.vertx.redis.client.Response;

/**
 * The reply of {@code redis/apply.lua}: {@code {'ok', seq, epoch}}, {@code {'err', code}}, or
 * {@code {'err', 'gone', 'deleted' or ''}} for a paper it may not create.
 *
 * @param error   null when applied, else the protocol error code, or {@code gone}
 * @param deleted with {@code gone}: the paper has a tombstone
 */
record ApplyReply(long seq, String epoch, String error, boolean deleted) {
  static final String GONE = "gone";

  static ApplyReply of(Response reply) {
    if ("ok".equals(reply.get(0).toString())) {
      return new ApplyReply(reply.get(1).toLong(), reply.get(2).toString(), null, false);
    }
    String error = reply.get(1).toString();
    return new ApplyReply(0, null, error, GONE.equals(error) && "deleted".equals(reply.get(2).toString()));
  }

  boolean applied() {
    return error == null;
  }

  boolean gone() {
    return GONE.equals(error);
  }
}
