package io.rollingpaper.node.lifecycle;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rollingpaper.node.archive.ArchivedPaper;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.PaperSnapshot;
import io.rollingpaper.protocol.PaperStatus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts between a snapshot and the archive's row. Notes keep their bytes: the archive holds the notes
 * array as text, and it is cut back into notes at the notes' own offsets, never re-serialized.
 */
final class ArchivedSnapshots {
  private ArchivedSnapshots() {
  }

  static ArchivedPaper toArchive(PaperSnapshot snapshot, Instant now) {
    boolean completed = snapshot.status() == PaperStatus.COMPLETED;
    return new ArchivedPaper(snapshot.paper(), snapshot.epoch(), snapshot.seq(),
        completed ? ArchivedPaper.COMPLETED : ArchivedPaper.OPEN, "[" + String.join(",", snapshot.notesJson()) + "]",
        now, completed ? now : null);
  }

  static PaperSnapshot fromArchive(ArchivedPaper paper) {
    return new PaperSnapshot(paper.paperId(), paper.epoch(), paper.seq(),
        paper.completed() ? PaperStatus.COMPLETED : PaperStatus.OPEN, notes(paper.notesJson()), List.of());
  }

  /** The elements of a JSON array of objects, each exactly as written. */
  static List<String> notes(String arrayJson) {
    List<String> out = new ArrayList<>();
    try (JsonParser parser = FrameCodec.mapper().getFactory().createParser(arrayJson)) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw new IllegalArgumentException("archived notes are not an array");
      }
      while (parser.nextToken() == JsonToken.START_OBJECT) {
        int start = (int) parser.currentTokenLocation().getCharOffset();
        parser.skipChildren();
        int end = (int) parser.currentLocation().getCharOffset();
        out.add(arrayJson.substring(start, end));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
