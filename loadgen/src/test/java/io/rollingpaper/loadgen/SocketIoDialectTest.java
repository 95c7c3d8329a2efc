package io.rollingpaper.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * The Socket.IO framing against packets as a socket.io 4 server (Engine.IO v4, Socket.IO v5) writes
 * them; the delta literals are what bench/peer-socketio/server.js emits (JSON.stringify of its object).
 */
class SocketIoDialectTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Records what the dialect reports, as strings in order. */
  static final class Recorder implements WireDialect.Events {
    final List<String> sent = new ArrayList<>();
    final List<String> events = new ArrayList<>();

    @Override
    public void send(String frame) {
      sent.add(frame);
    }

    @Override
    public void snapshot(long seq) {
      events.add("snapshot " + seq);
    }

    @Override
    public void resumed(long seq) {
      events.add("resumed " + seq);
    }

    @Override
    public void error(String code, String cid) {
      events.add("error " + code + " " + cid);
    }

    @Override
    public void refused(String reason) {
      events.add("refused " + reason);
    }

    @Override
    public void presence() {
      events.add("presence");
    }

    @Override
    public void other() {
      events.add("other");
    }

    @Override
    public void unparsable() {
      events.add("unparsable");
    }
  }

  private static final String OPEN =
      "0{\"sid\":\"AxkMjm1xtSetPM_8AAAA\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":65536}";

  @Test
  void connectsToTheWebSocketTransportWithTheUser() {
    SocketIoDialect d = new SocketIoDialect("lg-abc-3");
    assertThat(d.uri("ws://127.0.0.1:3001", "lg7"))
        .isEqualTo("ws://127.0.0.1:3001/socket.io/?EIO=4&transport=websocket&user=lg7");
  }

  @Test
  void handshakeOpenThenNamespaceConnectThenJoin() {
    SocketIoDialect d = new SocketIoDialect("lg-abc-3");
    Recorder r = new Recorder();
    d.onOther(OPEN, r);
    assertThat(r.sent).containsExactly("40");
    d.onOther("40{\"sid\":\"NB3-LsLVi09vM0jzAAAA\"}", r);
    assertThat(r.sent).containsExactly("40", "42[\"join\",{\"paper\":\"lg-abc-3\"}]");
    d.onOther("42[\"snapshot\",{\"paper\":\"lg-abc-3\",\"seq\":17,\"notes\":[{\"id\":\"n1\",\"text\":\"x\"}]}]", r);
    assertThat(r.events).containsExactly("snapshot 17");
  }

  @Test
  void aSecondNamespaceConnectDoesNotJoinAgain() {
    SocketIoDialect d = new SocketIoDialect("p");
    Recorder r = new Recorder();
    d.onOther("40{\"sid\":\"x\"}", r); // before the open packet
    assertThat(r.sent).isEmpty();
    d.onOther(OPEN, r);
    d.onOther("40{\"sid\":\"x\"}", r);
    d.onOther("40{\"sid\":\"x\"}", r);
    assertThat(r.sent).containsExactly("40", "42[\"join\",{\"paper\":\"p\"}]");
    assertThat(r.events).containsExactly("other", "other");
  }

  @Test
  void answersPingWithPong() {
    Recorder r = new Recorder();
    new SocketIoDialect("p").onOther("2", r);
    assertThat(r.sent).containsExactly("3");
    assertThat(r.events).isEmpty();
  }

  @Test
  void refusedOpAndConnectError() {
    Recorder r = new Recorder();
    SocketIoDialect d = new SocketIoDialect("p");
    d.onOther("42[\"error\",{\"cid\":\"c12_4\",\"code\":\"too_large\",\"message\":\"a note is at most 16384 bytes\"}]", r);
    d.onOther("42[\"error\",{\"cid\":null,\"code\":\"bad_frame\",\"message\":\"join a paper first\"}]", r);
    d.onOther("44{\"message\":\"Not authorized\"}", r);
    assertThat(r.events).containsExactly("error too_large c12_4", "error bad_frame ", "refused connect_error Not authorized");
  }

  @Test
  void noopCloseAndJunk() {
    Recorder r = new Recorder();
    SocketIoDialect d = new SocketIoDialect("p");
    d.onOther("6", r);
    d.onOther("1", r);
    d.onOther("41", r);
    d.onOther("42[\"presence\",{}]", r);
    d.onOther("42{not json", r);
    d.onOther("", r);
    d.onOther("x", r);
    assertThat(r.events).containsExactly("other", "other", "other", "unparsable", "unparsable", "unparsable");
    assertThat(r.sent).isEmpty();
  }

  @Test
  void opFrameIsAnEventWithCidAndOp() throws Exception {
    SocketIoDialect d = new SocketIoDialect("p");
    String frame = d.opFrame("c3_9", "{\"kind\":\"note.put\",\"note\":{\"id\":\"n4\",\"t\":55,\"text\":\"xx\"}}");
    assertThat(frame).startsWith("42[\"op\",");
    JsonNode array = JSON.readTree(frame.substring(2));
    assertThat(array.get(0).asText()).isEqualTo("op");
    assertThat(array.get(1).path("cid").asText()).isEqualTo("c3_9");
    assertThat(array.get(1).path("op").path("note").path("t").asLong()).isEqualTo(55);
  }

  @Test
  void deltaFastPathFindsSeqCidAndSendTime() {
    SocketIoDialect d = new SocketIoDialect("lg-abc-3");
    String frame = "42[\"delta\",{\"paper\":\"lg-abc-3\",\"seq\":41,\"by\":\"lg7\",\"cid\":\"c12_7\",\"op\":{\"kind\":"
        + "\"note.put\",\"note\":{\"id\":\"n3\",\"t\":123456789012,\"text\":\"xx\",\"author\":\"lg7\"}}}]";
    int start = d.deltaStart(frame);
    assertThat(start).isEqualTo(SocketIoDialect.DELTA_PREFIX.length());
    assertThat(frame.charAt(start)).isEqualTo('{');
    assertThat(Frames.seq(frame, start)).isEqualTo(41);
    int cid = Frames.cidValue(frame, start);
    assertThat(frame.startsWith("\"c12_", cid)).isTrue();
    assertThat(frame.startsWith("\"c1_", cid)).isFalse();
    assertThat(Frames.sendTime(frame, cid)).isEqualTo(123456789012L);
  }

  @Test
  void deltaWithoutCidAndNonDeltas() {
    SocketIoDialect d = new SocketIoDialect("p");
    String frame = "42[\"delta\",{\"paper\":\"p\",\"seq\":2,\"by\":\"bob\",\"cid\":null,\"op\":{\"kind\":\"note.delete\",\"id\":\"n1\"}}]";
    int cid = Frames.cidValue(frame, d.deltaStart(frame));
    assertThat(frame.startsWith("null", cid)).isTrue();
    assertThat(Frames.sendTime(frame, cid)).isEqualTo(-1);
    assertThat(d.deltaStart("42[\"snapshot\",{\"seq\":1}]")).isEqualTo(-1);
    assertThat(d.deltaStart("2")).isEqualTo(-1);
    assertThat(d.deltaStart(Frames.DELTA_PREFIX + "}")).isEqualTo(-1);
  }

  @Test
  void oursDialectFramesTheSameOpAndFindsItsDelta() throws Exception {
    OursDialect d = new OursDialect("lg-abc-3");
    assertThat(d.uri("ws://h:1", "lg7")).isEqualTo("ws://h:1/ws/lg-abc-3?user=lg7&name=lg7");
    JsonNode frame = JSON.readTree(d.opFrame("c3_9", "{\"kind\":\"note.delete\",\"id\":\"n4\"}"));
    assertThat(frame.path("type").asText()).isEqualTo("op");
    assertThat(frame.path("cid").asText()).isEqualTo("c3_9");
    assertThat(frame.path("op").path("id").asText()).isEqualTo("n4");
    assertThat(d.deltaStart(Frames.DELTA_PREFIX + ",\"seq\":1}")).isZero();
    assertThat(d.deltaStart(SocketIoDialect.DELTA_PREFIX + "{}]")).isEqualTo(-1);
    Recorder r = new Recorder();
    d.onOther("{\"type\":\"presence\",\"paper\":\"p\",\"joined\":[],\"left\":[]}", r);
    d.onOther("{\"type\":\"snapshot\",\"paper\":\"p\",\"seq\":5,\"notes\":[]}", r);
    d.onOther("{\"type\":\"error\",\"cid\":\"c1_2\",\"code\":\"rate_limited\",\"message\":\"\"}", r);
    d.onOther("nope", r);
    assertThat(r.events).containsExactly("presence", "snapshot 5", "error rate_limited c1_2", "unparsable");
  }
}
