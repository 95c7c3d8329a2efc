package io.rollingpaper.protocol;

/** What a connection may do on a paper. With auth off every connection is an {@link #OWNER}. */
public enum Role {
  VIEWER, WRITER, OWNER;

  public boolean canWrite() {
    return this != VIEWER;
  }

  /** Writers may patch and delete only the notes they authored; owners any note. */
  public boolean restrictedToOwnNotes() {
    return this == WRITER;
  }
}
