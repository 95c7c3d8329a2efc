package io.rollingpaper.node.backend;

import io.vertx.core.Future;

/**
 * The receiving side of the paper channels: this node's subscriptions.
 *
 * <p><b>Delivery.</b> Messages of one paper reach the listener in the order the store published them,
 * each at most once. While the connection to the store is lost, messages are lost too; once the broker
 * has subscribed again to every paper it held, it calls {@link BrokerListener#onResubscribed()} so the
 * node can repair what it missed from the held history.
 *
 * <p><b>Threading.</b> Call from the node's event loop; the listener is called on it.
 */
public interface Broker {

  /** Where the subscriptions stand, for readiness. */
  enum State {
    /** Connected, and (where a liveness probe runs) the probe came back: messages are delivered. */
    LIVE,
    /** Connected, but not (yet, or no longer) confirmed to deliver. */
    UNCONFIRMED,
    /** Not connected; reconnecting. */
    DOWN
  }

  /**
   * Starts receiving for {@code listener}, the one this broker delivers to for its whole life: on Redis,
   * connects; fails when Redis cannot be reached now. Called once, before the first {@link #subscribe}.
   */
  Future<Void> start(BrokerListener listener);

  /** Subscribes to a paper's channel; succeeds once messages published after this point will arrive. */
  Future<Void> subscribe(String paper);

  Future<Void> unsubscribe(String paper);

  /** Whether the subscriptions are live now (readiness): {@link #state()} is {@link State#LIVE}. */
  boolean connected();

  default State state() {
    return connected() ? State.LIVE : State.DOWN;
  }

  Future<Void> close();
}
