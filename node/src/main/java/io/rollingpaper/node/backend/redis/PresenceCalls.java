package io.rollingpaper.node.backend.redis;

/**
 * The arguments of {@code redis/leave.lua} (its header numbers them; a change there is a change here), after
 * the four every function shares; it replies 1 when it published the user's leave, else 0. The periodic
 * round's presence refresh is {@link TickCall}'s.
 */
final class PresenceCalls {
  private PresenceCalls() {
  }

  /** ARGV[5] the user whose last session on this node left, ARGV[6] this node. */
  static ScriptCall leave(String paper, String user, String node, String publish) {
    return ScriptCall.of("leave", paper, publish, user, node);
  }
}
