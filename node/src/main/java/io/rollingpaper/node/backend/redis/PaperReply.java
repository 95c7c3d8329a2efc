package io.rollingpaper.node.backend.redis;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.PaperSnapshot;
import io.rollingpaper.protocol.PaperStatus;
import io.rollingpaper.protocol.PresenceEntry;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/**
 * A reply that carries the paper: {@code redis/read.lua}'s, and prelude.lua's {@code snapshot_reply} (which
 * complete.lua, create.lua and claim.lua answer with). Either {@code {kind}} or {@code {kind, detail}} for a
 * paper it did not find or touch ({@code missing}, {@code exists}, {@code busy}), or
 * {@code {kind, epoch, seq, status, pv, presence, pub, item...}}: {@code snapshot} with one note per item,
 * {@code resumed} with the deltas after the asked seq.
 *
 * @param detail    with {@code missing}: {@code deleted} when the paper has a tombstone
 * @param published the last seq whose delta was published (the later ones wait for replicas)
 */
record PaperReply(String kind, String detail, String epoch, long seq, PaperStatus status, long presenceVersion,
                  List<PresenceEntry> presence, long published, List<Response> items) {
  /** The reply's index of the first item, after kind, epoch, seq, status, pv, presence and pub. */
  private static final int FIRST_ITEM = 7;

  static PaperReply of(Response reply) {
    String kind = reply.get(0).toString();
    if (reply.size() < FIRST_ITEM) {
      return new PaperReply(kind, reply.size() > 1 ? reply.get(1).toString() : "", null, 0, null, 0, List.of(), 0,
          List.of());
    }
    List<Response> items = new ArrayList<>(reply.size() - FIRST_ITEM);
    for (int i = FIRST_ITEM; i < reply.size(); i++) {
      items.add(reply.get(i));
    }
    return new PaperReply(kind, null, reply.get(1).toString(), reply.get(2).toLong(),
        PaperStatus.fromWire(reply.get(3).toString()), reply.get(4).toLong(), parsePresence(reply.get(5).toString()),
        reply.get(6).toLong(), items);
  }

  boolean is(String kind) {
    return this.kind.equals(kind);
  }

  /** Whether the paper holds deltas that no replica has confirmed yet. */
  boolean heldBack() {
    return published < seq;
  }

  PaperSnapshot snapshot(String paper) {
    List<String> notes = new ArrayList<>(items.size());
    items.forEach(item -> notes.add(item.toString()));
    return new PaperSnapshot(paper, epoch, seq, status, notes, presence);
  }

  private static List<PresenceEntry> parsePresence(String json) {
    List<PresenceEntry> out = new ArrayList<>();
    for (JsonNode entry : FrameCodec.parse(json)) {
      out.add(new PresenceEntry(entry.get("user").asText(), entry.get("name").asText()));
    }
    return out;
  }
}
