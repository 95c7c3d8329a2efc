package io.rollingpaper.node.backend.memory;

import io.rollingpaper.node.backend.Broker;
import io.rollingpaper.node.backend.BrokerListener;
import io.rollingpaper.node.backend.ChannelMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.HashSet;
import java.util.Set;

/**
 * The in-memory broker of a single node: what {@link MemoryStore} publishes is handed to the listener
 * on a later turn of the event loop, in publication order, if the node subscribed to the paper.
 */
public final class MemoryBroker implements Broker {
  private final Context context;
  private final Set<String> subscribed = new HashSet<>();
  private BrokerListener listener;

  public MemoryBroker(Context context) {
    this.context = context;
  }

  @Override
  public Future<Void> start(BrokerListener listener) {
    this.listener = listener;
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> subscribe(String paper) {
    subscribed.add(paper);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> unsubscribe(String paper) {
    subscribed.remove(paper);
    return Future.succeededFuture();
  }

  @Override
  public boolean connected() {
    return true;
  }

  @Override
  public Future<Void> close() {
    subscribed.clear();
    return Future.succeededFuture();
  }

  /** Typed end to end: in one process there is no wire format to go through. */
  void publish(String paper, ChannelMessage message) {
    context.runOnContext(ignored -> {
      if (listener != null && subscribed.contains(paper)) {
        listener.onMessage(paper, message);
      }
    });
  }
}
