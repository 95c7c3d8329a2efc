package io.rollingpaper.node.session;

import io.rollingpaper.protocol.Role;

/** Who is on the other end of a session: the user id, a display name and what the user may do. */
public record Identity(String user, String name, Role role) {
}
