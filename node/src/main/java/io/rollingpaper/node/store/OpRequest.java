package io.rollingpaper.node.store;

import io.rollingpaper.protocol.Op;
import io.rollingpaper.protocol.Role;

/**
 * An op to apply, with who sent it.
 *
 * @param by  the user id that becomes a new note's author and the delta's {@code by}
 * @param cid the client's correlation id, echoed in the delta; may be null
 */
public record OpRequest(String paper, Op op, String by, String cid, Role role) {
}
