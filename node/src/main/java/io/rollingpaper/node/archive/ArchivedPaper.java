package io.rollingpaper.node.archive;

import java.time.Instant;

/**
 * A paper as the archive keeps it.
 *
 * @param status      {@code open} (an idle paper moved out of the live store) or {@code completed}
 * @param notesJson   the snapshot's notes array, byte for byte as served (kept as text, not jsonb,
 *                    which would reorder keys and change whitespace)
 * @param completedAt null unless completed
 */
public record ArchivedPaper(String paperId, String epoch, long seq, String status, String notesJson,
    Instant archivedAt, Instant completedAt) {

  public static final String OPEN = "open";
  public static final String COMPLETED = "completed";

  public boolean completed() {
    return COMPLETED.equals(status);
  }
}
