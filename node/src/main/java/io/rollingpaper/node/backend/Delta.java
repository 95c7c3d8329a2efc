package io.rollingpaper.node.backend;

import io.vertx.core.buffer.Buffer;

/** One accepted op as clients receive it: its seq and the serialized {@code delta} frame. */
public record Delta(long seq, Buffer frame) {
}
