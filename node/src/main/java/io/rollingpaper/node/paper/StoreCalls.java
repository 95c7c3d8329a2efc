package io.rollingpaper.node.paper;

import io.rollingpaper.node.backend.ChannelMessage;
import io.rollingpaper.node.backend.Applied;
import io.rollingpaper.node.backend.OpRequest;
import io.rollingpaper.node.backend.PaperHead;
import io.rollingpaper.node.backend.PaperRead;
import io.rollingpaper.node.backend.PaperStore;
import io.rollingpaper.node.backend.ReadRequest;
import io.rollingpaper.node.metrics.NodeMetrics;
import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.ProtocolException;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.function.Supplier;

/**
 * This node's calls to the store, timed in the metrics. The calls that change the store (ops, completion,
 * deletion, creation, presence leaves, and the HTTP API's reads) are counted while unanswered, so a drain
 * closes the store only once they are settled. Sessions' own reads are not counted: the drain waits for the
 * sessions instead. Lives on the node's event loop.
 */
final class StoreCalls {
  private static final Logger LOG = LoggerFactory.getLogger(StoreCalls.class);

  private final PaperStore store;
  private final NodeMetrics metrics;
  private final String nodeId;
  private int inFlight;

  StoreCalls(PaperStore store, NodeMetrics metrics, String nodeId) {
    this.store = store;
    this.metrics = metrics;
    this.nodeId = nodeId;
  }

  int inFlight() {
    return inFlight;
  }

  /** A session's or a paper's read (a join, a catch-up, a repair). */
  Future<PaperRead> read(ReadRequest request) {
    return metrics.timeStore(store.read(request));
  }

  /** A call the drain waits for. */
  <T> Future<T> awaited(Supplier<Future<T>> call) {
    inFlight++;
    return metrics.timeStore(call.get()).andThen(ignored -> inFlight--);
  }

  Future<Applied> apply(OpRequest request) {
    return awaited(() -> store.apply(request)).andThen(result -> {
      if (result.succeeded()) {
        metrics.accepted();
      } else if (result.cause() instanceof ProtocolException refused) {
        metrics.refused(refused.code());
      } else {
        metrics.refused(ErrorCode.UNAVAILABLE);
        LOG.warn("node={} paper={} by={} op not applied: {}", nodeId, request.paper(), request.by(),
            result.cause().getMessage());
      }
    });
  }

  /** Records that this node's last session of {@code user} on {@code paper} left. */
  void leave(String paper, String user) {
    inFlight++;
    store.leave(paper, user, nodeId).onComplete(result -> {
      inFlight--;
      if (result.failed()) {
        LOG.warn("node={} paper={} user={} leave not recorded (the presence entry expires instead): {}", nodeId,
            paper, user, result.cause().getMessage());
      }
    });
  }

  /** The periodic round for every paper of this node at once. */
  Future<Map<String, PaperHead>> tick(Map<String, Map<String, String>> namesByUserByPaper) {
    return store.tick(nodeId, namesByUserByPaper);
  }

  void signal(String paper, ChannelMessage.Signal signal) {
    store.signal(paper, signal);
  }

  PaperStore store() {
    return store;
  }
}
