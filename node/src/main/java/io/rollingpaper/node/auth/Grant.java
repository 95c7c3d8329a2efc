package io.rollingpaper.node.auth;

import io.rollingpaper.node.session.Identity;

/** What a verified token allows on one paper, until when (epoch millis; {@code Long.MAX_VALUE} with auth off). */
public record Grant(Identity identity, long expiresAt) {
}
