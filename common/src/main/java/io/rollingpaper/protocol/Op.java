package io.rollingpaper.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One requested change to a paper's notes, already checked for shape and size. */
public sealed interface Op {
  String PUT = "note.put";
  String PATCH = "note.patch";
  String DELETE = "note.delete";

  /** The note the op is about. */
  String noteId();

  /** Create or replace a note whole. {@code note} carries no {@code author}: the server sets it. */
  record Put(ObjectNode note) implements Op {
    @Override
    public String noteId() {
      return note.get("id").asText();
    }
  }

  /** Merge top-level fields into an existing note; a null value removes the field. */
  record Patch(String noteId, ObjectNode fields) implements Op {
  }

  record Delete(String noteId) implements Op {
  }
}
