package io.rollingpaper.node.backend.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisCluster;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

/**
 * The store's Lua code as one Redis Functions library, loaded once ({@code FUNCTION LOAD}) and called by
 * name ({@code FCALL}): {@code redis/prelude.lua} is the library's head, and every other
 * {@code redis/NAME.lua} becomes the function {@code NAME}. A script's first line declares its function's
 * flags ({@code --! flags=allow-oom}, or none), which decide what Redis refuses whole, before the function
 * runs, while memory is over {@code maxmemory}: a writing function without {@code allow-oom} is refused.
 * {@code read.lua} is registered twice, the second time flagged {@code no-writes} ({@link #READ_ONLY}), for
 * reads that ask for no write and must run while Redis is out of memory.
 *
 * <p>The library's and the functions' names carry a hash of the source, so nodes of two versions sharing a
 * Redis (a rolling upgrade) each call their own code. Functions are replicated and persisted like data, but
 * a Redis that restarted empty, or a {@code FUNCTION FLUSH}, leaves none: a call that finds its function
 * missing loads the library (on every master of a cluster) and is sent once more, as NOSCRIPT was handled
 * with scripts.
 */
final class LuaLibrary {
  /** The scripts of redis/, each a function of the library. */
  static final List<String> SCRIPTS = List.of("apply", "read", "complete", "delete", "leave", "tick", "release",
      "touch", "create", "restore", "claim", "evict");
  /** read.lua flagged no-writes: it creates nothing and marks nobody present, so it runs while Redis is full. */
  static final String READ_ONLY = "read_ro";
  private static final String FLAGS_LINE = "--! flags=";

  private final String version;
  private final String source;
  private final boolean cluster;

  /** @param body the prelude and the registrations, every function name ending in {@code _VERSION} */
  private LuaLibrary(String body, boolean cluster) {
    this.version = sha1(body).substring(0, 12);
    this.source = "#!lua name=rollingpaper_" + version + "\n" + body.replace("_VERSION'", "_" + version + "'");
    this.cluster = cluster;
  }

  /** The library built from the classpath's redis/*.lua; {@code cluster}: it is loaded on every master. */
  static LuaLibrary fromClasspath(boolean cluster) {
    StringBuilder body = new StringBuilder(resource("prelude")).append('\n');
    for (String script : SCRIPTS) {
      String text = resource(script);
      int endOfFlags = text.indexOf('\n');
      if (!text.startsWith(FLAGS_LINE) || endOfFlags < 0) {
        throw new IllegalStateException("redis/" + script + ".lua must start with a '" + FLAGS_LINE + "' line");
      }
      String flags = text.substring(FLAGS_LINE.length(), endOfFlags).strip();
      String code = text.substring(endOfFlags + 1);
      register(body, script, flags, code);
      if ("read".equals(script)) {
        register(body, READ_ONLY, "no-writes", code);
      }
    }
    return new LuaLibrary(body.toString(), cluster);
  }

  private static void register(StringBuilder body, String function, String flags, String code) {
    body.append("redis.register_function{function_name='").append(function).append("_VERSION', flags={")
        .append(flags.isEmpty() ? "" : "'" + String.join("', '", flags.split(",\\s*")) + "'")
        .append("}, callback=function(keys, args)\nbegin(keys, args)\n").append(code).append("\nend}\n");
  }

  /** The name {@code FCALL} takes for {@code script} (one of {@link #SCRIPTS}, or {@link #READ_ONLY}). */
  String functionName(String script) {
    return script + "_" + version;
  }

  /** What {@code FUNCTION LOAD} takes. */
  String source() {
    return source;
  }

  /** Loads (or loads again) the library: on the server, or on every master of a cluster. */
  Future<Void> load(Redis redis) {
    Request load = Request.cmd(Command.FUNCTION).arg("LOAD").arg("REPLACE").arg(source);
    return (cluster ? RedisCluster.create(redis).onAllMasterNodes(load) : redis.send(load)).mapEmpty();
  }

  Request request(ScriptCall call) {
    return request(call.script(), new RedisKeys(call.paper()).scriptKeys(), call.args());
  }

  /** An {@code FCALL} of {@code script}'s function with these keys and arguments (tick.lua's are its own). */
  Request request(String script, List<String> keys, List<String> args) {
    Request request = Request.cmd(Command.FCALL).arg(functionName(script));
    request.arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }

  Future<Response> call(Redis redis, ScriptCall call) {
    return send(redis, () -> request(call));
  }

  /** Sends one {@code FCALL}, again once the library is loaded if Redis did not have it. */
  Future<Response> send(Redis redis, Supplier<Request> request) {
    return redis.send(request.get()).recover(error -> isMissing(error)
        ? load(redis).compose(loaded -> redis.send(request.get()))
        : Future.failedFuture(error));
  }

  /**
   * Runs {@code call} and then {@code next} on one connection, in one round trip (a pooled client's batch
   * takes one connection for the whole batch), so {@code next} sees the function's effects as this
   * connection's own: WAIT, for one, then waits for exactly the function's writes. Replies both answers.
   */
  Future<List<Response>> callThen(Redis redis, ScriptCall call, Supplier<Request> next) {
    return batch(redis, () -> List.of(request(call), next.get()));
  }

  /** A pipeline of calls (on one connection, so on one shard of a cluster), sent again once loaded. */
  Future<List<Response>> batch(Redis redis, Supplier<List<Request>> requests) {
    return redis.batch(requests.get()).recover(error -> isMissing(error)
        ? load(redis).compose(loaded -> redis.batch(requests.get()))
        : Future.failedFuture(error));
  }

  /** Redis's answer to an FCALL of a function it does not have. */
  static boolean isMissing(Throwable error) {
    return error.getMessage() != null && error.getMessage().contains("Function not found");
  }

  private static String resource(String name) {
    try (InputStream in = LuaLibrary.class.getResourceAsStream("/redis/" + name + ".lua")) {
      if (in == null) {
        throw new IllegalStateException("missing script redis/" + name + ".lua");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read script " + name, e);
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JVM", e);
    }
  }
}
