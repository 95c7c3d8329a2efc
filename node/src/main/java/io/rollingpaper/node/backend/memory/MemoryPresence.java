package io.rollingpaper.node.backend.memory;

import io.rollingpaper.node.backend.ChannelMessage;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.PresenceEntry;
import io.vertx.core.buffer.Buffer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Who is present on the papers in memory, as prelude.lua's presence functions keep it on Redis: a user is
 * present while any node's entry for them is unexpired; each change bumps the paper's presence version and
 * is published as one presence message.
 */
final class MemoryPresence {
  private final MemoryBroker broker;
  private final Duration ttl;
  private final LongSupplier clock;

  MemoryPresence(MemoryBroker broker, Duration ttl, LongSupplier clock) {
    this.broker = broker;
    this.ttl = ttl;
    this.clock = clock;
  }

  /** Marks the user present through {@code node}; adds it to {@code joined} when it was not present before. */
  void markPresent(MemoryPaper paper, String user, String name, String node, List<PresenceEntry> joined) {
    long now = clock.getAsLong();
    MemoryPaper.Presence entry = paper.presence.computeIfAbsent(user, u -> new MemoryPaper.Presence(name));
    boolean wasLive = entry.live(now);
    entry.name = name;
    entry.expiryByNode.put(node, now + ttl.toMillis());
    if (!wasLive) {
      joined.add(new PresenceEntry(user, name));
    }
  }

  /** Joins marked together are published as one presence change, as the Redis scripts do. */
  void publishJoined(String paperId, MemoryPaper paper, List<PresenceEntry> joined) {
    if (!joined.isEmpty()) {
      publish(paperId, paper, joined, List.of());
    }
  }

  /** {@code node} no longer has the user; the user leaves when no other node does. */
  void leave(String paperId, MemoryPaper paper, String user, String node) {
    MemoryPaper.Presence entry = paper.presence.get(user);
    if (entry != null) {
      entry.expiryByNode.remove(node);
      if (!entry.live(clock.getAsLong())) {
        paper.presence.remove(user);
        publish(paperId, paper, List.of(), List.of(user));
      }
    }
  }

  /** Drops the entries of nodes that stopped refreshing them, publishing who left. */
  void expire(String paperId, MemoryPaper paper) {
    long now = clock.getAsLong();
    List<String> left = new ArrayList<>();
    for (Iterator<Map.Entry<String, MemoryPaper.Presence>> it = paper.presence.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, MemoryPaper.Presence> entry = it.next();
      entry.getValue().expiryByNode.values().removeIf(expiry -> expiry <= now);
      if (entry.getValue().expiryByNode.isEmpty()) {
        it.remove();
        left.add(entry.getKey());
      }
    }
    if (!left.isEmpty()) {
      publish(paperId, paper, List.of(), left);
    }
  }

  /** The users present now. */
  List<PresenceEntry> list(MemoryPaper paper) {
    long now = clock.getAsLong();
    List<PresenceEntry> out = new ArrayList<>();
    paper.presence.forEach((user, entry) -> {
      if (entry.live(now)) {
        out.add(new PresenceEntry(user, entry.name));
      }
    });
    return out;
  }

  private void publish(String paperId, MemoryPaper paper, List<PresenceEntry> joined, List<String> left) {
    paper.presenceVersion++;
    broker.publish(paperId, new ChannelMessage.Presence(paper.presenceVersion,
        Buffer.buffer(FrameCodec.presence(paperId, joined, left))));
  }
}
