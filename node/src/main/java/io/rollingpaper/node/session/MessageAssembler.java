package io.rollingpaper.node.session;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Builds WebSocket messages from their frames (after permessage-deflate), so the protocol's limits
 * hold as a message arrives: past the size limit the socket closes with 1009 without buffering the
 * rest, and a text message that is not valid UTF-8 closes it with 1007 (RFC 6455 §8.1) instead of
 * being decoded with replacement characters. Vert.x answers control frames itself.
 */
final class MessageAssembler implements Handler<WebSocketFrame> {
  /** What becomes of each message. */
  interface Sink {
    void text(String message);

    void binary(Buffer message);

    void close(short code, String reason);
  }

  static final short INVALID_PAYLOAD = 1007;

  private final int maxBytes;
  private final Sink sink;
  private Buffer partial;
  private boolean partialIsText;

  MessageAssembler(int maxBytes, Sink sink) {
    this.maxBytes = maxBytes;
    this.sink = sink;
  }

  @Override
  public void handle(WebSocketFrame frame) {
    if (frame.isText() || frame.isBinary()) {
      partial = Buffer.buffer();
      partialIsText = frame.isText();
    } else if (!frame.isContinuation() || partial == null) {
      return;
    }
    Buffer data = frame.binaryData();
    if (partial.length() + data.length() > maxBytes) {
      partial = null;
      sink.close(CloseCodes.TOO_BIG, "message over " + maxBytes + " bytes");
      return;
    }
    partial.appendBuffer(data);
    if (!frame.isFinal()) {
      return;
    }
    Buffer message = partial;
    partial = null;
    if (!partialIsText) {
      sink.binary(message);
      return;
    }
    try {
      sink.text(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(message.getBytes()))
          .toString());
    } catch (CharacterCodingException e) {
      sink.close(INVALID_PAYLOAD, "text is not valid UTF-8");
    }
  }
}
