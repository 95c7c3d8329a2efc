package io.rollingpaper.node.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.NoteFields;

import java.util.List;

/**
 * A note as a snapshot carries it (JSON, {@code author} included), taken apart into the serialized name and
 * value pairs a store keeps, {@code author} last, as an op would have stored it. Used to bring a paper back
 * from the archive.
 */
public record StoredNote(String id, List<String> pairs) {

  public static StoredNote parse(String noteJson) {
    JsonNode note = FrameCodec.parse(noteJson);
    if (!(note instanceof ObjectNode object) || !note.path(NoteFields.ID).isTextual()) {
      throw new IllegalArgumentException("not a stored note: " + noteJson);
    }
    List<String> pairs = NoteFields.pairs(object);
    JsonNode author = note.get(NoteFields.AUTHOR);
    if (author != null) {
      pairs.add(FrameCodec.quote(NoteFields.AUTHOR));
      pairs.add(FrameCodec.write(author));
    }
    return new StoredNote(note.get(NoteFields.ID).asText(), pairs);
  }

  /** The serialized size the store counts against MAX_NOTE_BYTES. */
  public int bytes() {
    return NoteFields.noteBytes(pairs);
  }
}
