package io.rollingpaper.node.config;

import java.time.Duration;

/**
 * How the node keeps its connections honest at the transport level.
 *
 * @param heartbeatInterval how often every WebSocket is sent a ping, and how long a session may go
 *                          without any frame before it is sent the protocol's {@code ping} frame
 * @param heartbeatTimeout  a connection that answers nothing (no pong, no frame) this long after a
 *                          ping is closed and its user leaves presence
 * @param handshakeTimeout  a connection must send a whole HTTP request head within this time of
 *                          opening (or of its previous response, when kept alive); WebSockets are
 *                          then the heartbeat's
 */
public record WireSettings(Duration heartbeatInterval, Duration heartbeatTimeout, Duration handshakeTimeout) {

  static WireSettings read(EnvReader r) {
    WireSettings wire = new WireSettings(
        r.duration("HEARTBEAT_INTERVAL", Duration.ofSeconds(25)),
        r.duration("HEARTBEAT_TIMEOUT", Duration.ofSeconds(10)),
        r.duration("HANDSHAKE_TIMEOUT", Duration.ofSeconds(10)));
    if (wire.heartbeatInterval().isZero() || wire.heartbeatTimeout().isZero() || wire.handshakeTimeout().isZero()) {
      r.problem("HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT and HANDSHAKE_TIMEOUT must be longer than zero");
    }
    return wire;
  }
}
