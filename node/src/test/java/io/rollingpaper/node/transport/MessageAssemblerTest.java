package io.rollingpaper.node.transport;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Message assembly and its limits, frame by frame, without a socket. */
class MessageAssemblerTest {
  private static final int MAX_BYTES = 64;

  /** What the assembler handed on, in order: "text:...", "binary:<length>" or "close:<code>". */
  private final List<String> out = new ArrayList<>();
  private final MessageAssembler assembler = new MessageAssembler(MAX_BYTES, new MessageAssembler.Sink() {
    @Override
    public void text(String message) {
      out.add("text:" + message);
    }

    @Override
    public void binary(Buffer message) {
      out.add("binary:" + message.length());
    }

    @Override
    public void close(short code, String reason) {
      out.add("close:" + code);
    }
  });

  @Test
  void aWholeTextFrameIsOneMessage() {
    assembler.handle(WebSocketFrame.textFrame("{\"type\":\"op\"}", true));

    assertThat(out).containsExactly("text:{\"type\":\"op\"}");
  }

  @Test
  void fragmentsAreJoinedIntoOneMessageOnTheFinalFrame() {
    assembler.handle(WebSocketFrame.textFrame("ab", false));
    assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer("cd"), false));
    assertThat(out).as("nothing before the final frame").isEmpty();

    assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer("ef"), true));

    assertThat(out).containsExactly("text:abcdef");
  }

  @Test
  void aCharacterSplitAcrossFragmentsIsDecodedWhole() {
    byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
    assembler.handle(textFrame(Arrays.copyOfRange(euro, 0, 1), false));
    assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer(Arrays.copyOfRange(euro, 1, 3)), true));

    assertThat(out).containsExactly("text:€");
  }

  @Test
  void binaryMessagesStayBinary() {
    assembler.handle(WebSocketFrame.binaryFrame(Buffer.buffer(new byte[]{1, 2}), false));
    assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer(new byte[]{3}), true));

    assertThat(out).containsExactly("binary:3");
  }

  @Test
  void aMessageOfExactlyTheLimitIsTaken() {
    assembler.handle(WebSocketFrame.textFrame("x".repeat(MAX_BYTES / 2), false));
    assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer("y".repeat(MAX_BYTES / 2)), true));

    assertThat(out).containsExactly("text:" + "x".repeat(MAX_BYTES / 2) + "y".repeat(MAX_BYTES / 2));
  }

  @Test
  void aMessageOverTheLimitClosesWith1009AndTheRestIsIgnored() {
    assembler.handle(WebSocketFrame.textFrame("x".repeat(MAX_BYTES), false));
    assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer("y"), false));
    assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer("z"), true));

    assertThat(out).containsExactly("close:" + MessageAssembler.MESSAGE_TOO_BIG);
  }

  @Test
  void aSingleFrameOverTheLimitClosesWith1009() {
    assembler.handle(WebSocketFrame.binaryFrame(Buffer.buffer(new byte[MAX_BYTES + 1]), true));

    assertThat(out).containsExactly("close:1009");
  }

  @Test
  void aMessageInTheMostFramesAllowedIsTaken() {
    assembler.handle(WebSocketFrame.textFrame("", false));
    for (int i = 2; i < MessageAssembler.MAX_FRAGMENTS; i++) {
      assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer(), false));
    }
    assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer("!"), true));

    assertThat(out).containsExactly("text:!");
  }

  @Test
  void oneFrameMoreThanTheCapClosesWith1008EvenWhenTheFramesAreEmpty() {
    assembler.handle(WebSocketFrame.textFrame("", false));
    for (int i = 1; i < MessageAssembler.MAX_FRAGMENTS; i++) {
      assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer(), false));
    }
    assertThat(out).as("1,024 frames are allowed").isEmpty();

    assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer(), false));
    assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer(), true));

    assertThat(out).containsExactly("close:" + MessageAssembler.POLICY_VIOLATION);
    assertThat(MessageAssembler.MAX_FRAGMENTS).isEqualTo(1024);
  }

  @Test
  void textThatIsNotUtf8ClosesWith1007() {
    assembler.handle(textFrame(new byte[]{'o', 'k', (byte) 0xC3}, true));

    assertThat(out).containsExactly("close:" + MessageAssembler.INVALID_PAYLOAD);
    assertThat(MessageAssembler.INVALID_PAYLOAD).isEqualTo((short) 1007);
  }

  @Test
  void binaryIsNotCheckedForUtf8() {
    assembler.handle(WebSocketFrame.binaryFrame(Buffer.buffer(new byte[]{(byte) 0xC3}), true));

    assertThat(out).containsExactly("binary:1");
  }

  @Test
  void aContinuationWithNoMessageStartedIsIgnored() {
    assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer("stray"), true));

    assertThat(out).isEmpty();
  }

  @Test
  void aNewMessageStartsAfreshAndCountsItsOwnFrames() {
    assembler.handle(WebSocketFrame.textFrame("x".repeat(MAX_BYTES), true));
    assembler.handle(WebSocketFrame.textFrame("y".repeat(MAX_BYTES), true));
    assembler.handle(WebSocketFrame.textFrame("", false));
    for (int i = 2; i < MessageAssembler.MAX_FRAGMENTS; i++) {
      assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer(), false));
    }
    assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer("z"), true));

    assertThat(out).containsExactly("text:" + "x".repeat(MAX_BYTES), "text:" + "y".repeat(MAX_BYTES), "text:z");
  }

  @Test
  void controlFramesAreNotPartOfAMessage() {
    assembler.handle(WebSocketFrame.textFrame("a", false));
    assembler.handle(WebSocketFrame.pingFrame(Buffer.buffer("p")));
    assembler.handle(WebSocketFrame.continuationFrame(Buffer.buffer("b"), true));

    assertThat(out).containsExactly("text:ab");
  }

  /** A text frame with the given bytes, valid UTF-8 or not (the public factory takes a String). */
  private static WebSocketFrame textFrame(byte[] bytes, boolean isFinal) {
    WebSocketFrame binary = WebSocketFrame.binaryFrame(Buffer.buffer(bytes), isFinal);
    return new WebSocketFrame() {
      @Override
      public io.vertx.core.http.WebSocketFrameType type() {
        return io.vertx.core.http.WebSocketFrameType.TEXT;
      }

      @Override
      public boolean isText() {
        return true;
      }

      @Override
      public boolean isBinary() {
        return false;
      }

      @Override
      public boolean isContinuation() {
        return false;
      }

      @Override
      public boolean isClose() {
        return false;
      }

      @Override
      public boolean isPing() {
        return false;
      }

      @Override
      public String textData() {
        return binary.binaryData().toString(StandardCharsets.UTF_8);
      }

      @Override
      public Buffer binaryData() {
        return binary.binaryData();
      }

      @Override
      public boolean isFinal() {
        return isFinal;
      }

      @Override
      public short closeStatusCode() {
        return 0;
      }

      @Override
      public String closeReason() {
        return null;
      }
    };
  }
}
