package io.rollingpaper.node.paper;

import io.rollingpaper.node.backend.ChannelMessage;
import io.rollingpaper.node.session.Identity;
import io.rollingpaper.node.transport.OutboundFrame;
import io.rollingpaper.node.session.Session;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Presence as one paper on this node sees it: which users have sessions here (a user with several is
 * present once, and leaves with the last), and the latest presence changes from the channel, replayed to
 * a session whose first frame came from a read older than them. Lives on the node's event loop.
 */
final class LocalPresence {
  private static final int BACKLOG = 64;

  private final Map<String, Integer> sessionsByUser = new HashMap<>();
  private final Map<String, String> nameByUser = new HashMap<>();
  private final ArrayDeque<ChannelMessage.Presence> backlog = new ArrayDeque<>();

  /** Counts a session of the user; true when it is the user's first here. */
  boolean add(Identity identity) {
    nameByUser.put(identity.user(), identity.name());
    return sessionsByUser.merge(identity.user(), 1, Integer::sum) == 1;
  }

  /** Uncounts a session of the user; true when it was the user's last here. */
  boolean remove(String user) {
    if (sessionsByUser.merge(user, -1, Integer::sum) <= 0) {
      sessionsByUser.remove(user);
      nameByUser.remove(user);
      return true;
    }
    return false;
  }

  /** Name by user of everyone with a session here (the periodic round refreshes them in the store). */
  Map<String, String> names() {
    return nameByUser;
  }

  void clear() {
    sessionsByUser.clear();
    nameByUser.clear();
  }

  /**
   * A change from the channel: sent to every session with its first frame that does not reflect it yet, and
   * kept for the sessions whose first frame is still to come.
   */
  void relay(ChannelMessage.Presence change, Map<Session, Cursor> cursors) {
    backlog.addLast(change);
    if (backlog.size() > BACKLOG) {
      backlog.removeFirst();
    }
    OutboundFrame frame = OutboundFrame.of(change.frame());
    cursors.forEach((session, cursor) -> {
      if (cursor.ready && change.version() > cursor.presenceVersion) {
        cursor.presenceVersion = change.version();
        session.send(frame, false);
      }
    });
  }

  /** Presence changes that arrived before the session's first frame and are newer than it. */
  void replay(Session session, Cursor cursor) {
    for (ChannelMessage.Presence change : backlog) {
      if (change.version() > cursor.presenceVersion) {
        cursor.presenceVersion = change.version();
        session.send(OutboundFrame.of(change.frame()), false);
      }
    }
  }
}
