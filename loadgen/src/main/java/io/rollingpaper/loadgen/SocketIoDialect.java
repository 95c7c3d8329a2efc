package io.rollingpaper.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The Socket.IO peer (bench/peer-socketio) over a plain WebSocket: Engine.IO v4 packets carrying
 * Socket.IO v5 packets, written by hand because the framing is small and a Java Socket.IO client
 * would add its own threads and costs to one side of the comparison only.
 *
 * <p>Engine.IO packet = one type digit + data, one packet per WebSocket message (the websocket
 * transport never batches): {@code 0} open (server, JSON with sid and ping timings), {@code 1} close,
 * {@code 2} ping (server) that must be answered {@code 3} pong within pingTimeout or the server drops
 * the connection, {@code 4} message, {@code 6} noop. A message's data is a Socket.IO packet: {@code 0}
 * connect, {@code 1} disconnect, {@code 2} event {@code ["name",payload]}, {@code 4} connect_error;
 * the default namespace is left out. So the client sends {@code 40} after the open packet, the server
 * answers {@code 40{"sid":…}}, and events both ways are {@code 42["name",{…}]}.
 *
 * <p>The peer's contract (bench/peer-socketio/README.md): emit {@code join {paper}} once connected,
 * get {@code snapshot {paper,seq,notes}}; emit {@code op {cid,op}}; every socket of the paper gets
 * {@code delta {paper,seq,by,cid,op}}, the sender's own cid being its acknowledgement; a refused op
 * gets {@code error {cid,code,message}}. One instance per connection: it holds the handshake state.
 */
final class SocketIoDialect implements WireDialect {
  static final String PATH = "/socket.io/?EIO=4&transport=websocket";
  static final String CONNECT = "40";
  static final String PONG = "3";
  static final String DELTA_PREFIX = "42[\"delta\",";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String paper;
  private boolean opened;
  private boolean connected;

  SocketIoDialect(String paper) {
    this.paper = paper;
  }

  @Override
  public String uri(String baseUrl, String user) {
    return baseUrl + PATH + "&user=" + user;
  }

  @Override
  public String opFrame(String cid, String opJson) {
    return "42[\"op\",{\"cid\":\"" + cid + "\",\"op\":" + opJson + "}]";
  }

  @Override
  public int deltaStart(String s) {
    return s.startsWith(DELTA_PREFIX) ? DELTA_PREFIX.length() : -1;
  }

  @Override
  public void onOther(String s, Events events) {
    if (s.isEmpty()) {
      events.unparsable();
      return;
    }
    switch (s.charAt(0)) {
      case '2' -> events.send(PONG); // "2" ping; a bare "2" only, probes do not occur on websocket alone
      case '0' -> {
        // Engine.IO open: connect to the default namespace.
        opened = true;
        events.send(CONNECT);
      }
      case '4' -> onMessage(s, events);
      case '6' -> { } // noop
      case '1' -> events.other(); // Engine.IO close: the WebSocket close follows
      default -> events.unparsable();
    }
  }

  /** An Engine.IO message: a Socket.IO packet from its second character on. */
  private void onMessage(String s, Events events) {
    char type = s.length() > 1 ? s.charAt(1) : ' ';
    switch (type) {
      case '0' -> {
        if (!opened || connected) {
          events.other();
          return;
        }
        // Namespace connected: ask for the paper.
        connected = true;
        events.send("42[\"join\",{\"paper\":\"" + paper + "\"}]");
      }
      case '2' -> onEvent(s, events);
      case '4' -> {
        JsonNode data = parse(s.substring(2));
        events.refused("connect_error " + (data == null ? s.substring(2) : data.path("message").asText(s.substring(2))));
      }
      case '1' -> events.other(); // namespace disconnect: the server closes the transport next
      default -> events.unparsable();
    }
  }

  private void onEvent(String s, Events events) {
    JsonNode array = parse(s.substring(2));
    if (array == null || !array.isArray() || !array.path(0).isTextual()) {
      events.unparsable();
      return;
    }
    JsonNode data = array.path(1);
    switch (array.get(0).asText()) {
      case "snapshot" -> events.snapshot(data.path("seq").asLong(-1));
      case "error" -> events.error(data.path("code").asText("?"), data.path("cid").asText(""));
      default -> events.other(); // the peer sends no other event
    }
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      return null;
    }
  }
}
