package io.rollingpaper.node.backend;

/** An accepted op: the seq it got, in the paper's epoch. */
public record Applied(long seq, String epoch) {
}
