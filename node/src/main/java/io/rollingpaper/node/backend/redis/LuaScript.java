package io.rollingpaper.node.backend.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
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
 * One Lua script, called by EVALSHA. When Redis does not know it (it restarted, failed over, or its
 * script cache was flushed) the call is sent once more as EVAL, which also caches it again.
 *
 * <p>Every script file starts with a {@code #!lua} shebang that declares its flags (Redis 7). The shebang
 * must be the first line of what Redis runs, so it goes before the shared prelude, not after it. Its
 * flags are what make Redis refuse a writing script whole, before it runs, when memory is over
 * {@code maxmemory}: a script without a shebang is refused only at its first write that may grow memory,
 * and not at all once it has written (a {@code DEL} first was enough to bypass the refusal).
 */
final class LuaScript {
  private final String name;
  private final String source;
  private final String sha;

  private LuaScript(String name, String source) {
    this.name = name;
    this.source = source;
    this.sha = sha1(source);
  }

  static final String SHEBANG = "#!lua";

  /** Loads {@code redis/NAME.lua} from the classpath: its shebang line, the shared prelude, then its body. */
  static LuaScript load(String name) {
    String script = resource(name);
    int endOfShebang = script.indexOf('\n');
    if (!script.startsWith(SHEBANG) || endOfShebang < 0) {
      throw new IllegalStateException("redis/" + name + ".lua must start with a '" + SHEBANG + "' line");
    }
    return compose(name, script.substring(0, endOfShebang), script.substring(endOfShebang + 1));
  }

  /**
   * Loads {@code redis/NAME.lua} flagged {@code no-writes}: for calls whose arguments ask it for no write,
   * so they still run while Redis is out of memory (a write in it would fail the script).
   */
  static LuaScript loadReadOnly(String name) {
    LuaScript writing = load(name);
    String body = writing.source.substring(writing.source.indexOf('\n') + 1);
    return new LuaScript(name + "(read-only)", SHEBANG + " flags=no-writes\n" + body);
  }

  private static LuaScript compose(String name, String shebang, String body) {
    return new LuaScript(name, shebang + "\n" + resource("prelude") + "\n" + body);
  }

  String name() {
    return name;
  }

  /** Loads the script into Redis's cache, so pipelined EVALSHA calls find it. */
  Future<Void> preload(Redis redis) {
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(source)).mapEmpty();
  }

  Request request(List<String> keys, List<String> args) {
    return build(Request.cmd(Command.EVALSHA).arg(sha), keys, args);
  }

  /** The script by its source: Redis runs it and caches it again. */
  Request evalRequest(List<String> keys, List<String> args) {
    return build(Request.cmd(Command.EVAL).arg(source), keys, args);
  }

  /** The source for SCRIPT LOAD. */
  String source() {
    return source;
  }

  /**
   * Runs the script and then {@code next} on one connection, in one round trip (a pooled client's batch
   * takes one connection for the whole batch), so {@code next} sees the script's effects as this
   * connection's own: WAIT, for one, then waits for exactly the script's writes. Replies both answers.
   */
  Future<List<Response>> callThen(Redis redis, List<String> keys, List<String> args, Supplier<Request> next) {
    return redis.batch(List.of(request(keys, args), next.get())).recover(error -> {
      if (isNoScript(error)) {
        return redis.batch(List.of(evalRequest(keys, args), next.get()));
      }
      return Future.failedFuture(error);
    });
  }

  Future<Response> call(Redis redis, List<String> keys, List<String> args) {
    return redis.send(request(keys, args)).recover(error -> {
      if (isNoScript(error)) {
        return redis.send(evalRequest(keys, args));
      }
      return Future.failedFuture(error);
    });
  }

  static boolean isNoScript(Throwable error) {
    return error.getMessage() != null && error.getMessage().contains("NOSCRIPT");
  }

  private static Request build(Request request, List<String> keys, List<String> args) {
    request.arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }

  private static String resource(String name) {
    try (InputStream in = LuaScript.class.getResourceAsStream("/redis/" + name + ".lua")) {
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
