package io.rollingpaper.node.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.HashMap;
import java.util.Map;

/** What a test asks a Redis directly, each on a fresh connection (so it never depends on the node's). */
public final class RedisAdmin {
  private RedisAdmin() {
  }

  /** The fields of an INFO answer (or any {@code key:value} lines). */
  public static Map<String, String> fields(String info) {
    Map<String, String> out = new HashMap<>();
    for (String line : info.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        out.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return out;
  }

  /** INFO {@code section} of the Redis at {@code url}, parsed. */
  public static Future<Map<String, String>> info(Vertx vertx, String url, String section) {
    return send(vertx, url, Request.cmd(Command.INFO).arg(section)).map(r -> fields(r.toString()));
  }

  /** Sends one command to the Redis at {@code url}. */
  public static Future<Response> send(Vertx vertx, String url, Request request) {
    Redis redis = Redis.createClient(vertx, url);
    return redis.send(request).eventually(redis::close);
  }

  /** Completes once {@code master} counts a replica as online: only then does WAIT count it. */
  public static Future<Void> replicaOnline(Vertx vertx, RedisProcess master) {
    return Poll.until(vertx, "a replica of " + master.address() + " online", 20_000,
        () -> info(vertx, master.url(), "replication").map(f -> f.getOrDefault("slave0", "").contains("state=online")));
  }
}
