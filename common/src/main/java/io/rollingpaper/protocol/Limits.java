package io.rollingpaper.protocol;

/**
 * Size and count limits, all in bytes of UTF-8 JSON as received or as stored.
 *
 * @param maxFrameBytes   a whole WebSocket message (after permessage-deflate); over it the socket closes with 1009
 * @param maxNoteBytes    one note, serialized, {@code author} included
 * @param maxNotesPerPaper notes one paper may hold
 * @param maxSignalBytes  a signal's {@code data}, serialized
 * @param historySize     deltas held per paper for resume and repair (at least this many)
 */
public record Limits(int maxFrameBytes, int maxNoteBytes, int maxNotesPerPaper, int maxSignalBytes, int historySize) {
  public static final Limits DEFAULT = new Limits(65536, 16384, 1000, 1024, 1000);

  public static final int MAX_CID_LENGTH = 64;
}
