package io.rollingpaper.node.backend;

import io.rollingpaper.protocol.Op;
import io.rollingpaper.protocol.Role;

/**
 * An op to apply, with who sent it.
 *
 * @param by     the user id that becomes a new note's author and the delta's {@code by}
 * @param cid    the client's correlation id, echoed in the delta; may be null
 * @param create create the paper (a new epoch) when it has no live state and no tombstone; when false such
 *               an op is refused with {@link PaperMissingException} (someone must first look in the archive)
 */
public record OpRequest(String paper, Op op, String by, String cid, Role role, boolean create) {

  public OpRequest(String paper, Op op, String by, String cid, Role role) {
    this(paper, op, by, cid, role, true);
  }

  public OpRequest withCreate(boolean create) {
    return new OpRequest(paper, op, by, cid, role, create);
  }
}
