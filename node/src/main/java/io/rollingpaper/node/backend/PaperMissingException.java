package io.rollingpaper.node.backend;

import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.ProtocolException;

/**
 * An op refused because its paper has no live state: it was deleted (a tombstone), or the op was told
 * not to create it. A client sees {@code not_found}; the node tells the two cases apart.
 */
public final class PaperMissingException extends ProtocolException {
  private final boolean deleted;

  public PaperMissingException(String paper, boolean deleted) {
    super(ErrorCode.NOT_FOUND, deleted ? "paper '" + paper + "' was deleted" : "paper '" + paper + "' does not exist");
    this.deleted = deleted;
  }

  public boolean deleted() {
    return deleted;
  }
}
