package io.rollingpaper.node.backend;

import java.util.ArrayList;
import java.util.List;

/**
 * What a join or repair asks of {@link PaperStore#read}.
 *
 * @param create      create the paper's live state (a new epoch) when it has none
 * @param since       resume after this seq, or null for a snapshot
 * @param epoch       the epoch {@code since} belongs to
 * @param presence    the user to mark present on this node, or null
 * @param alsoPresent more users to mark present in the same read (joins that share one snapshot); their
 *                    joins are published together with {@code presence}'s as one presence change
 */
public record ReadRequest(String paper, boolean create, Long since, String epoch, PresenceJoin presence,
                          List<PresenceJoin> alsoPresent) {

  /** A user joining a paper from a node; present until left or until the node stops refreshing. */
  public record PresenceJoin(String user, String name, String node) {
  }

  public ReadRequest {
    alsoPresent = alsoPresent == null ? List.of() : List.copyOf(alsoPresent);
  }

  public ReadRequest(String paper, boolean create, Long since, String epoch, PresenceJoin presence) {
    this(paper, create, since, epoch, presence, List.of());
  }

  public static ReadRequest snapshot(String paper) {
    return new ReadRequest(paper, false, null, null, null);
  }

  /**
   * One snapshot for several fresh joins at once (creating the paper if needed): every one of
   * {@code joins} is marked present before the snapshot is taken, so the snapshot includes each joiner.
   */
  public static ReadRequest joins(String paper, List<PresenceJoin> joins) {
    return joins(paper, joins, true);
  }

  /** As {@link #joins(String, List)}; {@code create}: some joiner may create the paper (a writer or owner). */
  public static ReadRequest joins(String paper, List<PresenceJoin> joins, boolean create) {
    return new ReadRequest(paper, create, null, null, joins.isEmpty() ? null : joins.get(0),
        joins.size() <= 1 ? List.of() : joins.subList(1, joins.size()));
  }

  /**
   * A node catching up. It creates the paper when it is gone: sessions are still on it, so its
   * history was lost (a wiped or failed-over store) and they get a snapshot of a new epoch. A deleted
   * paper (its tombstone) is never created: the read answers missing and the sessions are closed.
   */
  public static ReadRequest repair(String paper, long since, String epoch) {
    return new ReadRequest(paper, true, since, epoch, null);
  }

  /** Every user this read marks present, {@code presence} first. */
  public List<PresenceJoin> presences() {
    if (presence == null) {
      return alsoPresent;
    }
    List<PresenceJoin> all = new ArrayList<>(1 + alsoPresent.size());
    all.add(presence);
    all.addAll(alsoPresent);
    return all;
  }
}
