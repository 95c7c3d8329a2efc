package io.rollingpaper.node.backend;

import io.rollingpaper.protocol.PaperSnapshot;
import io.rollingpaper.protocol.PaperStatus;
import io.rollingpaper.protocol.PresenceEntry;

import java.util.List;

/** The answer to {@link PaperStore#read}. */
public sealed interface PaperRead {

  /**
   * @param presenceVersion the version of the paper's presence this snapshot reflects; presence
   *                        changes published with a version at or below it are already in it
   */
  record Snapshot(PaperSnapshot snapshot, long presenceVersion) implements PaperRead {
  }

  /** The history covered the request: every delta after {@code from} up to {@code seq}, in order. */
  record Resumed(String paper, String epoch, long from, long seq, PaperStatus status, List<Delta> deltas,
                 List<PresenceEntry> presence, long presenceVersion) implements PaperRead {
  }

  /**
   * The paper has no live state (and the request did not create it).
   *
   * @param deleted the paper was deleted and the deletion is still remembered (its tombstone): nothing may
   *                bring it back but {@link PaperStore#create}
   */
  record Missing(boolean deleted) implements PaperRead {
    public Missing() {
      this(false);
    }
  }
}
