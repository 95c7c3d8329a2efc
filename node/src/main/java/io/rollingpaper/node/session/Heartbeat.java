package io.rollingpaper.node.session;

import io.rollingpaper.node.transport.OutboundFrame;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * PROTOCOL.md "Liveness": every session is sent a WebSocket ping each interval and is closed when it
 * answers nothing (no pong, no frame) within the timeout after one, so a half-open connection (a
 * laptop asleep, a NAT entry dropped) leaves presence instead of lingering for the balancer's tunnel
 * timeout. A session that was written no protocol frame for an interval gets the protocol's
 * {@code ping} frame, which a browser can see (it cannot see WebSocket pings), so the client can tell
 * a quiet connection from a dead one.
 *
 * <p>One periodic timer per node walks all of its sessions, a few times per timeout: a timer per
 * session would cost tens of thousands of timers. Runs on the node's event loop.
 */
public final class Heartbeat {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);
  /**
   * The close code for a peer that stopped answering. It will most likely never read it; 1001 (going
   * away) tells a client that does read it (one that was only frozen) to reconnect at once.
   */
  static final short NO_ANSWER = 1001;
  private static final OutboundFrame PING_FRAME = OutboundFrame.of("{\"type\":\"ping\"}");
  /** Netty releases what it writes: every ping needs a payload of its own. */
  private static final String PING_PAYLOAD = "rpl";

  private final Vertx vertx;
  private final String nodeId;
  private final long intervalNanos;
  private final long timeoutNanos;
  private final long tickMillis;
  private final Set<Session> sessions = new HashSet<>();
  private long timer = -1;

  public Heartbeat(Vertx vertx, String nodeId, Duration interval, Duration timeout) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.intervalNanos = interval.toNanos();
    this.timeoutNanos = timeout.toNanos();
    // A quarter of the shorter period: a ping goes out at most that late, a dead peer is closed at most that late.
    this.tickMillis = Math.max(10, Math.min(interval.toMillis(), timeout.toMillis()) / 4);
  }

  public void start() {
    timer = vertx.setPeriodic(tickMillis, id -> beat());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  /** Watches a started session until it closes. */
  public void watch(Session session) {
    sessions.add(session);
  }

  private void beat() {
    long now = System.nanoTime();
    for (Iterator<Session> it = sessions.iterator(); it.hasNext(); ) {
      Session session = it.next();
      if (session.isClosed()) {
        it.remove();
        continue;
      }
      Liveness liveness = session.liveness();
      if (liveness.awaitingAnswer()) {
        if (liveness.sincePinged(now) >= timeoutNanos) {
          LOG.info("node={} paper={} session={} closed with {}: no answer to a ping in {} ms", nodeId,
              session.paper(), session.id(), NO_ANSWER, timeoutNanos / 1_000_000);
          session.closeUnanswered(NO_ANSWER, "no answer to heartbeat");
          it.remove();
          continue;
        }
      } else if (liveness.sincePinged(now) >= intervalNanos) {
        session.ping(Buffer.buffer(PING_PAYLOAD));
        liveness.pinged(now);
      }
      if (liveness.sinceSent(now) >= intervalNanos) {
        // Droppable: a session whose send queue is full is being written to anyway.
        session.send(PING_FRAME, true);
      }
    }
  }
}
