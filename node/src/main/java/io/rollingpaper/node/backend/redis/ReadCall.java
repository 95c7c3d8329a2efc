package io.rollingpaper.node.backend.redis;

import io.rollingpaper.node.backend.Epochs;
import io.rollingpaper.node.backend.ReadRequest;

import java.time.Duration;

/**
 * The arguments of {@code redis/read.lua} (its header numbers them; a change there is a change here), after
 * the four every function shares. Its reply is a {@link PaperReply}.
 */
final class ReadCall {
  private ReadCall() {
  }

  /** A read that creates nothing and marks nobody present calls read.lua's no-writes twin, which runs while Redis is full. */
  static ScriptCall of(ReadRequest request, Duration presenceTtl, String publish) {
    ReadRequest.PresenceJoin join = request.presence();
    boolean writes = request.create() || !request.presences().isEmpty();
    ScriptCall call = ScriptCall.of(writes ? "read" : LuaLibrary.READ_ONLY, request.paper(), publish,
        request.create() ? "1" : "0",                                       // ARGV[5] create
        Epochs.next(),                                                      // ARGV[6] the epoch to create with
        request.since() == null ? "" : Long.toString(request.since()),     // ARGV[7]
        request.epoch() == null ? "" : request.epoch(),                     // ARGV[8]
        join == null ? "" : join.user(),                                    // ARGV[9]
        join == null ? "" : join.name(),                                    // ARGV[10]
        join == null ? "" : join.node(),                                    // ARGV[11]
        Long.toString(presenceTtl.toMillis()));                             // ARGV[12]
    for (ReadRequest.PresenceJoin also : request.alsoPresent()) {           // ARGV[13..] triples
      call.args().add(also.user());
      call.args().add(also.name());
      call.args().add(also.node());
    }
    return call;
  }
}
