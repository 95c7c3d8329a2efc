package io.rollingpaper.node.backend.redis;

import java.time.Duration;
import java.util.Map;

/**
 * The arguments of {@code redis/tick.lua} and {@code redis/leave.lua} (each script's header numbers them; a
 * change there is a change here), after the four every function shares. tick replies a {@link HeadReply};
 * leave replies 1 when it published the user's leave, else 0.
 */
final class PresenceCalls {
  private PresenceCalls() {
  }

  /** ARGV[5] this node, ARGV[6] presence ttl (ms), then (user, name) pairs of the users present through it. */
  static ScriptCall tick(String paper, String node, Duration presenceTtl, Map<String, String> namesByUser,
                         String publish) {
    ScriptCall call = ScriptCall.of("tick", paper, publish, node, Long.toString(presenceTtl.toMillis()));
    namesByUser.forEach((user, name) -> {
      call.args().add(user);
      call.args().add(name);
    });
    return call;
  }

  /** ARGV[5] the user whose last session on this node left, ARGV[6] this node. */
  static ScriptCall leave(String paper, String user, String node, String publish) {
    return ScriptCall.of("leave", paper, publish, user, node);
  }
}
