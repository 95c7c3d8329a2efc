package io.rollingpaper.node.warmup;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollingpaper.node.paper.PaperHub;
import io.rollingpaper.node.session.Identity;
import io.rollingpaper.node.session.Session;
import io.rollingpaper.node.session.SessionLimits;
import io.rollingpaper.node.transport.FlushBatching;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.Role;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.HashSet;
import java.util.Set;

/**
 * One warm-up client: a writer on the warm-up paper that keeps a few ops in flight, puts and patches its own
 * notes, sends a signal now and then, and reads every frame it is sent the way a client would (JSON decode,
 * seq and epoch kept for a resume). It reconnects with {@code since} and {@code epoch} when told to, so
 * resumes are warmed too.
 */
final class WarmupClient {
  /** Ops a client keeps in flight: enough that the session's op queue and the store are never idle. */
  private static final int WINDOW = 4;
  private static final int NOTES_PER_CLIENT = 16;
  /** Answered ops after which a client leaves and comes back, so joins, resumes and leaves are warmed too. */
  private static final int RECONNECT_EVERY = 150;
  private static final String TEXT = "warm-up note with some text, as a person would write it";

  private final Vertx vertx;
  private final Context context;
  private final String nodeId;
  private final String paper;
  private final String user;
  private final PaperHub hub;
  private final SessionLimits limits;
  private final Workload workload;
  private LoopbackSocket socket;
  private Session session;
  private String epoch;
  private long seq = -1;
  private boolean joined;
  /** The cids of ops sent and not answered yet: a resume replays earlier answers, which must not count. */
  private final Set<String> inFlight = new HashSet<>();
  private long sent;
  private int answeredSinceJoin;
  private boolean leaving;
  /** Set from the leave until the next join starts: several answers queued together must reconnect once. */
  private boolean reconnecting;
  private int reconnects;
  private String lastType = "none";

  WarmupClient(Vertx vertx, Context context, String nodeId, String paper, String user, PaperHub hub,
               SessionLimits limits, Workload workload) {
    this.vertx = vertx;
    this.context = context;
    this.nodeId = nodeId;
    this.paper = paper;
    this.user = user;
    this.hub = hub;
    this.limits = limits;
    this.workload = workload;
  }

  /** Joins: fresh the first time, a resume from the last seq seen after that. */
  Future<Void> connect(long sessionNumber) {
    joined = false;
    leaving = false;
    reconnecting = false;
    inFlight.clear();
    answeredSinceJoin = 0;
    socket = new LoopbackSocket(context, this::received);
    limits.users().tryOpen(user);
    session = new Session(nodeId + "-warmup-" + sessionNumber, paper, "warmup", new Identity(user, user, Role.WRITER),
        socket.socket(), FlushBatching.NONE, limits, hub);
    // As the node's endpoint does: nothing the client sends is read before its join is complete.
    socket.socket().pause();
    session.start(vertx, Long.MAX_VALUE);
    boolean resume = epoch != null && seq >= 0;
    return hub.join(session, resume ? seq : null, resume ? epoch : null).onSuccess(ignored -> socket.socket().resume());
  }

  /** Closes as a client going away does; the node's side follows on its close handler. */
  void disconnect() {
    if (socket != null) {
      socket.closeFromClient();
    }
  }

  /** Joined, and every op sent has been answered (a delta with its cid, or an error). */
  boolean idle() {
    return joined && inFlight.isEmpty();
  }

  /** Where this client stands, for a warning about a warm-up that did not end. */
  String state() {
    return user + (joined ? " joined" : " joining") + (leaving ? " leaving" : "") + (closed() ? " closed" : "")
        + " inFlight=" + inFlight.size() + " last=" + lastType;
  }

  boolean closed() {
    return session == null || session.isClosed();
  }

  private void received(String text) {
    workload.received();
    JsonNode frame;
    try {
      frame = FrameCodec.mapper().readTree(text);
    } catch (java.io.IOException unreadable) {
      workload.failed(new IllegalStateException("the node sent a frame that is not JSON: " + text));
      return;
    }
    String type = frame.path("type").asText();
    lastType = type + (frame.has("code") ? ":" + frame.path("code").asText() : "");
    switch (type) {
      case "snapshot", "resumed" -> {
        epoch = frame.path("epoch").asText();
        seq = frame.path("seq").asLong();
        joined = true;
        sendMore();
      }
      case "delta" -> {
        seq = Math.max(seq, frame.path("seq").asLong());
        if (user.equals(frame.path("by").asText()) && inFlight.remove(frame.path("cid").asText())) {
          answered();
        }
      }
      case "error" -> {
        if (inFlight.remove(frame.path("cid").asText())) {
          answered();
        }
      }
      default -> {
        // presence, signal, ping: read and dropped, as a client with nothing to draw would.
      }
    }
  }

  private void answered() {
    if (++answeredSinceJoin >= RECONNECT_EVERY) {
      leaving = true;
    }
    // Later, not inside this delivery: an in-memory store answers at once, and sending from here would
    // recurse once per op.
    context.runOnContext(ignored -> {
      if (leaving) {
        if (inFlight.isEmpty() && !reconnecting && workload.mayReconnect()) {
          reconnect();
        }
      } else {
        sendMore();
      }
    });
  }

  /** Leaves and joins again: a resume from the last seq seen, and every fourth time a fresh join (a snapshot). */
  private void reconnect() {
    reconnecting = true;
    disconnect();
    if (++reconnects % 4 == 0) {
      epoch = null;
      seq = -1;
    }
    // Queued after the close handler the disconnect scheduled, so the node has seen the leave first.
    context.runOnContext(ignored -> connect(workload.nextSessionNumber()).onFailure(workload::failed));
  }

  private void sendMore() {
    while (joined && !leaving && !closed() && inFlight.size() < WINDOW && workload.mayStart()) {
      socket.send(nextOp());
      if (sent % 8 == 0) {
        socket.send("{\"type\":\"signal\",\"data\":{\"cursor\":{\"x\":" + sent % 640 + ",\"y\":" + sent % 480 + "}}}");
      }
    }
  }

  private String nextOp() {
    long n = sent++;
    String note = user + "-n" + (n / 2) % NOTES_PER_CLIENT;
    String cid = "w" + n;
    inFlight.add(cid);
    if (n % 2 == 0) {
      return "{\"type\":\"op\",\"cid\":\"" + cid + "\",\"op\":{\"kind\":\"note.put\",\"note\":{\"id\":\"" + note
          + "\",\"text\":\"" + TEXT + "\",\"x\":" + n % 800 + ",\"y\":" + n % 600 + ",\"color\":\"#ffd54f\"}}}";
    }
    return "{\"type\":\"op\",\"cid\":\"" + cid + "\",\"op\":{\"kind\":\"note.patch\",\"id\":\"" + note
        + "\",\"fields\":{\"x\":" + n % 800 + ",\"y\":" + n % 600 + "}}}";
  }
}
