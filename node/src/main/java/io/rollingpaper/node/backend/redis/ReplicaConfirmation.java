package io.rollingpaper.node.backend.redis;

import io.rollingpaper.node.backend.StoreUnavailableException;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.List;

/**
 * Acknowledged only once safe: with {@code waitReplicas} N &gt; 0 a write is acknowledged only once N replicas
 * hold it. Its function runs and the same connection then runs {@code WAIT N timeout}, in one round trip;
 * apply.lua holds its delta back, and {@code release.lua} publishes it once WAIT confirmed it (with any
 * earlier delta still held back, in seq order, since a replica that has a write has every write before it).
 * Also the arguments of {@code redis/release.lua} and {@code redis/touch.lua} (their headers number them).
 */
final class ReplicaConfirmation {
  private final Redis redis;
  /** Connections of their own, so ops waiting on replicas never hold up reads, the round and readiness. */
  private final Redis confirming;
  private final LuaLibrary library;
  private final String publish;
  private final int waitReplicas;
  private final long waitTimeoutMs;

  /** A function's reply and how many replicas WAIT found holding its writes. */
  record Confirmed(Response reply, long replicas) {
  }

  ReplicaConfirmation(Redis redis, Redis confirming, LuaLibrary library, String publish, int waitReplicas,
                      Duration waitTimeout) {
    this.redis = redis;
    this.confirming = confirming;
    this.library = library;
    this.publish = publish;
    this.waitReplicas = waitReplicas;
    this.waitTimeoutMs = Math.max(1, waitTimeout.toMillis());
  }

  /** Whether writes wait for replicas before they are acknowledged. */
  boolean waits() {
    return waitReplicas > 0;
  }

  boolean enough(Confirmed confirmed) {
    return confirmed.replicas() >= waitReplicas;
  }

  /** Runs a function, then WAIT on the same connection in the same round trip. */
  Future<Confirmed> run(ScriptCall call) {
    Future<List<Response>> both = library.callThen(confirming, call,
        () -> Request.cmd(Command.WAIT).arg(waitReplicas).arg(waitTimeoutMs));
    return RedisStore.unavailableOnError(both, call.script())
        .map(replies -> new Confirmed(replies.get(0), replies.get(1).toLong()));
  }

  /** A write that must not be acknowledged before replicas have it, when writes wait for replicas. */
  Future<Response> runIfWaiting(ScriptCall call, String what) {
    if (!waits()) {
      return RedisStore.unavailableOnError(library.call(redis, call), call.script());
    }
    return run(call).compose(confirmed -> enough(confirmed)
        ? Future.succeededFuture(confirmed.reply())
        : Future.failedFuture(notConfirmed(what, confirmed.replicas())));
  }

  /**
   * Publishes the paper's held-back deltas up to {@code seq}, which a WAIT has just confirmed (release.lua:
   * ARGV[5] epoch, ARGV[6] seq). Replies the published mark, or -1 when the paper is gone or in another epoch.
   */
  Future<Long> release(String paper, String epoch, long seq) {
    ScriptCall call = ScriptCall.of("release", paper, publish, epoch, Long.toString(seq));
    return RedisStore.unavailableOnError(library.call(redis, call), "release").map(Response::toLong);
  }

  /**
   * Confirms and publishes every delta the paper holds: touch.lua writes after all of them, WAIT on its
   * connection, then the release. Fails {@code unavailable} while too few replicas answer.
   */
  Future<Void> confirm(String paper) {
    return run(ScriptCall.of("touch", paper, publish)).compose(confirmed -> {
      HeadReply head = HeadReply.of(confirmed.reply());
      if (head.missing()) {
        return Future.succeededFuture();
      }
      if (!enough(confirmed)) {
        return Future.failedFuture(notConfirmed("the latest ops of " + paper, confirmed.replicas()));
      }
      return release(paper, head.epoch(), head.seq()).mapEmpty();
    });
  }

  StoreUnavailableException notConfirmed(String what, long replicas) {
    return new StoreUnavailableException("Redis WAIT: " + what + " reached " + replicas + " of " + waitReplicas
        + " replicas within " + waitTimeoutMs + " ms; it is written, and is published once a confirmation covers it",
        null);
  }
}
