package io.rollingpaper.node.backend.memory;

import io.rollingpaper.node.backend.Delta;
import io.rollingpaper.protocol.NoteFields;
import io.rollingpaper.protocol.PaperStatus;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One paper's live state in memory; the same shape the Redis scripts keep. */
final class MemoryPaper {
  final String epoch;
  long seq;
  PaperStatus status = PaperStatus.OPEN;
  long presenceVersion;
  /** Expiry of a completed paper's live data, in epoch millis; 0 while open. */
  long expiresAt;
  /** When the last op was applied (or the paper was created or brought back), in epoch millis. */
  long lastOpAt;
  /** The node that may move this idle paper out, until {@link #leaseUntil}. */
  String leaseNode;
  long leaseUntil;
  /** note id to its fields: serialized name to serialized value, in insertion order. */
  final Map<String, LinkedHashMap<String, String>> notes = new LinkedHashMap<>();
  final Map<String, Integer> noteSizes = new LinkedHashMap<>();
  final ArrayDeque<Delta> history = new ArrayDeque<>();
  /** user id to (name, node to expiry millis). */
  final Map<String, Presence> presence = new LinkedHashMap<>();

  MemoryPaper(String epoch) {
    this.epoch = epoch;
  }

  String noteJson(String id) {
    Map<String, String> fields = notes.get(id);
    List<String> pairs = new ArrayList<>(fields.size() * 2);
    fields.forEach((name, value) -> {
      pairs.add(name);
      pairs.add(value);
    });
    return NoteFields.toJson(pairs);
  }

  List<String> notesJson() {
    List<String> out = new ArrayList<>(notes.size());
    for (String id : notes.keySet()) {
      out.add(noteJson(id));
    }
    return out;
  }

  static final class Presence {
    String name;
    final Map<String, Long> expiryByNode = new LinkedHashMap<>();

    Presence(String name) {
      this.name = name;
    }

    boolean live(long now) {
      return expiryByNode.values().stream().anyMatch(expiry -> expiry > now);
    }
  }
}
