package io.rollingpaper.node.session;

import io.rollingpaper.node.store.StoreUnavailableException;
import io.rollingpaper.protocol.ClientFrame;
import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.Limits;
import io.rollingpaper.protocol.ProtocolException;
import io.vertx.core.Future;
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
  private static final long BAD_FRAME_WINDOW_MS = 60_000;

  private final String id;
  private final String paper;
  private final Identity identity;
  private final ServerWebSocket socket;
  private final SessionLimits limits;
  private final SessionHost host;
  private final ArrayDeque<Long> badFrameTimes = new ArrayDeque<>();
  private Future<?> opTail = Future.succeededFuture();
  private int pendingOps;
  private long bytesOverSoftLimit;
  private boolean closed;

  public Session(String id, String paper, Identity identity, ServerWebSocket socket, SessionLimits limits,
                 SessionHost host) {
    this.id = id;
    this.paper = paper;
    this.identity = identity;
    this.socket = socket;
    this.limits = limits;
    this.host = host;
  }

  /** Starts reading from the socket. */
  public void start() {
    socket.setWriteQueueMaxSize(limits.sendQueueSoftBytes());
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(this::onBinary);
    socket.drainHandler(ignored -> bytesOverSoftLimit = 0);
    socket.exceptionHandler(error -> LOG.debug("paper={} session={} socket error: {}", paper, id, error.toString()));
    socket.closeHandler(ignored -> {
      closed = true;
      host.closed(this);
    });
  }

  public String id() {
    return id;
  }

  public String paper() {
    return paper;
  }

  public Identity identity() {
    return identity;
  }

  public boolean isClosed() {
    return closed;
  }

  /**
   * Writes a frame unless the send queue is past its soft bound and the frame may be dropped (a
   * signal). Frames that may not be dropped count against the hard bound.
   */
  public void send(OutboundFrame frame, boolean droppable) {
    if (closed) {
      return;
    }
    if (socket.writeQueueFull()) {
      if (droppable) {
        return;
      }
      bytesOverSoftLimit += frame.length();
      if (bytesOverSoftLimit > limits.sendQueueMaxBytes() - limits.sendQueueSoftBytes()) {
        LOG.info("paper={} session={} closed with 1013: the client does not keep up", paper, id);
        close(CloseCodes.TRY_AGAIN_LATER, "send queue overflow; resume with since");
        return;
      }
    }
    socket.writeFrame(frame.toFrame());
  }

  public void send(String json) {
    send(OutboundFrame.of(json), false);
  }

  public void close(short code, String reason) {
    if (!closed) {
      closed = true;
      socket.close(code, reason);
    }
  }

  private void onText(String text) {
    if (closed) {
      return;
    }
    if (FrameCodec.utf8Bytes(text) > limits.protocol().maxFrameBytes()) {
      close(CloseCodes.TOO_BIG, "frame over " + limits.protocol().maxFrameBytes() + " bytes");
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
      } else {
        host.signal(this, signal.data());
      }
    }
  }

  private void onBinary(Buffer ignored) {
    refuse(new ProtocolException(ErrorCode.BAD_FRAME, "frames are JSON text; binary frames are not accepted"));
  }

  private void submit(ClientFrame.OpFrame frame) {
    String cid = frame.cid();
    if (!identity.role().canWrite()) {
      refuse(new ProtocolException(ErrorCode.FORBIDDEN, "a viewer may not change the paper", cid));
    } else if (host.completed(this)) {
      refuse(new ProtocolException(ErrorCode.PAPER_COMPLETED, "the paper is completed", cid));
    } else {
      if (++pendingOps == MAX_PENDING_OPS) {
        // Backpressure, not refusal: stop reading until the store has caught up with this client.
        socket.pause();
      }
      opTail = opTail.transform(ignored -> host.apply(this, frame.op(), cid).onComplete(result -> {
        if (pendingOps-- == MAX_PENDING_OPS / 2 && !closed) {
          socket.resume();
        }
        if (result.failed()) {
          refuse(asRefusal(result.cause(), cid));
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

  private void refuse(ProtocolException refused) {
    send(FrameCodec.error(refused.cid(), refused.code(), refused.getMessage()));
    if (!refused.code().countsAsBadInput()) {
      return;
    }
    long now = System.currentTimeMillis();
    badFrameTimes.addLast(now);
    while (!badFrameTimes.isEmpty() && badFrameTimes.peekFirst() <= now - BAD_FRAME_WINDOW_MS) {
      badFrameTimes.removeFirst();
    }
    if (badFrameTimes.size() >= limits.badFrameLimit()) {
      LOG.info("paper={} session={} closed with 1008 after {} bad frames in a minute", paper, id, badFrameTimes.size());
      close(CloseCodes.POLICY, "too many bad frames");
    }
  }
}
