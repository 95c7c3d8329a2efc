package io.rollingpaper.node.backend.redis;

import java.util.List;

/**
 * The keys of one paper. All share the hash tag {@code {paperId}}, so a paper's keys and channel live
 * on one Redis Cluster shard and one script may touch them all.
 */
record RedisKeys(String paper) {

  /** The keys every script receives, in the order the scripts' prelude names them. */
  List<String> scriptKeys() {
    String tag = tag();
    return List.of(meta(), tag + "notes", tag + "log", presence(), tag + "tomb", tag + "lease");
  }

  /** The meta hash (epoch, seq, status, published mark): prelude.lua's KEYS[1]. */
  String meta() {
    return tag() + "meta";
  }

  /** The presence hash (user -> names and per-node expiries): prelude.lua's KEYS[4]. */
  String presence() {
    return tag() + "presence";
  }

  private String tag() {
    return "rp:{" + paper + "}:";
  }

  /** Papers by the time a node last saw them used (a sorted set); the idle sweep starts from the oldest. */
  static final String ACTIVE = "rp:active";

  String notePrefix() {
    return tag() + "n:";
  }

  /** The paper's channel: what its scripts publish ({@code CHANNEL} in prelude.lua) and brokers subscribe to. */
  String channel() {
    return channelOf(paper);
  }

  static String channelOf(String paper) {
    return "rp:{" + paper + "}:ch";
  }

  /** Extracts the paper from a channel name, or null for a channel that is not a paper's. */
  static String paperOfChannel(String channel) {
    int open = channel.indexOf('{');
    int close = channel.lastIndexOf('}');
    if (!channel.startsWith("rp:{") || close <= open) {
      return null;
    }
    return channel.substring(open + 1, close);
  }
}
