package io.rollingpaper.node.backend;

import io.rollingpaper.protocol.PaperStatus;

/** Where a paper's history stands now. */
public record PaperHead(String epoch, long seq, PaperStatus status) {
}
