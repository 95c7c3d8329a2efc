package io.rollingpaper.node.backend.redis;

import io.rollingpaper.node.backend.OpRequest;
import io.rollingpaper.node.backend.PaperRead;
import io.rollingpaper.node.backend.ReadRequest;
import io.rollingpaper.node.support.RedisPerClass;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.Limits;
import io.rollingpaper.protocol.Op;
import io.rollingpaper.protocol.Role;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The functions library: a Redis that lost it (restarted empty, failed over to a server without it,
 * {@code FUNCTION FLUSH}) gets it again from the first call that misses it, and that call is answered.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class LuaLibraryTest {
  @RegisterExtension
  static final RedisPerClass REDIS = new RedisPerClass();

  @Test
  void callsAfterAFunctionFlushLoadTheLibraryAgain(Vertx vertx, VertxTestContext ctx) {
    Redis redis = Redis.createClient(vertx, REDIS.url());
    RedisStore store = new RedisStore(redis, Limits.DEFAULT, Duration.ofSeconds(5), Duration.ofSeconds(5));
    Request flush = Request.cmd(Command.FUNCTION).arg("FLUSH");
    Op.Put put = new Op.Put("n1", List.of(FrameCodec.quote("id"), FrameCodec.quote("n1")));
    store.start()
        .compose(started -> redis.send(flush))
        .compose(flushed -> store.apply(new OpRequest("lib-a", put, "ann", null, Role.OWNER)))
        .compose(applied -> {
          assertThat(applied.seq()).isEqualTo(1);
          return redis.send(flush);
        })
        .compose(flushed -> store.tick("node-1", Map.of("lib-a", Map.of("ann", "Ann"), "lib-b", Map.of())))
        .compose(heads -> {
          assertThat(heads).containsOnlyKeys("lib-a");
          assertThat(heads.get("lib-a").seq()).isEqualTo(1);
          return redis.send(flush);
        })
        .compose(flushed -> store.read(ReadRequest.snapshot("lib-a")))
        .map(read -> {
          assertThat(read).isInstanceOf(PaperRead.Snapshot.class);
          assertThat(((PaperRead.Snapshot) read).snapshot().notesJson()).hasSize(1);
          return null;
        })
        .eventually(store::close)
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void everyScriptIsAFunctionOfOneVersionedLibrary() {
    LuaLibrary library = LuaLibrary.fromClasspath(false);
    assertThat(library.source()).startsWith("#!lua name=rollingpaper_");
    for (String script : List.of("apply", "read", "read_ro", "release", "touch", "tick", "leave", "create", "restore",
        "claim", "evict", "complete", "delete")) {
      assertThat(library.source()).contains("function_name='" + library.functionName(script) + "'");
    }
    assertThat(library.source()).contains("function_name='" + library.functionName("read_ro") + "', flags={'no-writes'}")
        .contains("function_name='" + library.functionName("delete") + "', flags={'allow-oom'}")
        .contains("function_name='" + library.functionName("apply") + "', flags={}");
  }
}
