package io.rollingpaper.node.backend.redis;

import io.rollingpaper.node.backend.PaperHead;
import io.rollingpaper.protocol.FrameCodec;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One call of {@code redis/tick.lua} over many papers (its header lays out the keys and arguments, per paper;
 * a change there is a change here), and the reading of its reply: one {@link HeadReply} per paper, in order.
 * A node's round is cut into calls of at most {@link #MAX_PAPERS} papers, so one call never holds Redis long;
 * on Redis Cluster a function's keys must share a slot, so there the papers are grouped by slot first.
 */
final class TickCall {
  /**
   * Papers per call. Redis runs one function at a time and a paper costs it ~16 µs (docs/PROFILE.md), so a
   * call holds Redis ~1.6 ms; the per-call overhead is already negligible at this size.
   */
  static final int MAX_PAPERS = 100;

  private final List<String> papers;
  private final List<String> keys;
  private final List<String> args;

  private TickCall(List<String> papers, List<String> keys, List<String> args) {
    this.papers = papers;
    this.keys = keys;
    this.args = args;
  }

  /**
   * The calls of one round of {@code node}: every paper of {@code namesByUserByPaper} (its users present
   * through this node, by id, with their names) in exactly one call.
   *
   * @param bySlot group the papers by Redis Cluster hash slot (each call's keys in one slot)
   */
  static List<TickCall> round(String node, Duration presenceTtl, Map<String, Map<String, String>> namesByUserByPaper,
                              String publish, boolean bySlot) {
    Map<Integer, List<String>> groups = new LinkedHashMap<>();
    namesByUserByPaper.keySet().forEach(paper -> groups.computeIfAbsent(
        bySlot ? ClusterSlots.of(RedisKeys.channelOf(paper)) : 0, slot -> new ArrayList<>()).add(paper));
    List<TickCall> calls = new ArrayList<>();
    String ttl = Long.toString(presenceTtl.toMillis());
    for (List<String> group : groups.values()) {
      for (int from = 0; from < group.size(); from += MAX_PAPERS) {
        List<String> chunk = group.subList(from, Math.min(from + MAX_PAPERS, group.size()));
        calls.add(of(node, ttl, publish, chunk, namesByUserByPaper));
      }
    }
    return calls;
  }

  private static TickCall of(String node, String ttl, String publish, List<String> papers,
                             Map<String, Map<String, String>> namesByUserByPaper) {
    List<String> keys = new ArrayList<>(2 * papers.size());
    List<String> args = new ArrayList<>(3 + 5 * papers.size());
    args.add(node);
    args.add(ttl);
    args.add(publish);
    for (String paper : papers) {
      RedisKeys paperKeys = new RedisKeys(paper);
      keys.add(paperKeys.meta());
      keys.add(paperKeys.presence());
      Map<String, String> namesByUser = namesByUserByPaper.get(paper);
      args.add(FrameCodec.quote(paper));
      args.add(RedisKeys.channelOf(paper));
      args.add(Integer.toString(namesByUser.size()));
      namesByUser.forEach((user, name) -> {
        args.add(user);
        args.add(name);
      });
    }
    return new TickCall(List.copyOf(papers), keys, args);
  }

  List<String> keys() {
    return keys;
  }

  List<String> args() {
    return args;
  }

  /** Puts the head of each of this call's papers that has live state into {@code heads}. */
  void readHeads(Response reply, Map<String, PaperHead> heads) {
    for (int i = 0; i < papers.size(); i++) {
      HeadReply head = HeadReply.of(reply.get(i));
      if (!head.missing()) {
        heads.put(papers.get(i), head.head());
      }
    }
  }
}
