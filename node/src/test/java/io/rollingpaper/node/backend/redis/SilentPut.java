package io.rollingpaper.node.backend.redis;

import io.rollingpaper.node.backend.OpRequest;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.Limits;
import io.rollingpaper.protocol.Op;
import io.rollingpaper.protocol.Role;
import io.vertx.redis.client.Request;

import java.util.List;

/**
 * For tests that need a delta whose message was lost: a {@code note.put} by the node's own apply function,
 * built as {@link RedisStore} builds it ({@link ApplyCall}), but with EXISTS in place of the publish command,
 * so it is written and published nowhere. The node must have loaded the library.
 */
public final class SilentPut {
  private SilentPut() {
  }

  /** The FCALL that puts note {@code {"id": noteId}} by {@code backend} on an existing paper. */
  public static Request of(String paper, String noteId) {
    Op.Put put = new Op.Put(noteId, List.of(FrameCodec.quote("id"), FrameCodec.quote(noteId)));
    OpRequest request = new OpRequest(paper, put, "backend", null, Role.OWNER, false);
    return LuaLibrary.fromClasspath(false).request(new ApplyCall(Limits.DEFAULT).of(request, "EXISTS", false));
  }
}
