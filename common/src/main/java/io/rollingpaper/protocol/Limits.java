package io.rollingpaper.protocol;

/**
 * Size and count limits, all in bytes of UTF-8 JSON as received or as stored.
 *
 * @param maxFrameBytes   a whole WebSocket message (after permessage-deflate); over it the socket closes with 1009
 * @param maxNoteBytes    one note, serialized, {@code author} included
 * @param maxNotesPerPaper notes one paper may hold
 * @param maxSignalBytes  a signal's {@code data}, serialized
 * @param historySize     deltas held per paper for resume and repair (at least this many)
 * @param maxNoteFields   top-level fields one note may hold, {@code id} included and {@code author} (the
 *                        server's) not counted; it bounds the work one op costs the store
 */
public record Limits(int maxFrameBytes, int maxNoteBytes, int maxNotesPerPaper, int maxSignalBytes, int historySize,
                     int maxNoteFields) {
  public static final int DEFAULT_MAX_NOTE_FIELDS = 256;
  public static final Limits DEFAULT = new Limits(65536, 16384, 1000, 1024, 1000, DEFAULT_MAX_NOTE_FIELDS);

  public Limits(int maxFrameBytes, int maxNoteBytes, int maxNotesPerPaper, int maxSignalBytes, int historySize) {
    this(maxFrameBytes, maxNoteBytes, maxNotesPerPaper, maxSignalBytes, historySize, DEFAULT_MAX_NOTE_FIELDS);
  }

  public static final int MAX_CID_LENGTH = 64;
}
