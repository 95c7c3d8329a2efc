package io.rollingpaper.node.transport;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Builds WebSocket messages from their frames, so the protocol's limits hold as a message arrives:
 * past the size limit the socket closes with 1009 without buffering the rest, a message in more than
 * {@link #MAX_FRAGMENTS} frames closes it with 1008 (empty continuation frames would otherwise keep
 * the event loop busy forever without ever reaching the size limit), and a text message that is not
 * valid UTF-8 closes it with 1007 (RFC 6455 §8.1) instead of being decoded with replacement
 * characters. Nothing is ever inflated: the node negotiates no compression, and the decoder refuses a
 * frame with reserved bits set (1002). Vert.x answers control frames itself.
 */
public final class MessageAssembler implements Handler<WebSocketFrame> {
  /** What becomes of each message. */
  public interface Sink {
    void text(String message);

    void binary(Buffer message);

    void close(short code, String reason);
  }

  /** RFC 6455's close codes for what this class refuses (the transport knows none of the protocol's own). */
  static final short INVALID_PAYLOAD = 1007;
  static final short POLICY_VIOLATION = 1008;
  static final short MESSAGE_TOO_BIG = 1009;
  /** Frames one message may come in: far more than any client splits a message into. */
  static final int MAX_FRAGMENTS = 1024;

  private final int maxBytes;
  private final Sink sink;
  private Buffer partial;
  private boolean partialIsText;
  private int fragments;
  /** One strict decoder per connection (a decoder is stateful; reset before each message). */
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);

  public MessageAssembler(int maxBytes, Sink sink) {
    this.maxBytes = maxBytes;
    this.sink = sink;
  }

  @Override
  public void handle(WebSocketFrame frame) {
    if ((frame.isText() || frame.isBinary()) && frame.isFinal()) {
      // A message in one frame, as clients send them: its payload is the message, nothing to assemble.
      partial = null;
      Buffer data = frame.binaryData();
      if (data.length() > maxBytes) {
        sink.close(MESSAGE_TOO_BIG, "message over " + maxBytes + " bytes");
      } else {
        deliver(data, frame.isText());
      }
      return;
    }
    if (frame.isText() || frame.isBinary()) {
      partial = Buffer.buffer();
      partialIsText = frame.isText();
      fragments = 0;
    } else if (!frame.isContinuation() || partial == null) {
      return;
    }
    if (++fragments > MAX_FRAGMENTS) {
      partial = null;
      sink.close(POLICY_VIOLATION, "message in over " + MAX_FRAGMENTS + " frames");
      return;
    }
    Buffer data = frame.binaryData();
    if (partial.length() + data.length() > maxBytes) {
      partial = null;
      sink.close(MESSAGE_TOO_BIG, "message over " + maxBytes + " bytes");
      return;
    }
    partial.appendBuffer(data);
    if (!frame.isFinal()) {
      return;
    }
    Buffer message = partial;
    partial = null;
    deliver(message, partialIsText);
  }

  private void deliver(Buffer message, boolean text) {
    if (!text) {
      sink.binary(message);
      return;
    }
    String decoded;
    try {
      decoded = utf8.reset().decode(ByteBuffer.wrap(message.getBytes())).toString();
    } catch (CharacterCodingException e) {
      sink.close(INVALID_PAYLOAD, "text is not valid UTF-8");
      return;
    }
    sink.text(decoded);
  }
}
