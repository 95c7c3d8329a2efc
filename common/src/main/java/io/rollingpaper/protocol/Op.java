package io.rollingpaper.protocol;

import java.util.List;

/** One requested change to a paper's notes, already checked for shape and size. */
public sealed interface Op {
  String PUT = "note.put";
  String PATCH = "note.patch";
  String DELETE = "note.delete";

  /** The note the op is about. */
  String noteId();

  /**
   * Create or replace a note whole.
   *
   * @param pairs the note's fields as {@link NoteFields} pairs (the id's among them); no {@code author}: the
   *              server sets it
   */
  record Put(String noteId, List<String> pairs) implements Op {
  }

  /**
   * Merge top-level fields into an existing note; a null value removes the field.
   *
   * @param pairs the fields as {@link NoteFields} pairs
   */
  record Patch(String noteId, List<String> pairs) implements Op {
  }

  record Delete(String noteId) implements Op {
  }
}
