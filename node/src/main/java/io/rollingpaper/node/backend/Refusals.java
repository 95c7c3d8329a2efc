package io.rollingpaper.node.backend;

import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.Limits;
import io.rollingpaper.protocol.ProtocolException;

/** The refusals a store gives, with the same words from every implementation. */
public final class Refusals {
  private Refusals() {
  }

  public static ProtocolException of(ErrorCode code, Limits limits, String noteId) {
    String message = switch (code) {
      case FORBIDDEN -> "a writer may change only the notes it authored";
      case PAPER_COMPLETED -> "the paper is completed";
      case TOO_LARGE -> "the note would be over " + limits.maxNoteBytes() + " bytes or " + limits.maxNoteFields()
          + " fields";
      case NOT_FOUND -> "no note '" + noteId + "'";
      case PAPER_FULL -> "the paper holds " + limits.maxNotesPerPaper() + " notes already";
      default -> code.wire();
    };
    return new ProtocolException(code, message);
  }
}
