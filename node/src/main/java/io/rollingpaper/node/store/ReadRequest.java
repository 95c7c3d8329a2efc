package io.rollingpaper.node.store;

/**
 * What a join or repair asks of {@link PaperStore#read}.
 *
 * @param create   create the paper's live state (a new epoch) when it has none
 * @param since    resume after this seq, or null for a snapshot
 * @param epoch    the epoch {@code since} belongs to
 * @param presence the user to mark present on this node, or null
 */
public record ReadRequest(String paper, boolean create, Long since, String epoch, PresenceJoin presence) {

  /** A user joining a paper from a node; present until left or until the node stops refreshing. */
  public record PresenceJoin(String user, String name, String node) {
  }

  public static ReadRequest snapshot(String paper) {
    return new ReadRequest(paper, false, null, null, null);
  }

  /**
   * A node catching up. It creates the paper when it is gone: sessions are still on it, so its
   * history was lost (a wiped or failed-over store) and they get a snapshot of a new epoch. Only an
   * explicit deletion (its channel message) closes them.
   */
  public static ReadRequest repair(String paper, long since, String epoch) {
    return new ReadRequest(paper, true, since, epoch, null);
  }
}
