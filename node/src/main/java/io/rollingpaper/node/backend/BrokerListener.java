package io.rollingpaper.node.backend;

/** Receives what arrives on the paper channels this node subscribed to. Called on the node's event loop. */
public interface BrokerListener {

  /** A message on {@code paper}'s channel (the paper is the channel's; the message does not carry it). */
  void onMessage(String paper, ChannelMessage message);

  /** The subscriptions were lost and are back; anything published meanwhile may be missing. */
  void onResubscribed();
}
