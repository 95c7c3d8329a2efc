package io.rollingpaper.node.session;

import io.rollingpaper.node.backend.StoreUnavailableException;
import io.rollingpaper.node.transport.FlushBatching;
import io.rollingpaper.node.transport.MessageAssembler;
import io.rollingpaper.node.transport.OutboundFrame;
import io.rollingpaper.node.transport.ProtocolViolation;
import io.rollingpaper.protocol.ClientFrame;
import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.Limits;
import io.rollingpaper.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;

/**
 * One client connection to one paper. It decodes what the client sends, applies the client's ops one
 * after another in the order sent (the next starts when the previous is settled), and writes frames
 * out under a bounded send queue: past the soft bound signals are dropped, past the hard bound the
 * connection is closed with 1013 so the client resumes instead of falling ever further behind.
 * Lives on the node's event loop; not thread-safe.
 */
public final class Session {
  private static final Logger LOG = LoggerFactory.getLogger(Session.class);
  /** Ops read but not yet settled; past this the socket is paused until half are settled. */
  private static final int MAX_PENDING_OPS = 256;

  private final String id;
  private final String paper;
  private final String address;
  private final Identity identity;
  private final ServerWebSocket socket;
  private final FlushBatching batching;
  private final SessionLimits limits;
  private final SessionHost host;
  private final RefusalWindow badFrames = new RefusalWindow();
  private final RefusalWindow rateLimited = new RefusalWindow();
  private final TokenBucket opsBucket;
  private final TokenBucket signalsBucket;
  /** The user's buckets, shared with the user's other sessions on this node; null: the user is not limited. */
  private final UserAllowances.Allowance allowance;
  private final Liveness liveness = new Liveness(System.nanoTime());
  private Future<?> opTail = Future.succeededFuture();
  private int pendingOps;
  /** Set by {@link #closeWhenSettled}: the close waits for the ops already read. */
  private short closeWhenSettledCode;
  private String closeWhenSettledReason;
  private long bytesOverSoftLimit;
  private boolean closed;
  /** The code this node closed with, or the peer's; 0 while open. */
  private int closeCode;

  public Session(String id, String paper, String address, Identity identity, ServerWebSocket socket,
                 FlushBatching batching, SessionLimits limits, SessionHost host) {
    this.id = id;
    this.paper = paper;
    this.address = address;
    this.identity = identity;
    this.socket = socket;
    this.batching = batching;
    this.limits = limits;
    this.host = host;
    long now = System.nanoTime();
    this.opsBucket = new TokenBucket(limits.rates().opsPerSecond(), limits.rates().opsBurst(), now);
    this.signalsBucket = new TokenBucket(limits.rates().signalsPerSecond(), limits.rates().signalsBurst(), now);
    this.allowance = limits.users().allowanceOf(identity.user());
  }

  /**
   * Starts reading from the socket. The session closes itself with 1008 when its token expires at
   * {@code expiresAt} (epoch millis; {@code Long.MAX_VALUE} for none): the client reconnects with a new token.
   */
  public void start(Vertx vertx, long expiresAt) {
    long expiry = expiresAt == Long.MAX_VALUE ? -1
        : vertx.setTimer(Math.max(1, expiresAt - System.currentTimeMillis()), t -> close(CloseCodes.POLICY, "token expired"));
    socket.setWriteQueueMaxSize(limits.sendQueueSoftBytes());
    MessageAssembler assembler = new MessageAssembler(limits.protocol().maxFrameBytes(), new MessageAssembler.Sink() {
      @Override
      public void text(String message) {
        onText(message);
      }

      @Override
      public void binary(Buffer message) {
        onBinary(message);
      }

      @Override
      public void close(short code, String reason) {
        refuseConnection(code, reason);
      }
    });
    socket.frameHandler(frame -> {
      liveness.heard(System.nanoTime());
      assembler.handle(frame);
    });
    socket.pongHandler(pong -> liveness.heard(System.nanoTime()));
    socket.drainHandler(ignored -> bytesOverSoftLimit = 0);
    socket.exceptionHandler(error -> {
      ProtocolViolation violation = ProtocolViolation.of(error);
      if (violation != null) {
        LOG.info("paper={} session={} closed with {}: {}", paper, id, violation.code(), violation.reason());
        refuseConnection(violation.code(), violation.reason());
      } else {
        LOG.debug("paper={} session={} socket error: {}", paper, id, error.toString());
      }
    });
    socket.closeHandler(ignored -> {
      closed = true;
      if (closeCode == 0) {
        closeCode = socket.closeStatusCode() == null ? CloseCodes.ABNORMAL : socket.closeStatusCode();
      }
      limits.users().closed(identity.user());
      if (expiry >= 0) {
        vertx.cancelTimer(expiry);
      }
      host.closed(this);
    });
  }

  public String id() {
    return id;
  }

  public String paper() {
    return paper;
  }

  /** The client's address, for per-address connection limits. */
  public String address() {
    return address;
  }

  public Identity identity() {
    return identity;
  }

  public boolean isClosed() {
    return closed;
  }

  /** The close code (ours, or the peer's if it closed first; 1006 without a close frame); 0 while open. */
  public int closeCode() {
    return closeCode;
  }

  /**
   * Writes a frame unless the send queue is past its soft bound and the frame may be dropped (a
   * signal). Frames that may not be dropped count against the hard bound.
   */
  public void send(OutboundFrame frame, boolean droppable) {
    // The peer may have closed the socket before its close handler ran: writing then would throw.
    if (closed || socket.isClosed()) {
      return;
    }
    if (socket.writeQueueFull()) {
      // Frames held back for this pass count as queued too; only what the client has not read should.
      batching.flushHeldBack();
    }
    if (socket.writeQueueFull()) {
      if (droppable) {
        host.signalDropped(this);
        return;
      }
      bytesOverSoftLimit += frame.length();
      if (bytesOverSoftLimit > limits.sendQueueMaxBytes() - limits.sendQueueSoftBytes()) {
        LOG.info("paper={} session={} closed with 1013: the client does not keep up", paper, id);
        host.sendQueueOverflowed(this);
        close(CloseCodes.TRY_AGAIN_LATER, "send queue overflow; resume with since");
        return;
      }
    }
    socket.writeFrame(frame.toFrame());
    liveness.sent(System.nanoTime());
  }

  public void send(String json) {
    send(OutboundFrame.of(json), false);
  }

  /**
   * Stops reading and closes once every op already read has been applied or refused, so the client's
   * resume (elsewhere) sees all of them and never sends one of them a second time.
   */
  public void closeWhenSettled(short code, String reason) {
    socket.pause();
    closeWhenSettledCode = code;
    closeWhenSettledReason = reason;
    if (pendingOps == 0) {
      close(code, reason);
    }
  }

  /** Refused after the upgrade (a join of a deleted paper, say): one {@code error} frame, then the close. */
  public void refuse(Refusal refusal) {
    if (refusal.code() != null) {
      send(FrameCodec.error(null, refusal.code(), refusal.message()));
    }
    close(refusal.closeCode(), refusal.code() != null ? refusal.code().wire() : refusal.message());
  }

  public void close(short code, String reason) {
    if (!closed) {
      closed = true;
      closeCode = code;
      socket.close(code, reason);
    }
  }

  Liveness liveness() {
    return liveness;
  }

  /** A WebSocket ping: the peer's pong (or any frame) shows it is still there. */
  void ping(Buffer payload) {
    if (!closed && !socket.isClosed()) {
      socket.writePing(payload);
    }
  }

  /** Closes a connection whose peer stopped answering. */
  void closeUnanswered(short code, String reason) {
    refuseConnection(code, reason);
  }

  /**
   * Closes and reads nothing more: what a hostile peer already sent (a flood of tiny frames) is not
   * worth decoding while the node waits for its close frame, which it may never send.
   */
  private void refuseConnection(short code, String reason) {
    close(code, reason);
    socket.pause();
  }

  private void onText(String text) {
    if (closed) {
      return;
    }
    ClientFrame frame;
    try {
      frame = FrameCodec.decodeClientFrame(text, limits.protocol());
    } catch (ProtocolException refused) {
      refuse(refused);
      return;
    }
    if (frame instanceof ClientFrame.OpFrame op) {
      submit(op);
    } else if (frame instanceof ClientFrame.SignalFrame signal) {
      if (!identity.role().canWrite()) {
        refuse(new ProtocolException(ErrorCode.FORBIDDEN, "a viewer may not send signals"));
      } else if (host.completed(this)) {
        refuse(new ProtocolException(ErrorCode.PAPER_COMPLETED, "the paper is completed"));
      } else if (!signalsBucket.tryTake(System.nanoTime())
          || (allowance != null && !allowance.trySignal(System.nanoTime()))) {
        refuse(new ProtocolException(ErrorCode.RATE_LIMITED, "too many signals; slow down"));
      } else {
        host.signal(this, signal.data());
      }
    }
  }

  private void onBinary(Buffer message) {
    refuse(new ProtocolException(ErrorCode.BAD_FRAME, "frames are JSON text; binary frames are not accepted"));
  }

  private void submit(ClientFrame.OpFrame frame) {
    String cid = frame.cid();
    if (!identity.role().canWrite()) {
      refuse(new ProtocolException(ErrorCode.FORBIDDEN, "a viewer may not change the paper", cid));
    } else if (host.completed(this)) {
      refuse(new ProtocolException(ErrorCode.PAPER_COMPLETED, "the paper is completed", cid));
    } else if (!opsBucket.tryTake(System.nanoTime()) || (allowance != null && !allowance.tryOp(System.nanoTime()))) {
      refuse(new ProtocolException(ErrorCode.RATE_LIMITED, "too many ops; slow down", cid));
    } else {
      if (++pendingOps == MAX_PENDING_OPS) {
        // Backpressure, not refusal: stop reading until the store has caught up with this client.
        socket.pause();
      }
      opTail = opTail.transform(ignored -> host.apply(this, frame.op(), cid).onComplete(result -> {
        if (pendingOps-- == MAX_PENDING_OPS / 2 && !closed && closeWhenSettledReason == null) {
          socket.resume();
        }
        if (result.failed()) {
          refuseApplied(asRefusal(result.cause(), cid));
        }
        if (pendingOps == 0 && closeWhenSettledReason != null) {
          close(closeWhenSettledCode, closeWhenSettledReason);
        }
      }));
    }
  }

  private ProtocolException asRefusal(Throwable error, String cid) {
    if (error instanceof ProtocolException refused) {
      return refused.withCid(cid);
    }
    if (!(error instanceof StoreUnavailableException)) {
      LOG.error("paper={} session={} op failed unexpectedly", paper, id, error);
    }
    return new ProtocolException(ErrorCode.UNAVAILABLE, "the store could not take the op; retry later", cid);
  }

  /** A refusal the store gave: the hub counted it already. */
  private void refuseApplied(ProtocolException refused) {
    send(FrameCodec.error(refused.cid(), refused.code(), refused.getMessage()));
  }

  private void refuse(ProtocolException refused) {
    send(FrameCodec.error(refused.cid(), refused.code(), refused.getMessage()));
    host.refused(this, refused.code());
    long now = System.currentTimeMillis();
    if (refused.code().countsAsBadInput() && badFrames.add(now) >= limits.badFrameLimit()) {
      LOG.info("paper={} session={} closed with 1008 after {} bad frames in a minute", paper, id, badFrames.size());
      close(CloseCodes.POLICY, "too many bad frames");
    } else if (refused.code() == ErrorCode.RATE_LIMITED
        && rateLimited.add(now) >= limits.rates().refusalsBeforeClose()) {
      LOG.info("paper={} session={} closed with 1008: rate limit exceeded {} times in a minute", paper, id,
          rateLimited.size());
      close(CloseCodes.POLICY, "rate limit exceeded");
    }
  }

  /** Refusals in the last minute. */
  private static final class RefusalWindow {
    private static final long WINDOW_MS = 60_000;
    private final ArrayDeque<Long> times = new ArrayDeque<>();

    int add(long now) {
      times.addLast(now);
      while (!times.isEmpty() && times.peekFirst() <= now - WINDOW_MS) {
        times.removeFirst();
      }
      return times.size();
    }

    int size() {
      return times.size();
    }
  }
}
