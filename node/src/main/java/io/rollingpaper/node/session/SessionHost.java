package io.rollingpaper.node.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollingpaper.node.backend.Applied;
import io.rollingpaper.protocol.Op;
import io.vertx.core.Future;

/** What a session asks of the node it runs on. Called on the node's event loop. */
public interface SessionHost {

  /** Applies an op on the session's paper; fails with the refusal the client should get. */
  Future<Applied> apply(Session session, Op op, String cid);

  /** Relays a signal to everyone else on the session's paper, on every node. */
  void signal(Session session, JsonNode data);

  /** Whether the session's paper is known to be completed (a refusal that needs no store round trip). */
  boolean completed(Session session);

  /** A frame or op was refused before it reached the store (for the metrics). */
  void refused(Session session, io.rollingpaper.protocol.ErrorCode code);

  /** A signal was not sent to the session: its send queue is past the soft bound (for the metrics). */
  void signalDropped(Session session);

  /** The session is being closed with 1013: its send queue passed the hard bound (for the metrics). */
  void sendQueueOverflowed(Session session);

  /** The socket closed, for whatever reason ({@link Session#closeCode()} says which). */
  void closed(Session session);
}
