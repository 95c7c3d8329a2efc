package io.rollingpaper.loadgen;

import java.util.ArrayList;
import java.util.List;

/** One paper's share of the load: its clients and its op schedule. */
final class PaperLoad {
  final String id;
  final int index;
  final List<LoadClient> clients = new ArrayList<>();
  int nextSender;
  long sentInStep;
  long offsetNanos;
  private int noteCounter;
  private final String[] noteIds;

  PaperLoad(String id, int index, int noteIdCount) {
    this.id = id;
    this.index = index;
    this.noteIds = new String[noteIdCount];
    for (int i = 0; i < noteIdCount; i++) {
      noteIds[i] = "n" + i;
    }
  }

  /** The next note to put: a paper cycles through a fixed set of ids so it never reaches its note limit. */
  String nextNoteId() {
    String id = noteIds[noteCounter];
    noteCounter = (noteCounter + 1) % noteIds.length;
    return id;
  }

  /** The next client in turn that is still connected, or null. */
  LoadClient nextSender() {
    for (int i = 0; i < clients.size(); i++) {
      LoadClient c = clients.get(nextSender);
      nextSender = (nextSender + 1) % clients.size();
      if (c.open) {
        return c;
      }
    }
    return null;
  }
}
