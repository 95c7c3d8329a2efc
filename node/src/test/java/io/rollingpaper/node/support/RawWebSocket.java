package io.rollingpaper.node.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written by hand over a plain TCP socket, for what no well-behaved client sends:
 * frames with reserved bits set, compressed payloads nobody negotiated, continuation floods, a
 * handshake dribbled byte by byte, a peer that stops answering pings. It records the frames the
 * server sends, the close code it gives, and when the TCP connection ends.
 */
public final class RawWebSocket {
  public static final int CONTINUATION = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  /** A frame from the server. */
  public record Frame(int opcode, boolean fin, Buffer payload) {
    public String text() {
      return payload.toString(StandardCharsets.UTF_8);
    }
  }

  private final NetClient client;
  private final NetSocket socket;
  private final Promise<String> responseHead = Promise.promise();
  private final Promise<Void> ended = Promise.promise();
  private final List<Frame> frames = new ArrayList<>();
  private Buffer pending = Buffer.buffer();
  private boolean upgraded;
  private volatile boolean answerPings = true;
  private volatile Integer closeCode;

  private RawWebSocket(NetClient client, NetSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.handler(this::onData);
    socket.closeHandler(ignored -> {
      ended.tryComplete();
      responseHead.tryFail("the connection closed before a response head");
    });
    socket.exceptionHandler(ignored -> {
    });
  }

  /** A TCP connection to the node that has sent nothing yet. */
  public static Future<RawWebSocket> connect(Vertx vertx, int port) {
    NetClient client = vertx.createNetClient();
    return client.connect(port, "127.0.0.1").map(socket -> new RawWebSocket(client, socket))
        .onFailure(error -> client.close());
  }

  /** Connects and sends an upgrade request with these extra headers; completes with the response head. */
  public static Future<RawWebSocket> upgrade(Vertx vertx, int port, String uri, Map<String, String> headers) {
    return connect(vertx, port).compose(raw -> raw.write(Buffer.buffer(raw.handshake(uri, headers)))
        .compose(ignored -> raw.responseHead()).map(raw));
  }

  /** The bytes of an upgrade request (for a test that sends them in pieces). */
  public String handshake(String uri, Map<String, String> headers) {
    StringBuilder request = new StringBuilder("GET " + uri + " HTTP/1.1\r\n")
        .append("Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
        .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
    headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
    return request.append("\r\n").toString();
  }

  /** The server's response head (status line and headers), once it has arrived. */
  public Future<String> responseHead() {
    return responseHead.future();
  }

  /** Completes when the TCP connection has ended. */
  public Future<Void> ended() {
    return ended.future();
  }

  /** The code of the close frame the server sent, or null. */
  public Integer closeCode() {
    return closeCode;
  }

  /** Stops answering the server's pings (and the socket sends nothing else): a peer gone silent. */
  public void stopAnswering() {
    answerPings = false;
  }

  public synchronized List<Frame> frames() {
    return List.copyOf(frames);
  }

  public synchronized long count(int opcode) {
    return frames.stream().filter(f -> f.opcode() == opcode).count();
  }

  public Future<Void> write(Buffer bytes) {
    return socket.write(bytes);
  }

  /** One client frame (masked, as RFC 6455 requires) with the FIN and RSV1 bits as given. */
  public Future<Void> frame(boolean fin, boolean rsv1, int opcode, byte[] payload) {
    return write(encode(fin, rsv1, opcode, payload));
  }

  public Future<Void> text(String text) {
    return frame(true, false, TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Closes the TCP connection (no close frame) and releases the client. */
  public Future<Void> close() {
    return socket.close().otherwiseEmpty().eventually(client::close);
  }

  public static Buffer encode(boolean fin, boolean rsv1, int opcode, byte[] payload) {
    Buffer out = Buffer.buffer(payload.length + 14);
    out.appendByte((byte) ((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode));
    if (payload.length < 126) {
      out.appendByte((byte) (0x80 | payload.length));
    } else if (payload.length < 65536) {
      out.appendByte((byte) (0x80 | 126)).appendShort((short) payload.length);
    } else {
      out.appendByte((byte) (0x80 | 127)).appendLong(payload.length);
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    out.appendBytes(mask);
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    return out.appendBytes(masked);
  }

  private synchronized void onData(Buffer data) {
    pending.appendBuffer(data);
    if (!upgraded) {
      String soFar = pending.toString(StandardCharsets.ISO_8859_1);
      int end = soFar.indexOf("\r\n\r\n");
      if (end < 0) {
        return;
      }
      upgraded = true;
      pending = pending.getBuffer(end + 4, pending.length());
      responseHead.tryComplete(soFar.substring(0, end));
    }
    while (parseFrame()) {
      // one frame at a time, as many as have arrived whole
    }
  }

  private boolean parseFrame() {
    if (pending.length() < 2) {
      return false;
    }
    int b0 = pending.getUnsignedByte(0);
    int b1 = pending.getUnsignedByte(1);
    int length = b1 & 0x7F;
    int header = 2;
    if (length == 126) {
      if (pending.length() < 4) {
        return false;
      }
      length = pending.getUnsignedShort(2);
      header = 4;
    } else if (length == 127) {
      if (pending.length() < 10) {
        return false;
      }
      length = (int) pending.getLong(2);
      header = 10;
    }
    if (pending.length() < header + length) {
      return false;
    }
    Frame frame = new Frame(b0 & 0x0F, (b0 & 0x80) != 0, pending.getBuffer(header, header + length));
    pending = pending.getBuffer(header + length, pending.length());
    frames.add(frame);
    if (frame.opcode() == CLOSE && length >= 2) {
      closeCode = frame.payload().getUnsignedShort(0);
    } else if (frame.opcode() == PING && answerPings) {
      write(encode(true, false, PONG, frame.payload().getBytes()));
    }
    return true;
  }
}
