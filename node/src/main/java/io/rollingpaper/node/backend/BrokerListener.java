package io.rollingpaper.node.backend;

/** Receives what arrives on the paper channels this node subscribed to. Called on the node's event loop. */
public interface BrokerListener {

  void onMessage(ChannelMessage message);

  /** The subscriptions were lost and are back; anything published meanwhile may be missing. */
  void onResubscribed();
}
